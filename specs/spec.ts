import type { ValidateFunction } from 'ajv';
import { isObject } from './json.ts';
import { createAjv, extensionKeywordsOf, ValidatorCache, type Direction, type Schema } from './schema.ts';

/** The three APIs usermock knows. */
export const API_NAMES = ['hoop', 'amani', 'haplo'] as const;
export type ApiName = (typeof API_NAMES)[number];

export function isApiName(value: string): value is ApiName {
  return (API_NAMES as readonly string[]).includes(value);
}

/** Which credential an operation needs: `none` (login), `any` authenticated caller, or `admin`. */
export type RequiredRole = 'none' | 'any' | 'admin';

/** A named example of a request or response body. */
export interface Example {
  name: string;
  mediaType: string;
  value: unknown;
}

/** An Example Object; `x-usermock-seed` marks one whose entities the mock seeds. */
interface ExampleObject {
  summary?: string;
  value: unknown;
  'x-usermock-seed'?: boolean;
}

interface MediaObject {
  schema?: Schema;
  examples?: Record<string, ExampleObject>;
  example?: unknown;
}
interface ResponseObject {
  description?: string;
  headers?: Record<string, { required?: boolean; schema?: Schema; example?: unknown }>;
  content?: Record<string, MediaObject>;
  'x-provenance'?: Provenance;
  [extension: `x-${string}`]: unknown;
}

/** Where a fact in a spec comes from (`x-provenance`); unmarked facts are documented. */
export type Provenance = 'documented' | 'implementation' | 'inferred';

/**
 * How the server answers a request body that breaks one rule of its schema (`x-request-rules`):
 * with a status (and media type), or not at all, because the vendor's server does not enforce it.
 */
export type RequestRule = { status?: number; mediaType?: string; provenance: Provenance } | 'not-enforced';

/** One known difference between a vendor's documentation and its server (`x-drift`), as a contract failure shows it. */
export interface Drift {
  id: string;
  summary: string;
  /** The check whose failure it explains. */
  check: string;
  /** The operations it concerns (all when absent). */
  operations?: string[];
  /** The status the server answers instead of the documented one. */
  status?: number;
  /** A schema error it explains: the JSON pointer the error ends at, and the keyword. */
  field?: string;
  keyword?: string;
}
export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  examples?: Record<string, ExampleObject>;
}

/** A named example marked `x-usermock-seed`, with where it stands in the spec. */
export interface SeededExample extends Example {
  operationId: string;
  /** A request body, a response body (of `status`), or a parameter (named `parameter`). */
  where: 'request' | 'response' | 'parameter';
  status?: string;
  parameter?: string;
}
interface OperationObject {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  parameters?: ParameterObject[];
  requestBody?: {
    required?: boolean;
    content: Record<string, MediaObject>;
    /** The server reads a JSON null as the field left out (Go's decoder). */
    'x-null-as-absent'?: boolean;
    /** The server reads the body as JSON whatever its Content-Type says (gin). */
    'x-any-content-type'?: boolean;
  };
  responses: Record<string, ResponseObject>;
  'x-required-role'?: RequiredRole;
  'x-provenance'?: Provenance;
  'x-request-rules'?: Record<string, number | 'not-enforced' | { status?: number; mediaType?: string; provenance?: Provenance }>;
  [extension: `x-${string}`]: unknown;
}

/** A dereferenced OpenAPI 3.0 document. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  security?: Array<Record<string, string[]>>;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
  /** The charset every JSON answer names, where the vendor documents one. */
  'x-response-charset'?: string;
  /** `optional`: every path also answers with a trailing slash. */
  'x-trailing-slash'?: 'optional';
  'x-drift'?: Drift[];
}

/**
 * What a caller of an operation must be: `role` (none: no credential; any: an authenticated
 * caller; admin), and where the vendor grants it by name, the group the caller must be in or the
 * permission its roles must grant.
 */
export interface Requirement {
  role: RequiredRole;
  group?: string;
  permission?: string;
}

