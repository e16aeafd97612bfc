import { HttpHandler, type HttpResponseResolver } from 'msw';
import type { Operation } from '../../specs/spec.ts';
import type { RequestContext } from '../core/context.ts';

/** The operation a handler answers: the API's name and the spec operation. */
export interface Route {
  api: string;
  operation: Operation;
}

/**
 * An MSW handler for one spec operation. Its header is the operation's method and path, as MSW
 * shows and logs it; it matches through the mock's own router, compiled once at start-up, where
 * MSW would compile the path into a regular expression again for every handler on every request
 * (the MSW path's main cost). `contextOf` resolves each request once, however many handlers ask,
 * and the answer reuses it.
 */
export class OperationHandler extends HttpHandler {
  constructor(
    private readonly route: Route,
    path: string,
    private readonly contextOf: (request: Request) => RequestContext | undefined,
    resolver: HttpResponseResolver,
  ) {
    super(route.operation.method, path, resolver);
  }

  override async parse({ request }: { request: Request }) {
    return { match: { matches: this.owns(request), params: {} }, cookies: {} };
  }

  /**
   * A request routed to another operation is passed over at once: MSW would otherwise clone it,
   * parse and test it here, then find no match — the same answer, at a cost every request paid
   * once per handler before its own.
   */
  override run(args: Parameters<HttpHandler['run']>[0]): ReturnType<HttpHandler['run']> {
    return this.owns(args.request) ? super.run(args) : Promise.resolve(null);
  }

  private owns(request: Request): boolean {
    const context = this.contextOf(request);
    return context?.api?.name === this.route.api && context.route.operation === this.route.operation;
  }
}
