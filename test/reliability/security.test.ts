// The mock's own exposure: it listens on loopback only unless told otherwise, a bug in it answers
// a plain 500 (no stack, no message) instead of a rejection or a crash, and its request journal
// keeps no secret.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { API_MODULES, createMock, Mock, type ApiModule, type MockRequest } from '../../mocks/index.ts';
import { serve } from '../helpers/cli.ts';
import { startMock } from '../helpers/server.ts';
import { send } from './support/http.ts';

/** Whether something accepts connections at this address and port. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.setTimeout(2_000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/**
 * Another address of this machine: a second loopback address stands for every address other than
 * 127.0.0.1 (tests here never send traffic beyond the loopback range).
 */
const OTHER_ADDRESS = '127.0.0.2';

describe('listening', () => {
  it('binds 127.0.0.1 by default: another address of the machine does not reach it', async () => {
    const served = await serve(['--users', '2']);
    try {
      const { hostname, port } = new URL(served.url);
      expect(hostname).toBe('127.0.0.1');
      expect(await reachable('127.0.0.1', Number(port))).toBe(true);
      expect(await reachable(OTHER_ADDRESS, Number(port))).toBe(false);
    } finally {
      await served.stop();
    }
  });

  it('is reachable on another address only when told (the probe above can see a wider bind)', async () => {
    const served = await serve(['--users', '2', '--host', OTHER_ADDRESS]);
    try {
      expect(await reachable(OTHER_ADDRESS, Number(new URL(served.url).port))).toBe(true);
    } finally {
      await served.stop();
    }
  });
});

describe('a bug in the mock', () => {
  const STACK = /\n\s+at |\.ts:\d+/;
  const [hoop] = API_MODULES as readonly ApiModule[] as [ApiModule];
  const throwing = (how: 'throws' | 'rejects'): ApiModule => ({
    ...hoop,
    handle() {
      const error = new Error('secret internals: /work/main/mocks/apis/hoop.ts:42');
      if (how === 'throws') throw error;
      return Promise.reject(error);
    },
  });
  const listUsers = (mock: Mock): MockRequest => ({
    method: 'GET',
    path: '/api/users',
    query: new URLSearchParams(),
    headers: { authorization: mock.credentials().hoop.admin },
    body: undefined,
  });

  it.each(['throws', 'rejects'] as const)('that %s is answered by Mock.handle with a plain 500, and reported to onError', async (how) => {
    const errors: unknown[] = [];
    const mock = new Mock([throwing(how)], { users: 2, onError: (error) => errors.push(error) });
    const answer = await mock.handle(listUsers(mock));
    expect(answer.status).toBe(500);
    expect(answer.body).not.toMatch(STACK);
    expect(answer.body).not.toContain('secret internals');
    expect(errors).toHaveLength(1);
    expect(mock.journal.list().at(-1)?.status).toBe(500);
  });

  it('is answered over HTTP with a 500 whose body has no stack, and the server keeps serving', async () => {
    const running = await startMock({ users: 2, onError: () => {} }, [throwing('throws')]);
    try {
      const headers = { authorization: running.mock.credentials().hoop.admin };
      const answer = await send(running.url, { method: 'GET', target: '/api/users', headers });
      expect(answer.status).toBe(500);
      expect(answer.text).not.toMatch(STACK);
      expect(answer.text).not.toContain('secret internals');
      expect((await send(running.url, { method: 'GET', target: '/__usermock/credentials' })).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});

describe('the request journal', () => {
  it('keeps method, path and status only: no credential, password, token or query string', async () => {
    const mock = createMock({ users: 3 });
    const { hoop, amani, haplo } = mock.credentials();
    const haploKey = atob(haplo.admin.slice('Basic '.length)).split(':')[1]!;
    const secrets = [
      'hunter2-hoop-password',
      'hunter2-amani-password',
      'usermock-password',
      'secret-query-value',
      hoop.admin.slice('Bearer '.length),
      amani.admin.slice('Bearer '.length),
      haplo.admin.slice('Basic '.length),
      haploKey,
    ];
    const request = (method: string, path: string, authorization: string | undefined, body?: unknown, query = ''): MockRequest => ({
      method,
      path,
      query: new URLSearchParams(query),
      headers: { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const [seeded] = mock.state('amani').users.values();
    const login = await mock.handle(
      request('POST', '/api/v2/user/login', undefined, { username: seeded!.email, password: 'usermock-password' }),
    );
    const refresh = (JSON.parse(login.body!) as { refresh: string }).refresh;
    secrets.push(refresh, refresh.split('.')[2]!);
    await mock.handle(request('POST', '/api/users', hoop.admin, { email: 'journal@example.com', password: 'hunter2-hoop-password' }));
    await mock.handle(request('POST', '/api/v2/user', amani.admin, { email: 'journal@example.com', password: 'hunter2-amani-password' }));
    await mock.handle(request('POST', '/api/v2/token/refresh/', undefined, { refresh }));
    await mock.handle(request('GET', '/api/v0-user/find-by-tag', haplo.admin, undefined, 'tag:username=x&password=secret-query-value'));
    await mock.handle(request('GET', '/api/users', `${hoop.admin}-wrong`));

    const journal = mock.journal.list();
    expect(journal).toHaveLength(6);
    const allowed = ['api', 'duration', 'method', 'operation', 'override', 'path', 'session', 'status', 'time', 'violations'];
    for (const entry of journal) expect(allowed).toEqual(expect.arrayContaining(Object.keys(entry)));
    const text = JSON.stringify(journal);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
