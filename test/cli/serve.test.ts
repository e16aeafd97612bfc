import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { launch, refuses, run, serve } from '../helpers/cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

const credentialsOf = async (url: string) =>
  (await (await fetch(`${url}/__usermock/credentials`)).json()) as Record<string, { admin: string }>;

/** A request over `agent` (keep-alive: its socket stays open afterwards); never rejects. */
function send(url: string, agent: Agent, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status?: number; error?: string }>((resolve) => {
    const req = request(url, { agent, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('error', (error) => resolve({ error: error.message }));
    req.end(options.body);
  });
}

/** The child's exit code and signal, or 'still running' after `ms`. */
function exitOf(child: ChildProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still running'), ms);
    child.once('exit', (code, signal) => (clearTimeout(timer), resolve({ code, signal })));
  });
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

describe('usermock serve', () => {
  it('prints the URL, the credentials and the control endpoints, bound to loopback', async () => {
    const served = await serve(['--users', '3']);
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const credentials = await credentialsOf(served.url);
      const printed = served.output();
      expect(printed).toContain(credentials.hoop!.admin);
      expect(printed).toContain(credentials.haplo!.admin);
      expect(printed).toContain('/__usermock/reset');
      const users = await fetch(`${served.url}/api/users`, { headers: { authorization: credentials.hoop!.admin } });
      expect((await users.json()).length).toBe(3);
    } finally {
      await served.stop();
    }
  });

  it('keeps every acknowledged write in --state-file across kill -9', async () => {
    const stateFile = join(await mkdtemp(join(tmpdir(), 'usermock-')), 'state.json');
    const first = await serve(['--state-file', stateFile]);
    const { admin } = (await credentialsOf(first.url)).hoop!;
    const created = await fetch(`${first.url}/api/users`, {
      method: 'POST',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'durable@example.com', name: 'Durable' }),
    });
    expect(created.status).toBe(201);
    await first.stop('SIGKILL');

    const second = await serve(['--state-file', stateFile]);
    try {
      const read = await fetch(`${second.url}/api/users/durable@example.com`, { headers: { authorization: admin } });
      expect(read.status).toBe(200);
      expect((await read.json()).name).toBe('Durable');
    } finally {
      await second.stop();
    }
  });

  it('refuses a corrupt state file without touching it', async () => {
    const stateFile = join(await mkdtemp(join(tmpdir(), 'usermock-')), 'state.json');
    await writeFile(stateFile, '{"usermock":1,"sessions":{"default":');
    const result = await run(['serve', '--port', '0', '--state-file', stateFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/state file .* is not valid JSON.*left as it is/);
    expect(await readFile(stateFile, 'utf8')).toBe('{"usermock":1,"sessions":{"default":');
  });

  it('refuses a --state-file in a folder that does not exist, before listening', async () => {
    const stateFile = join(await mkdtemp(join(tmpdir(), 'usermock-')), 'missing', 'state.json');
    // Before the fix it started (and answered every write with a 500): stop it after a while.
    const result = await run(['serve', '--port', '0', '--state-file', stateFile], {
      onStarted: (child) => setTimeout(() => child.kill('SIGKILL'), 10_000).unref(),
    });
    expect(result.stdout).not.toContain('usermock serving');
    expect([result.code, result.stderr]).toEqual([
      2,
      expect.stringContaining(`usermock: cannot write state file ${stateFile}: its folder ${join(stateFile, '..')} does not exist`),
    ]);
  });

  it.each(['--version', '-V'])('prints its version with %s', async (flag) => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(await run([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops on %s: closes idle and busy keep-alive connections, exits 143 (SIGTERM) or 130 (SIGINT), frees the port',
    async (signal) => {
      const served = await serve(['--users', '2']);
      const agent = new Agent({ keepAlive: true });
      try {
        expect((await send(`${served.url}/__usermock/limits`, agent)).status).toBe(200); // its socket stays open, idle
        // A read that would take 30 s: stopping does not wait for it.
        const slow = send(`${served.url}/__usermock/credentials`, agent);
        const { hoop } = await credentialsOf(served.url);
        const slowRead = send(`${served.url}/api/users`, agent, { headers: { authorization: hoop!.admin, prefer: 'delay=30000' } });
        await slow;
        await new Promise((resolve) => setTimeout(resolve, 200));

        served.process.kill(signal);
        expect(await exitOf(served.process, 4_000)).toEqual({ code: EXIT_CODES[signal], signal: null });
        expect(served.output()).toContain(`usermock: stopped (${signal})`);
        expect(await refuses(served.url)).toBe(true);
        expect(await slowRead).toEqual({ error: expect.any(String) });
      } finally {
        agent.destroy();
        served.process.kill('SIGKILL');
      }
    },
  );

  it('on SIGTERM answers the writes in flight, and every acknowledged write is in --state-file', async () => {
    const stateFile = join(await mkdtemp(join(tmpdir(), 'usermock-')), 'state.json');
    const served = await serve(['--users', '2', '--state-file', stateFile]);
    const agent = new Agent({ keepAlive: true });
    try {
      const { admin } = (await credentialsOf(served.url)).hoop!;
      const create = (email: string, headers: Record<string, string> = {}) =>
        send(`${served.url}/api/users`, agent, {
          method: 'POST',
          headers: { authorization: admin, 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ email, name: email }),
        });
      expect(await create('before@example.com')).toEqual({ status: 201 });
      const inFlight = create('during@example.com', { prefer: 'delay=1000' });
      await new Promise((resolve) => setTimeout(resolve, 200));

      served.process.kill('SIGTERM');
      expect(await inFlight).toEqual({ status: 201 });
      expect(await exitOf(served.process, 6_000)).toEqual({ code: 143, signal: null });
      const emails = Object.values(JSON.parse(await readFile(stateFile, 'utf8')).sessions).flatMap(
        (world) => JSON.stringify(world).match(/[a-z]+@example\.com/g) ?? [],
      );
      expect(emails).toEqual(expect.arrayContaining(['before@example.com', 'during@example.com']));
    } finally {
      agent.destroy();
      served.process.kill('SIGKILL');
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops when npm start is sent %s', async (signal) => {
    // npm runs the script in a shell and forwards the signal to it: the script execs node, so node gets it.
    const npm = await launch('npm', ['start', '--', '--port', '0', '--users', '2'], root);
    try {
      const agent = new Agent({ keepAlive: true });
      expect((await send(`${npm.url}/__usermock/limits`, agent)).status).toBe(200);

      process.kill(npm.child.pid!, signal); // npm alone, not its process group
      expect(await exitOf(npm.child, 5_000)).not.toBe('still running');
      expect(npm.output()).toContain(`usermock: stopped (${signal})`);
      expect(await refuses(npm.url)).toBe(true);
      agent.destroy();
    } finally {
      npm.killGroup();
    }
  });

  it.each([
    [['--latency', 'soon'], '--latency takes <ms> or <min>-<max>'],
    [['--max-sessions', '0'], "option '--max-sessions <n>' argument '0' is invalid. expected a whole number of at least 1"],
    [['--users', '10', '--max-users', '5'], '--users 10 is more than --max-users 5 allows'],
  ])('rejects %j with a usage error', async (args, message) => {
    const result = await run(['serve', '--port', '0', ...args]);
    expect([result.code, result.stderr]).toEqual([2, expect.stringContaining(message)]);
  });

  it('takes --max-sessions and --max-users, and shows them at /__usermock/limits', async () => {
    const served = await serve(['--max-sessions', '5', '--max-users', '40']);
    try {
      const limits = await (await fetch(`${served.url}/__usermock/limits`)).json();
      expect(limits).toMatchObject({ sessions: { max: 5, used: 0 }, users: { max: 40 } });
    } finally {
      await served.stop();
    }
  });
});
