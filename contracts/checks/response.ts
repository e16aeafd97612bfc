// Checks of every answer, whatever request produced it: each is a small function over one
// exchange, with its name and meaning beside it.
import type { ErrorObject } from 'ajv';
import { isJsonMediaType as isJson, mediaTypeEssence, type ApiSpec } from '../../specs/index.ts';
import type { Schema } from '../../specs/schema.ts';
import { mediaTypeOf, type Exchange } from '../exchange.ts';
import { NOT_JUDGED, responseCheck, undocumentedNote, type Problem, type ResponseCheck } from './check.ts';
import { CHECK } from './names.ts';

const documented = ({ operationId, response }: Exchange, spec: ApiSpec) => spec.documentsStatus(operationId, response.status);

/** The server never answers with a 5xx, whatever it was sent. */
export const notAServerError = responseCheck(CHECK.not_a_server_error, 'no request gets a 5xx', ({ response }) =>
  response.status >= 500 ? { message: `expected no server error, got ${response.status}`, status: response.status } : undefined,
);

/** The status is one the spec documents for the operation. */
export const statusCodeConformance = responseCheck(
  CHECK.status_code_conformance,
  'every status is documented for its operation',
  (exchange, spec) =>
    documented(exchange, spec)
      ? undefined
      : {
          message: `status ${exchange.response.status} is not documented`,
          detail: undocumentedNote(spec, exchange),
          status: exchange.response.status,
        },
);

/** A body comes with a content type the spec documents for that status; a bodiless status has no body. */
export const contentTypeConformance = responseCheck(
  CHECK.content_type_conformance,
  'every body has a documented content type',
  (exchange, spec) => {
    const { operationId, response } = exchange;
    if (!documented(exchange, spec)) return NOT_JUDGED;
    const types = spec.responseMediaTypes(operationId, response.status);
    if (types.length === 0)
      return response.text === '' ? undefined : { message: `expected no body with ${response.status}, got ${response.text.length} bytes` };
    const mediaType = mediaTypeOf(response);
    if (!mediaType) return { message: `expected Content-Type ${types.join(' or ')} with ${response.status}, got none` };
    return types.some((type) => mediaTypeEssence(type) === mediaType)
      ? undefined
      : { message: `expected Content-Type ${types.join(' or ')} with ${response.status}, got ${mediaType}` };
  },
);

/** The body validates against the spec's schema for the operation, status and media type. */
export const responseSchemaConformance = responseCheck(
  CHECK.response_schema_conformance,
  "every body matches its status's schema",
  (exchange, spec) => {
    const { operationId, response } = exchange;
    const mediaType = mediaTypeOf(response);
    const validate = documented(exchange, spec) ? spec.responseValidator(operationId, response.status, mediaType) : undefined;
    if (!validate) return NOT_JUDGED;
    if (isJson(mediaType) && response.json === undefined) return { message: 'expected a JSON body, got text that does not parse as JSON' };
    if (validate(isJson(mediaType) ? response.json : response.text)) return undefined;
    return schemaProblem(`body does not match the ${response.status} schema`, validate.errors ?? []);
  },
);

/**
 * The headers the spec documents: those a response marks required (Amani's `WWW-Authenticate`
 * on a 401), and the charset of JSON answers — UTF-8 always (RFC 8259), named where the spec
 * says the server names it (`x-response-charset`).
 */
export const headerConformance = responseCheck(
  CHECK.header_conformance,
  'documented headers are sent: charset, WWW-Authenticate …',
  (exchange, spec) => {
    const { operationId, response } = exchange;
    if (!documented(exchange, spec)) return NOT_JUDGED;
    const missing = spec.requiredHeaders(operationId, response.status).filter((name) => !response.headers[name]);
    if (missing.length)
      return {
        message: `expected the ${missing.join(', ')} header${missing.length > 1 ? 's' : ''} the spec documents for ${response.status}, got none`,
      };
    if (!isJson(mediaTypeOf(response)) || response.text === '') return undefined;
    const charset = /;\s*charset=("?)([^;"]+)\1/i.exec(response.headers['content-type'] ?? '')?.[2]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8') return { message: `expected JSON in UTF-8, got charset=${charset}` };
    // RFC 8259 defines no charset parameter for JSON: leaving out one the vendor names is at most a warning.
    const named = spec.document['x-response-charset'];
    if (named && charset === undefined)
      return {
        message: `expected Content-Type to name charset=${named} as the vendor's server does, got ${response.headers['content-type']}`,
        provenance: 'inferred',
      };
    return undefined;
  },
);

/** Names of fields that hold secrets (a password, its hash, a salt) wherever they appear. */
const SECRET_NAME = /(^|_)(password|passwd|pwd|hash|hashed|salt|secret)(_|$)|[a-z](Password|Hash|Salt|Secret)$/i;

