import type { ApiSpec, Operation } from '../../specs/spec.ts';
import type { MockResponse } from './http.ts';

/** The path parameters a route template captured, decoded. */
export type Params = Record<string, string>;

/**
 * Answers one operation. Declared as a method, so a router of a module's own context type is still
 * a router to the core, which hands the match back to that module only.
 */
export type Handler<C> = { answer(context: C, params: Params): MockResponse | Promise<MockResponse> }['answer'];

interface Route<C> {
  method: string;
  template: string;
  operation: Operation;
  segments: string[];
  handler: Handler<C>;
  staticCount: number;
}

/** What matching a request found: a route, a path known under another method only, or nothing. */
export type Match<C = unknown> =
  | { kind: 'route'; operation: Operation; handler: Handler<C>; params: Params }
  | { kind: 'wrong-method'; operation?: undefined }
  | { kind: 'none'; operation?: undefined };

/** A path no route knows. */
export const NO_ROUTE: Match<never> = Object.freeze({ kind: 'none' });

/**
 * A small router over OpenAPI path templates (`/api/users/{emailOrID}`). A path belongs to the
 * most specific template it matches (static segments win over parameters) whatever the method, as
 * in the vendors' routers: `/api/users/groups` is never taken for a user lookup, and a method that
 * template lacks is a wrong method there.
 */
export class Router<C> {
  private readonly routes: Route<C>[] = [];

  constructor(private readonly options: { trailingSlash: 'optional' | 'strict' } = { trailingSlash: 'strict' }) {}

  on(method: string, template: string, operation: Operation, handler: Handler<C>): this {
    const segments = template.split('/').slice(1);
    const staticCount = segments.filter((segment) => !segment.startsWith('{')).length;
    this.routes.push({ method, template, operation, segments, handler, staticCount });
    this.routes.sort((a, b) => b.staticCount - a.staticCount);
    return this;
  }

  /** The operations served at a path, whatever their method. */
  operationsAt(path: string): Operation[] {
    return [...new Set(this.routes.map((route) => route.method))].flatMap((method) => this.match(method, path).operation ?? []);
  }

  match(method: string, path: string): Match<C> {
    let segments = path.split('/').slice(1);
    if (this.options.trailingSlash === 'optional' && segments.length > 1 && segments.at(-1) === '') {
      segments = segments.slice(0, -1);
    }
    // Routes are sorted most specific first, so the first template that matches owns the path.
    let owner: string | undefined;
    for (const route of this.routes) {
      if (owner !== undefined && route.template !== owner) continue;
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      owner = route.template;
      if (route.method === method) return { kind: 'route', operation: route.operation, handler: route.handler, params };
    }
    return owner === undefined ? NO_ROUTE : WRONG_METHOD;
  }
}

const NO_PARAMS: Params = Object.freeze({});
const WRONG_METHOD: Match<never> = Object.freeze({ kind: 'wrong-method' });

function matchSegments(template: string[], actual: string[]): Params | undefined {
  if (template.length !== actual.length) return undefined;
  // Static segments first: most templates are ruled out without decoding anything.
  for (let i = 0; i < template.length; i++) {
    if (!template[i]!.startsWith('{') && template[i] !== actual[i]) return undefined;
  }
  let params: Params = NO_PARAMS;
  for (let i = 0; i < template.length; i++) {
    const expected = template[i]!;
    if (!expected.startsWith('{')) continue;
    if (actual[i] === '') return undefined;
    if (params === NO_PARAMS) params = {};
    params[expected.slice(1, -1)] = decodeSegment(actual[i]!);
  }
  return params;
}

function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes stay as sent, as Go and Node servers leave them
  }
}

/** A vendor-only spelling of a documented operation's path, with why the vendor serves it. */
export interface Alias<Id extends string> {
  method: string;
  path: string;
  operationId: Id;
  why: string;
}

/**
 * A router whose routes are the API's spec: each operation at its documented method and path,
 * answered by the handler of its operationId (`x-trailing-slash` deciding the slash), then the
 * vendor-only aliases — the visible boundary between what the spec says and what the vendor also
 * does. The handler table is keyed by the generated operation ids, so a spec operation without a
 * handler, or a handler for an operation the spec lacks, does not compile.
 */
export function specRouter<Id extends string, C>(
  spec: ApiSpec,
  handlers: Record<Id, Handler<C>>,
  aliases: ReadonlyArray<Alias<Id>> = [],
): Router<C> {
  const router = new Router<C>({ trailingSlash: spec.document['x-trailing-slash'] === 'optional' ? 'optional' : 'strict' });
  for (const operation of spec.operations) {
    const handler = handlers[operation.id as Id];
    if (!handler) throw new Error(`${spec.name}: no handler for the spec's operation ${operation.id}`);
    router.on(operation.method, operation.path, operation, handler);
  }
  for (const alias of aliases) router.on(alias.method, alias.path, spec.operation(alias.operationId), handlers[alias.operationId]);
  return router;
}
