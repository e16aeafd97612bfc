// Prism (an independent implementation) serving our specs must conform to them: this cross-checks
// the specs' examples (static mode) and schemas (dynamic mode) with the stateless checks.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkNames, runContractChecks, type CheckResult } from '../../contracts/index.ts';
import { specPath } from '../../specs/loader.ts';
import { API_NAMES, type ApiName } from '../../specs/index.ts';
import { CLI } from '../helpers/cli.ts';

/** Prism accepts any credential of the right scheme; these are well-formed ones. */
const CREDENTIALS: Record<ApiName, string> = {
  hoop: 'Bearer prism-any-token',
  amani: 'Bearer prism-any-token',
  haplo: `Basic ${btoa('haplo:prism-any-key-0000000000')}`,
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill();
  running = undefined;
});

/** Starts a Prism process and waits until it answers. */
async function startPrism(command: string[]): Promise<string> {
  const port = await freePort();
  running = spawn(process.execPath, [...command, '--port', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      await fetch(url);
      return url;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`Prism did not start: ${command.join(' ')}`);
}

const failuresOf = (results: CheckResult[]) =>
  results
    .filter((result) => result.status === 'failed')
    .flatMap((result) => result.failures.map((failure) => `[${failure.check}] ${failure.exchange.operationId}: ${failure.message}`));

/**
 * The checks that judge Prism's answers to well-formed requests. Negative data is left out: Prism
 * answers malformed JSON with its own `{"error":{"code":"invalid_json"}}`, not the spec's; so are
 * the headers, since Prism sends neither hoop's charset nor the extensions' required headers.
 */
const CROSS_CHECKS = [
  'positive_data_acceptance',
  'auth_required',
  'operation_success',
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'no_secrets_in_answers',
  'haplo_envelope_consistency',
  'hoop_enum_conformance',
];

/**
 * The cross-checks an API has. Prism answers a missing credential with its own 401 problem+json,
 * where Haplo documents 403; and its generator (`--dynamic`) fills in write-only properties nested
 * in `allOf` (hoop's password), which the spec keeps out of answers.
 */
const crossChecksFor = (api: ApiName, dynamic: boolean) =>
  checkNames(api).filter(
    (check) =>
      CROSS_CHECKS.includes(check) && !(api === 'haplo' && check === 'auth_required') && !(dynamic && check === 'no_secrets_in_answers'),
  );

describe.each(API_NAMES)('Prism serving the %s spec', (api) => {
  it.each([
    ['examples', []],
    ['dynamic', ['--dynamic', '--seed', '1']],
  ] as const)('conforms with its %s', async (_mode, flags) => {
    const url = await startPrism([CLI, 'prism', api, ...flags]);
    const results = await runContractChecks({
      api,
      baseUrl: url,
      auth: CREDENTIALS[api],
      authStandard: CREDENTIALS[api],
      stateless: true,
      seed: 1,
      only: crossChecksFor(api, flags.length > 0),
    });
    expect(failuresOf(results)).toEqual([]);
    expect(results.find((result) => result.check === 'response_schema_conformance')?.status).toBe('passed');
    expect(results.find((result) => result.check === 'positive_data_acceptance')?.status).toBe('passed');
  });
});

describe('the Prism cross-check', () => {
  it('fails when a spec example is made invalid', async () => {
    const document = parse(await readFile(specPath('hoop'), 'utf8'));
    const examples = document.paths['/api/userinfo'].get.responses['200'].content['application/json'].examples;
    for (const example of Object.values(examples) as Array<{ value: Record<string, unknown> }>) example.value.role = 'superuser';
    const broken = join(await mkdtemp(join(tmpdir(), 'usermock-prism-')), 'hoop.openapi.yaml');
    await writeFile(broken, stringify(document));
    const prismCli = join(dirname(createRequire(import.meta.url).resolve('@stoplight/prism-cli/package.json')), 'dist', 'index.js');
    const url = await startPrism([prismCli, 'mock', broken, '--host', '127.0.0.1']);
    const results = await runContractChecks({
      api: 'hoop',
      baseUrl: url,
      auth: CREDENTIALS.hoop,
      stateless: true,
      seed: 1,
      only: ['response_schema_conformance'],
    });
    expect(failuresOf(results).join('\n')).toContain('[response_schema_conformance] getUserInfo: body does not match the 200 schema');
  });
});

describe('usermock proxy', () => {
  it("forwards to the upstream through Prism's validating proxy and flags violations", async () => {
    const { serve } = await import('../helpers/cli.ts');
    const upstream = await serve(['--users', '3']);
    try {
      const { hoop } = (await (await fetch(`${upstream.url}/__usermock/credentials`)).json()) as Record<string, { admin: string }>;
      const url = await startPrism([CLI, 'proxy', 'hoop', '--upstream', upstream.url, '--errors']);
      const users = await fetch(`${url}/api/users`, { headers: { authorization: hoop!.admin } });
      expect(users.status).toBe(200);
      expect((await users.json()).length).toBe(3);
      expect(users.headers.get('sl-violations')).toBeNull();
      // A request the spec forbids is refused by the proxy itself with --errors.
      const invalid = await fetch(`${url}/api/users`, {
        method: 'POST',
        headers: { authorization: hoop!.admin, 'content-type': 'application/json' },
        body: '{"name":42}',
      });
      expect(invalid.status).toBe(422);
      expect(((await invalid.json()) as { validation: Array<{ message: string }> }).validation.map((v) => v.message)).toContain(
        "Request body must have required property 'email'",
      );
    } finally {
      await upstream.stop();
    }
  });
});
