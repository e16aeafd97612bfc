// What the behaviour core adds to every API: control endpoints, sessions, Prefer, latency, CORS.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { haplo } from '../../mocks/apis/haplo/index.ts';
import { hoop } from '../../mocks/apis/hoop/index.ts';
import { API_MODULES, createMock, Mock, type BuiltInApi } from '../../mocks/index.ts';
import { expectConformant } from '../helpers/conformance.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

let running: RunningMock;
beforeAll(async () => {
  running = await startMock({ users: 5, seed: 42 });
});
afterAll(() => running.close());
beforeEach(() => running.mock.reset());

const api = () => request(running.url);
const admin = () => running.mock.credentials().hoop.admin;

describe('control endpoints', () => {
  it('publishes the credentials of every API', async () => {
    const answer = await api().get('/__usermock/credentials');
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(['amani', 'haplo', 'hoop']);
    for (const credentials of Object.values(answer.body) as Array<{ admin: string; standard: string }>) {
      expect(credentials.admin).toMatch(/^(Bearer|Basic) \S+$/);
      expect(credentials.standard).toMatch(/^(Bearer|Basic) \S+$/);
      expect(credentials.admin).not.toBe(credentials.standard);
    }
    expect((await api().get('/api/users').set('Authorization', answer.body.hoop.admin)).status).toBe(200);
  });

  it('resets to the seeded state', async () => {
    await api().post('/api/users').set('Authorization', admin()).send({ email: 'gone@example.com' });
    expect((await api().get('/api/users/gone@example.com').set('Authorization', admin())).status).toBe(200);
    expect((await api().post('/__usermock/reset')).status).toBe(204);
    expect((await api().get('/api/users/gone@example.com').set('Authorization', admin())).status).toBe(404);
  });

  it('shows the state as a snapshot', async () => {
    await api().post('/api/users').set('Authorization', admin()).send({ email: 'snap@example.com' });
    const state = await api().get('/__usermock/state');
    expect(state.body).toMatchObject({ usermock: 1, seed: 42, users: 5 });
    expect(state.body.sessions.default.hoop.users.map((user: { email: string }) => user.email)).toContain('snap@example.com');
  });

  it('gives a snapshot that later requests, in this mock or one restored from it, never change', async () => {
    const first = createMock({ users: 3 });
    const snapshot = first.snapshot();
    const restored = new Mock(API_MODULES, { snapshot });
    const { hoop: credentials } = restored.credentials();
    const target = [...restored.state('hoop').users.values()][2]!;
    // hoop's update changes the stored user in place.
    const answer = await restored.handle({
      method: 'PUT',
      path: `/api/users/${target.id}`,
      query: new URLSearchParams(),
      headers: { authorization: credentials.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: target.email, name: 'Renamed', status: 'active' }),
    });
    expect(answer.status).toBe(200);
    const named = (mock: Mock<BuiltInApi>) => [...mock.state('hoop').users.values()].map((user) => user.name);
    expect(named(restored)).toContain('Renamed');
    expect(named(first)).not.toContain('Renamed');
    expect(JSON.stringify(snapshot)).not.toContain('Renamed');
  });

  it('journals method, path and status — never credentials or bodies', async () => {
    await api().post('/api/users').set('Authorization', admin()).send({ email: 'j@example.com', password: 'hunter2hunter2' });
    await api().get('/api/users/nobody@example.com').set('Authorization', admin());
    const journal = (await api().get('/__usermock/requests')).body as Array<Record<string, unknown>>;
    expect(journal.slice(-2).map(({ method, path, status }) => [method, path, status])).toEqual([
      ['POST', '/api/users', 201],
      ['GET', '/api/users/nobody@example.com', 404],
    ]);
    const text = JSON.stringify(journal);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(admin().slice(7));
  });

  it('answers 404 for an unknown control endpoint', async () => {
    expect((await api().get('/__usermock/nothing')).status).toBe(404);
  });
});

describe('sessions', () => {
  it('give each x-usermock-session its own copy of the seeded state', async () => {
    const create = (session: string) =>
      api().post('/api/users').set('Authorization', admin()).set('x-usermock-session', session).send({ email: 'twin@example.com' });
    expect((await create('a')).status).toBe(201);
    expect((await create('b')).status).toBe(201);
    expect((await create('a')).status).toBe(409);
    expect((await api().get('/api/users/twin@example.com').set('Authorization', admin())).status).toBe(404);
    const inA = await api().get('/__usermock/requests').set('x-usermock-session', 'a');
    expect(inA.body.every((entry: { session: string }) => entry.session === 'a')).toBe(true);
    await api().post('/__usermock/reset').set('x-usermock-session', 'a');
    expect((await create('a')).status).toBe(201);
    expect((await create('b')).status).toBe(409);
  });

  it('are seeded the same way: same seed, same data', async () => {
    const other = await startMock({ users: 5, seed: 42 });
    const different = await startMock({ users: 5, seed: 43 });
    try {
      const users = (target: RunningMock) => [...target.mock.state('hoop').users.values()].map((user) => [user.id, user.email, user.name]);
      expect(users(other)).toEqual(users(running));
      expect(users(different)).not.toEqual(users(running));
      expect(other.mock.credentials()).toEqual(running.mock.credentials());
      expect(running.mock.state('hoop', 'fresh').users.size).toBe(5);
    } finally {
      await other.close();
      await different.close();
    }
  });

  it("seed each API from its name: which other APIs a mock serves, and in what order, never changes an API's data", () => {
    const all = createMock({ users: 5, seed: 42 });
    const reordered = new Mock([haplo, hoop], { users: 5, seed: 42 });
    expect(reordered.credentials().haplo).toEqual(all.credentials().haplo);
    expect(reordered.credentials().hoop).toEqual(all.credentials().hoop);
    expect(reordered.snapshot().sessions.default!.haplo).toEqual(all.snapshot().sessions.default!.haplo);
    expect(reordered.credentials().haplo).not.toEqual(new Mock([haplo], { users: 5, seed: 43 }).credentials().haplo);
  });
});

