// How a request breaks its API's spec, in plain words, for the frontend developer who sent it: the
// mock answers as the vendor does either way (a vendor that does not enforce a rule still answers
// 2xx), and says this beside the answer — in the journal, the dashboard, `serve`'s log, and the
// MSW helpers' `onSpecViolation`.
import type { ErrorObject } from 'ajv';
import type { Schema } from '../../specs/schema.ts';
import { bodyAsDocumented, isJsonMediaType, mediaTypeEssence, type ApiSpec, type Operation } from '../../specs/spec.ts';
import type { RequestContext } from './context.ts';
import { parseJsonBody, type MockRequest } from './http.ts';
import type { Recorded } from './journal.ts';
import type { Params } from './router.ts';

/**
 * A request's journal entry beyond method, path and status: the API and operation it routed to,
 * how it broke the spec (also kept in `violationsOf`, for the MSW helpers), and the override that
 * answered. The control endpoints (the dashboard's own calls) are left out, so the journal shows an
 * app's traffic.
 */
export function journalDetails(
  { sent, request, control, api, route, answeredBy }: RequestContext,
  violationsOf: WeakMap<MockRequest, string[]>,
): Partial<Recorded> | undefined {
  if (control || sent.replayed) return undefined;
  if (!api || sent.method === 'OPTIONS' || sent.bodyTooLarge) return {};
  const violations = specViolations(api.spec, route.operation, request, route.kind === 'route' ? route.params : {});
  if (violations.length > 0) violationsOf.set(sent, violations);
  return {
    api: api.name,
    ...(route.operation ? { operation: route.operation.id } : {}),
    ...(violations.length > 0 ? { violations } : {}),
    ...(answeredBy ? { override: answeredBy } : {}),
  };
}

/** What a request to an API's path did against its spec (`operation` undefined: no operation is there). */
export function specViolations(spec: ApiSpec, operation: Operation | undefined, request: MockRequest, params: Params = {}): string[] {
  if (!operation) return [`${request.method} ${request.path} is no operation of ${spec.name}'s spec`];
  const violations = parameterViolations(spec, operation, request.query, params);
  if (operation.requirement.role !== 'none' && !request.headers.authorization) {
    violations.push(`${operation.id} needs credentials and the request has no Authorization header`);
  }
  const body = operation.object.requestBody;
  if (!body || request.bodyTooLarge) return violations;
  if (request.body === undefined) {
    if (body.required) violations.push(`${operation.id} takes a body and the request has none`);
    return violations;
  }
  const mediaTypes = Object.keys(body.content);
  const sentType = request.headers['content-type'];
  const contentType = sentType === undefined ? undefined : mediaTypeEssence(sentType);
  if (!body['x-any-content-type'] && contentType !== undefined && !mediaTypes.some((type) => mediaTypeEssence(type) === contentType)) {
    violations.push(`${operation.id} takes ${mediaTypes.join(' or ')}, not a ${contentType} body`);
    return violations;
  }
  // A body of a documented media type that is not JSON (a form) is not judged here.
  if (contentType !== undefined && !isJsonMediaType(contentType) && !body['x-any-content-type']) return violations;
  const parsed = parseJsonBody(request.body);
  // Not the parser's message: it quotes the body, and the journal never holds what was sent.
  if (!parsed.ok) return [...violations, `${operation.id} takes JSON and the body is not JSON`];
  const validate = spec.requestValidator(operation.id);
  const value = bodyAsDocumented(operation, parsed.value);
  if (validate && !validate(value)) violations.push(...(validate.errors ?? []).map((error) => inPlainWords(operation, error)));
  return violations;
}

/**
 * How the query and the path's parameters break their documented schemas: a required one missing,
 * or a value its schema refuses (read as the type it documents: `count=abc` is no integer).
 */
function parameterViolations(spec: ApiSpec, operation: Operation, query: URLSearchParams, params: Params): string[] {
  const violations: string[] = [];
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'query' && parameter.in !== 'path') continue;
    const sent = parameter.in === 'query' ? query.get(parameter.name) : params[parameter.name];
    const where = `${parameter.in} parameter "${parameter.name}"`;
    if (sent === null || sent === undefined) {
      if (parameter.required) violations.push(`${operation.id} needs the ${where}, and the request has none`);
      continue;
    }
    if (!parameter.schema) continue;
    const validate = spec.validator(parameter.schema, 'request');
    if (!validate(asDocumented(sent, parameter.schema))) {
      violations.push(`${where} ${validate.errors?.[0]?.message ?? 'is not valid'} (${operation.id}'s parameters)`);
    }
  }
  return violations;
}

/** A parameter's text as the type its schema documents, where it reads as one (else the text, which the schema then refuses). */
function asDocumented(text: string, schema: Schema): unknown {
  const number = text.trim() === '' ? Number.NaN : Number(text);
  if ((schema.type === 'integer' || schema.type === 'number') && Number.isFinite(number)) return number;
  if (schema.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** One schema error as a sentence naming the field and the rule. */
function inPlainWords(operation: Operation, error: ErrorObject): string {
  const field = error.instancePath.slice(1).replaceAll('/', '.');
  const where = field ? `field "${field}"` : 'the body';
  const rule = `(${operation.id}'s request schema: ${error.keyword})`;
  switch (error.keyword) {
    case 'required':
      return `${field ? `${where}: ` : ''}field "${String(error.params.missingProperty)}" is missing ${rule}`;
    case 'additionalProperties':
      return `${field ? `${where}: ` : ''}field "${String(error.params.additionalProperty)}" is not one the operation takes ${rule}`;
    case 'enum':
      return `${where} must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')} ${rule}`;
    default:
      return `${where} ${error.message ?? 'is not valid'} ${rule}`;
  }
}
