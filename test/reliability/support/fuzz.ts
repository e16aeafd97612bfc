// The fuzz property: thousands of generated requests — well-formed, schema-valid, mutated and
// junk — straight into Mock.handle, each answer judged by the contract suite's response checks.
import fc from 'fast-check';
import type { Call } from '../../../contracts/exchange.ts';
import { DataFactory } from '../../../contracts/data.ts';
import { SESSION_HEADER, type BuiltInApi, type Credentials, type Mock, type MockRequest } from '../../../mocks/index.ts';
import { apiSpec, type ApiName } from '../../../specs/index.ts';
import { nonConformities } from '../../helpers/conformance.ts';
import { requestOf } from './calls.ts';
import { MALFORMED_AUTHORIZATIONS, ODD_SEGMENTS } from './hostile-values.ts';

const PARAMETER = /\{[^}]+\}/g;
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', undefined];
const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND'];

/** The values a call put in its operation's path parameters, as sent (percent-encoded). */
function parameterValues(template: string, path: string): string[] {
  const actual = path.split('/');
  return template.split('/').flatMap((segment, i) => (segment.startsWith('{') ? [actual[i]!] : []));
}

/** Bodies for an operation: its well-formed one, schema-valid ones, mutations of both, and junk. */
function bodies(api: ApiName, call: Call): fc.Arbitrary<string | undefined> {
  const schema = apiSpec(api).requestSchema(call.operationId);
  const wellFormed = (call.body ?? {}) as Record<string, unknown>;
  const objects = fc.oneof(
    fc.constant(wellFormed),
    ...(schema ? [fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => new DataFactory(seed).body(schema))] : []),
  );
  const mutated = fc
    .tuple(objects, fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.constantFrom('drop', 'set', '__proto__'))
    .map(([object, value, pick, how]) => {
      const fields = Object.keys(object);
      const field = fields.length ? fields[pick % fields.length]! : 'email';
      const { [field]: _dropped, ...rest } = object;
      if (how === 'drop') return JSON.stringify(rest);
      // Written as text, so the key is a member even when it is `__proto__`.
      const key = how === '__proto__' ? '__proto__' : field;
      const others = JSON.stringify(rest).slice(1, -1);
      return `{${others}${others ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value)}}`;
    });
  return fc.oneof(
    { weight: 3, arbitrary: objects.map((object) => JSON.stringify(object)) },
    { weight: 4, arbitrary: mutated },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** Requests for one operation, derived from its well-formed call. */
function requestsFor(api: ApiName, call: Call, credentials: Credentials): fc.Arbitrary<MockRequest> {
  const template = apiSpec(api).operation(call.operationId).path;
  const base = requestOf(call, credentials);
  const parameters = fc.tuple(
    ...parameterValues(template, call.path).map((own) =>
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(own) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(encodeURIComponent) },
        { weight: 1, arbitrary: fc.constantFrom(...ODD_SEGMENTS, '__proto__') },
      ),
    ),
  );
  const query = fc.oneof(
    { weight: 4, arbitrary: fc.constant([...base.query] as Array<[string, string]>) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.tuple(fc.oneof(fc.constantFrom(...base.query.keys(), 'status', 'welcomeLink', 'tag:username'), fc.string()), fc.string()),
        { maxLength: 4 },
      ),
    },
  );
  const authorization = fc.oneof(
    { weight: 6, arbitrary: fc.constant(base.headers.authorization) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(credentials.standard, undefined, `${credentials.admin}x`, ...Object.values(MALFORMED_AUTHORIZATIONS)),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 60 }) },
  );
  const method = fc.oneof({ weight: 9, arbitrary: fc.constant(call.method) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) });
  const session = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('fuzz', '__proto__', 'constructor') },
  );
  return fc
    .record({ method, parameters, query, authorization, contentType: fc.constantFrom(...CONTENT_TYPES), session, body: bodies(api, call) })
    .map(({ method, parameters, query, authorization, contentType, session, body }) => {
      let next = 0;
      const headers: MockRequest['headers'] = { authorization, 'content-type': contentType, [SESSION_HEADER]: session };
      return { method, path: template.replace(PARAMETER, () => parameters[next++]!), query: new URLSearchParams(query), headers, body };
    });
}

/** Generated requests for every operation of an API, each derived from the operation's well-formed call. */
export function generatedRequests(api: ApiName, calls: Map<string, Call>, credentials: Credentials): fc.Arbitrary<MockRequest> {
  return fc.oneof(...[...calls.values()].map((call) => requestsFor(api, call, credentials)));
}

/**
 * The property: whatever the request, `Mock.handle` resolves (never throws), never with a 5xx, and
 * an answer to a request the API routes to an operation conforms to that operation in the spec.
 */
export function answersAsDocumented(
  mock: Mock<BuiltInApi>,
  module: BuiltInApi,
  calls: Map<string, Call>,
): fc.IAsyncProperty<[MockRequest]> {
  const api = module.name;
  return fc.asyncProperty(generatedRequests(api, calls, mock.credentials()[api]), async (request) => {
    const response = await mock.handle(request);
    if (response.status >= 500) throw new Error(`answered ${response.status}: ${(response.body ?? '').slice(0, 200)}`);
    const operationId = module.route(request.method, request.path).operation?.id;
    if (!operationId) return;
    const problems = nonConformities(api, operationId, { status: response.status, headers: response.headers, text: response.body ?? '' });
    if (problems.length > 0) throw new Error(`${operationId}: ${problems.join('; ')}`);
  });
}
