import { http, HttpResponse, type HttpHandler } from 'msw';
import { OperationHandler } from './msw/operation-handler.ts';
import type { MockRequest, MockResponse } from './core/http.ts';
import { withBody, type RequestContext } from './core/context.ts';
import type { ApiModule } from './core/api.ts';
import { Mock } from './core/mock.ts';
import { createMock, type BuiltInApi, type CreateMockOptions } from './index.ts';

export * from './index.ts';

export interface HandlerOptions {
  /** The names of the APIs to answer (default: every API the mock serves). */
  apis?: readonly string[];
  /** Answer only requests to this origin, e.g. `http://localhost:4010` (default: any origin). */
  origin?: string;
  /**
   * What to do when a request breaks the API's spec (a wrong body, no credentials, an unknown path
   * under an API's prefix), besides answering it as the vendor does: `'warn'` logs it with
   * `console.warn`; `'throw'` makes the handler throw, which MSW answers with a 500 naming it, so
   * the test fails where the request was sent; `'off'` (the default) says nothing — the journal
   * still records it.
   */
  onSpecViolation?: 'off' | 'warn' | 'throw';
}

/**
 * Thrown by a handler with `onSpecViolation: 'throw'`: how the request broke the spec. It keeps the
 * request's method and path only — never its headers (a bearer token) or body (a password), which a
 * test runner would print in full.
 */
export class SpecViolationError extends Error {
  readonly request: { method: string; path: string };

  constructor(
    request: { method: string; path: string },
    readonly violations: string[],
  ) {
    super(`usermock: ${request.method} ${request.path} breaks the spec: ${violations.join('; ')}`);
    this.name = 'SpecViolationError';
    this.request = { method: request.method, path: request.path };
  }
}

/**
 * MSW request handlers answering from a mock's behaviour core, the way MSW matches: one handler per
 * spec operation (most specific path first; MSW shows and logs each by the operation's method and
 * path), then one per API for the other paths it owns (an unknown route there gets the vendor's
 * own 404), and one for the `/__usermock/` control endpoints. A path no API owns matches no
 * handler: it goes on to the network, or to `onUnhandledRequest`. Handlers added with
 * `server.use()` come first and win. Given a mock's options instead of a mock (`{ apis: [scim] }`),
 * the handlers answer from a mock of their own.
 */
export function createHandlers(source: Mock | CreateMockOptions<ApiModule> = {}, handlerOptions: HandlerOptions = {}): HttpHandler[] {
  const mock: Mock = source instanceof Mock ? source : createMock(source);
  const { apis = mock.apis.map((api) => api.name), origin, onSpecViolation = 'off' } = handlerOptions;
  const base = origin === undefined ? '*' : new URL(origin).origin;
  // Each request is resolved once (its API, operation, session), however many operation handlers
  // ask, and the answer reuses that context.
  const contexts = new WeakMap<Request, RequestContext | null>();
  const contextOf = (request: Request): RequestContext | undefined => {
    let context = contexts.get(request);
    if (context === undefined) {
      const url = new URL(request.url);
      const resolved = base === '*' || url.origin === base ? mock.resolve(toMockRequest(request, url)) : undefined;
      context = resolved && (resolved.control || (resolved.api && apis.includes(resolved.api.name))) ? resolved : null;
      contexts.set(request, context);
    }
    return context ?? undefined;
  };
  const answer = async ({ request }: { request: Request }) => {
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
    const context = withBody(contextOf(request)!, body === '' ? undefined : body);
    const response = await mock.answer(context);
    const violations = onSpecViolation === 'off' ? [] : mock.violations(context.sent);
    if (violations.length > 0) {
      const error = new SpecViolationError(context.sent, violations);
      if (onSpecViolation === 'throw') throw error;
      console.warn(error.message);
    }
    return toHttpResponse(response);
  };
  const operations = mock.apis
    .filter((api) => apis.includes(api.name))
    .flatMap((api) =>
      api.spec.operations.map((operation) => ({ route: { api: api.name, operation }, path: `${api.mount ?? ''}${operation.path}` })),
    )
    .sort((a, b) => staticSegments(b.path) - staticSegments(a.path))
    .map(({ route, path }) => new OperationHandler(route, `${base}${mswPath(path)}`, contextOf, answer));
  // The other paths an API owns (its own 404 there) and the control endpoints.
  const owned = ({ request }: { request: Request }) => contextOf(request) !== undefined;
  return [...operations, http.all(owned, answer)];
}

/** An OpenAPI path template as an MSW path: `{emailOrID}` becomes `:emailOrID`. */
const mswPath = (template: string) => template.replace(/\{([^}]+)\}/g, ':$1');
const staticSegments = (template: string) => template.split('/').filter((segment) => segment && !segment.startsWith('{')).length;

/**
 * The mock behind the ready-made handlers below (seeded with the default seed), typed per API like
 * `createMock()`'s: `mock.state('hoop')` is a `HoopState`, `mock.override('hoop', …)` takes only
 * hoop's operation ids.
 */
export const mock: Mock<BuiltInApi> = createMock();

/** Handlers for all three APIs, sharing `mock`'s state. */
export const handlers: HttpHandler[] = createHandlers(mock);
export const hoopHandlers: HttpHandler[] = createHandlers(mock, { apis: ['hoop'] });
export const amaniHandlers: HttpHandler[] = createHandlers(mock, { apis: ['amani'] });
export const haploHandlers: HttpHandler[] = createHandlers(mock, { apis: ['haplo'] });

/** A request as the core sees it, its body still unread (MSW reads it only for a request a handler answers). */
function toMockRequest(request: Request, url: URL): MockRequest {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { method: request.method, path: url.pathname, query: url.searchParams, headers, body: undefined };
}

function toHttpResponse(response: MockResponse): Response {
  return new HttpResponse(response.body ?? null, { status: response.status, headers: response.headers });
}