/**
 * No answer carries a secret: a field the spec marks `writeOnly`, or one named like a password,
 * hash or salt — except where the response itself says it echoes it (`x-echoes-secrets`, e.g.
 * hoop's 201 to a create that sent a password).
 */
export const noSecretsInAnswers = responseCheck(
  CHECK.no_secrets_in_answers,
  'no answer shows a password, hash or other write-only field',
  (exchange, spec) => {
    const { operationId, response } = exchange;
    if (response.json === undefined) return NOT_JUDGED;
    const echoed = ((spec.documentsStatus(operationId, response.status) &&
      spec.response(operationId, response.status)?.['x-echoes-secrets']) ||
      []) as string[];
    const writeOnly = writeOnlyNames(spec);
    const found = secretPaths(response.json, (name) => !echoed.includes(name) && (writeOnly.has(name) || SECRET_NAME.test(name)));
    return found.length ? { message: `expected no secret in the answer, got ${found.slice(0, 3).join(', ')}` } : undefined;
  },
);

/** Whether an answer is the documented one for its status: a documented status, content type and schema. */
export function answersAsDocumented(exchange: Exchange, spec: ApiSpec): boolean {
  return [statusCodeConformance, contentTypeConformance, responseSchemaConformance].every((check) => {
    const problem = check.judge(exchange, spec);
    return problem === undefined || problem === NOT_JUDGED;
  });
}

/**
 * Whether an answer looks like one the operation documents, if not to the letter: a documented
 * status with a documented content type, or a body of some documented answer's schema. What tells
 * the API from a web page or another service at the same URL.
 */
export function answersInShapeOf(exchange: Exchange, spec: ApiSpec): boolean {
  const { operationId, response } = exchange;
  const problems = [statusCodeConformance, contentTypeConformance].map((check) => check.judge(exchange, spec));
  if (problems.every((problem) => problem === undefined)) return true;
  if (response.json === undefined) return false;
  return spec.operation(operationId).statuses.some((status) =>
    spec.responseMediaTypes(operationId, Number(status)).some((mediaType) => {
      const validate = isJson(mediaType) ? spec.responseValidator(operationId, Number(status), mediaType) : undefined;
      return validate !== undefined && validate(response.json) === true;
    }),
  );
}

/** Checks of the status and media type of an answer: judged first. */
export const WIRE_CHECKS: readonly ResponseCheck[] = [notAServerError, statusCodeConformance, contentTypeConformance];

/** Checks of the body and headers: judged after the API's own (more specific) response checks. */
export const GENERIC_BODY_CHECKS: readonly ResponseCheck[] = [responseSchemaConformance, headerConformance, noSecretsInAnswers];

/** Every generic response check, in the order they judge. */
export const RESPONSE_CHECKS: readonly ResponseCheck[] = [...WIRE_CHECKS, ...GENERIC_BODY_CHECKS];

/** A schema failure as a problem: ajv's first errors, capped, and the facts drift is matched on. */
export function schemaProblem(prefix: string, errors: ErrorObject[]): Problem {
  const shown = errors
    .slice(0, 3)
    .map(
      (error) =>
        `${error.instancePath || '/'} ${error.message}${error.keyword === 'enum' ? ` (${JSON.stringify(error.params.allowedValues)})` : ''}`,
    );
  const more = errors.length > 3 ? ` and ${errors.length - 3} more` : '';
  return {
    message: `${prefix}: ${shown.join('; ').slice(0, 400)}${more}`,
    schemaErrors: errors.map((error) => ({ pointer: error.instancePath, keyword: error.keyword })),
  };
}

function secretPaths(value: unknown, isSecret: (name: string) => boolean, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => secretPaths(item, isSecret, `${path}/${index}`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, item]) => [
    ...(isSecret(name) && typeof item === 'string' && item !== '' ? [`${path}/${name}`] : []),
    ...secretPaths(item, isSecret, `${path}/${name}`),
  ]);
}

const writeOnlyCache = new WeakMap<ApiSpec, Set<string>>();

/** Every property name the spec marks writeOnly anywhere. */
function writeOnlyNames(spec: ApiSpec): Set<string> {
  let names = writeOnlyCache.get(spec);
  if (!names) {
    names = new Set();
    const seen = new Set<unknown>();
    const visit = (node: unknown): void => {
      if (!node || typeof node !== 'object' || seen.has(node)) return;
      seen.add(node);
      const properties = (node as Schema).properties as Record<string, Schema> | undefined;
      for (const [name, property] of Object.entries(properties ?? {})) if (property?.writeOnly) names!.add(name);
      Object.values(node).forEach(visit);
    };
    visit(spec.document.paths);
    writeOnlyCache.set(spec, names);
  }
  return names;
}
