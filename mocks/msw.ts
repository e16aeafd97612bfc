import { http, HttpResponse, type HttpHandler, type HttpMethods } from 'msw';
import type { MockRequest, MockResponse } from './core/http.ts';
import type { Mock } from './core/mock.ts';
import { createMock } from './index.ts';

export * from './index.ts';

export interface HandlerOptions {
  /** The names of the APIs to answer (default: every API the mock serves). */
  apis?: readonly string[];
  /** Answer only requests to this origin, e.g. `http://localhost:4010` (default: any origin). */
  origin?: string;
}

/**
 * MSW request handlers answering from a mock's behaviour core, the way MSW matches: one handler per
 * spec operation (most specific path first, so MSW's log names the operation), then one per API
 * for the other paths it owns (an unknown route there gets the vendor's own 404), and one for the
 * `/__usermock/` control endpoints. A path no API owns matches no handler: it goes on to the
 * network, or to `onUnhandledRequest`. Handlers added with `server.use()` come first and win.
 */
export function createHandlers(mock: Mock, { apis = mock.apis.map((api) => api.name), origin }: HandlerOptions = {}): HttpHandler[] {
  const base = origin === undefined ? '*' : new URL(origin).origin;
  const answer = async ({ request }: { request: Request }) =>
    toHttpResponse(await mock.handle(await toMockRequest(request, new URL(request.url))));
  const operations = mock.apis
    .filter((api) => apis.includes(api.name))
    .flatMap((api) => api.spec.operations.map((operation) => ({ method: operation.method, path: `${api.mount ?? ''}${operation.path}` })))
    .sort((a, b) => staticSegments(b.path) - staticSegments(a.path))
    .map(({ method, path }) => http[method.toLowerCase() as Lowercase<HttpMethods>](`${base}${mswPath(path)}`, answer));
  const owned = ({ request }: { request: Request }) => {
    const url = new URL(request.url);
    return (base === '*' || url.origin === base) && mock.serves(url.pathname, apis);
  };
  return [...operations, http.all(owned, answer)];
}

/** An OpenAPI path template as an MSW path: `{emailOrID}` becomes `:emailOrID`. */
const mswPath = (template: string) => template.replace(/\{([^}]+)\}/g, ':$1');
const staticSegments = (template: string) => template.split('/').filter((segment) => segment && !segment.startsWith('{')).length;

/** The mock behind the ready-made handlers below (seeded with the default seed). */
export const mock: Mock = createMock();

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