function requirementOf(object: OperationObject, secured: boolean): Requirement {
  const { 'x-required-group': group, 'x-required-permission': permission } = object;
  return {
    role: object['x-required-role'] ?? (secured ? 'any' : 'none'),
    ...(typeof group === 'string' ? { group } : {}),
    ...(typeof permission === 'string' ? { permission } : {}),
  };
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** A media type without its parameters, in lower case: `application/scim+json`. */
export function mediaTypeEssence(type: string): string {
  return type.split(';')[0]!.trim().toLowerCase();
}

/**
 * Whether a media type is JSON: `application/json` or a structured-syntax `+json` one
 * (`application/scim+json`, `application/problem+json`; RFC 6839), with or without parameters.
 */
export function isJsonMediaType(type: string): boolean {
  return /^application\/(?:[\w!#$&^.+-]+\+)?json$/.test(mediaTypeEssence(type));
}

/**
 * A request body as its operation's schema reads it: where the spec says a JSON `null` is the field
 * left out (`x-null-as-absent`), an object's top-level nulls are dropped; any other body as it is.
 */
export function bodyAsDocumented(operation: Operation, body: unknown): unknown {
  if (!operation.object.requestBody?.['x-null-as-absent'] || !isObject(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([, field]) => field !== null));
}

/** The first JSON media type a content map documents, as the spec writes it. */
function jsonMediaTypeIn(content: Record<string, MediaObject> | undefined): string | undefined {
  return Object.keys(content ?? {}).find(isJsonMediaType);
}

/** The media object of a content map for a media type: the key as given, else one equal to it without parameters and case. */
function mediaIn(content: Record<string, MediaObject> | undefined, mediaType: string | undefined): MediaObject | undefined {
  if (!content || mediaType === undefined) return undefined;
  if (content[mediaType]) return content[mediaType];
  const essence = mediaTypeEssence(mediaType);
  const key = Object.keys(content).find((candidate) => mediaTypeEssence(candidate) === essence);
  return key === undefined ? undefined : content[key];
}

/**
 * The type argument of an ApiSpec: a union of its operation ids, or openapi-typescript's
 * `operations` interface (then `call` types each operation's parameters and body too).
 */
export type OperationId<T> = T extends string ? T : Extract<keyof T, string>;

/** Who a call is sent as; the contract suite's `Auth` is one of these. */
export type CallAuth = 'admin' | 'standard' | 'none' | { header: string };

/** A request for one operation, built from the spec by `ApiSpec.call` (the contract suite's `Call` is one). */
export interface SpecCall<A = 'admin'> {
  operationId: string;
  method: string;
  /** The documented path with its parameters filled in (percent-encoded where needed). */
  path: string;
  query?: Record<string, string>;
  auth: A;
  /** A value sent as JSON. */
  body?: unknown;
  /** The body's media type: the operation's documented JSON one (`application/json` when absent). */
  contentType?: string;
}

type QueryValue = string | number | boolean | undefined;

/** `call`'s parameters, query and body for an ApiSpec whose operations are not typed. */
interface UntypedCallInput {
  params?: Record<string, string | number>;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

/** A part of `call`'s input: absent where the operation has none, optional where it has an optional one. */
type Part<K extends string, O, V> = [V] extends [never] ? { [P in K]?: never } : {} extends O ? { [P in K]?: V } : { [P in K]: V };
type ParametersOf<O> = O extends { parameters: infer P } ? P : {};
type PathOf<O> = ParametersOf<O> extends { path?: infer P } ? Exclude<P, undefined> : never;
type QueryOf<O> = ParametersOf<O> extends { query?: infer Q } ? Exclude<Q, undefined> : never;
type BodyOf<O> = O extends { requestBody?: { content: infer C } } ? Exclude<C, undefined>[keyof Exclude<C, undefined>] : never;
type PartsOf<O> = Part<'params', Pick<ParametersOf<O>, 'path' & keyof ParametersOf<O>>, PathOf<O>> &
  Part<'query', Pick<ParametersOf<O>, 'query' & keyof ParametersOf<O>>, QueryOf<O>> &
  Part<'body', Pick<O, 'requestBody' & keyof O>, BodyOf<O>>;

/** What `call` takes for an operation: typed from openapi-typescript's `operations` where the ApiSpec has them. */
export type CallInput<T, Id extends string> = [T] extends [string] ? UntypedCallInput : Id extends keyof T ? PartsOf<T[Id]> : never;

/** One operation of an API: where it lives and what the spec says of it. */
export interface Operation {
  id: string;
  method: string;
  path: string;
  /** Who may call it, from `x-required-role`, `x-required-group` and `x-required-permission`. */
  requirement: Requirement;
  parameters: ParameterObject[];
  /** Statuses the spec documents, as strings ('201', '4XX', 'default' …). */
  statuses: string[];
  object: OperationObject;
}

/**
 * An API's spec, ready for use: its operations by id, the statuses and examples each documents,
 * ajv validators per operation, status and media type (compiled on first use, then cached), and
 * requests for its operations (`call`). Pure and browser-safe: it takes an already dereferenced
 * document. `T` names its operations (ids, or openapi-typescript's `operations`) for `call`; by
 * default `any`, so that every typed spec is also an `ApiSpec` (one of `string` would not be:
 * `call`'s conditional types make `T` invariant).
 */
export class ApiSpec<T = any> {
  readonly operations: readonly Operation[];
  private readonly byId = new Map<string, Operation>();
  private readonly validators: ValidatorCache;

  constructor(
    readonly name: string,
    readonly document: OpenApiDocument,
  ) {
    this.validators = new ValidatorCache(createAjv(extensionKeywordsOf(document)));
    const operations: Operation[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      const shared = (item.parameters as ParameterObject[] | undefined) ?? [];
      for (const method of HTTP_METHODS) {
        const object = item[method] as OperationObject | undefined;
        if (!object) continue;
        const security = object.security ?? document.security ?? [];
        const operation: Operation = {
          id: object.operationId,
          method: method.toUpperCase(),
          path,
          requirement: requirementOf(object, security.length > 0),
          parameters: [...shared, ...(object.parameters ?? [])],
          statuses: Object.keys(object.responses),
          object,
        };
        operations.push(operation);
        this.byId.set(operation.id, operation);
      }
    }
    this.operations = operations;
  }

  operation(id: string): Operation {
    const operation = this.byId.get(id);
    if (!operation) throw new Error(`${this.name} spec has no operation ${id}`);
    return operation;
  }

  /** The response object the spec gives for `status`, falling back to `4XX`-style ranges and `default`. */
  response(operationId: string, status: number): ResponseObject | undefined {
    const responses = this.operation(operationId).object.responses;
    return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  }

  /** Whether the spec documents `status` for the operation (explicitly or by range). */
  documentsStatus(operationId: string, status: number): boolean {
    const responses = this.operation(operationId).object.responses;
    return String(status) in responses || `${String(status)[0]}XX` in responses;
  }

  /** The media types the spec documents for a response, empty for a bodiless one. */
  responseMediaTypes(operationId: string, status: number): string[] {
    return Object.keys(this.response(operationId, status)?.content ?? {});
  }

  /** The JSON media type the spec documents for a response (`application/json`, `application/scim+json` …), if any. */
  responseMediaType(operationId: string, status: number): string | undefined {
    return jsonMediaTypeIn(this.response(operationId, status)?.content);
  }

  /** The schema of a response body under a media type (by default its documented JSON one). */
  private responseSchema(operationId: string, status: number, mediaType?: string): Schema | undefined {
    const content = this.response(operationId, status)?.content;
    return mediaIn(content, mediaType ?? jsonMediaTypeIn(content))?.schema;
  }

  /**
   * The validator of a response body, or undefined when the spec gives no schema for it: under
   * `mediaType` (matched without parameters), by default the documented JSON one.
   */
  responseValidator(operationId: string, status: number, mediaType?: string): ValidateFunction | undefined {
    const schema = this.responseSchema(operationId, status, mediaType);
    return schema ? this.validators.get(schema, 'response') : undefined;
  }

  /** The JSON media type the operation's request body is documented in (`application/json`, `application/scim+json` …). */
  requestMediaType(operationId: string): string | undefined {
    return jsonMediaTypeIn(this.operation(operationId).object.requestBody?.content);
  }

  /** The schema of the JSON request body, or undefined when the operation takes none. */
  requestSchema(operationId: string): Schema | undefined {
    const content = this.operation(operationId).object.requestBody?.content;
    return mediaIn(content, jsonMediaTypeIn(content))?.schema;
  }

  /** The validator of the JSON request body, or undefined when the operation takes none. */
  requestValidator(operationId: string): ValidateFunction | undefined {
    const schema = this.requestSchema(operationId);
    return schema ? this.validators.get(schema, 'request') : undefined;
  }

  /** Compiles a validator for any schema of this document, for one direction. */
  validator(schema: Schema, direction: Direction): ValidateFunction {
    return this.validators.get(schema, direction);
  }

  /** ajv's one-line description of the last failure of `validate`. */
  describeErrors(validate: ValidateFunction): string {
    return this.validators.describe(validate);
  }

  /** Where the spec's word on an operation (or one of its responses) comes from. */
  provenance(operationId: string, status?: number): Provenance {
    const operation = this.operation(operationId).object;
    const response = status === undefined ? undefined : this.response(operationId, status);
    return response?.['x-provenance'] ?? operation['x-provenance'] ?? 'documented';
  }

  /**
   * Where the spec's word on one field of an answer comes from: the property's own `x-provenance`
   * (looked up at the top level of the JSON body and of any object property holding it), else
   * documented.
   */
  fieldProvenance(operationId: string, status: number, field: string): Provenance {
    const schema = this.responseSchema(operationId, status);
    const propertiesOf = (node: Schema | undefined): Record<string, Schema> =>
      Object.assign({}, ...((node?.allOf as Schema[] | undefined) ?? []).map(propertiesOf), node?.properties ?? {});
    const top = propertiesOf(schema);
    const property =
      top[field] ??
      Object.values(top)
        .map((nested) => propertiesOf(nested)[field])
        .find(Boolean);
    return (property?.['x-provenance'] as Provenance | undefined) ?? 'documented';
  }

  /** The response headers the spec marks required for a status. */
  requiredHeaders(operationId: string, status: number): string[] {
    const headers = this.response(operationId, status)?.headers ?? {};
    return Object.entries(headers)
      .filter(([, header]) => header.required)
      .map(([name]) => name.toLowerCase());
  }

  /**
   * How the server answers a body with one defect: `field` broken by `keyword` (`required`,
   * `type`, `format`, `enum`, `maxLength` …), or a whole-body defect (`malformed-json`,
   * `not-an-object`). The most specific rule of `x-request-rules` wins: `field.keyword`, `field`,
   * `keyword`, then `default`; without any, the server refuses it with some documented 4xx.
   */
  requestRule(operationId: string, keyword: string, field?: string): RequestRule {
    const operation = this.operation(operationId).object;
    const rules = operation['x-request-rules'] ?? {};
    const keys = field === undefined ? [keyword, 'default'] : [`${field}.${keyword}`, field, keyword, 'default'];
    const rule = keys.map((key) => rules[key]).find((candidate) => candidate !== undefined);
    const provenance = operation['x-provenance'] ?? 'documented';
    if (rule === undefined) return { provenance };
    if (rule === 'not-enforced') return rule;
    if (typeof rule === 'number') return { status: rule, provenance: this.provenance(operationId, rule) };
    return { provenance: rule.provenance ?? (rule.status === undefined ? provenance : this.provenance(operationId, rule.status)), ...rule };
  }

  /**
   * The property names a response's schema marks `x-server-made: true`, anywhere in it: values the
   * server or its deployment decides (ids, tokens, timestamps, organisation settings), which no
   * client request determines — compared for consistency across reads, never by value.
   */
  serverMade(operationId: string, status: number, mediaType?: string): ReadonlySet<string> {
    return markedProperties(this.responseSchema(operationId, status, mediaType), 'x-server-made');
  }

  /**
   * What identifies an error answer beyond its status: a property its schema marks
   * `x-error-identity: true` (Haplo's `kind`), or its keys when the schema itself is marked
   * `x-error-identity: keys` (DRF's field errors); undefined when the status alone does (hoop).
   */
  errorIdentity(operationId: string, status: number, mediaType?: string): { property: string } | 'keys' | undefined {
    const schema = this.responseSchema(operationId, status, mediaType);
    if (!schema) return undefined;
    if (findSchema(schema, (node) => node['x-error-identity'] === 'keys')) return 'keys';
    const [property] = markedProperties(schema, 'x-error-identity');
    return property === undefined ? undefined : { property };
  }

  /** The known drift between the vendor's documentation and its server. */
  get drift(): Drift[] {
    return this.document['x-drift'] ?? [];
  }

  /** The named examples of a response (first media type first), or a named one. */
  responseExamples(operationId: string, status: number): Example[] {
    return examplesOf(this.response(operationId, status)?.content);
  }

  /**
   * The examples marked `x-usermock-seed: true`: the users, roles and groups they show are in the
   * mock's seeded state (before its faker data), so that every example runs against `usermock
   * serve` as it starts (Specmatic's contract tests send them).
   */
  seededExamples(): SeededExample[] {
    const seeded: SeededExample[] = [];
    const marked = (content: Record<string, MediaObject> | undefined) =>
      Object.entries(content ?? {}).flatMap(([mediaType, media]) =>
        Object.entries(media.examples ?? {})
          .filter(([, example]) => example['x-usermock-seed'])
          .map(([name, example]) => ({ name, mediaType, value: example.value })),
      );
    for (const operation of this.operations) {
      const { object } = operation;
      for (const example of marked(object.requestBody?.content)) seeded.push({ ...example, operationId: operation.id, where: 'request' });
      for (const [status, response] of Object.entries(object.responses)) {
        for (const example of marked(response.content)) seeded.push({ ...example, operationId: operation.id, where: 'response', status });
      }
      for (const parameter of operation.parameters) {
        for (const [name, example] of Object.entries(parameter.examples ?? {})) {
          if (example['x-usermock-seed'])
            seeded.push({
              name,
              mediaType: '',
              value: example.value,
              operationId: operation.id,
              where: 'parameter',
              parameter: parameter.name,
            });
        }
      }
    }
    return seeded;
  }

  /** The named examples of the operation's request body. */
  requestExamples(operationId: string): Example[] {
    return examplesOf(this.operation(operationId).object.requestBody?.content);
  }

  /**
   * A request for an operation as the spec documents it: its method, its path with `params`
   * filled in (percent-encoded; a missing one throws, naming it), `query`, a JSON `body` with the
   * operation's documented JSON media type as `contentType`, and `auth` (the admin by default).
   */
  call<Id extends OperationId<T>, A extends CallAuth = 'admin'>(
    operationId: Id,
    ...[input]: {} extends CallInput<T, Id> ? [input?: CallInput<T, Id> & { auth?: A }] : [input: CallInput<T, Id> & { auth?: A }]
  ): SpecCall<A> {
    const operation = this.operation(operationId);
    const { params = {}, query, body, auth = 'admin' } = (input ?? {}) as UntypedCallInput & { auth?: CallAuth };
    const path = operation.path.replace(/\{([^}]+)\}/g, (_all, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`${this.name} ${operationId}: no value for the path parameter ${name} of ${operation.path}`);
      return encodeURIComponent(String(value));
    });
    const call: SpecCall<CallAuth> = { operationId, method: operation.method, path, auth };
    if (query)
      call.query = Object.fromEntries(
        Object.entries(query).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)]])),
      );
    if (body !== undefined) call.body = body;
    const contentType = this.requestMediaType(operationId);
    if (contentType !== undefined) call.contentType = contentType;
    return call as SpecCall<A>;
  }
}