describe('Prefer and latency', () => {
  it('answers Prefer: code=<status> with that documented status and its example', async () => {
    const answer = await api().get('/api/users/x@example.com').set('Authorization', admin()).set('Prefer', 'code=404');
    expect(answer.status).toBe(404);
    expectConformant('hoop', 'getUser', answer);
    const created = await api().post('/api/users').set('Authorization', admin()).set('Prefer', 'code=409').send({});
    expect(created.status).toBe(409);
    expect(created.body.message).toMatch(/already exists/);
  });

  it('answers Prefer: code= as the API answers: authenticated first, with its charset and required headers', async () => {
    const { amani, haplo } = running.mock.credentials();
    const anonymous = await api().get('/api/users').set('Prefer', 'code=200');
    expect([anonymous.status, anonymous.body]).toEqual([401, { message: 'access denied' }]);
    const standard = await api()
      .post('/api/users')
      .set('Authorization', running.mock.credentials().hoop.standard)
      .set('Prefer', 'code=201')
      .send({});
    expect(standard.status).toBe(403);
    const notPermitted = await api().get('/api/v0-user/id/1').set('Authorization', haplo.standard).set('Prefer', 'code=200');
    expect([notPermitted.status, notPermitted.body.kind]).toEqual([403, 'haplo:api-v0:generic:not-permitted']);
    const listed = await api().get('/api/users').set('Authorization', admin()).set('Prefer', 'code=200');
    expect(listed.headers['content-type']).toBe('application/json; charset=utf-8');
    const challenge = await api().get('/api/v2/group').set('Authorization', amani.admin).set('Prefer', 'code=401');
    expect([challenge.status, challenge.headers['www-authenticate']]).toEqual([401, 'Bearer realm="api"']);
    for (const [operationId, answer] of [
      ['listUsers', listed],
      ['listUsers', anonymous],
    ] as const)
      expectConformant('hoop', operationId, answer);
    expectConformant('amani', 'listGroups', challenge);
  });

  it('answers Prefer: code= for a status the operation does not document with an explicit error in the API’s shape (as Prism)', async () => {
    const answer = await api().get('/api/users').set('Authorization', admin()).set('Prefer', 'code=418');
    expect([answer.status, answer.body]).toEqual([
      404,
      { message: "usermock: hoop's spec documents no 418 for listUsers (it documents 200, 401)" },
    ]);
    // Authenticated first, as Prism does.
    expect((await api().get('/api/users').set('Prefer', 'code=418')).status).toBe(401);
  });

  it('delays by Prefer: delay=<ms> and by --latency', async () => {
    let started = Date.now();
    await api().get('/api/users').set('Authorization', admin()).set('Prefer', 'delay=150');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const slow = await startMock({ users: 2, latency: { min: 120, max: 130 } });
    try {
      started = Date.now();
      await request(slow.url).get('/api/users').set('Authorization', slow.mock.credentials().hoop.admin);
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    } finally {
      await slow.close();
    }
  });
});

describe('answers the transport gives itself', () => {
  it('a body over the size limit gets 413 with CORS headers, and is journalled', async () => {
    const answer = await api()
      .post('/api/users')
      .set('Authorization', admin())
      .set('Origin', 'http://localhost:5173')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'big@example.com', name: 'x'.repeat(1024 * 1024) }));
    expect(answer.status).toBe(413);
    expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const journal = (await api().get('/__usermock/requests')).body as Array<{ method: string; path: string; status: number }>;
    expect(journal.at(-1)).toMatchObject({ method: 'POST', path: '/api/users', status: 413 });
  });
});

describe('CORS', () => {
  it('answers a preflight and allows the calling origin', async () => {
    const preflight = await api()
      .options('/api/users')
      .set('Origin', 'http://localhost:5173')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(preflight.headers['access-control-allow-headers']).toBe('authorization,content-type');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    const answer = await api().get('/api/users').set('Authorization', admin()).set('Origin', 'http://localhost:5173');
    expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });
  it('leaves CORS headers out for a client that is not a browser (no Origin), saying only that answers vary by it', async () => {
    const answer = await api().get('/api/users').set('Authorization', admin());
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers.vary).toBe('Origin');
  });
});
