// `usermock serve` guarding itself: the control plane's flags as the CLI takes them (also under
// --workers), the warning when --host exposes it, and state files checked for meaning with their
// leftover temporary files cleaned up.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run, serve, type Served } from '../helpers/cli.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { needs } from '../helpers/services.ts';

let started: Served[] = [];
let redis: RedisServer | undefined;

afterEach(async () => {
  await Promise.all(started.map((served) => served.stop()));
  started = [];
  await redis?.dispose();
  redis = undefined;
});

async function served(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Served> {
  const one = await serve(args, env);
  started.push(one);
  return one;
}

/** A status over a connection of its own (so --workers hands requests to every worker), any headers. */
function status(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject).end();
  });
}

const EVIL = 'http://evil.example';

describe('the control plane, as usermock serve takes it', () => {
  it('guards it by default, and --cors-origin, --allowed-hosts and --control-token (or its env) open or close it', async () => {
    const plain = await served(['--users', '2']);
    expect(await status(plain.url, '/__usermock/credentials', { origin: EVIL })).toBe(403);
    expect(await status(plain.url, '/__usermock/reset', { origin: 'null' }, 'POST')).toBe(403);
    expect(await status(plain.url, '/__usermock/credentials', { host: 'evil.example' })).toBe(403);
    expect(await status(plain.url, '/__usermock/credentials')).toBe(200);

    const opened = await served(['--users', '2', '--cors-origin', EVIL, '--allowed-hosts', 'evil.example']);
    expect(await status(opened.url, '/__usermock/credentials', { origin: EVIL, host: 'evil.example' })).toBe(200);
    expect(await status(opened.url, '/__usermock/credentials', { origin: 'http://other.example' })).toBe(403);

    const token = 'from-the-environment';
    const closed = await served(['--users', '2'], { ...process.env, USERMOCK_CONTROL_TOKEN: token });
    expect(await status(closed.url, '/__usermock/credentials')).toBe(401);
    expect(await status(closed.url, '/__usermock/credentials', { authorization: `Bearer ${token}` })).toBe(200);
    expect(closed.output()).toContain(`dashboard: ${closed.url}/__usermock/?token=${token}`);
  });

  it('refuses a --cors-origin that is not an origin, and an empty token (exit 2)', async () => {
    const origin = await run(['serve', '--port', '0', '--cors-origin', 'evil.example']);
    expect([origin.code, origin.stderr]).toEqual([2, expect.stringContaining('--cors-origin evil.example is not an origin')]);
    const token = await run(['serve', '--port', '0', '--control-token', '']);
    expect([token.code, token.stderr]).toEqual([2, expect.stringContaining('--control-token (or USERMOCK_CONTROL_TOKEN) is empty')]);
  });

  it('warns at start when --host exposes it beyond this machine, naming what and --control-token', async () => {
    const exposed = await served(['--users', '2', '--host', '0.0.0.0']);
    await expect.poll(() => exposed.output()).toMatch(/warning: --host 0\.0\.0\.0/);
    for (const named of ['/__usermock/credentials', '/__usermock/reset', 'overrides', '--control-token'])
      expect(exposed.output()).toContain(named);
    // The Host a colleague sends (this machine's address) is answered: an IP address cannot be rebound.
    expect(await status(exposed.url, '/__usermock/credentials', { host: `192.0.2.1:${new URL(exposed.url).port}` })).toBe(200);

    for (const args of [[], ['--host', '0.0.0.0', '--control-token', 'secret']]) {
      const quiet = await served(['--users', '2', ...args]);
      expect(quiet.output()).not.toContain('warning');
    }
  });

  it('holds in every worker (--workers 2 --store)', needs('redis-server', { timeout: 60_000 }), async () => {
    redis = await startRedis();
    const workers = await served(['--store', redis.url, '--workers', '2', '--control-token', 'T']);
    // Fresh connections: the cluster spreads them over both workers.
    for (let i = 0; i < 6; i++) {
      expect(await status(workers.url, '/__usermock/credentials', { authorization: 'Bearer T', origin: EVIL })).toBe(403);
      expect(await status(workers.url, '/__usermock/credentials', { authorization: 'Bearer T', host: 'evil.example' })).toBe(403);
      expect(await status(workers.url, '/__usermock/reset', {}, 'POST')).toBe(401);
      expect(await status(workers.url, '/__usermock/credentials', { authorization: 'Bearer T' })).toBe(200);
    }
  });
});

describe('--state-file, checked for meaning', () => {
  async function damaged(damage: (sessions: Record<string, any>) => void): Promise<string> {
    const stateFile = join(await mkdtemp(join(tmpdir(), 'usermock-')), 'state.json');
    // A real state file first: the one a server wrote.
    const first = await served(['--users', '2', '--state-file', stateFile]);
    expect(await status(first.url, '/__usermock/reset', {}, 'POST')).toBe(204);
    const snapshot = JSON.parse(await readFile(stateFile, 'utf8'));
    damage(snapshot.sessions);
    await writeFile(stateFile, JSON.stringify(snapshot));
    return stateFile;
  }

  it('refuses one that parses but is damaged (exit 2), naming each field and what it should be, and leaves it as it is', async () => {
    const stateFile = await damaged((sessions) => {
      sessions.default.haplo.nextId = 'abc';
      delete sessions.default.amani.secret;
      sessions.default.hoop.users[0].groups = 'admin';
    });
    const before = await readFile(stateFile, 'utf8');
    const result = await run(['serve', '--port', '0', '--state-file', stateFile]);
    expect(result.code, result.stdout).toBe(2);
    expect(result.stderr).toContain(`state file ${stateFile} is damaged`);
    expect(result.stderr).toContain('sessions.default.haplo.nextId: expected integer, found "abc"');
    expect(result.stderr).toContain('sessions.default.amani.secret: expected string, found nothing');
    expect(result.stderr).toContain('sessions.default.hoop.users[0].groups: expected array, found "admin"');
    expect(await readFile(stateFile, 'utf8')).toBe(before);
  });

  it('removes at start the temporary files of writes a killed process left, and only those of processes that are gone', async () => {
    const stateFile = join(await mkdtemp(join(tmpdir(), 'usermock-')), 'state.json');
    const gone = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((resolve) => gone.once('exit', () => resolve(gone.pid!)));
    const leftover = `${stateFile}.${deadPid}.tmp`;
    const someoneElses = `${stateFile}.${process.pid}.tmp`;
    const unrelated = `${stateFile}.backup.tmp`;
    for (const file of [leftover, someoneElses, unrelated]) await writeFile(file, '{"usermock":1');
    const server = await served(['--users', '2', '--state-file', stateFile]);
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(someoneElses)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
    expect(server.output()).toContain(`removed ${leftover}`);
  });
});
