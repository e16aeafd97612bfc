import { seededFaker } from '../../specs/faker.ts';
import type { Operation } from '../../specs/spec.ts';
import { authorize } from './access.ts';
import type { ApiModule, ApiState, Credentials } from './api.ts';
import { after, compose, type Answer, type Middleware, type Next } from './compose.ts';
import { empty, json, parseJsonBody, Refusal, text, type MockRequest, type MockResponse } from './http.ts';
import { Journal, type Recorded } from './journal.ts';
import {
  bodyLimit,
  cors,
  DEFAULT_SESSION,
  delayed,
  journalled,
  latency,
  preflight,
  serverErrorBoundary,
  SESSION_HEADER,
  sessionOf,
} from './middlewares.ts';
import {
  documentedAnswer,
  emptied,
  answersList,
  overrideProblem,
  overrideProblemAmong,
  Overrides,
  undocumented,
  type SavedOverrides,
  type Override,
  type OverrideRequest,
} from './overrides.ts';
import { parsePrefer, type Latency } from './prefer.ts';
import { deterministically } from './entropy.ts';
import { specViolations } from './violations.ts';
import { checkScenario, createUsers, isOverrideRequest, schemaProblems, type Scenario } from './scenario.ts';
import { checkSnapshot } from './snapshot.ts';

export { SESSION_HEADER };
const CONTROL_PREFIX = '/__usermock/';

export interface MockOptions {
  /** The faker seed: the same seed gives the same users, groups and credentials. */
  seed?: number;
  /** Users seeded per API. */
  users?: number;
  /** Delay every answer by a fixed or random number of milliseconds. */
  latency?: Latency;
  /**
   * Leave every delay (`latency`, `Prefer: delay`, an override's) to the transport
   * (`MockResponse.delay`) instead of waiting it here: a replica applying a shared log one entry at
   * a time must never wait inside it.
   */
  deferDelays?: boolean;
  /** State to start from instead of the seed (a snapshot from `--state-file` or `/__usermock/state`). */
  snapshot?: Snapshot;
  /** Called with the serialised state whenever a request changed it, before the answer is sent. */
  persist?: (snapshot: string) => Promise<void>;
  /** Told of an exception the mock turned into a 500 (a bug in the mock); logs it by default. */
  onError?: (error: unknown) => void;
  /** Named sessions held at once (the default session is always there); a new one past it is refused with 429. */
  maxSessions?: number;
  /** Records (users, hoop's groups) per API per session; a create past it is refused with 429, a scenario asking more is refused at start. */
  maxUsers?: number;
  /** Overrides per session; one more is refused with 429. */
  maxOverrides?: number;
  /**
   * Starting data and standing overrides (a scenario file's content): every session starts from it,
   * and goes back to it on reset. Its `users` count wins over `users`.
   */
  scenario?: Scenario;
}

/** What `GET /__usermock/limits` shows: each limit and how much of it is in use. */
export interface LimitsReport {
  sessions: { max: number; used: number };
  /** Per session, per API, per kind of record (users, groups). */
  users: { max: number; used: Record<string, Record<string, Record<string, number>>> };
  /** Per session. */
  overrides: { max: number; used: Record<string, number> };
}

/** Every API's state for one session, by API name. */
export type World = Record<string, ApiState>;

type Named<M, N> = Extract<M, { name: N }>;
/** The state type of the API named N among the modules M (`HoopState` for `'hoop'`). */
export type StateOf<M, N> = Named<M, N> extends ApiModule<infer S, string, string, object> ? S : ApiState;
/** The operation ids of the API named N's spec (spelled out as a union, so that a tsc error on a wrong one lists them). */
export type OperationIdOf<M, N> = Named<M, N> extends ApiModule<ApiState, string, infer Op, object> ? { [K in Op]: K }[Op] : string;
/** The body of the API named N's create-user operation. */
export type NewUserOf<M, N> = Named<M, N> extends ApiModule<ApiState, string, string, infer U> ? U : Record<string, unknown>;
/** What an override answers: a documented status, or more (`{ empty: true }`, `{ delay: 2000, times: 1 }`). */
export type OverrideAnswer = number | Omit<OverrideRequest, 'api' | 'operationId'>;

