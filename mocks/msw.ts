import { http, HttpResponse, type HttpHandler } from 'msw';
import { OperationHandler, type Route } from './msw/operation-handler.ts';
import type { MockRequest, MockResponse } from './core/http.ts';
import type { Mock } from './core/mock.ts';
import { createMock, type BuiltInApi } from './index.ts';

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
 * `server.use()` come first and win.
 */
export function createHandlers(
  mock: Mock,
  { apis = mock.apis.map((api) => api.name), origin, onSpecViolation = 'off' }: HandlerOptions = {},
): HttpHandler[] {
  const base = origin === undefined ? '*' : new URL(origin).origin;
  const answer = async ({ request }: { request: Request }) => {
    const mockRequest = await toMockRequest(request, new URL(request.url));
    const response = await mock.handle(mockRequest);
    const violations = onSpecViolation === 'off' ? [] : mock.violations(mockRequest);
    if (violations.length > 0) {
      const error = new SpecViolationError(mockRequest, violations);
      if (onSpecViolation === 'throw') throw error;
      console.warn(error.message);
    }
    return toHttpResponse(response);
  };
  // Each request is routed once, however many operation handlers ask.
  const routes = new WeakMap<Request, Route | null>();
  const routeOf = (request: Request): Route | undefined => {
    let route = routes.get(request);
    if (route === undefined) {
      const url = new URL(request.url);
      const routed = base === '*' || url.origin === base ? mock.route(request.method, url.pathname) : undefined;
      route = routed?.operation && apis.includes(routed.api.name) ? { api: routed.api.name, operation: routed.operation } : null;
      routes.set(request, route);
    }
    return route ?? undefined;
  };
  const operations = mock.apis
    .filter((api) => apis.includes(api.name))
    .flatMap((api) =>
      api.spec.operations.map((operation) => ({ route: { api: api.name, operation }, path: `${api.mount ?? ''}${operation.path}` })),
    )
    .sort((a, b) => staticSegments(b.path) - staticSegments(a.path))
    .map(({ route, path }) => new OperationHandler(route, `${base}${mswPath(path)}`, routeOf, answer));
  const owned = ({ request }: { request: Request }) => {
    const url = new URL(request.url);
    return (base === '*' || url.origin === base) && mock.serves(url.pathname, apis);
  };
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

async function toMockRequest(request: Request, url: URL): Promise<MockRequest> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
  return { method: request.method, path: url.pathname, query: url.searchParams, headers, body: body === '' ? undefined : body };
}

function toHttpResponse(response: MockResponse): Response {
  return new HttpResponse(response.body ?? null, { status: response.status, headers: response.headers });
}
