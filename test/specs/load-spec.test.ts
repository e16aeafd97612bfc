// `loadSpec`: a spec of one's own, validated and dereferenced as the build does the built-in ones,
// with errors that name the file and the problem.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiSpec, loadSpec } from '../../specs/index.ts';

const minimal = (paths: unknown = { '/users': { get: { operationId: 'listUsers', responses: { '200': { description: 'ok' } } } } }) => ({
  openapi: '3.0.3',
  info: { title: 'mine', version: '1' },
  paths,
});

describe('loadSpec', () => {
  let folder: string;
  const file = async (name: string, text: string) => {
    const path = join(folder, name);
    await writeFile(path, text);
    return path;
  };
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'usermock-load-spec-'));
  });

  it('reads YAML by path or file URL, resolves its $refs (relative files too) and names the API', async () => {
    await file('user.yaml', 'type: object\nproperties:\n  email: { type: string, format: email }\n');
    const path = await file(
      'api.yaml',
      [
        'openapi: 3.0.3',
        'info: { title: mine, version: "1" }',
        'paths:',
        '  /users:',
        '    post:',
        '      operationId: createUser',
        '      requestBody: { content: { application/json: { schema: { $ref: "#/components/schemas/User" } } } }',
        '      responses: { "201": { description: made, content: { application/json: { schema: { $ref: "./user.yaml" } } } } }',
        'components: { schemas: { User: { $ref: "./user.yaml" } } }',
      ].join('\n'),
    );
    for (const source of [path, pathToFileURL(path)]) {
      const spec = await loadSpec(source, { name: 'mine' });
      expect(spec).toBeInstanceOf(ApiSpec);
      expect(spec.name).toBe('mine');
      expect(spec.requestSchema('createUser')).toMatchObject({ properties: { email: { format: 'email' } } });
      expect(spec.responseValidator('createUser', 201)?.({ email: 'not an email' })).toBe(false);
    }
  });

  it('takes a document object, leaving it as it was', async () => {
    const document = {
      ...minimal({
        '/users': {
          post: {
            operationId: 'createUser',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/User' } } } },
            responses: { '201': { description: 'made' } },
          },
        },
      }),
      components: { schemas: { User: { type: 'object' } } },
    };
    const spec = await loadSpec(document, { name: 'mine' });
    expect(spec.requestSchema('createUser')).toEqual({ type: 'object' });
    expect(JSON.stringify(document)).toContain('"$ref":"#/components/schemas/User"');
  });

  it('names the file that cannot be read', async () => {
    const path = join(folder, 'missing.yaml');
    await expect(loadSpec(path, { name: 'mine' })).rejects.toThrow(`${path}: cannot read the spec: ENOENT`);
  });

  it('names the file that is not YAML', async () => {
    const path = await file('broken.yaml', 'openapi: 3.0.3\ninfo: [unclosed\n');
    await expect(loadSpec(path, { name: 'mine' })).rejects.toThrow(`${path}: not YAML or JSON:`);
  });

  it('refuses what is not an OpenAPI 3 document', async () => {
    const path = await file('swagger.json', JSON.stringify({ swagger: '2.0', info: { title: 'old', version: '1' }, paths: {} }));
    await expect(loadSpec(path, { name: 'mine' })).rejects.toThrow(`${path}: not an OpenAPI 3 document (its openapi field is missing)`);
  });

  it("names what breaks the OpenAPI schema, with swagger-parser's explanation", async () => {
    const { info: _info, ...noInfo } = minimal();
    await expect(loadSpec(noInfo, { name: 'mine' })).rejects.toThrow(/^the mine spec: not valid OpenAPI: .*info/s);
    const path = await file(
      'dangling.yaml',
      JSON.stringify({ ...minimal(), components: { schemas: { A: { $ref: '#/components/schemas/Nothing' } } } }),
    );
    await expect(loadSpec(path, { name: 'mine' })).rejects.toThrow(`${path}: not valid OpenAPI:`);
  });

  it('names an operation without an operationId, and two with the same one', async () => {
    const ok = { description: 'ok' };
    await expect(loadSpec(minimal({ '/users': { get: { responses: { '200': ok } } } }), { name: 'mine' })).rejects.toThrow(
      'the mine spec: GET /users has no operationId',
    );
    const twice = minimal({
      '/users': { get: { operationId: 'list', responses: { '200': ok } } },
      '/people': { get: { operationId: 'list', responses: { '200': ok } } },
    });
    await expect(loadSpec(twice, { name: 'mine' })).rejects.toThrow(
      'the mine spec: GET /people and GET /users have the same operationId list',
    );
  });
});