/** The mock's whole state as JSON: the seed it came from and every session's state. */
export interface Snapshot {
  usermock: 1;
  seed: number;
  users: number;
  sessions: Record<string, Record<string, unknown>>;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_USERS = 30;
export const DEFAULT_MAX_SESSIONS = 1_000;
export const DEFAULT_MAX_USERS = 100_000;
export const DEFAULT_MAX_OVERRIDES = 100;
/** A held session that has not written: it reads the seeded template. */
const SHARED = Symbol('shared');
/** Methods that never change a session's state (the core answers them from the template until the session writes). */
const READS = new Set(['GET', 'HEAD']);
/** When a scenario's users are made, whenever the mock starts: the same moment everywhere. */
const SCENARIO_TIME = Date.UTC(2025, 0, 1);

/**
 * The behaviour core: routes a request to the API that owns its path, against the state of the
 * caller's session, through the middlewares every API shares — the journal, CORS, the 500
 * boundary, the body limit, preflights, the control endpoints, latency, `Prefer: code=` and
 * durable writes. Generic over the API modules it is given; transports (node:http, MSW) only translate.
 */
export class Mock<M extends ApiModule = ApiModule> {
  readonly seed: number;
  readonly users: number;
  readonly maxSessions: number;
  readonly maxUsers: number;
  readonly maxOverrides: number;
  readonly journal = new Journal();
  /** The middlewares around the API that owns a request's path. */
  private readonly chain: Next;
  /**
   * The sessions held: each one's own state once it wrote (a fork of the template), SHARED until
   * then. The default session is always held.
   */
  private readonly sessions = new Map<string, World | typeof SHARED>();
  /** The seeded state every session starts from, made on first need and never changed afterwards. */
  private seeded: World | undefined;
  private readonly overrides: Overrides;
  /** The override that gave an answer, for its journal entry. */
  private readonly answeredBy = new WeakMap<MockResponse, string>();
  /** How each request answered so far broke its spec (read by the MSW helpers' `onSpecViolation`). */
  private readonly violationsOf = new WeakMap<MockRequest, string[]>();
  private persisting: Promise<void> = Promise.resolve();
  /** The state as last handed to `persist`, to skip writing a state that did not change. */
  private persisted: string | undefined;

