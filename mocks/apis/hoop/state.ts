import type { components } from '../../../specs/generated/hoop.types.ts';
import { findBySecret } from '../../core/constant-time.ts';
import { Table } from '../../core/table.ts';

export const ADMIN_GROUP = 'admin';
/** `local@domain` with a dot inside the domain; checked without a backtracking regex, as ids can be long. */
const EMAIL_PARTS = /^[^\s@]+@([^\s@]+)$/;
const isEmail = (value: string) => EMAIL_PARTS.exec(value)?.[1]!.slice(1, -1).includes('.') ?? false;

export type WireUser = components['schemas']['openapi.User'];
export type HoopStatus = NonNullable<WireUser['status']>;

/** A stored user: every field of the spec's user but `role`, which follows from the groups; a password only when set. */
export type HoopRecord = Required<Omit<WireUser, 'role' | 'password'>> & Pick<WireUser, 'password'>;

export interface HoopSnapshot {
  org: { id: string; name: string };
  users: HoopRecord[];
  groups: string[];
  tokens: { admin: string; standard: string; byToken: Record<string, string> };
}

/** hoop's organisation: its users (by id and email), groups and issued tokens. */
export class HoopState {
  readonly groups = new Set<string>();

  constructor(
    readonly org: HoopSnapshot['org'],
    readonly tokens: HoopSnapshot['tokens'],
    readonly users = new Table<string, HoopRecord, 'email'>((user) => user.id, { unique: { email: (user) => user.email } }),
  ) {}

  /** A state that starts as this one and changes on its own, sharing its users (this one must not change again). */
  fork(): HoopState {
    const state = new HoopState(this.org, { ...this.tokens, byToken: { ...this.tokens.byToken } }, this.users.fork());
    for (const group of this.groups) state.groups.add(group);
    return state;
  }

  static fromJSON(snapshot: HoopSnapshot): HoopState {
    const state = new HoopState(snapshot.org, snapshot.tokens);
    // Groups first: putting a user adds its groups, and the list must keep the snapshot's order.
    for (const group of snapshot.groups) state.groups.add(group);
    for (const user of snapshot.users) state.put(user);
    return state;
  }

  toJSON(): HoopSnapshot {
    return { org: this.org, users: [...this.users.values()], groups: [...this.groups], tokens: this.tokens };
  }

  /** Lookup as hoop does it: a value that parses as an email matches on email, otherwise on id. */
  find(emailOrID: string): HoopRecord | undefined {
    return isEmail(emailOrID) ? this.users.find('email', emailOrID) : this.users.get(emailOrID);
  }

  findByEmail(email: string): HoopRecord | undefined {
    return this.users.find('email', email);
  }

  put(user: HoopRecord): void {
    this.users.put(user);
    for (const group of user.groups) this.groups.add(group);
  }

  remove(user: HoopRecord): void {
    this.users.delete(user.id);
  }

  /** The active user a bearer token belongs to. */
  caller(token: string): HoopRecord | undefined {
    const id = findBySecret(token, this.tokens.byToken);
    const user = id === undefined ? undefined : this.users.get(id);
    return user?.status === 'active' ? user : undefined;
  }
}

export function roleOf(user: HoopRecord): 'admin' | 'standard' {
  return user.groups.includes(ADMIN_GROUP) ? 'admin' : 'standard';
}
