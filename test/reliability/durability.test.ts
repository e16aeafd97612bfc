// The state file across crashes: a torn or foreign file is refused at start-up (exit 2) and left
// as it is; every write acknowledged among many concurrent ones survives kill -9; and the core
// persists every change (refusals that keep part of one included), recovering from a failed write.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMock, SESSION_HEADER, type MockRequest, type Snapshot } from '../../mocks/index.ts';
import { run, serve } from '../helpers/cli.ts';
import { httpTarget, send } from './support/http.ts';

const folders: string[] = [];
afterAll(() => Promise.all(folders.map((path) => rm(path, { recursive: true, force: true }))));

async function folder(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'usermock-durable-'));
  folders.push(path);
  return path;
}

/** A real state file: one write made through `usermock serve`. */
async function realStateFile(): Promise<string> {
  const stateFile = join(await folder(), 'state.json');
  const served = await serve(['--users', '3', '--state-file', stateFile]);
  try {
    const target = await httpTarget(served.url);
    const created = await target.handle(hoopCreate(target.credentials().hoop.admin, 'written@example.com'));
    expect(created.status).toBe(201);
  } finally {
    await served.stop();
  }
  return readFile(stateFile, 'utf8');
}

function hoopCreate(authorization: string, email: string): MockRequest {
  return {
    method: 'POST',
    path: '/api/users',
    query: new URLSearchParams(),
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  };
}

/** Starts `usermock serve` on a file with this content; expects a refusal that leaves the file alone. */
async function expectRefused(content: string, message: RegExp): Promise<void> {
  const stateFile = join(await folder(), 'state.json');
  await writeFile(stateFile, content);
  const result = await run(['serve', '--port', '0', '--state-file', stateFile]);
  expect(result.code, content.slice(0, 60)).toBe(2);
  expect(result.stderr).toContain(stateFile);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).toMatch(/left as it is/);
  expect(result.stderr).not.toMatch(/\n\s+at /); // a sentence, not a stack trace
  expect(await readFile(stateFile, 'utf8')).toBe(content);
}

describe('the state file at start-up', () => {
  it('refuses a torn (truncated) file, wherever it was cut, and leaves it as it is', async () => {
    const whole = await realStateFile();
    const cuts = [0, 1, Math.floor(whole.length / 3), Math.floor(whole.length / 2), whole.length - 1];
    await Promise.all(cuts.map((cut) => expectRefused(whole.slice(0, cut), /not valid JSON/)));
  });

  it('refuses JSON that is not a usermock snapshot, or one damaged inside, and leaves it as it is', async () => {
    const snapshot = JSON.parse(await realStateFile()) as Snapshot;
    const foreign = [
      JSON.stringify({ name: 'my-app', version: '1.0.0' }),
      '[]',
      'null',
      '"usermock"',
      '42',
      JSON.stringify({ ...snapshot, usermock: 2 }),
    ];
    // Each refused naming the first field that is wrong, by its place in the file.
    const damaged: Array<[string, string]> = [
      [JSON.stringify({ ...snapshot, seed: 'one' }), 'seed: expected integer, found "one"'],
      [JSON.stringify({ ...snapshot, sessions: { default: null } }), 'sessions.default: expected object, found null'],
      [
        JSON.stringify({ ...snapshot, sessions: { default: { ...snapshot.sessions.default, hoop: 42 } } }),
        'sessions.default.hoop: expected object, found 42',
      ],
      [
        JSON.stringify({ ...snapshot, sessions: { default: { ...snapshot.sessions.default, haplo: { principals: [{ id: 1 }] } } } }),
        'sessions.default.haplo.nextId: expected integer, found nothing',
      ],
    ];
    await Promise.all([
      ...foreign.map((content) => expectRefused(content, /is not a usermock state snapshot/)),
      ...damaged.map(([content, field]) =>
        expectRefused(content, new RegExp(`is damaged[^]*  - ${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)),
      ),
    ]);
  });
});

describe('kill -9 among concurrent writes', () => {
  it('loses no acknowledged write', async () => {
    const stateFile = join(await folder(), 'state.json');
    const first = await serve(['--users', '3', '--state-file', stateFile]);
    const target = await httpTarget(first.url);
    const admin = target.credentials().hoop.admin;
    const emails = Array.from({ length: 150 }, (_, i) => `concurrent-${i}@example.com`);
    const acknowledged: string[] = [];
    // Killed once a third of the writes are answered: the rest are in flight, half-written or queued.
    const killed = new Promise<void>((resolve) => {
      const sends = emails.map(async (email) => {
        const answer = await target.handle(hoopCreate(admin, email)).catch(() => undefined);
        if (answer?.status === 201) acknowledged.push(email);
        if (acknowledged.length === emails.length / 3) {
          first.process.kill('SIGKILL');
          resolve();
        }
      });
      void Promise.all(sends).then(() => resolve());
    });
    await killed;
    await first.stop('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(emails.length / 3);

    const second = await serve(['--state-file', stateFile]);
    try {
      const state = JSON.parse((await send(second.url, { method: 'GET', target: '/__usermock/state' })).text) as Snapshot;
      const stored = new Set((state.sessions.default!.hoop as { users: Array<{ email: string }> }).users.map((user) => user.email));
      expect(acknowledged.filter((email) => !stored.has(email))).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});

describe('persisting in the core', () => {
  const request = (authorization: string, change: Partial<MockRequest>): MockRequest => ({
    method: 'GET',
    path: '/',
    query: new URLSearchParams(),
    headers: { authorization },
    body: undefined,
    ...change,
  });

  it('writes a change a refusal keeps (Haplo applies updates field by field), and skips a state that did not change', async () => {
    const written: string[] = [];
    const mock = createMock({ users: 3, persist: async (snapshot) => void written.push(snapshot) });
    const admin = mock.credentials().haplo.admin;
    const [, standard] = mock
      .state('haplo')
      .principals()
      .filter((principal) => !principal.isGroup && !principal.isServiceUser);
    const update = (body: unknown) =>
      mock.handle(request(admin, { method: 'POST', path: `/api/v0-user/id/${standard!.id}`, body: JSON.stringify(body) }));

    expect((await update({ nameFirst: 'Kept', localeId: 'xx' })).status).toBe(400);
    expect(written).toHaveLength(1);
    const principals = (JSON.parse(written[0]!) as Snapshot).sessions.default!.haplo as {
      principals: Array<{ id: number; nameFirst: string }>;
    };
    expect(principals.principals.find((p) => p.id === standard!.id)?.nameFirst).toBe('Kept');

    expect((await update({ localeId: 'xx' })).status).toBe(400);
    expect(written).toHaveLength(1);
  });

  it('answers 500 for a write that could not be made durable, and makes the next one durable', async () => {
    const written: string[] = [];
    let failNext = true;
    const errors: unknown[] = [];
    const mock = createMock({
      users: 2,
      onError: (error) => errors.push(error),
      persist: async (snapshot) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        written.push(snapshot);
      },
    });
    const admin = mock.credentials().hoop.admin;
    const failed = await mock.handle(hoopCreate(admin, 'first@example.com'));
    expect(failed.status).toBe(500);
    expect(failed.body).not.toContain('disk full');
    expect(errors).toHaveLength(1);
    const next = await mock.handle({
      ...hoopCreate(admin, 'second@example.com'),
      headers: { authorization: admin, [SESSION_HEADER]: 'other' },
    });
    expect(next.status).toBe(201);
    expect(written).toHaveLength(1);
    expect(written[0]).toContain('second@example.com');
  });
});
