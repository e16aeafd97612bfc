// What every API shares, each concern a small middleware (`compose.ts`): the core puts them in
// order around the API that answers; a test or a transport can put its own around them too.
import { after, type Answer, type Middleware as GenericMiddleware } from './compose.ts';
import type { RequestContext } from './context.ts';
import { empty, Refusal, text, type MockRequest, type MockResponse } from './http.ts';
import type { Journal, Recorded } from './journal.ts';
import { pickLatency, sleep, type Latency } from './prefer.ts';

/** A concern of the core: it sees the request as resolved once (`context.ts`). */
export type Middleware = GenericMiddleware<RequestContext>;

/**
 * Records every answer in the request journal: method, path, status, session, time and duration,
 * never headers or bodies, and what `describe` adds (the operation, spec violations); a request it
 * describes as `undefined` is not recorded.
 */
export const journalled =
  (journal: Journal, describe: (context: RequestContext, response: MockResponse) => Partial<Recorded> | undefined): Middleware =>
  (context, next) => {
    const start = performance.now();
    return after(next(context), (response) => {
      const details = describe(context, response);
      if (details) {
        journal.record({
          time: Date.now(),
          duration: Math.round((performance.now() - start) * 10) / 10,
          session: context.session,
          method: context.sent.method,
          path: context.sent.path,
          status: response.status,
          ...details,
        });
      }
      return response;
    });
  };

/**
 * CORS on every answer to a browser's request (it sends `Origin`): the calling origin allowed,
 * preflights described. Other clients (curl, a backend, a test runner) get `Vary: Origin` only —
 * CORS is a browser's rule, and the headers would only be bytes to write and parse.
 */
export const cors: Middleware = (context, next) =>
  after(next(context), (response) => {
    const { sent } = context;
    if (sent.headers.origin === undefined && sent.method !== 'OPTIONS') response.headers.vary = 'Origin';
    else Object.assign(response.headers, corsHeaders(sent));
    return response;
  });

/**
 * A bug anywhere inside answers a plain 500 (no message, no stack: they are the mock's, not the
 * API's) and is told to `onError`; a `Refusal` thrown inside is answered as it is.
 */
export const serverErrorBoundary =
  (onError: (error: unknown) => void): Middleware =>
  (context, next) => {
    const internalError = (error: unknown) => {
      if (error instanceof Refusal) return error.response;
      onError(error);
      return text(500, 'usermock: internal error');
    };
    try {
      const answer = next(context);
      return answer instanceof Promise ? answer.catch(internalError) : answer;
    } catch (error) {
      return internalError(error);
    }
  };

/** A body the transport would not read whole (over its limit) is refused before anything handles it. */
export const bodyLimit: Middleware = (context, next) => (context.sent.bodyTooLarge ? text(413, 'request body too large') : next(context));

/** A CORS preflight is answered here, whatever the path. */
export const preflight: Middleware = (context, next) => (context.sent.method === 'OPTIONS' ? empty(204) : next(context));

/** `Prefer: delay=<ms>` and `--latency`: a slow answer, to see a frontend's loading states. */
export const latency =
  (range: Latency | undefined, defer: boolean): Middleware =>
  (context, next) =>
    delayed((context.prefer.delay ?? 0) + (range ? pickLatency(range) : 0), defer, () => next(context));

/**
 * `answer`, `ms` later: waited here, or — `defer` — added to the response's `delay` for the
 * transport to wait (a replica applying a shared log one entry at a time must never wait in it).
 */
export function delayed(ms: number, defer: boolean, answer: () => Answer): Answer {
  if (ms <= 0) return answer();
  if (!defer) return sleep(ms).then(answer);
  return after(answer(), (response) => {
    response.delay = (response.delay ?? 0) + ms;
    return response;
  });
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
