// `defineApiModule`: an API of one's own from its spec and one function per operation. Routing,
// access (the spec's requirements with the API's gate), body decoding for every JSON media type
// (`application/json`, `application/scim+json` …) and validation against the operation's request
// schema come from the spec; the module says only what the spec cannot: its state, its callers,
// its answers and its error shape.
import type { Faker } from '@faker-js/faker';
import { bodyAsDocumented, type ApiSpec, type Operation } from '../../specs/spec.ts';
import { authorize, type Gate } from './access.ts';
import type { ApiModule, ApiState, Credentials, SeedOptions } from './api.ts';
import type { Answer } from './compose.ts';
import { parseJsonBody, Refusal, type MockRequest, type MockResponse } from './http.ts';
import { specRouter, type Alias, type Handler, type Match } from './router.ts';

/**
 * The operations of a spec as openapi-typescript describes them (`usermock types <spec>` writes
 * them): per operation id, its parameters and request body. Without it, any operation id goes.
 */
export type OperationTypes = Record<string, unknown>;

/** The path parameters of an operation, as the URL carries them: strings, decoded. */
export type PathParamsOf<O> = O extends { parameters: { path?: infer P } }
  ? [NonNullable<P>] extends [never]
    ? Record<string, never>
    : { [K in keyof NonNullable<P>]-?: string }
  : Record<string, string>;

/** The request body of an operation, as its (JSON) media type's schema describes it. */
export type BodyOf<O> = O extends { requestBody?: infer B }
  ? [NonNullable<B>] extends [never]
    ? undefined
    : NonNullable<B> extends { content: infer C }
      ? C[keyof C]
      : unknown
  : unknown;

/** What one operation's function is given: the request resolved, checked and decoded. */
export interface OperationContext<S, Caller, O = unknown> {
  state: S;
  /** Who called: the gate's caller (undefined for an operation that needs no credential). */
  caller: Caller;
  request: MockRequest;
  params: PathParamsOf<O>;
  /**
   * The body, parsed as JSON (any JSON media type) and valid against the operation's request schema
   * (undefined when it takes none): a body that is not JSON or breaks the schema is answered with
   * `invalidBody` before the operation runs — or, with `bodyWhenRead`, when it first reads it.
   */
  readonly body: BodyOf<O>;
  operation: Operation;
}

/** An API as `defineApiModule` takes it: what the spec cannot say. */
export interface ApiDefinition<S extends ApiState, Name extends string, Ops, Caller, NewUser extends object> {
  name: Name;
  spec: ApiSpec;
  /** A prefix for its paths on a shared origin (when they collide with another API's). */
  mount?: string;
  /** Whether a path is the API's (its unknown routes there get its own 404); by default, the paths under its spec's common prefix. */
  owns?(path: string): boolean;
  seed(options: SeedOptions): S;
  restore(snapshot: unknown): S;
  fork?(state: S): S;
  snapshotSchema?: object;
  credentials(state: S): Credentials;
  gate: Gate<S, Caller>;
  /** One function per spec operation, by operation id: a missing one does not compile (with `Ops`) and fails at start. */
  operations: { [K in keyof Ops & string]: (context: OperationContext<S, Caller, Ops[K]>) => Answer };
  /** Vendor-only spellings of documented operations (`specRouter`). */
  aliases?: ReadonlyArray<Alias<NoInfer<keyof Ops & string>>>;
  /** The API's error body: for unknown routes (404), wrong methods (405) and the mock's own messages. */
  error(status: number, message: string): MockResponse;
  /** The answer to a body that is not JSON (`notJson`) or breaks the operation's request schema; by default `error(400, message)`. */
  invalidBody?(message: string, operation: Operation, notJson: boolean): MockResponse;
  /**
   * Decode and check the body when an operation first reads it rather than before it runs: an API
   * that looks up the `{id}` first (a 404 before a 400, as SCIM's spec says) reads `body` after the
   * lookup (`context.body` there: destructuring it in the parameter list reads it at once). An
   * operation that never reads it then takes any body.
   */
  bodyWhenRead?: boolean;
  // NoInfer: the operation ids come from `Ops` (or `operations`), never from these.
  records: ApiModule<S, Name, NoInfer<keyof Ops & string>, NewUser>['records'];
  newUser: { operationId: NoInfer<keyof Ops & string>; body(faker: Faker, fields?: Partial<NewUser>): NewUser };
  /** What `usermock serve` prints; by default the API's paths and its two credentials. */
  banner?(url: string, credentials: Credentials, state: S): string[];
}

