// Bounded resources: sessions and records per session are capped; past a cap the request that
// would pass it gets 429 saying which limit and how to free room, nothing stored is lost, and
// every other session keeps working.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_OVERRIDES, DEFAULT_MAX_SESSIONS, DEFAULT_MAX_USERS } from '../../mocks/core/limits.ts';
import { API_MODULES, createMock, Mock, type ApiModule, type Scenario } from '../../mocks/index.ts';
import { run } from '../helpers/cli.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

let running: RunningMock | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const session = (name: string) => ({ 'x-usermock-session': name });

describe('--max-sessions', () => {
  beforeEach(async () => {
    running = await startMock({ users: 3, maxSessions: 2 });
  });

  it('refuses the session past the limit with 429 and what to do, and keeps every held session serving', async () => {
    const { hoop } = running!.mock.credentials();
    const api = () => request(running!.url);
    for (const name of ['one', 'two']) {
      const created = await api()
        .post('/api/users')
        .set(session(name))
        .set('Authorization', hoop.admin)
        .send({ email: `${name}@example.com` });
      expect(created.status).toBe(201);
    }
    const refused = await api().get('/api/users').set(session('three')).set('Authorization', hoop.admin);
    expect([refused.status, refused.headers['content-type'], refused.text]).toEqual([
      429,
      'text/plain; charset=utf-8',
      'usermock: session limit reached: 2 named sessions (x-usermock-session) are held, the most --max-sessions allows. ' +
        'Free room with POST /__usermock/reset (every session, or one with its x-usermock-session header), or start usermock with a higher --max-sessions.\n',
    ]);
    // The control endpoints that would seed it are refused alike; the default session is never refused.
    expect((await api().get('/__usermock/credentials').set(session('three'))).status).toBe(429);
    expect((await api().get('/api/users').set('Authorization', hoop.admin)).status).toBe(200);
    // Nothing was evicted: each held session still has what it stored.
    for (const name of ['one', 'two']) {
      const read = await api().get(`/api/users/${name}@example.com`).set(session(name)).set('Authorization', hoop.admin);
      expect(read.status).toBe(200);
    }
    expect((await api().get('/__usermock/limits')).body.sessions).toEqual({ max: 2, used: 2 });

    // Resetting one session frees its place.
    expect((await api().post('/__usermock/reset').set(session('one'))).status).toBe(204);
    expect((await api().get('/api/users').set(session('three')).set('Authorization', hoop.admin)).status).toBe(200);
    expect((await api().get('/__usermock/limits')).body.sessions).toEqual({ max: 2, used: 2 });
  });

  it('is journalled and answered with CORS like any answer', async () => {
    const { hoop } = running!.mock.credentials();
    const api = () => request(running!.url);
    await api().get('/__usermock/credentials').set(session('a'));
    await api().get('/__usermock/credentials').set(session('b'));
    const refused = await api().get('/api/users').set(session('c')).set('Authorization', hoop.admin).set('Origin', 'http://app.test');
    expect([refused.status, refused.headers['access-control-allow-origin']]).toEqual([429, 'http://app.test']);
    const journal = (await api().get('/__usermock/requests')).body as Array<{ session: string; status: number }>;
    expect(journal.at(-1)).toMatchObject({ session: 'c', status: 429 });
  });
});

describe('--max-users', () => {
  beforeEach(async () => {
    running = await startMock({ users: 3, maxUsers: 4 });
  });

  it('refuses a create past the limit with 429, per API and per session, and takes it again once there is room', async () => {
    const { hoop, amani } = running!.mock.credentials();
    const api = () => request(running!.url);
    const createHoop = (email: string, name = 'default') =>
      api().post('/api/users').set(session(name)).set('Authorization', hoop.admin).send({ email });
    expect((await createHoop('fourth@example.com')).status).toBe(201);
    const refused = await createHoop('fifth@example.com');
    expect([refused.status, refused.text]).toEqual([
      429,
      'usermock: user limit reached: hoop holds 4 users in session "default", the most --max-users allows. ' +
        "Free room by deleting some, with POST /__usermock/reset (with the session's x-usermock-session header for that session only), or start usermock with a higher --max-users.\n",
    ]);
    // Stored users are all there, reads and updates go on, other sessions and APIs have their own room.
    expect((await api().get('/api/users').set('Authorization', hoop.admin)).body).toHaveLength(4);
    expect((await createHoop('fifth@example.com', 'other')).status).toBe(201);
    const amaniCreate = await api()
      .post('/api/v2/user')
      .set('Authorization', amani.admin)
      .send({ email: 'x@example.com', password: 'a-long-password', first_name: 'X', last_name: 'Y' });
    expect(amaniCreate.status).toBe(201);
    // Deleting one makes room again.
    expect((await api().delete('/api/users/fourth@example.com').set('Authorization', hoop.admin)).status).toBe(204);
    expect((await createHoop('fifth@example.com')).status).toBe(201);
    expect((await api().get('/__usermock/limits')).body.users).toMatchObject({
      max: 4,
      used: { default: { hoop: { users: 4 }, amani: { users: 4 } }, other: { hoop: { users: 4 } } },
    });
  });

  it("bounds hoop's groups too, on their own", async () => {
    const { hoop } = running!.mock.credentials();
    const groups = running!.mock.limits().users.used.default!.hoop!.groups!;
    const api = () => request(running!.url);
    for (let i = groups; i < 4; i++) {
      expect(
        (
          await api()
            .post('/api/users/groups')
            .set('Authorization', hoop.admin)
            .send({ name: `g${i}` })
        ).status,
      ).toBe(201);
    }
    const refused = await api().post('/api/users/groups').set('Authorization', hoop.admin).send({ name: 'one-more' });
    expect([refused.status, refused.text]).toEqual([429, expect.stringContaining('hoop holds 4 groups in session "default"')]);
  });
});

