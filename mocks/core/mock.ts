import { seededFaker } from '../../specs/faker.ts';
import type { ApiModule, Credentials } from './api.ts';
import { compose, type Answer, type Next } from './compose.ts';
import { assertDistinct, CONTROL_PREFIX, DEFAULT_SESSION, ownedPath, ownedPaths, resolve, type RequestContext } from './context.ts';
import { controlEndpoints } from './control.ts';
import { Refusal, type MockRequest, type MockResponse } from './http.ts';
import { Journal } from './journal.ts';
import { limitsOf, overridesFull, recordLimit, recordsUsed, startPastLimits, type LimitsReport } from './limits.ts';
import { bodyLimit, cors, journalled, latency, preflight, serverErrorBoundary, type Middleware } from './middlewares.ts';
import { overridden } from './overridden.ts';
import { overrideProblem, Overrides, type Override, type OverrideRequest, type SavedOverrides } from './overrides.ts';
import { Persistence } from './persistence.ts';
import { checkScenario } from './scenario.ts';
import {
  DEFAULT_SEED,
  DEFAULT_USERS,
  type MockOptions,
  type NewUserOf,
  type OperationIdOf,
  type OverrideAnswer,
  type StateOf,
} from './options.ts';
import { createUsers } from './seeding.ts';
import { sessionOnceKnown, Sessions, type Snapshot, type World } from './sessions.ts';
import { checkSnapshot } from './snapshot.ts';
import { journalDetails } from './violations.ts';

/** Methods that never change a session's state (the core answers them from the template until the session writes). */
const READS = new Set(['GET', 'HEAD']);

/**
 * The behaviour core: resolves a request once (`context.ts`: its API, operation and session), then
 * passes it through the middlewares every API shares — the journal, CORS, the 500 boundary, the
 * body limit, preflights, the control endpoints, limits, latency, overrides and durable writes — to
 * the API that owns it, against the caller's session. Generic over the API modules it is given;
 * transports (node:http, MSW) only translate.
 */
export class Mock<M extends ApiModule = ApiModule> {
  readonly seed: number;
  readonly users: number;
  readonly maxSessions: number;
  readonly maxUsers: number;
  readonly maxOverrides: number;
  readonly journal = new Journal();
  private readonly sessions: Sessions<M>;
  private readonly overrides: Overrides;
  private readonly persistence: Persistence | undefined;
  private readonly chain: Next<RequestContext>;
  /** How each request answered so far broke its spec (read by the MSW helpers' `onSpecViolation`). */
  private readonly violationsOf = new WeakMap<MockRequest, string[]>();

  constructor(
    readonly apis: readonly M[],
    options: MockOptions = {},
  ) {
    assertDistinct(apis);
    const { maxSessions, maxUsers, maxOverrides } = limitsOf(options);
    this.maxSessions = maxSessions;
    this.maxUsers = maxUsers;
    this.maxOverrides = maxOverrides;
    this.seed = options.snapshot?.seed ?? options.seed ?? DEFAULT_SEED;
    this.users = options.scenario?.users ?? options.snapshot?.users ?? options.users ?? DEFAULT_USERS;
    // Checked before anything is seeded: a scenario with any problem is refused listing every one
    // (a ScenarioError), one of a million users is refused, not made, and a damaged snapshot is
    // refused naming the field rather than restored to misbehave later.
    if (options.scenario !== undefined) checkScenario(options.scenario, apis);
    const problem = startPastLimits(options.scenario, this.users, { maxSessions, maxUsers, maxOverrides });
    if (problem) throw new RangeError(problem);
    if (options.snapshot !== undefined) checkSnapshot(options.snapshot, apis);
    this.sessions = new Sessions(apis, this.seed, this.users, maxSessions, options.scenario);
    // A copy: the states keep the rows they are given, and the caller's snapshot must not change with them.
    if (options.snapshot) this.sessions.restore(structuredClone(options.snapshot.sessions));
    this.overrides = new Overrides(options.scenario?.overrides);
    const state = () => JSON.stringify(this.sessions.snapshot());
    this.persistence = options.persist && new Persistence(options.persist, state);
    const middlewares: Middleware[] = [
      journalled(this.journal, (context) => journalDetails(context, this.violationsOf)),
      cors,
      serverErrorBoundary(options.onError ?? console.error),
      bodyLimit,
      preflight,
      controlEndpoints({
        apis,
        journal: this.journal,
        sessions: this.sessions,
        overrides: this.overrides,
        credentials: (session) => this.credentials(session),
        limits: () => this.limits(),
        addOverride: (session, request) => this.addOverrideTo(session, request),
        reset: (session) => {
          this.reset(session);
          return this.persistence?.flush() ?? Promise.resolve();
        },
      }),
      ownedPaths,
      recordLimit(this.sessions, maxUsers),
      latency(options.latency, options.deferDelays ?? false),
      sessionOnceKnown(this.sessions),
      overridden(this.sessions, this.overrides, options.deferDelays ?? false),
      ...(this.persistence ? [this.persistence.durableWrites] : []),
    ];
    this.chain = compose(middlewares, (context) => this.dispatch(context));
  }

