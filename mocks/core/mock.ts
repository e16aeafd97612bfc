import { apiSpec, type ApiName } from '../../specs/index.ts';
import type { ApiModule, ApiState, Credentials } from './api.ts';
import { seededFaker } from '../../specs/faker.ts';
import { empty, json, text, type MockRequest, type MockResponse } from './http.ts';
import { Journal } from './journal.ts';
import { parsePrefer, pickLatency, sleep, type Latency } from './prefer.ts';

/** The header that selects an isolated copy of the seeded state. */
export const SESSION_HEADER = 'x-usermock-session';
const DEFAULT_SESSION = 'default';
const CONTROL_PREFIX = '/__usermock/';

export interface MockOptions {
  /** The faker seed: the same seed gives the same users, groups and credentials. */
  seed?: number;
  /** Users seeded per API. */
  users?: number;
  /** Delay every answer by a fixed or random number of milliseconds. */
  latency?: Latency;
  /** State to start from instead of the seed (a snapshot from `--state-file` or `/__usermock/state`). */
  snapshot?: Snapshot;
  /** Called with the serialised state whenever a request changed it, before the answer is sent. */
  persist?: (snapshot: string) => Promise<void>;
  /** Told of an exception the mock turned into a 500 (a bug in the mock); logs it by default. */
  onError?: (error: unknown) => void;
}

/** Every API's state for one session. */
export type World = Record<ApiName, ApiState>;

/** The mock's whole state as JSON: the seed it came from and every session's state. */
export interface Snapshot {
  usermock: 1;
  seed: number;
  users: number;
  sessions: Record<string, Record<ApiName, unknown>>;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_USERS = 30;

/**
 * The behaviour core: routes a request to the API that owns its path, against the state of the
 * caller's session, and adds what every API shares — CORS, `Prefer`, latency, control endpoints,
 * the request journal and durable writes. Transports (node:http, MSW) only translate.
 */
export class Mock {
  readonly seed: number;
  readonly users: number;
  readonly journal = new Journal();
  private readonly sessions = new Map<string, World>();
  private persisting: Promise<void> = Promise.resolve();
  /** The state as last handed to `persist`, to skip writing a state that did not change. */
  private persisted: string | undefined;

  constructor(
    private readonly apis: readonly ApiModule[],
    private readonly options: MockOptions = {},
  ) {
    this.seed = options.snapshot?.seed ?? options.seed ?? DEFAULT_SEED;
    this.users = options.snapshot?.users ?? options.users ?? DEFAULT_USERS;
    for (const [session, world] of Object.entries(options.snapshot?.sessions ?? {})) {
      this.sessions.set(session, this.restoreWorld(world));
    }
  }

  /** The state of a session (the shared default one without a name), seeded on first use. */
  world(session = DEFAULT_SESSION): World {
    let world = this.sessions.get(session);
    if (!world) {
      world = this.seedWorld();
      this.sessions.set(session, world);
    }
    return world;
  }

  /** The state of one API in a session, for assertions in tests. */
  state<S extends ApiState>(api: ApiName, session?: string): S {
    return this.world(session)[api] as S;
  }

  /** Puts a session (or, without a name, every session) back to the seeded state. */
  reset(session?: string): void {
    if (session === undefined) this.sessions.clear();
    else this.sessions.delete(session);
  }

  credentials(session?: string): Record<ApiName, Credentials> {
    const world = this.world(session);
    return Object.fromEntries(this.apis.map((api) => [api.name, api.credentials(world[api.name])])) as Record<ApiName, Credentials>;
  }

  /** The state of every session, or of the one named, as JSON. */
  snapshot(session?: string): Snapshot {
    this.world(session); // the default session is always in a full snapshot; a named one is seeded on first use, as everywhere
    const names = session === undefined ? [...this.sessions.keys()] : [session];
    // fromEntries defines keys as data, so a session named `__proto__` is a session like any other.
    const sessions = Object.fromEntries(names.map((name) => [name, this.worldSnapshot(this.sessions.get(name)!)]));
    return { usermock: 1, seed: this.seed, users: this.users, sessions };
  }

  /** Whether a path is the mock's to answer: a control endpoint or a path an API owns. */
  serves(path: string, apis: readonly ApiName[] = this.apis.map((api) => api.name)): boolean {
    return path.startsWith(CONTROL_PREFIX) || this.apis.some((api) => apis.includes(api.name) && api.owns(path));
  }

  /** Answers any request; an exception (a bug in the mock) becomes a plain 500, never a rejection. */
  async handle(request: MockRequest): Promise<MockResponse> {
    let response: MockResponse;
    try {
      response = await this.answer(request, sessionOf(request));
    } catch (error) {
      (this.options.onError ?? console.error)(error);
      // No message or stack in the body: both are the mock's internals, not the API's answer.
      response = text(500, 'usermock: internal error');
    }
    return this.finish(request, response);
  }

  /**
   * Completes an answer as every answer is: CORS headers, and an entry in the journal. For answers
   * a transport gives itself (a body over its size limit), so a browser still sees them.
   */
  finish(request: MockRequest, response: MockResponse): MockResponse {
    Object.assign(response.headers, corsHeaders(request));
    this.journal.record({
      time: new Date().toISOString(),
      session: sessionOf(request),
      method: request.method,
      path: request.path,
      status: response.status,
    });
    return response;
  }

