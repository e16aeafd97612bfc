import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkNames } from '../../contracts/index.ts';
import { loadBuiltInDocument } from '../../specs/loader.ts';
import { API_NAMES, ApiSpec, apiSpec, type ApiName } from '../../specs/index.ts';

/** The operations each API's notes (docs/vendors/<api>.md) document, as `METHOD /path`. */
const DOCUMENTED_OPERATIONS: Record<ApiName, string[]> = {
  hoop: [
    'GET /api/userinfo',
    'GET /api/users',
    'GET /api/users/{emailOrID}',
    'POST /api/users',
    'PUT /api/users/{emailOrID}',
    'DELETE /api/users/{emailOrID}',
    'PATCH /api/users/self/slack',
    'GET /api/users/groups',
    'POST /api/users/groups',
    'DELETE /api/users/groups/{name}',
  ],
  amani: [
    'POST /api/v2/user/login',
    'POST /api/v2/token/refresh/',
    'POST /api/v2/user',
    'GET /api/v2/group',
    'PATCH /api/v2/user/{user_uuid}',
  ],
  haplo: [
    'POST /api/v0-user/create',
    'GET /api/v0-user/id/{id}',
    'GET /api/v0-user/id',
    'POST /api/v0-user/id/{id}',
    'POST /api/v0-user/id',
    'POST /api/v0-user/enable/{id}',
    'GET /api/v0-user/group/{groupcode}',
    'GET /api/v0-user/find-by-tag',
  ],
};

/** Every named example of a spec, with the validator the shared loader compiles for it. */
function examplesOf(spec: ApiSpec) {
  const found: Array<{ where: string; value: unknown; validate: (value: unknown) => boolean }> = [];
  for (const operation of spec.operations) {
    // A request example paired (by name) with a 4xx answer is bad input on purpose: Specmatic sends it to get that answer.
    const refused = new Set(
      operation.statuses
        .filter((status) => status.startsWith('4'))
        .flatMap((status) => spec.responseExamples(operation.id, Number(status)).map((example) => example.name)),
    );
    for (const example of spec.requestExamples(operation.id).filter((candidate) => !refused.has(candidate.name))) {
      const validate = spec.requestValidator(operation.id)!;
      found.push({ where: `${operation.id} request ${example.name}`, value: example.value, validate: (v) => validate(v) });
    }
    for (const status of operation.statuses) {
      for (const example of spec.responseExamples(operation.id, Number(status))) {
        const validate = spec.responseValidator(operation.id, Number(status), example.mediaType);
        if (validate)
          found.push({
            where: `${operation.id} ${status} ${example.mediaType} ${example.name}`,
            value: example.value,
            validate: (v) => validate(v),
          });
      }
    }
  }
  return found;
}

/** Facts the vendor notes say are not from the vendor's documentation: each must carry its provenance. */
const UNDOCUMENTED_FACTS: Record<ApiName, Array<{ operationId: string; status: string; provenance: string }>> = {
  hoop: [
    { operationId: 'listUsers', status: '401', provenance: 'implementation' },
    { operationId: 'createUser', status: '403', provenance: 'implementation' },
    { operationId: 'updateUser', status: '404', provenance: 'implementation' },
  ],
  amani: [
    { operationId: 'createUser', status: '201', provenance: 'inferred' },
    { operationId: 'updateUser', status: '404', provenance: 'inferred' },
    { operationId: 'login', status: '401', provenance: 'inferred' },
  ],
  haplo: [
    { operationId: 'getUserById', status: '404', provenance: 'implementation' },
    { operationId: 'getUserById', status: '400', provenance: 'implementation' },
  ],
};

