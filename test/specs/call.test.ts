// The spec layer's requests and media types: `spec.call` builds a request from the spec alone, and
// every JSON media type (`application/json`, `application/*+json`, with parameters) reads as JSON.
import { describe, expect, it } from 'vitest';
import type { Call } from '../../contracts/exchange.ts';
import { ApiSpec, apiSpec, isJsonMediaType, type OpenApiDocument } from '../../specs/index.ts';

const SCIM = 'application/scim+json';
const user = {
  type: 'object',
  required: ['userName'],
  properties: { id: { type: 'string', readOnly: true, 'x-server-made': true }, userName: { type: 'string' } },
};
const error = { type: 'object', properties: { scimType: { type: 'string', 'x-error-identity': true } } };

/** A SCIM-like API whose bodies are `application/scim+json` (a parameter on one response). */
const document = {
  openapi: '3.0.3',
  info: { title: 'scim', version: '1' },
  paths: {
    '/Users': {
      post: {
        operationId: 'createUser',
        requestBody: { content: { [SCIM]: { schema: user } } },
        responses: {
          '201': { description: 'made', content: { [`${SCIM}; charset=utf-8`]: { schema: user } } },
          '409': { description: 'taken', content: { [SCIM]: { schema: error } } },
        },
      },
    },
    '/Users/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: 'getUser', parameters: [{ name: 'attributes', in: 'query' }], responses: { '200': { description: 'ok' } } },
      put: {
        operationId: 'replaceUser',
        requestBody: { content: { 'text/plain': { schema: { type: 'string' } }, [SCIM]: { schema: user } } },
        responses: { '200': { description: 'ok' } },
      },
    },
  },
} as unknown as OpenApiDocument;

describe('isJsonMediaType', () => {
  it('takes application/json and every application/*+json, with parameters and in any case', () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      SCIM,
      'Application/SCIM+JSON; charset=UTF-8',
      'application/problem+json',
      'application/vnd.api+json',
    ])
      expect(isJsonMediaType(type), type).toBe(true);
  });

  it('refuses other media types', () => {
    for (const type of ['text/plain', 'text/json', 'application/jsonx', 'application/json-seq', 'application/x-www-form-urlencoded', ''])
      expect(isJsonMediaType(type), type).toBe(false);
  });
});

describe('a spec whose bodies are application/scim+json', () => {
  const spec = new ApiSpec('scim', document);

  it('reads the request schema, media type and validator of the JSON media type, whatever else the operation takes', () => {
    expect(spec.requestMediaType('createUser')).toBe(SCIM);
    expect(spec.requestMediaType('replaceUser')).toBe(SCIM);
    expect(spec.requestMediaType('getUser')).toBeUndefined();
    expect(spec.requestSchema('replaceUser')).toBe(user);
    const validate = spec.requestValidator('createUser')!;
    expect([validate({ userName: 'ada' }), validate({})]).toEqual([true, false]);
  });

  it('defaults a response to its documented JSON media type, and matches one given without its parameters', () => {
    expect(spec.responseMediaType('createUser', 201)).toBe(`${SCIM}; charset=utf-8`);
    expect(spec.responseValidator('createUser', 201)?.({ id: '1', userName: 'ada' })).toBe(true);
    expect(spec.responseValidator('createUser', 201, SCIM)?.({})).toBe(false);
    expect(spec.responseValidator('createUser', 201, 'text/plain')).toBeUndefined();
    expect([...spec.serverMade('createUser', 201)]).toEqual(['id']);
    expect(spec.errorIdentity('createUser', 409)).toEqual({ property: 'scimType' });
  });
});

describe('spec.call', () => {
  const spec = new ApiSpec('scim', document);

  it('builds the documented request: method, path with its parameters percent-encoded, query, body and media type', () => {
    const call: Call = spec.call('replaceUser', { params: { id: 'a b/ü' }, body: { userName: 'ada' } });
    expect(call).toEqual({
      operationId: 'replaceUser',
      method: 'PUT',
      path: '/Users/a%20b%2F%C3%BC',
      auth: 'admin',
      body: { userName: 'ada' },
      contentType: SCIM,
    });
  });

  it('stringifies query values, leaves out undefined ones, and takes the credential given', () => {
    const auth = { header: 'Bearer x', issuedBy: [] };
    expect(spec.call('getUser', { params: { id: 7 }, query: { attributes: 'userName', count: 2, excluded: undefined }, auth })).toEqual({
      operationId: 'getUser',
      method: 'GET',
      path: '/Users/7',
      query: { attributes: 'userName', count: '2' },
      auth,
    });
  });

  it('names a missing path parameter and the operation', () => {
    expect(() => spec.call('getUser')).toThrow('scim getUser: no value for the path parameter id of /Users/{id}');
    expect(() => spec.call('nothing')).toThrow('scim spec has no operation nothing');
  });

  it("types a built-in API's operation ids", () => {
    expect(apiSpec('hoop').call('listUsers')).toMatchObject({ method: 'GET', path: '/api/users' });
    // @ts-expect-error hoop has no operation `nope`
    expect(() => apiSpec('hoop').call('nope')).toThrow('hoop spec has no operation nope');
  });

  it("types parameters and bodies from openapi-typescript's operations where the spec has them", () => {
    interface operations {
      getUser: { parameters: { query?: { attributes?: string }; path: { id: string } }; requestBody?: never };
      createUser: {
        parameters: { query?: never; path?: never };
        requestBody: { content: { 'application/scim+json': { userName: string } } };
      };
    }
    const typed = spec as ApiSpec<operations>;
    expect(typed.call('getUser', { params: { id: 'x' }, query: { attributes: 'userName' } }).path).toBe('/Users/x');
    expect(typed.call('createUser', { body: { userName: 'ada' } }).contentType).toBe(SCIM);
    // @ts-expect-error getUser needs its path parameter
    expect(() => typed.call('getUser')).toThrow();
    // @ts-expect-error createUser's body has a userName
    typed.call('createUser', { body: { name: 'ada' } });
    // @ts-expect-error getUser takes no body
    typed.call('getUser', { params: { id: 'x' }, body: {} });
  });
});