  private async answer(request: MockRequest, session: string): Promise<MockResponse> {
    if (request.method === 'OPTIONS') return empty(204);
    if (request.path.startsWith(CONTROL_PREFIX)) return this.control(request, session);
    const api = this.apis.find((candidate) => candidate.owns(request.path));
    if (!api) return notFound();

    const preference = parsePrefer(request.headers.prefer);
    const delay = (preference.delay ?? 0) + (this.options.latency ? pickLatency(this.options.latency) : 0);
    if (delay > 0) await sleep(delay);
    const state = this.world(session)[api.name];
    if (preference.code !== undefined) {
      const preferred = api.refuse(request, state) ?? this.preferredExample(api, request, preference.code);
      if (preferred) return preferred;
    }

    const response = await api.handle(request, state);
    // Not only after a 2xx: some refusals keep part of the change, as the vendor's do (Haplo's
    // update applies fields one by one), and the file must show what a GET shows.
    if (this.options.persist && request.method !== 'GET') await this.persist();
    return response;
  }

  /** Waits until the state, including every change so far, is durable. */
  private persist(): Promise<void> {
    const persist = this.options.persist!;
    // Chained, so the file never goes back to an older state; a failed write fails only the
    // answers waiting for it, and the next change tries again.
    const written = this.persisting.then(async () => {
      const snapshot = JSON.stringify(this.snapshot());
      if (snapshot === this.persisted) return;
      await persist(snapshot);
      this.persisted = snapshot;
    });
    this.persisting = written.catch(() => undefined);
    return written;
  }

  /** The spec's first example for the asked status, as Prism answers `Prefer: code=`. */
  private preferredExample(api: ApiModule, request: MockRequest, status: number): MockResponse | undefined {
    const operationId = api.operationFor(request.method, request.path);
    if (!operationId) return undefined;
    const spec = apiSpec(api.name);
    if (!spec.documentsStatus(operationId, status)) return undefined;
    // The API's wire conventions too: the charset it names, the headers the spec requires (Amani's challenge).
    const headers: Record<string, string> = {};
    for (const [name, header] of Object.entries(spec.response(operationId, status)?.headers ?? {})) {
      if (header.required && typeof header.example === 'string') headers[name.toLowerCase()] = header.example;
    }
    const [example] = spec.responseExamples(operationId, status);
    if (!example) return empty(status, headers);
    const body = typeof example.value === 'string' ? example.value : JSON.stringify(example.value);
    const charset = spec.document['x-response-charset'];
    const contentType = charset && example.mediaType.endsWith('json') ? `${example.mediaType}; charset=${charset}` : example.mediaType;
    return { status, headers: { ...headers, 'content-type': contentType }, body };
  }

  private async control(request: MockRequest, session: string): Promise<MockResponse> {
    const named = request.headers[SESSION_HEADER];
    const route = `${request.method} ${request.path.slice(CONTROL_PREFIX.length)}`;
    switch (route) {
      case 'GET credentials':
        return json(200, this.credentials(session));
      case 'GET state':
        return json(200, this.snapshot(named ? session : undefined));
      case 'GET requests':
        return json(200, this.journal.list(named ? session : undefined));
      case 'POST reset':
        this.reset(named ? session : undefined);
        if (!named) this.journal.clear();
        if (this.options.persist) await this.persist();
        return empty(204);
      default:
        return json(404, { message: `no control endpoint ${request.method} ${request.path}` });
    }
  }

  private seedWorld(): World {
    return Object.fromEntries(this.apis.map((api) => [api.name, this.seedApi(api)])) as World;
  }

  private seedApi(api: ApiModule): ApiState {
    // Each API gets its own seeded stream, so adding users to one API never changes another's.
    return api.seed({ faker: seededFaker(this.seed * 1000 + this.apis.indexOf(api)), users: this.users });
  }

  private worldSnapshot(world: World): Record<ApiName, unknown> {
    return Object.fromEntries(Object.entries(world).map(([api, state]) => [api, state.toJSON()])) as Record<ApiName, unknown>;
  }

  /** A session's state from its snapshot; an API the snapshot lacks is seeded. */
  private restoreWorld(snapshot: Record<ApiName, unknown>): World {
    return Object.fromEntries(
      this.apis.map((api) => [api.name, snapshot[api.name] === undefined ? this.seedApi(api) : api.restore(snapshot[api.name])]),
    ) as World;
  }
}

function sessionOf(request: MockRequest): string {
  return request.headers[SESSION_HEADER] || DEFAULT_SESSION;
}

/** Unknown routes: the answer of hoop's Go router, which owns the shared `/api` prefix. */
function notFound(): MockResponse {
  return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '404 page not found' };
}

function corsHeaders(request: MockRequest): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-origin': request.headers.origin ?? '*',
    'access-control-expose-headers': '*',
    vary: 'Origin',
  };
  if (request.method === 'OPTIONS') {
    headers['access-control-allow-methods'] = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
    headers['access-control-allow-headers'] = request.headers['access-control-request-headers'] ?? '*';
    headers['access-control-max-age'] = '600';
  }
  if (request.headers.origin) headers['access-control-allow-credentials'] = 'true';
  return headers;
}
