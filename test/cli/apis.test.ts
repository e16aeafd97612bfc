// `--apis`: an API that is not built in (the SCIM example, examples/scim/) served by `usermock
// serve` and checked by `usermock check`, as a user runs them; a second copy of it under a mount
// prefix, where its paths would collide with the first's; and the ways a `--apis` file can be wrong.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, serve, type Served } from '../helpers/cli.ts';

const APIS = fileURLToPath(new URL('../../examples/scim/apis.ts', import.meta.url));
const MODULE = JSON.stringify(fileURLToPath(new URL('../../examples/scim/module.ts', import.meta.url)));
const PROFILE = JSON.stringify(fileURLToPath(new URL('../../examples/scim/profile.ts', import.meta.url)));
/** The example is TypeScript: Node loads it through tsx, as a user with a TypeScript `--apis` file would. */
const withTsx = { ...process.env, NODE_OPTIONS: '--import tsx' };

/** The documented (operation, status) pairs a run's coverage lines say it did not provoke: none, for the example's profile. */
const unprovoked = (stdout: string) =>
  [...stdout.matchAll(/^ {2}(\w+) .*· not provoked (.+)$/gm)].map(([, id, statuses]) => `${id} ${statuses}`);
const UNPROVOKED: string[] = [];

type Published = Record<string, { admin: string; standard: string }>;
const USERS = '/scim/v2/Users';

describe('usermock with --apis', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(['--apis', APIS, '--seed', '3', '--users', '4'], withTsx);
  });
  afterAll(() => served.stop());

  it('serves the listed API beside the built-in ones and prints its credentials', async () => {
    expect(served.output()).toMatch(/usermock serving hoop, amani, haplo, scim at /);
    expect(served.output()).toContain(`scim  ${served.url}${USERS}`);
    const { scim, hoop } = (await (await fetch(`${served.url}/__usermock/credentials`)).json()) as Published;
    expect(served.output()).toContain(`Authorization: ${scim!.admin}`);
    const listed = await fetch(`${served.url}${USERS}`, { headers: { authorization: scim!.admin } });
    expect([listed.status, ((await listed.json()) as { totalResults: number }).totalResults]).toEqual([200, 4]);
    const hoopUsers = await fetch(`${served.url}/api/users`, { headers: { authorization: hoop!.admin } });
    expect(hoopUsers.status).toBe(200);
  });

  it('checks it with usermock check, the credentials found at the mock', async () => {
    const result = await run(['check', 'scim', '--base-url', served.url, '--apis', APIS, '--seed', '2'], { env: withTsx });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/create_read_back\s+passed/);
    expect(unprovoked(result.stdout)).toEqual(UNPROVOKED);
    const listed = await run(['checks', 'scim', '--apis', APIS], { env: withTsx });
    expect([listed.code, listed.stdout]).toEqual([0, expect.stringMatching(/^create_read_back\s/m)]);
  });
});

describe('an API whose paths another owns, under a mount prefix', () => {
  let served: Served;
  let apis: string;
  beforeAll(async () => {
    // A second SCIM API beside the example's: the same paths, so only a mount lets both live on one origin.
    // .mts: outside a package that says so, only that extension makes a TypeScript file a module.
    apis = join(await mkdtemp(join(tmpdir(), 'usermock-apis-')), 'mounted.mts');
    await writeFile(
      apis,
      [
        `import { scim } from ${MODULE};`,
        `import { scimProfile } from ${PROFILE};`,
        'export default [',
        '  { mock: scim, profile: scimProfile },',
        "  { mock: { ...scim, name: 'scim2', mount: '/scim-copy' }, profile: () => ({ ...scimProfile(), api: 'scim2' }) },",
        '];',
        '',
      ].join('\n'),
    );
    served = await serve(['--apis', apis, '--seed', '3', '--users', '4'], withTsx);
  });
  afterAll(() => served.stop());

  it('is served under its prefix, apart from the API at the root: each its own users and credentials', async () => {
    expect(served.output()).toMatch(/usermock serving hoop, amani, haplo, scim, scim2 at /);
    // The copy's banner names the copy, at its prefix.
    expect(served.output()).toContain(`scim2  ${served.url}/scim-copy${USERS}`);
    const { scim, scim2 } = (await (await fetch(`${served.url}/__usermock/credentials`)).json()) as Published;
    const root = await fetch(`${served.url}${USERS}`, { headers: { authorization: scim!.admin } });
    const mounted = await fetch(`${served.url}/scim-copy${USERS}`, { headers: { authorization: scim2!.admin } });
    expect([root.status, mounted.status]).toEqual([200, 200]);
    // The copy's users are its own: one created under the mount is not at the root.
    const created = await fetch(`${served.url}/scim-copy${USERS}`, {
      method: 'POST',
      headers: { authorization: scim2!.admin, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'only.mounted@example.com' }),
    });
    expect(created.status).toBe(201);
    const filter = `?filter=${encodeURIComponent('userName eq "only.mounted@example.com"')}`;
    const totals = await Promise.all(
      [`/scim-copy${USERS}${filter}`, `${USERS}${filter}`].map(async (path, i) => {
        const answer = await fetch(`${served.url}${path}`, { headers: { authorization: [scim2, scim][i]!.admin } });
        return ((await answer.json()) as { totalResults: number }).totalResults;
      }),
    );
    expect(totals).toEqual([1, 0]);
    // Each refuses the other's credential.
    expect((await fetch(`${served.url}/scim-copy${USERS}`, { headers: { authorization: scim!.admin } })).status).toBe(401);
    expect((await fetch(`${served.url}${USERS}`, { headers: { authorization: scim2!.admin } })).status).toBe(401);
  });

  it('is checked by usermock check with the prefix in --base-url, the credentials found at the mock root', async () => {
    const result = await run(['check', 'scim2', '--base-url', `${served.url}/scim-copy`, '--apis', apis, '--seed', '2'], {
      env: withTsx,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/create_read_back\s+passed/);
    expect(unprovoked(result.stdout)).toEqual(UNPROVOKED);
  });
});

