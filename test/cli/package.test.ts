// The package as a user gets it: packed, installed in a project of its own (no vitest there),
// `npx usermock serve` and `npx usermock check` with a report path relative to the project, a
// TypeScript consumer type-checked against the shipped declarations; then the oldest vitest the
// peer range admits running `defineContractSuite`.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, refuses } from '../helpers/cli.ts';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const INSTALL = ['--no-audit', '--no-fund', '--prefer-offline'];

let project: string;
let server: { url: string; stop(): void };

beforeAll(async () => {
  const folder = await mkdtemp(join(tmpdir(), 'usermock-package-'));
  // `npm test` has built dist/ already; packing must not build again.
  await exec('npm', ['pack', '--ignore-scripts', '--pack-destination', folder], { cwd: root });
  const tarball = join(
    folder,
    (await readdir(folder)).find((name) => name.endsWith('.tgz'))!,
  );
  project = join(folder, 'app');
  await exec('mkdir', [project]);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await exec('npm', ['install', tarball, ...INSTALL], { cwd: project });
  // In a process group of its own: npx starts node as a child, and both must stop.
  const child = spawn('npx', ['usermock', 'serve', '--port', '0', '--users', '5'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const url = await new Promise<string>((resolve) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /at (http:\/\/\S+)/.exec(output)?.[1];
      if (found) resolve(found);
    });
  });
  server = { url, stop: () => process.kill(-child.pid!) };
}, 240_000);
afterAll(() => server?.stop());

