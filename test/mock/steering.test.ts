// Steering the mock from a frontend's tests: overrides (the control endpoints, `mock.override()`,
// `Prefer`), scenarios, typed factories, the credentialed users at any `users`, and spec
// violations told beside the vendor's answer.
import { readFileSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_MODULES, amani, checkScenario, createMock, haplo, hoop, ScenarioError, type Scenario } from '../../mocks/index.ts';
import { createHandlers } from '../../mocks/msw.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

let running: RunningMock;
beforeEach(async () => {
  running = await startMock({ users: 4 });
});
afterEach(() => running.close());

const api = () => request(running.url);
const admin = () => running.mock.credentials().hoop.admin;
const shipped = (name: string): Scenario => checkScenario(JSON.parse(readFileSync(`scenarios/${name}.json`, 'utf8')), API_MODULES);

describe('overrides through /__usermock/overrides', () => {
  it('answers the documented status for the next N answers, then the API again, and says so in the journal', async () => {
    const made = await api().post('/__usermock/overrides').send({ api: 'hoop', operationId: 'getUser', status: 404, times: 1 });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ api: 'hoop', operationId: 'getUser', status: 404, remaining: 1 });
    const [user] = running.mock.state('hoop').users.values();
    const first = await api().get(`/api/users/${user!.id}`).set('Authorization', admin());
    expect([first.status, first.headers['content-type']]).toEqual([404, 'application/json; charset=utf-8']);
    expect((await api().get(`/api/users/${user!.id}`).set('Authorization', admin())).status).toBe(200);
    expect((await api().get('/__usermock/overrides')).body).toEqual([]);
    const journal = running.mock.journal.list();
    expect(journal.at(-2)).toMatchObject({ status: 404, api: 'hoop', operation: 'getUser', override: made.body.id });
    expect(journal.at(-1)).not.toHaveProperty('override');
  });

  it('authenticates first, as Prism does with Prefer', async () => {
    await api().post('/__usermock/overrides').send({ api: 'hoop', operationId: 'listUsers', status: 401 });
    const anonymous = await api().get('/api/users');
    expect(anonymous.status).toBe(401);
    // The refused request did not use the override up.
    expect((await api().get('/__usermock/overrides')).body).toHaveLength(1);
  });

  it('keep the API’s wire conventions: its charset and the headers its spec requires (Amani’s challenge)', async () => {
    running.mock.override('amani', 'listGroups', 401);
    const answer = await api().get('/api/v2/group').set('Authorization', running.mock.credentials().amani.admin);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm=/);
  });

  it('empties the lists of the API’s own answer, in its wire shape', async () => {
    await api().post('/__usermock/overrides').send({ api: 'hoop', operationId: 'listUsers', empty: true });
    const listed = await api().get('/api/users').set('Authorization', admin());
    expect([listed.status, listed.body]).toEqual([200, []]);
    const { haplo: haploAuth } = running.mock.credentials();
    await api().post('/__usermock/overrides').send({ api: 'haplo', operationId: 'findByTag', empty: true });
    const found = await api().get('/api/v0-user/find-by-tag?tag:department=finance').set('Authorization', haploAuth.admin);
    expect(found.body).toMatchObject({ success: true, users: [] });
  });

  it('delays an answer and keeps it the API’s', async () => {
    await api().post('/__usermock/overrides').send({ api: 'hoop', operationId: 'listUsers', delay: 150, times: 1 });
    const started = Date.now();
    const listed = await api().get('/api/users').set('Authorization', admin());
    expect(listed.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('are per session, listed, cleared one by one or all, and gone after a reset', async () => {
    const session = { 'x-usermock-session': 'screen-a' };
    const made = await api().post('/__usermock/overrides').set(session).send({ api: 'hoop', operationId: 'listUsers', status: 401 });
    await api().post('/__usermock/overrides').set(session).send({ api: 'hoop', operationId: 'getUserInfo', status: 401 });
    expect((await api().get('/api/users').set('Authorization', admin())).status).toBe(200);
    expect((await api().get('/api/users').set(session).set('Authorization', admin())).status).toBe(401);
    expect((await api().delete(`/__usermock/overrides/${made.body.id}`).set(session)).status).toBe(204);
    expect((await api().delete(`/__usermock/overrides/${made.body.id}`).set(session)).status).toBe(404);
    expect((await api().get('/__usermock/overrides').set(session)).body).toHaveLength(1);
    await api().post('/__usermock/reset').set(session);
    expect((await api().get('/__usermock/overrides').set(session)).body).toEqual([]);
    await api().post('/__usermock/overrides').set(session).send({ api: 'hoop', operationId: 'listUsers', status: 401 });
    expect((await api().delete('/__usermock/overrides').set(session)).status).toBe(204);
    expect((await api().get('/api/users').set(session).set('Authorization', admin())).status).toBe(200);
  });

  it('refuses what the spec does not allow, naming why', async () => {
    const cases: [object, RegExp][] = [
      [{ api: 'hoop', operationId: 'listUsers', status: 500 }, /documents no 500 for listUsers \(it documents 200, 401\)/],
      [{ api: 'hoop', operationId: 'listUser', status: 401 }, /hoop has no operation "listUser"/],
      [{ api: 'acme', operationId: 'listUsers', status: 401 }, /no API acme/],
      [{ api: 'hoop', operationId: 'getUser', empty: true }, /answers no list to empty/],
      [{ api: 'hoop', operationId: 'listUsers' }, /say what to answer/],
      [{ api: 'hoop', operationId: 'listUsers', status: 401, times: 0 }, /times must be/],
    ];
    for (const [body, message] of cases) {
      const refused = await api().post('/__usermock/overrides').send(body);
      expect([refused.status, refused.text]).toEqual([400, expect.stringMatching(message)]);
    }
    expect((await api().post('/__usermock/overrides').send('nope')).status).toBe(400);
  });

  it('are what mock.override() makes too, and it throws on what the spec does not allow', async () => {
    running.mock.override('hoop', 'listUsers', 401);
    expect((await api().get('/api/users').set('Authorization', admin())).status).toBe(401);
    running.mock.clearOverrides();
    expect((await api().get('/api/users').set('Authorization', admin())).status).toBe(200);
    expect(() => running.mock.override('hoop', 'listUsers', 500)).toThrow(/documents no 500/);
  });
});

describe('Prefer: code=', () => {
  it('on an undocumented status is an explicit error in each API’s own error shape', async () => {
    const { amani: amaniAuth, haplo: haploAuth } = running.mock.credentials();
    const hoopAnswer = await api().get('/api/users').set('Authorization', admin()).set('Prefer', 'code=500');
    expect([hoopAnswer.status, hoopAnswer.body.message]).toEqual([404, expect.stringContaining('documents no 500 for listUsers')]);
    const amaniAnswer = await api().get('/api/v2/group').set('Authorization', amaniAuth.admin).set('Prefer', 'code=500');
    expect([amaniAnswer.status, amaniAnswer.body.detail]).toEqual([404, expect.stringContaining('documents no 500 for listGroups')]);
    const haploAnswer = await api().get('/api/v0-user/id/128').set('Authorization', haploAuth.admin).set('Prefer', 'code=500');
    expect(haploAnswer.status).toBe(404);
    expect(haploAnswer.body).toMatchObject({ success: false, kind: 'haplo:api-v0:generic:no-response' });
    expect(haploAnswer.body.error.message).toContain('documents no 500 for getUserById');
  });

  it('wins over a standing override for its one request', async () => {
    running.mock.override('hoop', 'listUsers', 401);
    expect((await api().get('/api/users').set('Authorization', admin()).set('Prefer', 'code=200')).status).toBe(200);
  });
});

describe('scenarios', () => {
  it('start each session from the scenario’s users and overrides, and go back to them on reset', async () => {
    const scenario: Scenario = {
      users: 0,
      apis: { hoop: { users: [{ email: 'ada@example.com', role: 'admin' }, { name: 'Grace Hopper' }] } },
      overrides: [{ api: 'hoop', operationId: 'getUserInfo', status: 401 }],
    };
    const mock = createMock({ scenario });
    const users = [...mock.state('hoop').users.values()];
    // The two the credentials belong to, then the scenario's.
    expect(users).toHaveLength(4);
    expect(users[2]).toMatchObject({ email: 'ada@example.com', groups: expect.arrayContaining(['admin']) });
    expect(users[3]).toMatchObject({ name: 'Grace Hopper', groups: expect.not.arrayContaining(['admin']) });
    const session = (name: string) => ({
      method: 'GET',
      path: '/api/userinfo',
      query: new URLSearchParams(),
      headers: { authorization: mock.credentials().hoop.admin, 'x-usermock-session': name },
      body: undefined,
    });
    expect((await mock.handle(session('a'))).status).toBe(401);
    expect(mock.state('hoop', 'b').findByEmail('ada@example.com')).toBeDefined();
    mock.clearOverrides('a');
    expect((await mock.handle(session('a'))).status).toBe(200);
    mock.reset('a');
    expect((await mock.handle(session('a'))).status).toBe(401);
  });

  it('refuse what they cannot start from, listing every problem', () => {
    const wrong = { users: -1, apis: { acme: {} }, overrides: [{ api: 'hoop', operationId: 'listUsers', status: 500 }], extra: true };
    expect(() => checkScenario(wrong, API_MODULES)).toThrow(ScenarioError);
    expect(() =>
      checkScenario({ apis: { acme: {} }, overrides: [{ api: 'hoop', operationId: 'listUsers', status: 500 }] }, API_MODULES),
    ).toThrow(/apis\.acme: no such API[\s\S]*overrides\[0\]: .*documents no 500/);
    // A user its API's create operation refuses by its schema: refused as the mock is made, before anything is created.
    expect(() => createMock({ scenario: { apis: { hoop: { users: [{ email: 'not-an-email' }] } } } })).toThrow(
      /apis\.hoop\.users\[0\]\.email: must be a valid idn-email \(found "not-an-email"\)/,
    );
    // Users only the vendor's state refuses (a duplicate email) fail loudly too, every one with the vendor's own answer.
    const twice = { email: 'twice@example.com' };
    expect(() => createMock({ scenario: { apis: { hoop: { users: [twice, twice, twice] } } } }).credentials()).toThrow(
      /\(2 problems\):\n {2}- apis\.hoop\.users\[1\]: hoop refused it .* answered 409 .*\n {2}- apis\.hoop\.users\[2\]: hoop refused it .* answered 409/,
    );
  });

  it('check every user against its API’s create request before anything is made, listing every problem in the file’s order', () => {
    const scenario = {
      apis: {
        hoop: {
          users: [
            { emial: 'lisa@example.com', role: 'admin' },
            { email: 'grace@example.com', role: 'superuser' },
            { email: 'not-an-email', status: 'gone', id: 'u-1' },
          ],
        },
        amani: { users: [{ email: 'x@', groups: ['admins'] }] },
        haplo: { users: [{ nameFrist: 'Ada', tags: 3 }] },
      },
      overrides: [
        { api: 'hoop', operationId: 'listUsers', status: 401, times: 0 },
        { api: 'hoop', operationId: 'listUsers', status: 401, times: 10_001 },
        { api: 'hoop', operationId: 'listUsers', delay: 60_001 },
        { api: 'hoop', operationId: 'listUsers', delay: -1 },
      ],
    };
    let error: unknown;
    try {
      createMock({ scenario: scenario as Scenario });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).problems).toEqual([
      expect.stringMatching(
        /^apis\.hoop\.users\[0\]\.emial: unknown field \(did you mean "email"\?\): hoop's createUser takes name, email, status, .*; a scenario also role$/,
      ),
      'apis.hoop.users[1].role: must be one of "admin", "standard" (found "superuser")',
      'apis.hoop.users[2].email: must be a valid idn-email (found "not-an-email")',
      'apis.hoop.users[2].status: must be one of "active", "inactive", "invited" (found "gone")',
      expect.stringMatching(/^apis\.hoop\.users\[2\]\.id: read-only: hoop sets it/),
      'apis.amani.users[0].email: must be a valid email (found "x@")',
      'apis.amani.users[0].groups[0]: must be integer (found "admins")',
      expect.stringMatching(
        /^apis\.haplo\.users\[0\]\.nameFrist: unknown field \(did you mean "nameFirst"\?\): haplo's createUser takes nameFirst, /,
      ),
      'apis.haplo.users[0].tags: must be object (found 3)',
      'overrides[0].times: must be >= 1 (found 0)',
      'overrides[1].times: must be <= 10000 (found 10001)',
      'overrides[2].delay: must be <= 60000 (found 60001)',
      'overrides[3].delay: must be >= 0 (found -1)',
    ]);
    expect((error as ScenarioError).details[0]).toEqual({ path: ['apis', 'hoop', 'users', 0, 'emial'], message: expect.any(String) });
    // mock.override() keeps to the same bounds.
    expect(() => createMock().override('hoop', 'listUsers', { status: 401, times: 10_001 })).toThrow(
      /times must be a whole number from 1 to 10000/,
    );
  });

  it('ship ready ones: empty, admins-only, large, errors', async () => {
    const empty = createMock({ scenario: shipped('empty') });
    expect(empty.state('hoop').users.size).toBe(2);
    const adminsOnly = createMock({ scenario: shipped('admins-only') });
    const roles = await mockList(adminsOnly);
    expect(roles.filter((role) => role === 'admin')).toHaveLength(4);
    expect(adminsOnly.state('amani').users.size).toBe(6);
    expect(createMock({ scenario: shipped('large') }).state('hoop').users.size).toBe(10_000);
    const errors = createMock({ scenario: shipped('errors') });
    expect(await mockList(errors).catch((status: number) => status)).toBe(401);
  });
});

