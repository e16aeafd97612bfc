// `usermock check` as CI and QA run it: reports where they asked for them, exit codes that say
// whose fault it is, credentials checked first, the server's path kept, clean-up on Ctrl-C.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_NAMES } from '../../specs/index.ts';
import { run, serve, type Served } from '../helpers/cli.ts';
import { startProxy } from '../helpers/proxy.ts';

let served: Served;
let credentials: Record<string, { admin: string; standard: string }>;
beforeAll(async () => {
  served = await serve(['--users', '10']);
  credentials = (await (await fetch(`${served.url}/__usermock/credentials`)).json()) as typeof credentials;
});
afterAll(() => served.stop());

/** The requests a server journalled, its control endpoints left out (reading the journal is one). */
const journal = async (url: string) =>
  ((await (await fetch(`${url}/__usermock/requests`)).json()) as Array<{ method: string; path: string }>).filter(
    (entry) => !entry.path.startsWith('/__usermock/'),
  );
const scratch = () => mkdtemp(join(tmpdir(), 'usermock-check-'));

describe('usermock check against usermock serve', () => {
  it.each(API_NAMES)('exits 0 for %s and writes JUnit, JSON and coverage reports where the caller is', async (api) => {
    const folder = await scratch();
    const reports = ['junit=reports/junit.xml', 'json=reports/report.json', 'coverage=reports/coverage.json'].flatMap((report) => [
      '--report',
      report,
    ]);
    const result = await run(['check', api, '--base-url', served.url, '--seed', '5', ...reports], { cwd: folder });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/create_read_back\s+passed/);
    expect(result.stdout).toMatch(/^Coverage: (\d+) of \1 documented \(operation, status\) pairs/m);
    expect(result.stderr).toMatch(new RegExp(`usermock check ${api}: lifecycle \\(\\d+ requests so far\\)`));
    const junit = await readFile(join(folder, 'reports/junit.xml'), 'utf8');
    expect(junit).toContain(`<testsuite name="usermock check ${api}"`);
    const names = [...junit.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map((match) => [match[1], match[2]]);
    expect(names).toContainEqual([api, 'create_read_back']);
    expect(names.every(([classname, name]) => classname === api && /^[a-z_]+$/.test(name!))).toBe(true);
    const report = JSON.parse(await readFile(join(folder, 'reports/report.json'), 'utf8'));
    expect(report).toMatchObject({ api, exitCode: 0, summary: { failed: 0 } });
    const coverage = JSON.parse(await readFile(join(folder, 'reports/coverage.json'), 'utf8'));
    expect(coverage.judged).toBe(coverage.provokable);
    if (api === 'hoop') {
      // Nothing the run created is left behind: no test user, no test group.
      const read = async (path: string) =>
        (await fetch(`${served.url}${path}`, { headers: { authorization: credentials.hoop!.admin } })).json();
      expect(JSON.stringify([await read('/api/users'), await read('/api/users/groups')])).not.toContain('usermock-');
    }
  });

  it('exits 0 twice in a row with the same seed', async () => {
    for (const attempt of [1, 2]) {
      const result = await run(['check', 'amani', '--base-url', served.url, '--seed', '77']);
      expect(result.code, `run ${attempt}: ${result.stdout}`).toBe(0);
    }
  });

  it('sends only GET requests with --read-only', async () => {
    const own = await serve(['--users', '3']);
    try {
      const result = await run(['check', 'hoop', '--base-url', own.url, '--read-only']);
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/create_read_back\s+skipped\s+read-only run/);
      const sent = await journal(own.url);
      expect(sent.length).toBeGreaterThan(5);
      expect(new Set(sent.map((entry) => entry.method))).toEqual(new Set(['GET']));
    } finally {
      await own.stop();
    }
  });

  it('keeps the path of --base-url', async () => {
    const proxy = await startProxy(served.url, { prefix: '/gateway/hoop' });
    try {
      const { admin, standard } = credentials.hoop!;
      const kept = await run(['check', 'hoop', '--base-url', `${proxy.url}/gateway/hoop`, '--auth', admin, '--auth-standard', standard]);
      expect(kept.code, kept.stdout).toBe(0);
      expect(proxy.seen.every((line) => line.split(' ')[1]!.startsWith('/gateway/hoop/'))).toBe(true);
      const dropped = await run(['check', 'hoop', '--base-url', proxy.url, '--auth', admin]);
      expect(dropped.code).toBe(2);
      expect(dropped.stderr).toMatch(
        /cannot tell whether --auth is accepted: GET \/api\/userinfo answered 404.* not under the prefix, in none of the API's documented shapes; is the base URL the API's\?/,
      );
    } finally {
      await proxy.close();
    }
  });

  it('removes what it created when stopped with SIGINT, and exits 130', async () => {
    const slow = await serve(['--users', '3', '--latency', '40']);
    try {
      const result = await run(['check', 'hoop', '--base-url', slow.url], {
        onStarted: (child) =>
          child.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('request bodies') && child.kill('SIGINT')),
      });
      expect(result.code, result.stdout + result.stderr).toBe(130);
      expect(result.stderr).toContain('SIGINT: stopping, removing what the run created');
      expect(result.stdout).toMatch(/Clean-up: removed or restored [1-9]\d* things/);
      const { hoop } = (await (await fetch(`${slow.url}/__usermock/credentials`)).json()) as typeof credentials;
      const users = (await (await fetch(`${slow.url}/api/users`, { headers: { authorization: hoop!.admin } })).json()) as Array<{
        email: string;
      }>;
      expect(users.filter((user) => user.email.startsWith('usermock-'))).toEqual([]);
    } finally {
      await slow.stop();
    }
  });
});

