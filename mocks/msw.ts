import { http, HttpResponse, type HttpHandler } from 'msw';
import { API_NAMES, type ApiName } from '../specs/index.ts';
import type { MockRequest, MockResponse } from './core/http.ts';
import type { Mock } from './core/mock.ts';
import { createMock } from './index.ts';

export * from './index.ts';

export interface HandlerOptions {
  /** The APIs to answer (default: all three). */
  apis?: readonly ApiName[];
  /** Answer only requests to this origin, e.g. `http://localhost:4010` (default: any origin). */
  origin?: string;
}

/**
 * MSW request handlers answering from a mock's behaviour core. A handler answers only the paths
 * its APIs own (and the `/__usermock/` control endpoints); anything else falls through to the
 * next handler or the network, as MSW users expect.
 */
export function createHandlers(mock: Mock, { apis = API_NAMES, origin }: HandlerOptions = {}): HttpHandler[] {
  const onlyOrigin = origin === undefined ? undefined : new URL(origin).origin;
  return [
    http.all('*', async ({ request }) => {
      const url = new URL(request.url);
      if ((onlyOrigin && url.origin !== onlyOrigin) || !mock.serves(url.pathname, apis)) return undefined;
      return toHttpResponse(await mock.handle(await toMockRequest(request, url)));
    }),
  ];
}

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
