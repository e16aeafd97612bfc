// Checks that look at one response at a time, whatever request produced it. Each returns what
// is wrong (a sentence: what was expected, what came back) or undefined.
import { isObject } from '../../mocks/core/http.ts';
import type { ApiName, ApiSpec } from '../../specs/index.ts';
import type { Schema } from '../../specs/schema.ts';
import type { Exchange } from '../exchange.ts';

export type ResponseCheck = (exchange: Exchange, spec: ApiSpec) => string | undefined;

const mediaTypeOf = (exchange: Exchange) => (exchange.response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/** The server never answers with a 5xx, whatever it was sent. */
export const notAServerError: ResponseCheck = ({ response }) =>
  response.status >= 500 ? `expected no server error, got ${response.status}` : undefined;

/** The status is one the spec documents for the operation. */
export const statusCodeConformance: ResponseCheck = ({ operationId, response }, spec) =>
  spec.documentsStatus(operationId, response.status)
    ? undefined
    : `status ${response.status} is not documented for ${operationId} (documented: ${spec.operation(operationId).statuses.join(', ')})`;

/** A body comes with a content type the spec documents for that status; a bodiless status has no body. */
export const contentTypeConformance: ResponseCheck = (exchange, spec) => {
  const { operationId, response } = exchange;
  if (!spec.documentsStatus(operationId, response.status)) return undefined; // the status check reports it
  const documented = spec.responseMediaTypes(operationId, response.status);
  if (documented.length === 0)
    return response.text === '' ? undefined : `expected no body for ${response.status}, got ${response.text.length} bytes`;
  const mediaType = mediaTypeOf(exchange);
  if (!mediaType) return `expected a Content-Type of ${documented.join(' or ')}, got none`;
  return documented.includes(mediaType) ? undefined : `expected Content-Type ${documented.join(' or ')}, got ${mediaType}`;
};

/** The body validates against the spec's schema for the operation, status and media type. */
export const responseSchemaConformance: ResponseCheck = (exchange, spec) => {
  const { operationId, response } = exchange;
  const mediaType = mediaTypeOf(exchange);
  const validate = spec.documentsStatus(operationId, response.status)
    ? spec.responseValidator(operationId, response.status, mediaType)
    : undefined;
  if (!validate) return undefined;
  if (mediaType.endsWith('json') && response.json === undefined) return `expected a JSON body, got text that does not parse as JSON`;
  const body = mediaType.endsWith('json') ? response.json : response.text;
  return validate(body) ? undefined : `body does not match the ${response.status} schema: ${spec.describeErrors(validate)}`;
};

/** Every 4xx/5xx JSON body has one of the error shapes the API documents anywhere. */
export const errorShapeConformance: ResponseCheck = (exchange, spec) => {
  const { response } = exchange;
  if (response.status < 400) return undefined;
  const mediaType = mediaTypeOf(exchange);
  const shapes = errorSchemas(spec, mediaType);
  if (shapes.length === 0) return `expected an error body in one of the API's documented media types, got ${mediaType || 'none'}`;
  if (mediaType.endsWith('json') && response.json === undefined) return `expected a JSON error body, got text that does not parse as JSON`;
  const body = mediaType.endsWith('json') ? response.json : response.text;
  return shapes.some((schema) => spec.validator(schema, 'response')(body))
    ? undefined
    : `error body matches none of the API's documented error schemas: ${response.text.slice(0, 200)}`;
};

/** Haplo's envelope: `success` is true exactly for 2xx, a failure carries `error.message`, `kind` is always set. */
export const haploEnvelopeConsistency: ResponseCheck = ({ response }) => {
  if (!isObject(response.json)) return undefined;
  const { success, kind, error } = response.json;
  if (typeof kind !== 'string' || kind === '') return 'expected a non-empty string `kind`';
  const ok = response.status < 300;
  if (success !== ok)
    return `expected success: ${ok} with status ${response.status}, got success: ${JSON.stringify(success)} (kind ${kind})`;
  if (!ok && !(isObject(error) && typeof error.message === 'string')) return `expected error.message on a failure (kind ${kind})`;
  return undefined;
};

/** hoop users' `role` and `status` are within the spec's enums. */
export const hoopEnumConformance: ResponseCheck = ({ response }, spec) => {
  const users = Array.isArray(response.json) ? response.json : [response.json];
  const schemas = (spec.document as { components?: { schemas?: Record<string, Schema> } }).components?.schemas ?? {};
  const roles = (schemas['openapi.User']?.properties as Record<string, Schema> | undefined)?.role?.enum as unknown[] | undefined;
  const statuses = schemas['openapi.StatusType']?.enum as unknown[] | undefined;
  for (const user of users) {
    if (!isObject(user) || !('email' in user)) continue;
    if (roles && 'role' in user && !roles.includes(user.role)) return `role ${JSON.stringify(user.role)} is not one of ${roles.join('|')}`;
    if (statuses && 'status' in user && !statuses.includes(user.status))
      return `status ${JSON.stringify(user.status)} is not one of ${statuses.join('|')}`;
  }
  return undefined;
};

/** The response checks, by the names `--only` takes, each with its one-line meaning (and the APIs it is about, if not all). */
export const RESPONSE_CHECKS: Record<string, { check: ResponseCheck; meaning: string; apis?: ApiName[] }> = {
  not_a_server_error: { check: notAServerError, meaning: 'no request gets a 5xx' },
  status_code_conformance: { check: statusCodeConformance, meaning: 'every status is documented for its operation' },
  content_type_conformance: { check: contentTypeConformance, meaning: 'every body has a documented content type' },
  response_schema_conformance: { check: responseSchemaConformance, meaning: "every body matches its status's schema" },
  error_shape_conformance: { check: errorShapeConformance, meaning: "every error body has the API's error shape" },
  haplo_envelope_consistency: {
    check: haploEnvelopeConsistency,
    meaning: 'Haplo success/kind/error agree with the status',
    apis: ['haplo'],
  },
  hoop_enum_conformance: { check: hoopEnumConformance, meaning: 'hoop role and status are within their enums', apis: ['hoop'] },
};

const errorSchemaCache = new WeakMap<ApiSpec, Map<string, Schema[]>>();

/** Every schema the API documents for a 4xx/5xx response in a media type, across all operations. */
function errorSchemas(spec: ApiSpec, mediaType: string): Schema[] {
  let byMediaType = errorSchemaCache.get(spec);
  if (!byMediaType) {
    byMediaType = new Map();
    for (const operation of spec.operations) {
      for (const [status, response] of Object.entries(operation.object.responses)) {
        if (!/^[45]/.test(status)) continue;
        for (const [type, media] of Object.entries(response.content ?? {})) {
          const list = byMediaType.get(type) ?? [];
          if (media.schema && !list.includes(media.schema)) list.push(media.schema);
          byMediaType.set(type, list);
        }
      }
    }
    errorSchemaCache.set(spec, byMediaType);
  }
  return byMediaType.get(mediaType) ?? [];
}
