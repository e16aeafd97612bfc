// `--apis`: an API that is not built in (the test fixture `directory`, its paths hoop's, mounted
// under /directory) served by `usermock serve` and checked by `usermock check`, as a user runs
// them — and the ways a `--apis` file can be wrong.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, serve, type Served } from '../helpers/cli.ts';

const APIS = fileURLToPath(new URL('../fixtures/apis.ts', import.meta.url));
/** The fixture is TypeScript: Node loads it through tsx, as a user with a TypeScript `--apis` file would. */
const withTsx = { ...process.env, NODE_OPTIONS: '--import tsx' };

describe('usermock with --apis', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(['--apis', APIS, '--seed', '3', '--users', '4'], withTsx);
  });
  afterAll(() => served.stop());

  it('serves the listed API beside the built-in ones, under its mount, and prints its credentials', async () => {
    expect(served.output()).toMatch(/usermock serving hoop, amani, haplo, directory at /);
    expect(served.output()).toContain(`Directory ${served.url}/directory/api/users`);
    const { directory, hoop } = (await (await fetch(`${served.url}/__usermock/credentials`)).json()) as Record<string, { admin: string }>;
    const listed = await fetch(`${served.url}/directory/api/users`, { headers: { authorization: directory!.admin } });
    expect([listed.status, ((await listed.json()) as unknown[]).length]).toEqual([200, 4]);
    // hoop keeps its own /api/users: the mount is what lets both live on one origin.
    const hoopUsers = await fetch(`${served.url}/api/users`, { headers: { authorization: hoop!.admin } });
    expect(hoopUsers.status).toBe(200);
  });

  it('checks it with usermock check, the credentials found at the mock root', async () => {
    const result = await run(['check', 'directory', '--base-url', `${served.url}/directory`, '--apis', APIS, '--seed', '2'], {
      env: withTsx,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/create_read_back\s+passed/);
    expect(result.stdout).toMatch(/^Coverage: (\d+) of \1 documented \(operation, status\) pairs/m);
    const listed = await run(['checks', 'directory', '--apis', APIS], { env: withTsx });
    expect([listed.code, listed.stdout]).toEqual([0, expect.stringMatching(/^create_read_back\s/m)]);
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
      ['check', 'directory', '--base-url', 'http://127.0.0.1:9', '--apis', apis],
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
    // .mts: outside a package that says so, only that extension makes a TypeScript file a module.
    await writeFile(
      join(folder, 'unmounted.mts'),
      `import { directory } from ${JSON.stringify(fileURLToPath(new URL('../fixtures/directory/mock.ts', import.meta.url)))};\nexport default [{ mock: { ...directory, mount: undefined } }];\n`,
    );
    const result = await run(['serve', '--port', '0', '--apis', join(folder, 'unmounted.mts')], { env: withTsx });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/directory's GET \/api\/users is on a path hoop owns: give directory a mount prefix/);
  });
});