  constructor(
    readonly apis: readonly M[],
    private readonly options: MockOptions = {},
  ) {
    assertDistinct(apis);
    this.seed = options.snapshot?.seed ?? options.seed ?? DEFAULT_SEED;
    this.users = options.scenario?.users ?? options.snapshot?.users ?? options.users ?? DEFAULT_USERS;
    this.overrides = new Overrides(options.scenario?.overrides);
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.maxUsers = options.maxUsers ?? DEFAULT_MAX_USERS;
    this.maxOverrides = options.maxOverrides ?? DEFAULT_MAX_OVERRIDES;
    for (const [name, value] of [
      ['maxSessions', this.maxSessions],
      ['maxUsers', this.maxUsers],
      ['maxOverrides', this.maxOverrides],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1, got ${value}`);
    }
    if (this.users > this.maxUsers) throw new RangeError(`${this.users} users per API is more than maxUsers allows (${this.maxUsers})`);
    // Checked before anything is seeded: a scenario with any problem (a user its API's create
    // operation refuses by its schema …) is refused listing every one (a ScenarioError), and one of a
    // million users is refused, not made.
    if (options.scenario !== undefined) checkScenario(options.scenario, apis);
    const problem = scenarioPastLimits(options.scenario, this.users, this.maxUsers, this.maxOverrides);
    if (problem) throw new RangeError(problem);
    // A damaged snapshot is refused here, naming the field, rather than restored to misbehave later.
    if (options.snapshot !== undefined) checkSnapshot(options.snapshot, apis);
    // A copy: the states keep the rows they are given, and the caller's snapshot must not change with them.
    for (const [session, world] of Object.entries(structuredClone(options.snapshot?.sessions) ?? {})) {
      this.sessions.set(session, this.restoreWorld(world));
    }
    if (!this.sessions.has(DEFAULT_SESSION)) this.sessions.set(DEFAULT_SESSION, SHARED);
    this.chain = compose(
      [
        journalled(this.journal, (request, response) => this.describe(request, response)),
        cors,
        serverErrorBoundary(options.onError ?? console.error),
        bodyLimit,
        preflight,
        this.controlEndpoints,
        this.ownedPaths,
        this.recordLimit,
        latency(options.latency, options.deferDelays ?? false),
        this.sessionOnceKnown,
        this.overridden,
        this.durableWrites,
      ],
      (request) => this.dispatch(request),
    );
  }

  /** Answers any request: the middlewares around the API that owns its path (never a rejection: a bug is a 500). */
  async handle(request: MockRequest): Promise<MockResponse> {
    return this.chain(request);
  }

  /**
   * The state of a session (the shared default one without a name), its own to change: held from
   * its first use — unless `maxSessions` named sessions are already held: that is a `Refusal` (429),
   * and nothing is evicted. A session reads the seeded template until it first writes; its own
   * state is a fork of it, made then (or here), sharing every row it does not change.
   */
  world(session = DEFAULT_SESSION): World {
    this.hold(session);
    let world = this.sessions.get(session)!;
    if (world === SHARED) {
      const template = this.template();
      world = Object.fromEntries(this.apis.map((api) => [api.name, forkState(api, template[api.name]!)]));
      this.sessions.set(session, world);
    }
    return world;
  }

  /** The state of one API in a session, typed (`mock.state('hoop').users`), for assertions in tests. */
  state<N extends M['name']>(api: N, session?: string): StateOf<M, N> {
    return this.world(session)[api] as StateOf<M, N>;
  }

  /** Holds a session from now on (the default one always is); past `maxSessions` named ones, a `Refusal` (429). */
  private hold(session: string): void {
    if (this.sessions.has(session)) return;
    if (session !== DEFAULT_SESSION && this.namedSessions() >= this.maxSessions) throw new Refusal(this.sessionsFull());
    this.sessions.set(session, SHARED);
  }

  /** A session's state to read, held from now on: its own once it wrote, the template until then. */
  private view(session: string): World {
    this.hold(session);
    return this.peek(session);
  }

  /** What a session reads, whether or not it is held (one that is not reads the template). */
  private peek(session: string): World {
    const world = this.sessions.get(session);
    return world === undefined || world === SHARED ? this.template() : world;
  }

  /** The seeded state every session starts from (a scenario's, or the seed's): made once, never changed. */
  private template(): World {
    return (this.seeded ??= this.seedWorld());
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

  /** An override counts as a session's use (held, or 429 past `maxSessions`), up to `maxOverrides` each (429 past it). */
  private addOverrideTo(session: string, request: OverrideRequest): Override {
    this.hold(session);
    if (this.overrides.count(session) >= this.maxOverrides) throw new Refusal(this.overridesFull(session));
    return this.overrides.add(session, request);
  }

  /** Whether a session may have overrides: its reads then count them down, and change the state. */
  steered(session = DEFAULT_SESSION): boolean {
    return this.overrides.any(session);
  }

  /** Clears a session's overrides (a scenario's too, until the next reset). */
  clearOverrides(session = DEFAULT_SESSION): void {
    this.hold(session);
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
    const count = (api: M, state: ApiState) => Object.fromEntries(api.records.map((records) => [records.kind, records.count(state)]));
    const sessions = [...this.sessions.keys()];
    const used = Object.fromEntries(
      sessions.map((session) => [
        session,
        Object.fromEntries(this.apis.map((api) => [api.name, count(api, this.peek(session)[api.name]!)])),
      ]),
    );
    return {
      sessions: { max: this.maxSessions, used: this.namedSessions() },
      users: { max: this.maxUsers, used },
      overrides: { max: this.maxOverrides, used: Object.fromEntries(sessions.map((session) => [session, this.overrides.count(session)])) },
    };
  }

  /** Puts a session (or, without a name, every session) back to the seeded state. */
  reset(session?: string): void {
    if (session === undefined) this.sessions.clear();
    else this.sessions.delete(session);
    if (!this.sessions.has(DEFAULT_SESSION)) this.sessions.set(DEFAULT_SESSION, SHARED);
    this.overrides.reset(session);
  }

  credentials(session = DEFAULT_SESSION): Record<M['name'], Credentials> {
    const world = this.view(session);
    return Object.fromEntries(this.apis.map((api) => [api.name, api.credentials(world[api.name]!)])) as Record<M['name'], Credentials>;
  }

  /** What `usermock serve` prints for each API. */
  banner(url: string, session = DEFAULT_SESSION): string[] {
    const world = this.view(session);
    return this.apis.flatMap((api) => api.banner(`${url}${api.mount ?? ''}`, api.credentials(world[api.name]!), world[api.name]!));
  }

  /** The state of every session, or of the one named, as JSON: a copy, which later requests never change. */
  snapshot(session?: string): Snapshot {
    return structuredClone(this.liveSnapshot(session));
  }

  /** `snapshot()` sharing the state's own objects, for what serialises it at once. */
  private liveSnapshot(session?: string): Snapshot {
    if (session !== undefined) this.hold(session); // the default session is always held; a named one from its first use, as everywhere
    const names = session === undefined ? [...this.sessions.keys()] : [session];
    // fromEntries defines keys as data, so a session named `__proto__` is a session like any other.
    const sessions = Object.fromEntries(names.map((name) => [name, this.worldSnapshot(this.peek(name))]));
    return { usermock: 1, seed: this.seed, users: this.users, sessions };
  }

  /**
   * The whole state replicas share (`--store`), as JSON for the snapshot the log is trimmed behind:
   * every held session's own state (null for one that still reads the template) and every
   * session's overrides, with what they have left.
   */
  replicaState(): string {
    const sessions = Object.fromEntries(
      [...this.sessions].map(([name, world]) => [name, world === SHARED ? null : this.worldSnapshot(world)]),
    );
    return JSON.stringify({ sessions, overrides: this.overrides.toJSON() });
  }

  /** Puts back a state `replicaState()` gave — without one, the seeded state with no session held and no override made. */
  loadReplicaState(state?: string): void {
    const saved = (state === undefined ? {} : JSON.parse(state)) as {
      sessions?: Record<string, Record<string, unknown> | null>;
      overrides?: SavedOverrides;
    };
    this.sessions.clear();
    for (const [name, world] of Object.entries(saved.sessions ?? {}))
      this.sessions.set(name, world === null ? SHARED : this.restoreWorld(world));
    if (!this.sessions.has(DEFAULT_SESSION)) this.sessions.set(DEFAULT_SESSION, SHARED);
    this.overrides.restore(saved.overrides);
  }

  /** Whether a path is the mock's to answer: a control endpoint or a path one of the named APIs (all by default) owns. */
  serves(path: string, apis: readonly string[] = this.apis.map((api) => api.name)): boolean {
    return path.startsWith(CONTROL_PREFIX) || this.apis.some((api) => apis.includes(api.name) && ownedPath(api, path) !== undefined);
  }

  /** The API a request to a path goes to, and the spec operation it routes to there, if any. */
  route(method: string, path: string): { api: M; operation: Operation | undefined } | undefined {
    const owner = this.ownerOf(path);
    return owner && { api: owner.api, operation: owner.api.operationFor(method, owner.path) };
  }

  /** The API that owns a path, and the path as that API knows it (its mount prefix taken off). */
  private ownerOf(path: string): { api: M; path: string } | undefined {
    for (const api of this.apis) {
      const local = ownedPath(api, path);
      if (local !== undefined) return { api, path: local };
    }
    return undefined;
  }

  /** The API that owns the path answers, against its state in the caller's session. */
  private dispatch(request: MockRequest): Answer {
    const { api, path } = this.ownerOf(request.path)!;
    const session = sessionOf(request);
    // A read is answered from what the session reads (the template until it writes); a write gets the session's own state.
    const world = READS.has(request.method) ? this.peek(session) : this.world(session);
    return api.handle(withPath(request, path), world[api.name]!);
  }

  /**
   * A session is held from the first request that may use it: one its API authenticates (or that
   * needs no credential). A request in a session not held yet whose credential the API refuses —
   * or that routes to no operation — changes nothing: the API answers it (its 401 or 403, its 404)
   * from the seeded template, and no session is held, so it neither counts against `maxSessions`
   * nor costs anything. Every session's credentials are the template's until it writes, so the
   * template authenticates exactly as the session would.
   */
  private readonly sessionOnceKnown: Middleware = (request, next) => {
    const session = sessionOf(request);
    if (this.sessions.has(session)) return next(request);
    const { api, path } = this.ownerOf(request.path)!;
    const local = withPath(request, path);
    const operation = api.operationFor(request.method, path);
    const template = this.template()[api.name]!;
    if (!operation || (operation.requirement.role !== 'none' && 'refused' in api.gate.authenticate(local, template))) {
      return api.handle(local, template);
    }
    this.hold(session);
    return next(request);
  };

  /** `/__usermock/…`: credentials, state, the journal and reset, for the caller's session. */
  private readonly controlEndpoints: Middleware = (request, next) =>
    request.path.startsWith(CONTROL_PREFIX) ? this.control(request) : next(request);

  private async control(request: MockRequest): Promise<MockResponse> {
    const session = sessionOf(request);
    const named = request.headers[SESSION_HEADER];
    switch (`${request.method} ${request.path.slice(CONTROL_PREFIX.length)}`) {
      case 'GET credentials':
        return json(200, this.credentials(session));
      case 'GET state':
        return json(200, this.liveSnapshot(named ? session : undefined));
      case 'GET limits':
        return json(200, this.limits());
      case 'GET requests':
        return json(200, this.journal.list(named ? session : undefined));
      case 'GET apis':
        return json(200, this.describeApis());
      case 'GET records':
        return json(200, this.records(session));
      case 'GET overrides':
        this.hold(session);
        return json(200, this.overrides.list(session));
      case 'POST overrides':
        return this.addOverride(request, session);
      case 'DELETE overrides':
        this.clearOverrides(session);
        return empty(204);
      case 'POST reset':
        this.reset(named ? session : undefined);
        if (!named) this.journal.clear();
        if (this.options.persist) await this.persist();
        return empty(204);
    }
    const override = /^DELETE overrides\/([^/]+)$/.exec(`${request.method} ${request.path.slice(CONTROL_PREFIX.length)}`);
    if (override) {
      this.hold(session);
      if (this.overrides.remove(session, decodeURIComponent(override[1]!))) return empty(204);
    }
    return json(404, { message: `no control endpoint ${request.method} ${request.path}` });
  }

  /** `POST /__usermock/overrides`: `{ api, operationId, status | empty | delay, times? }`. */
  private addOverride(request: MockRequest, session: string): MockResponse {
    const parsed = parseJsonBody(request.body);
    const wanted = parsed.ok ? parsed.value : undefined;
    if (!isOverrideRequest(wanted)) {
      const why = schemaProblems(isOverrideRequest.errors, 'the body').join('; ');
      return text(400, `usermock: an override is a JSON object { api, operationId, status?, empty?, delay?, times? }: ${why}\n`);
    }
    const problem = overrideProblemAmong(this.apis, wanted);
    return problem ? text(400, `usermock: ${problem}\n`) : json(201, this.addOverrideTo(session, wanted));
  }

  /** What the dashboard shows of each API: where it is, how to call it, its operations and what they can be made to answer. */
  private describeApis() {
    const world = this.view(DEFAULT_SESSION);
    return this.apis.map((api) => ({
      name: api.name,
      mount: api.mount ?? '',
      banner: api.banner(api.mount ?? '', api.credentials(world[api.name]!), world[api.name]!),
      kinds: api.records.map((records) => records.kind),
      operations: api.spec.operations.map((operation) => ({
        id: operation.id,
        method: operation.method,
        path: operation.path,
        statuses: operation.statuses.map(Number).filter(Number.isInteger),
        canBeEmpty: answersList(api.spec, operation),
      })),
    }));
  }

  /** Each API's records in a session, by kind, as the API shows them. */
  private records(session: string): Record<string, Record<string, unknown[]>> {
    const world = this.view(session);
    return Object.fromEntries(
      this.apis.map((api) => [api.name, Object.fromEntries(api.records.map((records) => [records.kind, records.rows(world[api.name]!)]))]),
    );
  }

  private apiNamed(name: string): M {
    const api = this.apis.find((candidate) => candidate.name === name);
    if (!api) throw new RangeError(`no API ${name} in this mock (it has ${this.apis.map((candidate) => candidate.name).join(', ')})`);
    return api;
  }

  /**
   * A request's journal entry beyond method, path and status: the API and operation it routed to,
   * how it broke the spec, and the override that answered. The control endpoints (the dashboard's
   * own calls) are left out, so the journal shows an app's traffic.
   */
  private describe(request: MockRequest, response: MockResponse): Partial<Recorded> | undefined {
    if (request.path.startsWith(CONTROL_PREFIX) || request.replayed) return undefined;
    const owner = this.ownerOf(request.path);
    if (!owner || request.method === 'OPTIONS' || request.bodyTooLarge) return {};
    const operation = owner.api.operationFor(request.method, owner.path);
    const violations = specViolations(owner.api.spec, operation, withPath(request, owner.path));
    if (violations.length > 0) this.violationsOf.set(request, violations);
    const override = this.answeredBy.get(response);
    return {
      api: owner.api.name,
      ...(operation ? { operation: operation.id } : {}),
      ...(violations.length > 0 ? { violations } : {}),
      ...(override ? { override } : {}),
    };
  }

  /** A path no API owns is the mock's own 404 (each API answers its own unknown routes). */
  private readonly ownedPaths: Middleware = (request, next) =>
    this.ownerOf(request.path) ? next(request) : text(404, `usermock: no API here (${request.method} ${request.path})`);

  /** An operation that adds a record (a user, a hoop group) is refused with 429 once the API holds `maxUsers` of that kind in the session. */
  private readonly recordLimit: Middleware = (request, next) => {
    if (request.method === 'GET') return next(request);
    const { api, path } = this.ownerOf(request.path)!;
    const operation = api.operationFor(request.method, path);
    const records = operation && api.records.find((kind) => kind.addedBy.includes(operation.id));
    if (!records) return next(request);
    const session = sessionOf(request);
    return records.count(this.peek(session)[api.name]!) >= this.maxUsers ? this.apiFull(api.name, records.kind, session) : next(request);
  };

  /**
   * Overrides, and `Prefer: code=<status>` (Prism's convention, one request only, first): once the
   * caller is allowed (as Prism authenticates before it honours `Prefer`), the documented status's
   * example, the API's answer with its lists emptied, or a delay. A status the operation does not
   * document is an explicit error in the API's own shape (as Prism's "not defined in the document").
   */
  private readonly overridden: Middleware = (request, next) => {
    const code = parsePrefer(request.headers.prefer).code;
    const session = sessionOf(request);
    if (code === undefined && !this.overrides.any(session)) return next(request);
    const { api, path } = this.ownerOf(request.path)!;
    const operation = api.operationFor(request.method, path);
    const override = code === undefined && operation ? this.overrides.find(session, api.name, operation.id) : undefined;
    if (!operation || (code === undefined && !override)) return next(request);
    const access = authorize(api.gate, withPath(request, path), this.peek(session)[api.name]!, operation.requirement);
    if ('refused' in access) return access.refused;
    if (code !== undefined) {
      return api.spec.documentsStatus(operation.id, code)
        ? documentedAnswer(api.spec, operation.id, code)
        : api.error(404, undocumented(api.spec, operation, code));
    }
    this.overrides.use(session, override!);
    const answer = () =>
      after(
        override!.status !== undefined
          ? documentedAnswer(api.spec, operation.id, override!.status)
          : after(next(request), (response) => (override!.empty ? emptied(response) : response)),
        (response) => {
          this.answeredBy.set(response, override!.id);
          return response;
        },
      );
    return delayed(override!.delay ?? 0, this.options.deferDelays ?? false, answer);
  };

  /**
   * With `persist` (a state file), a write is durable before its answer leaves — not only after a
   * 2xx: some refusals keep part of the change, as the vendor's do (Haplo's update applies fields
   * one by one), and the file must show what a GET shows.
   */
  private readonly durableWrites: Middleware = (request, next) => {
    if (!this.options.persist || request.method === 'GET') return next(request);
    return Promise.resolve(next(request)).then(async (response) => {
      await this.persist();
      return response;
    });
  };

  private namedSessions(): number {
    return this.sessions.size - (this.sessions.has(DEFAULT_SESSION) ? 1 : 0);
  }

  private sessionsFull(): MockResponse {
    return text(
      429,
      `usermock: session limit reached: ${this.maxSessions} named sessions (x-usermock-session) are held, the most --max-sessions allows. ` +
        `Free room with POST /__usermock/reset (every session, or one with its x-usermock-session header), or start usermock with a higher --max-sessions.\n`,
    );
  }

  private overridesFull(session: string): MockResponse {
    return text(
      429,
      `usermock: override limit reached: session "${session}" holds ${this.maxOverrides} overrides, the most --max-overrides allows. ` +
        `Free room by clearing them (DELETE /__usermock/overrides, or one with DELETE /__usermock/overrides/{id}, with the session's x-usermock-session header), ` +
        `with POST /__usermock/reset, or start usermock with a higher --max-overrides.\n`,
    );
  }

  private apiFull(api: string, kind: string, session: string): MockResponse {
    return text(
      429,
      `usermock: user limit reached: ${api} holds ${this.maxUsers} ${kind} in session "${session}", the most --max-users allows. ` +
        `Free room by deleting some, with POST /__usermock/reset (with the session's x-usermock-session header for that session only), or start usermock with a higher --max-users.\n`,
    );
  }

  /** Waits until the state, including every change so far, is durable. */
  private persist(): Promise<void> {
    const persist = this.options.persist!;
    // Chained, so the file never goes back to an older state; a failed write fails only the
    // answers waiting for it, and the next change tries again.
    const written = this.persisting.then(async () => {
      const snapshot = JSON.stringify(this.liveSnapshot());
      if (snapshot === this.persisted) return;
      await persist(snapshot);
      this.persisted = snapshot;
    });
    this.persisting = written.catch(() => undefined);
    return written;
  }

  private seedWorld(): World {
    return Object.fromEntries(this.apis.map((api) => [api.name, this.seedApi(api)]));
  }

  private seedApi(api: M): ApiState {
    // Each API's stream comes from its name, so adding, removing or reordering APIs — or adding
    // users to one — never changes another's data or credentials.
    const faker = seededFaker(streamSeed(this.seed, api.name));
    const state = api.seed({ faker, users: this.users });
    // A scenario's users get the same ids wherever the mock is made (replicas sharing a store too).
    const users = this.options.scenario?.apis?.[api.name]?.users ?? [];
    deterministically(`${this.seed}/${api.name}`, SCENARIO_TIME, () => createUsers(api, state, faker, users));
    return state;
  }

  private worldSnapshot(world: World): Record<string, unknown> {
    return Object.fromEntries(Object.entries(world).map(([api, state]) => [api, state.toJSON()]));
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
}

/**
 * Refuses APIs one origin cannot serve together: two of the same name, or one whose documented
 * path another (earlier) API owns — that one would answer it. Such an API needs a `mount` prefix.
 */
function assertDistinct(apis: readonly ApiModule[]): void {
  apis.forEach((api, i) => {
    const earlier = apis.slice(0, i);
    if (earlier.some((other) => other.name === api.name)) throw new Error(`two APIs are named ${api.name}`);
    for (const operation of api.spec.operations) {
      const path = `${api.mount ?? ''}${operation.path.replace(/\{[^}]+\}/g, 'x')}`;
      const owner = earlier.find((other) => ownedPath(other, path) !== undefined);
      if (owner) {
        throw new Error(
          `${api.name}'s ${operation.method} ${operation.path} is on a path ${owner.name} owns: give ${api.name} a mount prefix (e.g. mount: '/${api.name}')`,
        );
      }
    }
  });
}

const withPath = (request: MockRequest, path: string): MockRequest => (path === request.path ? request : { ...request, path });

/** A session's own copy of a template's state: the API's fork (sharing what it does not change), or a deep copy. */
function forkState(api: ApiModule, state: ApiState): ApiState {
  return api.fork ? api.fork(state) : api.restore(structuredClone(state.toJSON()));
}

/**
 * Why a scenario is more than the limits allow — more users for an API than `maxUsers` (its listed
 * users and `users` faker ones), or more overrides than `maxOverrides` — or nothing when it fits.
 */
function scenarioPastLimits(scenario: Scenario | undefined, users: number, maxUsers: number, maxOverrides: number): string | undefined {
  for (const [api, { users: listed = [] } = {}] of Object.entries(scenario?.apis ?? {})) {
    if (users + listed.length > maxUsers) {
      return (
        `the scenario asks ${users + listed.length} users of ${api} (${listed.length} listed and ${users} faker users), ` +
        `more than maxUsers (--max-users) allows: ${maxUsers} per API per session`
      );
    }
  }
  const overrides = scenario?.overrides?.length ?? 0;
  return overrides > maxOverrides
    ? `the scenario has ${overrides} overrides, more than maxOverrides (--max-overrides) allows: ${maxOverrides} per session`
    : undefined;
}

/** A path as an API knows it — its mount prefix taken off — if the API owns it. */
function ownedPath(api: ApiModule, path: string): string | undefined {
  const mount = api.mount ?? '';
  if (mount && !(path === mount || path.startsWith(`${mount}/`))) return undefined;
  const local = path.slice(mount.length) || '/';
  return api.owns(local) ? local : undefined;
}

/** The seed of one API's faker stream: FNV-1a of the mock's seed and the API's name. */
function streamSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5;
  for (const character of `${seed}/${name}`) hash = Math.imul(hash ^ character.codePointAt(0)!, 0x01000193) >>> 0;
  return hash;
}