/** The roles of `GET /api/users` on a mock; the status when it is not 200. */
async function mockList(mock: ReturnType<typeof createMock>): Promise<string[]> {
  const answer = await mock.handle({
    method: 'GET',
    path: '/api/users',
    query: new URLSearchParams(),
    headers: { authorization: mock.credentials().hoop.admin },
    body: undefined,
  });
  if (answer.status !== 200) throw answer.status;
  return (JSON.parse(answer.body!) as { role: string }[]).map((user) => user.role);
}

describe('the users the credentials belong to', () => {
  it.each([0, 1])('exist with --users %i, so the printed credentials are accepted', async (users) => {
    const mock = createMock({ users });
    const credentials = mock.credentials();
    const call = (path: string, authorization: string) =>
      mock.handle({ method: 'GET', path, query: new URLSearchParams(), headers: { authorization }, body: undefined });
    for (const kind of ['admin', 'standard'] as const) {
      expect((await call('/api/userinfo', credentials.hoop[kind])).status).toBe(200);
      expect((await call('/api/v2/group', credentials.amani[kind])).status).toBe(200);
    }
    expect((await call('/api/v0-user/id/128', credentials.haplo.admin)).status).toBe(200);
    // Haplo's standard key is valid, and only outside the API group.
    expect(JSON.parse((await call('/api/v0-user/id/128', credentials.haplo.standard)).body!).kind).toBe(
      'haplo:api-v0:generic:not-permitted',
    );
  });
});