/**
 * An API module from a definition: its router built from the spec, and a `handle` that answers an
 * unknown route 404 and a wrong method 405 (in the API's error shape), applies the operation's
 * requirement with the gate, refuses a body that is not JSON or breaks the request schema with 400,
 * and calls the operation's function. `Ops` (openapi-typescript's `operations`) types the ids,
 * parameters and bodies.
 */
export function defineApiModule<
  Ops = OperationTypes,
  S extends ApiState = ApiState,
  Caller = unknown,
  NewUser extends object = Record<string, unknown>,
  Name extends string = string,
>(definition: ApiDefinition<S, Name, Ops, Caller, NewUser>): ApiModule<S, Name, keyof Ops & string, NewUser> {
  const { spec, error, gate } = definition;
  const invalidBody = definition.invalidBody ?? ((message: string) => error(400, message));
  type Context = { state: S; request: MockRequest; caller: Caller; operation: Operation };
  const handlers = Object.fromEntries(
    Object.entries(definition.operations).map(([id, answer]): [string, Handler<Context>] => [
      id,
      (context, params) => {
        let decoded: { value: unknown } | undefined;
        const body = () => {
          decoded ??= decodeBody(spec, context.operation, context.request, invalidBody);
          return decoded.value;
        };
        if (!definition.bodyWhenRead) body();
        const operationContext = Object.defineProperty({ ...context, params }, 'body', { get: body, enumerable: true });
        return (answer as (context: OperationContext<S, Caller>) => Answer)(operationContext as OperationContext<S, Caller>);
      },
    ]),
  ) as Record<keyof Ops & string, Handler<Context>>;
  const router = specRouter(spec, handlers, definition.aliases);
  const prefix = commonPrefix(spec);
  return {
    name: definition.name,
    spec,
    ...(definition.mount === undefined ? {} : { mount: definition.mount }),
    owns: definition.owns ?? ((path) => prefix === '/' || path === prefix || path.startsWith(`${prefix}/`)),
    seed: definition.seed,
    restore: definition.restore,
    ...(definition.fork ? { fork: definition.fork } : {}),
    ...(definition.snapshotSchema ? { snapshotSchema: definition.snapshotSchema } : {}),
    credentials: definition.credentials,
    route: (method, path) => router.match(method, path),
    records: definition.records,
    newUser: definition.newUser,
    error,
    gate,
    handle(request, state, match: Match) {
      if (match.kind === 'none') return error(404, `no route ${request.method} ${request.path}`);
      if (match.kind === 'wrong-method') return error(405, `${request.method} is not allowed on ${request.path}`);
      const access = authorize(gate, request, state, match.operation.requirement);
      if ('refused' in access) return access.refused;
      return match.handler({ state, request, caller: access.caller as Caller, operation: match.operation }, match.params);
    },
    banner:
      definition.banner ??
      // `this`: the module the core calls it on, so a copy (`{ ...scim, name: 'scim2' }`) shows its own name.
      function (this: { name: string }, url, credentials) {
        return [
          `${this.name}  ${url}${prefix}`,
          `       admin                            Authorization: ${credentials.admin}`,
          `       standard                         Authorization: ${credentials.standard}`,
        ];
      },
  };
}

/**
 * An operation's body as JSON, valid against its request schema (top-level nulls left out where the
 * spec says they mean absent: `x-null-as-absent`); undefined for one that takes none. A body that
 * is neither is thrown as a `Refusal`, which the core answers as it is.
 */
function decodeBody(
  spec: ApiSpec,
  operation: Operation,
  request: MockRequest,
  invalidBody: (message: string, operation: Operation, notJson: boolean) => MockResponse,
): { value: unknown } {
  const documented = operation.object.requestBody;
  if (!documented || (request.body === undefined && !documented.required)) return { value: undefined };
  const parsed = parseJsonBody(request.body);
  if (!parsed.ok) throw new Refusal(invalidBody(`the body is not JSON (${parsed.error})`, operation, true));
  const value = bodyAsDocumented(operation, parsed.value);
  const validate = spec.requestValidator(operation.id);
  if (validate && !validate(value)) throw new Refusal(invalidBody(spec.describeErrors(validate), operation, false));
  return { value };
}

/** The static segments every path of the spec starts with (`/scim/v2/Users`). */
function commonPrefix(spec: ApiSpec): string {
  const paths = spec.operations.map((operation) => operation.path.split('/').slice(1));
  const common: string[] = [];
  for (const [i, segment] of (paths[0] ?? []).entries()) {
    if (segment.startsWith('{') || !paths.every((path) => path[i] === segment)) break;
    common.push(segment);
  }
  return `/${common.join('/')}`;
}