describe.each(API_NAMES)('%s spec', (api) => {
  it('lists the known drift between documentation and implementation', () => {
    expect(apiSpec(api).document.info.description).toMatch(/## Known drift between documentation and implementation\n(.*\n)*?- \S/);
  });

  it('marks facts that are not from the vendor documentation with x-provenance', () => {
    for (const { operationId, status, provenance } of UNDOCUMENTED_FACTS[api]) {
      const response = apiSpec(api).operation(operationId).object.responses[status] as { 'x-provenance'?: string } | undefined;
      expect([operationId, status, response?.['x-provenance']]).toEqual([operationId, status, provenance]);
    }
  });

  it('names real checks, operations and statuses in its machine-readable drift', () => {
    const spec = apiSpec(api);
    const operations = spec.operations.map((operation) => operation.id);
    for (const drift of spec.drift) {
      expect(checkNames(api), drift.id).toContain(drift.check);
      for (const operation of drift.operations ?? []) expect(operations, drift.id).toContain(operation);
      expect(drift.status !== undefined || drift.field !== undefined, `${drift.id}: a status or a field to match on`).toBe(true);
    }
  });

  it('names real fields, keywords and documented statuses in x-request-rules', () => {
    const spec = apiSpec(api);
    for (const operation of spec.operations) {
      const rules = operation.object['x-request-rules'] ?? {};
      const properties = Object.keys((spec.requestSchema(operation.id)?.properties as object | undefined) ?? {});
      for (const [key, rule] of Object.entries(rules)) {
        const [field, keyword] = key.includes('.') ? key.split('.') : [undefined, key];
        if (field !== undefined) expect(properties, `${operation.id} ${key}`).toContain(field);
        expect(
          [
            'default',
            'malformed-json',
            'not-an-object',
            'required',
            'type',
            'format',
            'enum',
            'maxLength',
            'minLength',
            'pattern',
            ...properties,
          ],
          `${operation.id} ${key}`,
        ).toContain(keyword);
        const status = typeof rule === 'number' ? rule : rule === 'not-enforced' ? undefined : rule.status;
        if (status !== undefined) expect(spec.documentsStatus(operation.id, status), `${operation.id} ${key}: ${status}`).toBe(true);
      }
    }
  });

  it('lets Redocly skip only negative examples: requests paired with the 4xx they get', async () => {
    const ignored = parse(await readFile(new URL('../../.redocly.lint-ignore.yaml', import.meta.url), 'utf8')) as Record<
      string,
      Record<string, string[]>
    >;
    const spec = apiSpec(api);
    for (const pointer of Object.values(ignored[`specs/${api}.openapi.yaml`] ?? {}).flat()) {
      const [, path, method, name] = /^#\/paths\/([^/]+)\/(\w+)\/.*\/examples\/([^/]+)\/value/.exec(pointer) ?? [];
      const operation = spec.operations.find(
        (candidate) => candidate.path === path?.replaceAll('~1', '/') && candidate.method === method?.toUpperCase(),
      );
      expect(operation, pointer).toBeDefined();
      const refusals = operation!.statuses.filter((status) => status.startsWith('4'));
      expect(
        refusals.some((status) => spec.responseExamples(operation!.id, Number(status)).some((example) => example.name === name)),
        `${pointer}: no 4xx answer example named ${name}`,
      ).toBe(true);
    }
  });

  it('is valid OpenAPI according to swagger-parser', async () => {
    await expect(loadBuiltInDocument(api)).resolves.toHaveProperty('paths');
  });

  it('covers every operation the vendor notes document', () => {
    const operations = apiSpec(api).operations.map((operation) => `${operation.method} ${operation.path}`);
    for (const documented of DOCUMENTED_OPERATIONS[api]) expect(operations).toContain(documented);
  });

  it('declares who may call each operation', () => {
    for (const operation of apiSpec(api).operations) expect(['none', 'any', 'admin']).toContain(operation.requirement.role);
  });

  it('has a named example for every request body and every response with content', () => {
    const spec = apiSpec(api);
    for (const operation of spec.operations) {
      if (operation.object.requestBody) expect(spec.requestExamples(operation.id), `${operation.id} request`).not.toHaveLength(0);
      for (const status of operation.statuses) {
        const mediaTypes = spec.responseMediaTypes(operation.id, Number(status));
        const examples = spec.responseExamples(operation.id, Number(status));
        for (const mediaType of mediaTypes) {
          expect(
            examples.map((example) => example.mediaType),
            `${operation.id} ${status} ${mediaType}`,
          ).toContain(mediaType);
        }
      }
    }
  });

  it('has every example valid against its schema', () => {
    const invalid = examplesOf(apiSpec(api))
      .filter((example) => !example.validate(example.value))
      .map((example) => example.where);
    expect(invalid).toEqual([]);
  });

  it('rejects a deliberately wrong example', () => {
    // The same check, run on a copy of the spec with one success example broken, must fail.
    const document = structuredClone(apiSpec(api).document);
    const broken = new ApiSpec(api, document);
    const target = examplesOf(broken).find(
      (example) => /\s2\d\d\s/.test(example.where) && typeof example.value === 'object' && example.value !== null,
    );
    expect(target, 'a success example to break').toBeDefined();
    const value = target!.value as Record<string, unknown>;
    for (const key of Object.keys(value)) value[key] = Symbol.for('not JSON') as never;
    expect(target!.validate(target!.value)).toBe(false);
  });
});