describe('limits as options', () => {
  it('default to 1,000 sessions and 100,000 users, and refuse what cannot work', () => {
    expect([DEFAULT_MAX_SESSIONS, DEFAULT_MAX_USERS]).toEqual([1000, 100_000]);
    expect(createMock().limits()).toMatchObject({ sessions: { max: 1000 }, users: { max: 100_000 } });
    expect(() => createMock({ users: 10, maxUsers: 5 })).toThrow('10 users per API is more than maxUsers allows (5)');
    expect(() => createMock({ maxSessions: 0 })).toThrow('maxSessions must be a whole number of at least 1, got 0');
  });
});

/** The three APIs, counting how often each seeds a state and forks one (a session's first write). */
function counting(): { modules: ApiModule[]; counts: { seed: number; fork: number } } {
  const counts = { seed: 0, fork: 0 };
  const modules = API_MODULES.map((module) => {
    const api = module as unknown as ApiModule;
    return {
      ...api,
      seed: (options) => (counts.seed++, api.seed(options)),
      fork: (state) => (counts.fork++, api.fork!(state)),
    } as ApiModule;
  });
  return { modules, counts };
}

const override = { api: 'hoop', operationId: 'listUsers', status: 401 };

describe('overrides count as a session’s use', () => {
  it('are refused with 429 for a new session past --max-sessions, which holds no session', async () => {
    running = await startMock({ users: 3, maxSessions: 2 });
    const api = () => request(running!.url);
    // An override for a new session within the limit holds it, as any use does.
    expect((await api().post('/__usermock/overrides').set(session('one')).send(override)).status).toBe(201);
    expect((await api().get('/__usermock/credentials').set(session('two'))).status).toBe(200);
    expect((await api().get('/__usermock/limits')).body.sessions).toEqual({ max: 2, used: 2 });

    const refused = await api().post('/__usermock/overrides').set(session('three')).send(override);
    expect([refused.status, refused.text]).toEqual([429, expect.stringContaining('usermock: session limit reached: 2 named sessions')]);
    expect(() => running!.mock.override('hoop', 'listUsers', 401, 'four')).toThrow('session limit reached');
    for (const [method, path] of [
      ['get', '/__usermock/overrides'],
      ['delete', '/__usermock/overrides'],
      ['delete', '/__usermock/overrides/o1'],
    ] as const) {
      expect((await api()[method](path).set(session('three'))).status).toBe(429);
    }
    const limits = (await api().get('/__usermock/limits')).body;
    expect(limits.sessions).toEqual({ max: 2, used: 2 });
    expect(Object.keys(limits.users.used)).toEqual(['default', 'one', 'two']);
    expect(limits.overrides).toEqual({ max: DEFAULT_MAX_OVERRIDES, used: { default: 0, one: 1, two: 0 } });
    // A body that is no override is refused first, and holds nothing either.
    expect((await api().post('/__usermock/overrides').set(session('three')).send({ api: 'hoop' })).status).toBe(400);
  });

  it('are capped per session (--max-overrides): past it 429 naming the limit and how to free room', async () => {
    running = await startMock({ users: 3, maxOverrides: 2 });
    const api = () => request(running!.url);
    const add = (name = 'default') => api().post('/__usermock/overrides').set(session(name)).send(override);
    expect([(await add()).status, (await add()).status]).toEqual([201, 201]);
    const refused = await add();
    expect([refused.status, refused.headers['content-type'], refused.text]).toEqual([
      429,
      'text/plain; charset=utf-8',
      'usermock: override limit reached: session "default" holds 2 overrides, the most --max-overrides allows. ' +
        "Free room by clearing them (DELETE /__usermock/overrides, or one with DELETE /__usermock/overrides/{id}, with the session's x-usermock-session header), " +
        'with POST /__usermock/reset, or start usermock with a higher --max-overrides.\n',
    ]);
    expect(() => running!.mock.override('hoop', 'listUsers', 401)).toThrow('override limit reached');
    // Each session has its own room; the ones held still answer.
    expect((await add('other')).status).toBe(201);
    expect((await api().get('/__usermock/overrides')).body).toHaveLength(2);
    expect((await api().get('/__usermock/limits')).body.overrides).toEqual({ max: 2, used: { default: 2, other: 1 } });
    // Clearing one, or all, frees room.
    expect((await api().delete('/__usermock/overrides/o1')).status).toBe(204);
    expect((await add()).status).toBe(201);
    expect((await api().delete('/__usermock/overrides')).status).toBe(204);
    expect([(await add()).status, (await add()).status, (await add()).status]).toEqual([201, 201, 429]);
  });

  it('default to 100 per session, and a scenario with more is refused at start', () => {
    expect(DEFAULT_MAX_OVERRIDES).toBe(100);
    expect(createMock().limits().overrides).toEqual({ max: 100, used: { default: 0 } });
    const scenario: Scenario = { overrides: [override, override, override] };
    expect(() => createMock({ scenario, maxOverrides: 2 })).toThrow(
      'the scenario has 3 overrides, more than maxOverrides (--max-overrides) allows: 2 per session',
    );
    expect(() => createMock({ maxOverrides: 0 })).toThrow('maxOverrides must be a whole number of at least 1, got 0');
  });
});