describe('a --apis file that cannot be used', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'usermock-apis-'));
    await writeFile(join(folder, 'number.mjs'), 'export default 42;\n');
    await writeFile(join(folder, 'empty-entry.mjs'), 'export default [{}];\n');
    await writeFile(join(folder, 'not-a-module.mjs'), "export default [{ mock: { name: 'x' } }];\n");
  });

  it.each([
    ['missing.mjs', /--apis .*missing\.mjs: Cannot find module/],
    ['number.mjs', /its default export must be a list of \{ mock, profile \}, got number/],
    ['empty-entry.mjs', /entry 0 has neither a mock nor a profile/],
    ['not-a-module.mjs', /entry 0: mock must be an API module/],
  ])('%s: serve, check and checks exit 2 with what is wrong', async (file, message) => {
    const apis = join(folder, file);
    for (const args of [
      ['serve', '--port', '0', '--apis', apis],
      ['check', 'scim', '--base-url', 'http://127.0.0.1:9', '--apis', apis],
      ['checks', '--apis', apis],
    ]) {
      const result = await run(args);
      expect([result.code, result.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
  });

  it('a TypeScript file without a loader: exit 2, saying how to load it', async () => {
    const result = await run(['serve', '--port', '0', '--apis', APIS]);
    expect([result.code, result.stderr]).toEqual([2, expect.stringContaining('NODE_OPTIONS="--import tsx"')]);
  });

  it('an API whose paths another API owns, without a mount: exit 2, naming both and the way out', async () => {
    await writeFile(
      join(folder, 'unmounted.mts'),
      `import { scim } from ${MODULE};\nexport default [{ mock: scim }, { mock: { ...scim, name: 'scim2' } }];\n`,
    );
    const result = await run(['serve', '--port', '0', '--apis', join(folder, 'unmounted.mts')], { env: withTsx });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /scim2's GET \/scim\/v2\/Users is on a path scim owns: give scim2 a mount prefix \(e\.g\. mount: '\/scim2'\)/,
    );
  });
});

describe('usermock types', () => {
  const SPEC = fileURLToPath(new URL('../../examples/scim/scim.openapi.yaml', import.meta.url));

  it("prints the operations' types of a spec, as the example's scim.types.ts holds them", async () => {
    const result = await run(['types', SPEC]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^export interface operations \{$/m);
    expect(result.stdout).toContain('export type OperationId = keyof operations;');
    const shipped = await readFile(fileURLToPath(new URL('../../examples/scim/scim.types.ts', import.meta.url)), 'utf8');
    // The same types, but for the first line's path: the example's file is up to date with its spec.
    expect(result.stdout.split('\n').slice(1)).toEqual(shipped.split('\n').slice(1));
  });

  it('exits 2 naming a spec it cannot read', async () => {
    const result = await run(['types', 'no-such-spec.yaml']);
    expect([result.code, result.stderr]).toEqual([2, expect.stringMatching(/^usermock types: no-such-spec\.yaml: /)]);
  });
});