/** The paths `npm pack` would put in the tarball. */
async function packedFiles(): Promise<string[]> {
  const { stdout } = await exec('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
  return (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((file) => file.path);
}

/** Every module a dist entry loads, following its relative imports (its chunks). */
async function loadedModules(dist: string, entry: string, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const code = await readFile(join(dist, entry), 'utf8');
  for (const [, specifier] of code.matchAll(/(?:^|[;\s])(?:import|export)\s*(?:[^'";]*?from\s*)?['"]([^'"]+)['"]/gm)) {
    if (specifier!.startsWith('./')) await loadedModules(dist, specifier!.slice(2), seen);
    else seen.add(specifier!);
  }
  return seen;
}

describe('the packed package in a project of its own', () => {
  it('ships a LICENSE, and no cache of a test run wherever one was left', async () => {
    // The caches vitest (and vite) leave in the folder they ran in, planted where the package's files are.
    const planted = ['dist/.vite/vitest/da39a3ee/results.json', 'dist/node_modules/.vite/vitest/da39a3ee/results.json'];
    try {
      for (const path of planted) {
        await mkdir(join(root, path, '..'), { recursive: true });
        await writeFile(join(root, path), '{}');
      }
      const files = await packedFiles();
      expect(files).toContain('LICENSE');
      expect(files).toContain('specs/hoop.openapi.yaml');
      expect(files.filter((path) => /(^|\/)(\.vite|\.vitest|node_modules|\.cache)\/|results\.json$/.test(path))).toEqual([]);
    } finally {
      await rm(join(root, 'dist/.vite'), { recursive: true, force: true });
      await rm(join(root, 'dist/node_modules'), { recursive: true, force: true });
    }
    expect(await readFile(join(project, 'node_modules', 'usermock', 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 the usermock authors\n/,
    );
  });

  it('exports the specs, and the CLI knows its version', async () => {
    const require = createRequire(join(project, 'package.json'));
    const installed = join(project, 'node_modules', 'usermock');
    for (const api of ['hoop', 'amani', 'haplo']) {
      expect(require.resolve(`usermock/specs/${api}.openapi.yaml`)).toBe(join(installed, 'specs', `${api}.openapi.yaml`));
      expect(require.resolve(`usermock/specs/generated/${api}.json`)).toBe(join(installed, 'specs', 'generated', `${api}.json`));
    }
    const { stdout } = await exec(
      process.execPath,
      ['--input-type=module', '-e', "console.log(import.meta.resolve('usermock/specs/hoop.openapi.yaml'))"],
      {
        cwd: project,
      },
    );
    expect(stdout.trim()).toMatch(/\/node_modules\/usermock\/specs\/hoop\.openapi\.yaml$/);
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    expect((await exec('npx', ['usermock', '--version'], { cwd: project })).stdout).toBe(`${version}\n`);
  });

  it('stops npx usermock serve when npx alone is sent SIGTERM', async () => {
    // npx runs usermock in a shell and forwards SIGTERM to the shell only: usermock stops when that shell is gone.
    const npx = await launch('npx', ['usermock', 'serve', '--port', '0', '--users', '2'], project);
    try {
      process.kill(npx.child.pid!, 'SIGTERM');
      const deadline = Date.now() + 5_000;
      while (!(await refuses(npx.url)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await refuses(npx.url), npx.output()).toBe(true);
    } finally {
      npx.killGroup();
    }
  });

  it('installs neither Prism nor vitest, and its MSW entry loads no CLI, Prism, vitest or contract code', async () => {
    for (const name of ['@stoplight/prism-cli', 'vitest', '@apidevtools/swagger-parser']) {
      await expect(readdir(join(project, 'node_modules', name)), name).rejects.toThrow();
    }
    const loaded = [...(await loadedModules(join(project, 'node_modules', 'usermock', 'dist'), 'msw.js'))];
    expect(loaded.filter((module) => /commander|prism|vitest|junit|json-schema-faker|^node:child_process/.test(module))).toEqual([]);
    expect(loaded).toContain('msw');
    const prism = await exec('npx', ['usermock', 'prism', 'hoop'], { cwd: project }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(prism).toMatchObject({ code: 2, stderr: expect.stringContaining('npm install --save-dev @stoplight/prism-cli@5.14.2') });
  });

  it('says which optional peer to install for loadSpec and for usermock types', async () => {
    const spec = join(root, 'examples', 'scim', 'scim.openapi.yaml');
    const load = `import('usermock').then((m) => m.loadSpec(${JSON.stringify(spec)}, { name: 'scim' })).then((s) => console.log(s.operations.length), (e) => console.log(e.message))`;
    const loaded = await exec(process.execPath, ['--input-type=module', '-e', load], { cwd: project });
    expect(loaded.stdout).toContain('npm install --save-dev @apidevtools/swagger-parser@^12');
    const types = await exec('npx', ['usermock', 'types', spec], { cwd: project }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(types).toMatchObject({ code: 2, stderr: expect.stringContaining('npm install --save-dev openapi-typescript@^7') });
  });

  it('type-checks a consumer against the shipped declarations: typed ready-made mocks and the answers’ types by name', async () => {
    const tsc = (args: string[]) =>
      exec(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), ...args], { cwd: project }).then(
        () => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => error,
      );
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
    };
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
    await writeFile(
      join(project, 'consumer.ts'),
      [
        "import type { AmaniRole, AmaniUser, HaploGroup, HaploUser, HoopGroup, HoopRecord, HoopUser } from 'usermock';",
        "import { mock as browserMock } from 'usermock/browser';",
        "import { mock as mswMock } from 'usermock/msw';",
        "import { mock, createMockServer } from 'usermock/node';",
        'declare const user: HoopUser;',
        "export const role: 'admin' | 'standard' | 'unregistered' | undefined = user.role;",
        'declare const amani: AmaniUser;',
        'export const roles: AmaniRole[] = amani.groups;',
        'declare const haplo: HaploUser;',
        'export const memberOf: string[] = haplo.directGroupMembership;',
        'declare const group: HaploGroup & HoopGroup;',
        'export const names: [boolean, string] = [group.isGroup, group.name];',
        "export const stored: HoopRecord | undefined = mock.state('hoop').findByEmail('jane@example.com');",
        "export const amaniEmail = mswMock.state('amani').findByEmail('selin.kaya@example.com')?.email;",
        "export const principals = browserMock.state('haplo').principals();",
        "export const own = createMockServer().mock.override('hoop', 'listUsers', 401);",
        '// @ts-expect-error a stored hoop user has no role',
        'export const storedRole = stored?.role;',
        '// @ts-expect-error no API of that name',
        "export const nope = () => mock.state('nope');",
        '',
      ].join('\n'),
    );
    expect(await tsc(['-p', '.'])).toEqual({ code: 0, stdout: '' });
    // A mistyped operation id or API name fails, the message listing the valid ones.
    await writeFile(
      join(project, 'wrong.ts'),
      ["import { mock } from 'usermock/node';", "mock.override('hoop', 'whatever', 401);", "mock.state('nope');", ''].join('\n'),
    );
    await writeFile(join(project, 'tsconfig.wrong.json'), JSON.stringify({ compilerOptions, files: ['wrong.ts'] }));
    const wrong = await tsc(['-p', 'tsconfig.wrong.json']);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toContain(`Argument of type '"whatever"' is not assignable to parameter of type '"`);
    expect(wrong.stdout).toMatch(/parameter of type '"[^']*"listUsers"[^']*'/);
    expect(wrong.stdout).toContain(`Argument of type '"nope"' is not assignable to parameter of type '"hoop" | "amani" | "haplo"'`);
  });

  it('runs usermock check without vitest installed, writing reports relative to the project', async () => {
    const { stdout } = await exec('npx', ['usermock', 'check', 'amani', '--base-url', server.url, '--report', 'junit=reports/amani.xml'], {
      cwd: project,
    });
    expect(stdout).toMatch(/usermock check amani: \d+ passed, 0 failed \(0 failures\), \d+ skipped \(exit 0\)/);
    expect(await readFile(join(project, 'reports', 'amani.xml'), 'utf8')).toContain('<testcase classname="amani" name="token_lifecycle"');
  });

  it('runs defineContractSuite under vitest 3', async () => {
    await exec('npm', ['install', 'vitest@3.2', ...INSTALL], { cwd: project });
    await writeFile(
      join(project, 'contract.test.js'),
      [
        "import { defineContractSuite } from 'usermock/contracts/vitest';",
        `const { hoop } = await (await fetch('${server.url}/__usermock/credentials')).json();`,
        `defineContractSuite({ api: 'hoop', baseUrl: '${server.url}', auth: hoop.admin, authStandard: hoop.standard });`,
      ].join('\n'),
    );
    const { FORCE_COLOR: _color, ...env } = process.env;
    const { stdout } = await exec('npx', ['vitest', 'run', 'contract.test.js'], { cwd: project, env: { ...env, NO_COLOR: '1' } });
    expect(stdout).toMatch(/RUN {2}v3\.2\./);
    // Skipped: path_forms (hoop documents one form of each path) and provoked_status (the spec's
    // example pairs reached every documented status first).
    expect(stdout).toMatch(/Tests {2}\d+ passed \| 2 skipped/);
  });
}, 240_000);
