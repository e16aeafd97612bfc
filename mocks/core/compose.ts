import type { MockRequest, MockResponse } from './http.ts';

/** Answers a request: the rest of the chain, as a middleware sees it. */
export type Next = (request: MockRequest) => Promise<MockResponse>;

/** One cross-cutting concern: it may answer itself, or call `next` and adjust what comes back. */
export type Middleware = (request: MockRequest, next: Next) => Promise<MockResponse>;

/** The middlewares in order around `last` (the first is the outermost), as one handler. */
export function compose(middlewares: readonly Middleware[], last: Next): Next {
  return middlewares.reduceRight<Next>((next, middleware) => (request) => middleware(request, next), last);
}