describe('a scenario’s users count against --max-users', () => {
  const listed = (count: number): Scenario => ({
    users: 2,
    apis: { hoop: { users: Array.from({ length: count }, (_, i) => ({ email: `listed-${i}@example.com` })) } },
  });

  it('a scenario asking more users of an API than the limit is refused before anything is seeded', () => {
    const { modules, counts } = counting();
    expect(() => new Mock(modules, { scenario: listed(3), maxUsers: 4 })).toThrow(
      'the scenario asks 5 users of hoop (3 listed and 2 faker users), more than maxUsers (--max-users) allows: 4 per API per session',
    );
    expect(counts.seed).toBe(0);
    // At the limit it starts, and holds them.
    expect(createMock({ scenario: listed(2), maxUsers: 4 }).limits().users.used.default!.hoop!.users).toBe(4);
  });

  it('usermock serve --scenario exits 2 naming the limit and the flag', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'usermock-limits-')), 'big.json');
    await writeFile(file, JSON.stringify(listed(3)));
    const { code, stderr } = await run(['serve', '--port', '0', '--scenario', file, '--max-users', '4']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'usermock: the scenario asks 5 users of hoop (3 listed and 2 faker users), more than maxUsers (--max-users) allows',
    );
  });
});

describe('a request that fails authentication', () => {
  it('is answered as the vendor does, creates no session and seeds nothing, past --max-sessions too', async () => {
    const { modules, counts } = counting();
    running = (await startMock({ users: 3, maxSessions: 5 }, modules)) as unknown as RunningMock;
    const api = () => request(running!.url);
    expect((await api().get('/__usermock/limits')).body.sessions.used).toBe(0);
    const seeded = counts.seed; // the template, once: every session's starting point
    expect(seeded).toBe(3);
    const badKey = `Basic ${btoa('haplo:not-a-key-of-anyone')}`;
    const asked: Array<[string, string, string | undefined, number]> = [
      ['get', '/api/users', undefined, 401],
      ['get', '/api/users', 'Bearer not-a-token', 401],
      ['post', '/api/users', undefined, 401],
      ['get', '/api/v2/group', undefined, 401],
      ['get', '/api/v2/user', 'Bearer a.b.c', 401],
      ['get', '/api/v0-user/id/128', undefined, 403],
      ['get', '/api/v0-user/id/128', badKey, 403],
      // Routes no operation answers change nothing either.
      ['get', '/api/nothing-here', undefined, 404],
    ];
    for (let i = 0; i < 30; i++) {
      const [method, path, authorization, status] = asked[i % asked.length]!;
      const sent =
        method === 'get'
          ? api().get(path)
          : api()
              .post(path)
              .send({ email: `x${i}@example.com` });
      sent.set(session(`stranger-${i}`)).set('Prefer', i % 2 ? 'code=500' : 'delay=0');
      if (authorization) sent.set('Authorization', authorization);
      const answer = await sent;
      expect([path, answer.status]).toEqual([path, status]);
    }
    const limits = (await api().get('/__usermock/limits')).body;
    expect(limits.sessions).toEqual({ max: 5, used: 0 });
    expect(Object.keys(limits.users.used)).toEqual(['default']);
    expect([counts.seed, counts.fork]).toEqual([seeded, 0]);

    // An authenticated request holds the session — without seeding it: it reads the template until it writes.
    const { hoop } = running!.mock.credentials();
    expect((await api().get('/api/users').set(session('known')).set('Authorization', hoop.admin)).status).toBe(200);
    expect((await api().get('/__usermock/limits')).body.sessions).toEqual({ max: 5, used: 1 });
    expect([counts.seed, counts.fork]).toEqual([seeded, 0]);
  });
});
