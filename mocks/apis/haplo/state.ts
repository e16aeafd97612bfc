import type { components } from '../../../specs/generated/haplo.types.ts';
import { findBySecret } from '../../core/constant-time.ts';
import { Table } from '../../core/table.ts';

export const EVERYONE = 'std:group:everyone';

/** A principal as the API shows it, fields in the plugin's order. */
export type HaploUser = components['schemas']['User'];

/**
 * A stored security principal, a person, a service user or a group (groups share the id sequence):
 * the answer's fields with direct group ids (`std:group:everyone` is implied and never stored).
 */
export type HaploRecord = Omit<HaploUser, 'directGroupMembership'> & { groups: number[] };

export interface HaploSnapshot {
  nextId: number;
  principals: HaploRecord[];
  keys: { admin: string; standard: string; byKey: Record<string, number> };
}

const NO_IDS: ReadonlySet<number> = new Set();
/** The one tag Haplo keeps unique (compared lower-cased). */
const USERNAME = 'username';
const tagKey = (name: string, value: string) => JSON.stringify([name, value]);

/** A Haplo application's principals, indexed by id, email, username tag, group code and tag. */
export class HaploState {
  constructor(
    private nextId: number,
    readonly keys: HaploSnapshot['keys'],
    private readonly table = new Table<number, HaploRecord, 'email' | 'username' | 'groupCode', 'tag'>((p) => p.id, {
      unique: {
        email: (p) => p.email?.toLowerCase() || undefined,
        username: (p) => p.tags.username?.toLowerCase() || undefined,
        groupCode: (p) => (p.isGroup && p.code ? p.code : undefined),
      },
      // Non-empty usernames are found through their unique index instead (`idsWithTag`).
      multi: { tag: (p) => Object.entries(p.tags).flatMap(([name, value]) => (name === USERNAME && value ? [] : [tagKey(name, value)])) },
    }),
  ) {}

  /** A state that starts as this one and changes on its own, sharing its principals (this one must not change again). */
  fork(): HaploState {
    return new HaploState(this.nextId, { ...this.keys, byKey: { ...this.keys.byKey } }, this.table.fork());
  }

  static fromJSON(snapshot: HaploSnapshot): HaploState {
    const state = new HaploState(snapshot.nextId, snapshot.keys);
    for (const principal of snapshot.principals) state.put(principal);
    return state;
  }

  toJSON(): HaploSnapshot {
    return { nextId: this.nextId, principals: this.principals(), keys: this.keys };
  }

  /** The id the next principal will get (so tests can name one that does not exist). */
  get next(): number {
    return this.nextId;
  }

  get(id: number): HaploRecord | undefined {
    return this.table.get(id);
  }

  /** How many principals (people, service users, groups) there are. */
  get size(): number {
    return this.table.size;
  }

  /** Every principal, in id order: the order first put, as ids are handed out in increasing order. */
  principals(): HaploRecord[] {
    return [...this.table.values()];
  }

  findByEmail(email: string): HaploRecord | undefined {
    return this.table.find('email', email.toLowerCase());
  }

  findByUsername(username: string): HaploRecord | undefined {
    return this.table.find('username', username.toLowerCase());
  }

  /** The group with this API code. */
  group(code: string): HaploRecord | undefined {
    return this.table.find('groupCode', code);
  }

  /** The principals carrying every `name=value` tag, in id order (blocked users included). */
  findByTags(conditions: ReadonlyArray<readonly [string, string]>): HaploRecord[] {
    const sets = conditions.map(([name, value]) => this.idsWithTag(name, value)).sort((a, b) => a.size - b.size);
    const [smallest, ...rest] = sets;
    if (!smallest) return [];
    const ids = [...smallest].filter((id) => rest.every((set) => set.has(id))).sort((a, b) => a - b);
    return ids.map((id) => this.table.get(id)!);
  }

  /** Ids of a group's active members as `loadAllMembers` gives them: no service users, no groups. */
  members(group: HaploRecord): number[] {
    const everyone = group.code === EVERYONE;
    return this.principals()
      .filter((p) => p.isActive && !p.isGroup && !p.isServiceUser && (everyone || p.groups.includes(group.id)))
      .map((p) => p.id);
  }

  create(fields: Omit<HaploRecord, 'id'>): HaploRecord {
    const principal = { id: this.nextId++, ...fields };
    this.put(principal);
    return principal;
  }

  /** Stores a principal, replacing the one with its id. */
  put(principal: HaploRecord): void {
    this.table.put(principal);
  }

  /** The active principal an API key belongs to. */
  caller(key: string): HaploRecord | undefined {
    const id = findBySecret(key, this.keys.byKey);
    const principal = id === undefined ? undefined : this.table.get(id);
    return principal?.isActive ? principal : undefined;
  }

  /** Whether a principal is a direct member of the group with this API code. */
  isMember(principal: HaploRecord, code: string): boolean {
    const group = this.group(code);
    return group !== undefined && principal.groups.includes(group.id);
  }

  private idsWithTag(name: string, value: string): ReadonlySet<number> {
    if (name !== USERNAME || !value) return this.table.keysWith('tag', tagKey(name, value));
    // Non-empty usernames are unique and already indexed (lower-cased); the tag query compares exactly.
    const principal = this.findByUsername(value);
    return principal?.tags[USERNAME] === value ? new Set([principal.id]) : NO_IDS;
  }
}