describe('usermock check exit codes', () => {
  it('exits 1 for a server that does not conform, with a few failures, each reproducible', async () => {
    const liar = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
      const result = await run(['check', 'hoop', '--base-url', url, '--auth', 'Bearer x']);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toContain('[auth_required] getUserInfo: a request without credentials: expected 401, got 200');
      expect(result.stdout).toMatch(/reproduce:\n\s+BASE='http:\/\/127\.0\.0\.1:\d+'/);
      expect(Number(/^Failures \((\d+)\):$/m.exec(result.stdout)?.[1])).toBeLessThan(40);
    } finally {
      liar.close();
    }
  });

  it.each([
    [['--auth', 'Bearer wrong'], '--auth is refused by the server'],
    [['--auth', 'Bearer wrong', '--read-only'], '--auth is refused by the server'],
    [['--auth', 'STANDARD'], "--auth is not an admin's credential"],
    [['--auth', 'STANDARD', '--read-only'], "--auth is not an admin's credential"],
    [['--auth', 'ADMIN', '--auth-standard', 'ADMIN'], "--auth-standard is an admin's credential"],
  ])('exits 2 for a wrong credential or role: %j', async (args, message) => {
    const { admin, standard } = credentials.hoop!;
    const filled = args.map((arg) => (arg === 'ADMIN' ? admin : arg === 'STANDARD' ? standard : arg));
    const result = await run(['check', 'hoop', '--base-url', served.url, ...filled]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('reads the credentials from $USERMOCK_AUTH and $USERMOCK_AUTH_STANDARD', async () => {
    const { admin, standard } = credentials.haplo!;
    const wrong = await run(['check', 'haplo', '--base-url', served.url, '--read-only'], {
      env: { ...process.env, USERMOCK_AUTH: `Basic ${btoa('haplo:wrong-key-wrong-key-0')}` },
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--auth is refused by the server');
    const right = await run(['check', 'haplo', '--base-url', served.url, '--read-only'], {
      env: { ...process.env, USERMOCK_AUTH: admin, USERMOCK_AUTH_STANDARD: standard },
    });
    expect(right.code, right.stdout).toBe(0);
  });

  it('exits 2 before sending anything when a report cannot be written', async () => {
    const own = await serve(['--users', '3']);
    try {
      const file = join(await scratch(), 'a-file');
      await writeFile(file, '');
      const result = await run(['check', 'hoop', '--base-url', own.url, '--report', `junit=${file}/junit.xml`]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`cannot write the junit report to ${file}/junit.xml`);
      expect(await journal(own.url)).toEqual([]);
    } finally {
      await own.stop();
    }
  });

  it.each([
    [['check', 'nope', '--base-url', 'http://127.0.0.1:1'], 2, 'unknown API'],
    [['check', 'hoop', '--base-url', 'not a url', '--auth', 'Bearer x'], 2, 'is not a URL'],
    [['check', 'hoop', '--base-url', 'http://127.0.0.1:9/', '--auth', 'Bearer x', '--only', 'made_up'], 2, 'unknown check(s) made_up'],
    [['check', 'hoop', '--base-url', 'http://127.0.0.1:9/', '--auth', 'Bearer x', '--only', ''], 2, 'unknown check(s)'],
    [
      ['check', 'hoop', '--base-url', 'http://127.0.0.1:1', '--report', 'xml=x'],
      2,
      '--report takes junit=<file>, json=<file>, coverage=<file>',
    ],
    [['check', 'hoop', '--base-url', 'http://127.0.0.1:1', '--timeout', '0'], 2, 'expected a positive number of seconds'],
    [['check', 'hoop'], 2, "required option '--base-url"],
    [['check', 'hoop', '--base-url', 'http://127.0.0.1:1'], 3, 'cannot reach http://127.0.0.1:1'],
    [['check', 'hoop', '--base-url', 'http://127.0.0.1:1', '--auth', 'Bearer x', '--timeout', '1'], 3, 'infrastructure error'],
  ])('exits as documented for %j', async (args, code, message) => {
    const result = await run(args as string[]);
    expect(result.code, result.stdout + result.stderr).toBe(code);
    expect(result.stdout + result.stderr).toContain(message);
  });

  it('exits 2 when every selected check was skipped: nothing judged is not a pass', async () => {
    const result = await run(['check', 'hoop', '--base-url', served.url, '--read-only', '--only', 'create_read_back']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('nothing was judged');
  });
});
