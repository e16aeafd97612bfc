import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, serve } from '../helpers/cli.ts';

const credentialsOf = async (url: string) =>
  (await (await fetch(`${url}/__usermock/credentials`)).json()) as Record<string, { admin: string }>;

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
