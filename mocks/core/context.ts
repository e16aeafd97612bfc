// A request is resolved once, at the top of the core — the API that owns its path, the path as that
// API knows it, the operation and parameters it routes to, the session — and that context is
// handed to every middleware, to the API and back to the transports (as Hono's `Context`), so
// nothing downstream routes it again.
import type { ApiModule } from './api.ts';
import { text, type MockRequest } from './http.ts';
import { parsePrefer, type Preference } from './prefer.ts';
import type { Middleware } from './middlewares.ts';
import { NO_ROUTE, type Match } from './router.ts';

/** The header that selects an isolated copy of the seeded state. */
export const SESSION_HEADER = 'x-usermock-session';
export const DEFAULT_SESSION = 'default';
/** Where the mock's own endpoints live (credentials, state, overrides, the dashboard). */
export const CONTROL_PREFIX = '/__usermock/';

/** A request as the core resolved it. */
export interface RequestContext<M extends ApiModule = ApiModule> {
  /** The request as sent: its path is the origin's. */
  readonly sent: MockRequest;
  /** The request as its API knows it: the path without the API's mount prefix (`sent` itself when there is none). */
  readonly request: MockRequest;
  /** The session it acts in: its `x-usermock-session` header, or the default one. */
  readonly session: string;
  /** What its `Prefer` header asks (a status, a delay). */
  readonly prefer: Preference;
  /** A request for the mock's own control endpoints. */
  readonly control: boolean;
  /** The API that owns the path, if any. */
  readonly api: M | undefined;
  /** What the method and path route to in that API (`route.operation` is the spec operation, if any). */
  readonly route: Match;
  /** The id of the override that answered, for the journal. */
  answeredBy?: string;
}

/** A path no API owns is the mock's own 404 (each API answers its own unknown routes). */
export const ownedPaths: Middleware = (context, next) =>
  context.api ? next(context) : text(404, `usermock: no API here (${context.sent.method} ${context.sent.path})`);

/** The session a request acts in. */
export function sessionOf(request: MockRequest): string {
  return request.headers[SESSION_HEADER] || DEFAULT_SESSION;
}

/** Resolves a request among the APIs one origin serves: the first that owns its path takes it. */
export function resolve<M extends ApiModule>(apis: readonly M[], sent: MockRequest): RequestContext<M> {
  const session = sessionOf(sent);
  const prefer = parsePrefer(sent.headers.prefer);
  if (sent.path.startsWith(CONTROL_PREFIX)) return { sent, request: sent, session, prefer, control: true, api: undefined, route: NO_ROUTE };
  for (const api of apis) {
    const path = ownedPath(api, sent.path);
    if (path === undefined) continue;
    const request = path === sent.path ? sent : { ...sent, path };
    return { sent, request, session, prefer, control: false, api, route: api.route(sent.method, path) };
  }
  return { sent, request: sent, session, prefer, control: false, api: undefined, route: NO_ROUTE };
}

/** The same context with the body the transport read after resolving it (MSW reads it only for a request it answers). */
export function withBody<C extends RequestContext>(context: C, body: string | undefined): C {
  const sent = { ...context.sent, body };
  return { ...context, sent, request: context.request === context.sent ? sent : { ...context.request, body } };
}

/** A path as an API knows it — its mount prefix taken off — if the API owns it. */
export function ownedPath(api: ApiModule, path: string): string | undefined {
  const mount = api.mount ?? '';
  if (mount && !(path === mount || path.startsWith(`${mount}/`))) return undefined;
  const local = path.slice(mount.length) || '/';
  return api.owns(local) ? local : undefined;
}

/**
 * Refuses APIs one origin cannot serve together: two of the same name, or one whose documented
 * path another (earlier) API owns — that one would answer it. Such an API needs a `mount` prefix.
 */
export function assertDistinct(apis: readonly ApiModule[]): void {
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