  /** A request resolved once: the API that owns it, the operation and parameters it routes to, its session. */
  resolve(request: MockRequest): RequestContext<M> {
    return resolve(this.apis, request);
  }

  /** Answers any request: the middlewares around the API that owns it (never a rejection: a bug is a 500). */
  async handle(request: MockRequest): Promise<MockResponse> {
    return this.respond(request);
  }

  /** `handle` without a promise where the answer is there at once: what a transport calls. */
  respond(request: MockRequest): Answer {
    return this.answer(this.resolve(request));
  }

  /** Answers a request `resolve` resolved (a transport that resolved it already, to choose a handler, reuses it). */
  answer(context: RequestContext): Answer {
    return this.chain(context);
  }

  /**
   * The state of a session (the shared default one without a name), its own to change: held from
   * its first use — unless `maxSessions` named sessions are already held: that is a `Refusal` (429).
   */
  world(session = DEFAULT_SESSION): World {
    return this.sessions.own(session);
  }

  /** The state of one API in a session, typed (`mock.state('hoop').users`), for assertions in tests. */
  state<N extends M['name']>(api: N, session?: string): StateOf<M, N> {
    return this.world(session)[api] as StateOf<M, N>;
  }

  /**
   * Makes an operation answer otherwise in a session (every session's default one without a name):
   * a documented status (`mock.override('hoop', 'listUsers', 500)`), an emptied list, a delay — for
   * the next `times` answers, or until cleared. The same engine as `Prefer: code=` and scenarios.
   */
  override<N extends M['name']>(api: N, operationId: OperationIdOf<M, N>, answer: OverrideAnswer, session = DEFAULT_SESSION): Override {
    const request: OverrideRequest = { api, operationId, ...(typeof answer === 'number' ? { status: answer } : answer) };
    const problem = overrideProblem(this.apiNamed(api).spec, request);
    if (problem) throw new RangeError(problem);
    return this.addOverrideTo(session, request);
  }

  /** Whether a session may have overrides: its reads then count them down, and change the state. */
  steered(session = DEFAULT_SESSION): boolean {
    return this.overrides.any(session);
  }

  /** Clears a session's overrides (a scenario's too, until the next reset). */
  clearOverrides(session = DEFAULT_SESSION): void {
    this.sessions.hold(session);
    this.overrides.clear(session);
  }

  /**
   * Adds a user to an API in a session as a client would (its create operation, the admin
   * credential), the fields given and faker for the rest; answers the API's body for it.
   */
  addUser<N extends M['name']>(api: N, fields: Partial<NewUserOf<M, N>> = {}, session?: string): unknown {
    const module = this.apiNamed(api);
    return createUsers(module, this.world(session)[api]!, seededFaker(Date.now()), [fields as Record<string, unknown>])[0];
  }