describe('typed factories', () => {
  it('give bodies each API accepts, with the fields given', async () => {
    const mock = createMock({ users: 2 });
    const made = [
      mock.addUser('hoop', hoop.user({ role: 'admin' })),
      mock.addUser('amani', amani.user({ first_name: 'Ada' })),
      mock.addUser('haplo', haplo.user({ tags: { department: 'finance' } })),
    ];
    expect(made).toMatchObject([{ role: 'admin' }, { first_name: 'Ada' }, { success: true, user: { tags: { department: 'finance' } } }]);
    expect(hoop.user().email).not.toBe(hoop.user().email);
  });
});

describe('spec violations', () => {
  it('are journalled in plain words beside the vendor’s own answer', async () => {
    // hoop does not check `status`: the vendor answers 201, and the mock says what broke the spec.
    const created = await api()
      .post('/api/users')
      .set('Authorization', admin())
      .send({ email: 'v@example.com', status: 'reviewing', colour: 'blue' });
    expect(created.status).toBe(201);
    await api().get('/api/users');
    await api().get('/api/users/groups/nope');
    const [wrongBody, noAuth, noOperation] = running.mock.journal.list().slice(-3);
    expect(wrongBody!.violations).toEqual([
      expect.stringMatching(/field "status" must be one of "active", "inactive", "invited" \(createUser/),
    ]);
    expect(noAuth!.violations).toEqual(['listUsers needs credentials and the request has no Authorization header']);
    expect(noOperation!.violations).toEqual(["GET /api/users/groups/nope is no operation of hoop's spec"]);
    await api().get('/api/users').set('Authorization', admin());
    expect(running.mock.journal.list().at(-1)).not.toHaveProperty('violations');
  });
});

describe('MSW handlers with onSpecViolation', () => {
  const mock = createMock({ users: 2 });
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  afterEach(() => server.resetHandlers());
  const post = (body: unknown) =>
    fetch('http://api.test/api/users', {
      method: 'POST',
      headers: { authorization: mock.credentials().hoop.admin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('warn: logs the violation and answers as the vendor', async () => {
    server.use(...createHandlers(mock, { onSpecViolation: 'warn' }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect((await post({ email: 'w@example.com', status: 'reviewing' })).status).toBe(201);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/POST \/api\/users breaks the spec: field "status" must be one of/));
      warn.mockClear();
      expect((await post({ email: 'fine@example.com' })).status).toBe(201);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('throw: the test sees a 500 naming the violation', async () => {
    server.use(...createHandlers(mock, { onSpecViolation: 'throw' }));
    const answer = await post({ email: 't@example.com', status: 'reviewing' });
    expect(answer.status).toBe(500);
    expect(JSON.stringify(await answer.json())).toMatch(/SpecViolationError.*field \\"status\\"/);
  });

  it('off (the default): says nothing', async () => {
    server.use(
      ...createHandlers(mock),
      http.get('http://api.test/other', () => HttpResponse.text('ok')),
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect((await post({ email: 'o@example.com', status: 'reviewing' })).status).toBe(201);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
