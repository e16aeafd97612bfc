import { HttpHandler, type HttpResponseResolver } from 'msw';
import type { Operation } from '../../specs/spec.ts';

/** What a request routes to in the mock: the API that owns it and the spec operation, if any. */
export interface Route {
  api: string;
  operation: Operation;
}

/**
 * An MSW handler for one spec operation. Its header is the operation's method and path, as MSW
 * shows and logs it; it matches through the mock's own router, compiled once at start-up, where
 * MSW would compile the path into a regular expression again for every handler on every request
 * (the MSW path's main cost). `routeOf` routes each request once, however many handlers ask.
 */
export class OperationHandler extends HttpHandler {
  constructor(
    private readonly route: Route,
    path: string,
    private readonly routeOf: (request: Request) => Route | undefined,
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
    const routed = this.routeOf(request);
    return routed?.api === this.route.api && routed.operation === this.route.operation;
  }
}