function examplesOf(content: Record<string, MediaObject> | undefined): Example[] {
  const examples: Example[] = [];
  for (const [mediaType, media] of Object.entries(content ?? {})) {
    for (const [name, example] of Object.entries(media.examples ?? {})) {
      examples.push({ name, mediaType, value: example.value });
    }
    if (media.example !== undefined) examples.push({ name: 'example', mediaType, value: media.example });
  }
  return examples;
}

const markedCache = new WeakMap<object, Map<string, ReadonlySet<string>>>();

/** The names of the properties marked with `extension: true` anywhere in a schema. */
function markedProperties(schema: Schema | undefined, extension: string): ReadonlySet<string> {
  if (!schema) return new Set();
  let byExtension = markedCache.get(schema);
  if (!byExtension) markedCache.set(schema, (byExtension = new Map()));
  let names = byExtension.get(extension);
  if (!names) {
    const found = new Set<string>();
    findSchema(schema, (node) => {
      for (const [name, property] of Object.entries((node.properties as Record<string, Schema> | undefined) ?? {}))
        if (property && property[extension] === true) found.add(name);
      return false;
    });
    byExtension.set(extension, (names = found));
  }
  return names;
}

/** Whether some schema inside `schema` (itself included) satisfies `test`. */
function findSchema(schema: Schema, test: (node: Schema) => boolean, seen = new Set<unknown>()): boolean {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return false;
  seen.add(schema);
  if (test(schema)) return true;
  return Object.values(schema).some((child) =>
    Array.isArray(child)
      ? child.some((item) => findSchema(item as Schema, test, seen))
      : typeof child === 'object' && child !== null && findSchema(child as Schema, test, seen),
  );
}
