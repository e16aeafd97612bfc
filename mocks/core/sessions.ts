// The state the mock holds: one seeded template every session starts from, and each named
// session's own copy once it writes. Reads never copy anything; a session's first write forks the
// template (sharing every row it does not change).
import type { ApiModule, ApiState } from './api.ts';
import { DEFAULT_SESSION } from './context.ts';
import { Refusal, text } from './http.ts';
import type { Middleware } from './middlewares.ts';
import type { Scenario } from './scenario.ts';
import { seedApi } from './seeding.ts';

/** Every API's state for one session, by API name. */
export type World = Record<string, ApiState>;

/** The mock's whole state as JSON: the seed it came from and every session's state. */
export interface Snapshot {
  usermock: 1;
  seed: number;
  users: number;
  sessions: Record<string, Record<string, unknown>>;
}

/** A held session that has not written: it reads the seeded template. */
const SHARED = Symbol('shared');

/** The sessions of one mock, and the template they start from. */
export class Sessions<M extends ApiModule = ApiModule> {
  /** Each held session's own state once it wrote (a fork of the template), SHARED until then. The default session is always held. */
  private readonly held = new Map<string, World | typeof SHARED>();
  /** The seeded state every session starts from, made on first need and never changed afterwards. */
  private seeded: World | undefined;

  constructor(
    private readonly apis: readonly M[],
    readonly seed: number,
    readonly users: number,
    readonly maxSessions: number,
    private readonly scenario: Scenario | undefined,
  ) {
    this.held.set(DEFAULT_SESSION, SHARED);
  }

  /** Whether a session is held (its first authenticated use held it). */
  has(session: string): boolean {
    return this.held.has(session);
  }

  /** The sessions held, the default one included. */
  names(): string[] {
    return [...this.held.keys()];
  }

  /** Named sessions held (the default one is not counted against `maxSessions`). */
  named(): number {
    return this.held.size - (this.held.has(DEFAULT_SESSION) ? 1 : 0);
  }

  /** Holds a session from now on (the default one always is); past `maxSessions` named ones, a `Refusal` (429). */
  hold(session: string): void {
    if (this.held.has(session)) return;
    if (session !== DEFAULT_SESSION && this.named() >= this.maxSessions) throw new Refusal(this.full());
    this.held.set(session, SHARED);
  }

  /**
   * A session's state, its own to change: held from its first use (a `Refusal` past
   * `maxSessions`). A session reads the template until it first writes; its own state is a fork
   * of it, made then (or here).
   */
  own(session: string): World {
    this.hold(session);
    let world = this.held.get(session)!;
    if (world === SHARED) {
      const template = this.template();
      world = Object.fromEntries(this.apis.map((api) => [api.name, forkState(api, template[api.name]!)]));
      this.held.set(session, world);
    }
    return world;
  }

  /** A session's state to read, held from now on: its own once it wrote, the template until then. */
  view(session: string): World {
    this.hold(session);
    return this.peek(session);
  }

  /** What a session reads, whether or not it is held (one that is not reads the template). */
  peek(session: string): World {
    const world = this.held.get(session);
    return world === undefined || world === SHARED ? this.template() : world;
  }

  /** The seeded state every session starts from (a scenario's, or the seed's): made once, never changed. */
  template(): World {
    return (this.seeded ??= Object.fromEntries(this.apis.map((api) => [api.name, seedApi(api, this.seed, this.users, this.scenario)])));
  }

  /** Puts a session (or, without a name, every session) back to the seeded state. */
  reset(session?: string): void {
    if (session === undefined) this.held.clear();
    else this.held.delete(session);
    this.held.set(DEFAULT_SESSION, this.held.get(DEFAULT_SESSION) ?? SHARED);
  }

  /** The state of every session, or of the one named, as JSON sharing the state's own objects. */
  snapshot(session?: string): Snapshot {
    if (session !== undefined) this.hold(session); // a named session is held from its first use, as everywhere
    const names = session === undefined ? this.names() : [session];
    // fromEntries defines keys as data, so a session named `__proto__` is a session like any other.
    const sessions = Object.fromEntries(names.map((name) => [name, worldSnapshot(this.peek(name))]));
    return { usermock: 1, seed: this.seed, users: this.users, sessions };
  }

  /** Every held session's own state as JSON (null for one that still reads the template): what replicas share. */
  saved(): Record<string, Record<string, unknown> | null> {
    return Object.fromEntries([...this.held].map(([name, world]) => [name, world === SHARED ? null : worldSnapshot(world)]));
  }

  /** Puts back what `saved()` or a snapshot's sessions gave (null: a session that reads the template); nothing else stays held. */
  restore(sessions: Record<string, Record<string, unknown> | null>): void {
    this.held.clear();
    for (const [name, world] of Object.entries(sessions)) this.held.set(name, world === null ? SHARED : this.restoreWorld(world));
    if (!this.held.has(DEFAULT_SESSION)) this.held.set(DEFAULT_SESSION, SHARED);
  }

  /** A session's state from its snapshot; an API the snapshot lacks starts from the template. */
  private restoreWorld(snapshot: Record<string, unknown>): World {
    return Object.fromEntries(
      this.apis.map((api) => [
        api.name,
        snapshot[api.name] === undefined ? forkState(api, this.template()[api.name]!) : api.restore(snapshot[api.name]),
      ]),
    );
  }

  private full() {
    return text(
      429,
      `usermock: session limit reached: ${this.maxSessions} named sessions (x-usermock-session) are held, the most --max-sessions allows. ` +
        `Free room with POST /__usermock/reset (every session, or one with its x-usermock-session header), or start usermock with a higher --max-sessions.\n`,
    );
  }
}

/**
 * A session is held from the first request that may use it: one its API authenticates (or that
 * needs no credential). A request in a session not held yet whose credential the API refuses — or
 * that routes to no operation — changes nothing: the API answers it (its 401 or 403, its 404) from
 * the seeded template, and no session is held, so it neither counts against `maxSessions` nor
 * costs anything. Every session's credentials are the template's until it writes, so the template
 * authenticates exactly as the session would.
 */
export const sessionOnceKnown =
  (sessions: Sessions): Middleware =>
  (context, next) => {
    const { api, request, session, route } = context;
    if (sessions.has(session)) return next(context);
    const template = sessions.template()[api!.name]!;
    if (!route.operation || (route.operation.requirement.role !== 'none' && 'refused' in api!.gate.authenticate(request, template))) {
      return api!.handle(request, template, route);
    }
    sessions.hold(session);
    return next(context);
  };

function worldSnapshot(world: World): Record<string, unknown> {
  return Object.fromEntries(Object.entries(world).map(([api, state]) => [api, state.toJSON()]));
}

/** A session's own copy of a template's state: the API's fork (sharing what it does not change), or a deep copy. */
function forkState(api: ApiModule, state: ApiState): ApiState {
  return api.fork ? api.fork(state) : api.restore(structuredClone(state.toJSON()));
}
