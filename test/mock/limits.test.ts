// Bounded resources: sessions and records per session are capped; past a cap the request that
// would pass it gets 429 saying which limit and how to free room, nothing stored is lost, and
// every other session keeps working.
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_SESSIONS, DEFAULT_MAX_USERS } from '../../mocks/core/mock.ts';
import { createMock } from '../../mocks/index.ts';
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
    const api = () => request(running!.url);
    await api().get('/__usermock/credentials').set(session('a'));
    await api().get('/__usermock/credentials').set(session('b'));
    const refused = await api().get('/api/users').set(session('c')).set('Origin', 'http://app.test');
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