  /** How a request this mock answered broke its API's spec (empty when it did not). */
  violations(request: MockRequest): string[] {
    return this.violationsOf.get(request) ?? [];
  }

  /** Each limit and how much of it is in use, as `GET /__usermock/limits` shows them. */
  limits(): LimitsReport {
    const sessions = this.sessions.names();
    return {
      sessions: { max: this.maxSessions, used: this.sessions.named() },
      users: { max: this.maxUsers, used: recordsUsed(this.apis, this.sessions) },
      overrides: { max: this.maxOverrides, used: Object.fromEntries(sessions.map((session) => [session, this.overrides.count(session)])) },
    };
  }

  /** Puts a session (or, without a name, every session) back to the seeded state. */
  reset(session?: string): void {
    this.sessions.reset(session);
    this.overrides.reset(session);
  }

  credentials(session = DEFAULT_SESSION): Record<M['name'], Credentials> {
    const world = this.sessions.view(session);
    return Object.fromEntries(this.apis.map((api) => [api.name, api.credentials(world[api.name]!)])) as Record<M['name'], Credentials>;
  }

  /** What `usermock serve` prints for each API. */
  banner(url: string, session = DEFAULT_SESSION): string[] {
    const world = this.sessions.view(session);
    return this.apis.flatMap((api) => api.banner(`${url}${api.mount ?? ''}`, api.credentials(world[api.name]!), world[api.name]!));
  }

  /** The state of every session, or of the one named, as JSON: a copy, which later requests never change. */
  snapshot(session?: string): Snapshot {
    return structuredClone(this.sessions.snapshot(session));
  }

  /**
   * The whole state replicas share (`--store`), as JSON for the snapshot the log is trimmed behind:
   * every held session's own state (null for one that still reads the template) and every
   * session's overrides, with what they have left.
   */
  replicaState(): string {
    return JSON.stringify({ sessions: this.sessions.saved(), overrides: this.overrides.toJSON() });
  }

  /** Puts back a state `replicaState()` gave — without one, the seeded state with no session held and no override made. */
  loadReplicaState(state?: string): void {
    const saved = (state === undefined ? {} : JSON.parse(state)) as {
      sessions?: Record<string, Record<string, unknown> | null>;
      overrides?: SavedOverrides;
    };
    this.sessions.restore(saved.sessions ?? {});
    this.overrides.restore(saved.overrides);
  }

  /** Whether a path is the mock's to answer: a control endpoint or a path one of the named APIs (all by default) owns. */
  serves(path: string, apis: readonly string[] = this.apis.map((api) => api.name)): boolean {
    return path.startsWith(CONTROL_PREFIX) || this.apis.some((api) => apis.includes(api.name) && ownedPath(api, path) !== undefined);
  }

  /** An override counts as a session's use (held, or 429 past `maxSessions`), up to `maxOverrides` each (429 past it). */
  private addOverrideTo(session: string, request: OverrideRequest): Override {
    this.sessions.hold(session);
    if (this.overrides.count(session) >= this.maxOverrides) throw new Refusal(overridesFull(session, this.maxOverrides));
    return this.overrides.add(session, request);
  }

  /** The API that owns the path answers, against its state in the caller's session. */
  private dispatch({ api, request, session, route }: RequestContext) {
    // A read is answered from what the session reads (the template until it writes); a write gets the session's own state.
    const world = READS.has(request.method) ? this.sessions.peek(session) : this.sessions.own(session);
    return api!.handle(request, world[api!.name]!, route);
  }

  private apiNamed(name: string): M {
    const api = this.apis.find((candidate) => candidate.name === name);
    if (!api) throw new RangeError(`no API ${name} in this mock (it has ${this.apis.map((candidate) => candidate.name).join(', ')})`);
    return api;
  }
}
