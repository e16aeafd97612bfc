import type { Faker } from '@faker-js/faker';
import type { ApiSpec } from '../../specs/spec.ts';
import type { Gate } from './access.ts';
import type { Answer } from './compose.ts';
import type { MockRequest, MockResponse } from './http.ts';
import type { Match } from './router.ts';

/** `Authorization` header values of the two kinds of caller every API has in the mock. */
export interface Credentials {
  /** May call every operation (hoop admin group, Amani Company Admin, Haplo API-group member). */
  admin: string;
  /** Authenticated but refused on admin-only operations. */
  standard: string;
}

/** What seeding an API's state needs: a seeded faker and how many users to make. */
export interface SeedOptions {
  faker: Faker;
  users: number;
}

/** An API's in-memory state; it serialises to plain JSON (state file, snapshots). */
export interface ApiState {
  toJSON(): unknown;
}

/**
 * One vendor API, as it describes itself to the core: its name and spec, the paths it owns (the
 * core sends it every request to one, an unknown route there included: its own 404), its state,
 * its credentials, how it answers, and the lines `usermock serve` prints for it. One folder or
 * file per API under `mocks/apis/` implements this; the core composes any number of them.
 */
export interface ApiModule<
  S extends ApiState = ApiState,
  Name extends string = string,
  Op extends string = string,
  NewUser extends object = Record<string, unknown>,
> {
  name: Name;
  spec: ApiSpec;
  /**
   * Where its documented paths live on the mock's origin: a prefix such as `/acme` for an API
   * whose paths would collide with another's (its handlers see the path without it). At the root
   * when absent.
   */
  mount?: string;
  /** Whether a request path (its mount prefix taken off) belongs to this API: its documented prefixes. */
  owns(path: string): boolean;
  seed(options: SeedOptions): S;
  restore(snapshot: unknown): S;
  /**
   * The JSON Schema of what `restore` takes (what the state's `toJSON()` gives): a snapshot or state
   * file that breaks it is refused before anything is restored, naming the field. Without it, the
   * API's part of a snapshot is restored unchecked.
   */
  snapshotSchema?: object;
  /**
   * A state that starts as `state` and changes on its own: a session's copy of the seeded state,
   * made on the session's first write (it reads the shared seeded state until then). It may share
   * what it does not change (`Table.fork()`); `state` never changes afterwards. Without it, a copy
   * is `restore(toJSON())` of a deep clone.
   */
  fork?(state: S): S;
  credentials(state: S): Credentials;
  /**
   * Where a method and path (its mount prefix taken off) go: a spec operation and its handler, a
   * path served under other methods only, or nothing. The core asks once per request and hands the
   * match to `handle`, to the middlewares and to the transports.
   */
  route(method: string, path: string): Match;
  /**
   * What `maxUsers` bounds, each kind of record on its own (users first, and groups where clients
   * can make them): how many a state holds, the operations that add one — refused once it is full —
   * and the records as the API shows them (the dashboard's tables).
   */
  records: ReadonlyArray<{ kind: string; count(state: S): number; addedBy: readonly Op[]; rows(state: S): unknown[] }>;
  /**
   * How a client adds a user: the operation (its body's schema is the spec's) and a body for it with
   * faker for every field not given — scenarios' users and the typed factories are made with it.
   */
  newUser: {
    operationId: Op;
    body(faker: Faker, fields?: Partial<NewUser>): NewUser;
    /**
     * Fields a scenario's user may give that the create body does not take as they are — `body`
     * turns them into body fields (hoop's `role: admin` puts the user in the admin group) — each with
     * its JSON Schema. A scenario's users are checked against the create operation's request schema
     * and these before anything is created.
     */
    shorthands?: Readonly<Record<string, Record<string, unknown>>>;
  };
  /** The vendor's error body for a message of the mock's own (an undocumented `Prefer: code=`). */
  error(status: number, message: string): MockResponse;
  /**
   * Answers a request to one of its paths — `route` already matched it — checking access where the
   * vendor's server does. A request whose credential the gate refuses, or that routes to no
   * operation, must change nothing: in a session that has not written yet, the core answers it
   * from the seeded state every such session shares.
   */
  handle(request: MockRequest, state: S, route: Match): Answer;
  /** Who its callers are and how it refuses them; the core applies the spec's requirements with it (`Prefer: code=` too). */
  gate: Gate<S, unknown>;
  /** What `usermock serve` prints for this API at `url`: where it is and how to call it. */
  banner(url: string, credentials: Credentials, state: S): string[];
}
