import type { MockResponse } from './http.ts';

/** An answer now, or later: most requests never wait, and a chain of promises would cost them all. */
export type Answer = MockResponse | Promise<MockResponse>;

/** Answers a request: the rest of the chain, as a middleware sees it. */
export type Next<C> = (context: C) => Answer;

/** One cross-cutting concern: it may answer itself, or call `next` and adjust what comes back. */
export type Middleware<C> = (context: C, next: Next<C>) => Answer;

/** The middlewares in order around `last` (the first is the outermost), as one handler. */
export function compose<C>(middlewares: ReadonlyArray<Middleware<C>>, last: Next<C>): Next<C> {
  return middlewares.reduceRight<Next<C>>((next, middleware) => (context) => middleware(context, next), last);
}

/** `then` that stays synchronous for an answer that is already there. */
export function after(answer: Answer, then: (response: MockResponse) => MockResponse): Answer {
  return answer instanceof Promise ? answer.then(then) : then(answer);
}
