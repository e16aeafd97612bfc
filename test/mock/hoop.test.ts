import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiSpec } from '../../specs/index.ts';
import { expectConformant } from '../helpers/conformance.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

let running: RunningMock;
let admin: string;
let standard: string;

beforeAll(async () => {
  running = await startMock({ users: 12 });
  ({ admin, standard } = running.mock.credentials().hoop);
});
afterAll(() => running.close());
beforeEach(() => running.mock.reset());

const api = () => request(running.url);
const newUser = { email: 'ada@example.com', name: 'Ada Lovelace', groups: ['sre'], slack_id: 'U0ADA', picture: '', status: 'active' };

describe('hoop users', () => {
  it('creates, reads back by email and id, replaces, deletes, then 404s', async () => {
    const created = await api().post('/api/users').set('Authorization', admin).send(newUser);
    expect(created.status).toBe(201);
    expectConformant('hoop', 'createUser', created);
    expect(created.body).toMatchObject({ ...newUser, role: 'standard' });
    expect(created.headers['content-type']).toBe('application/json; charset=utf-8');
    const id = created.body.id as string;

    for (const key of [newUser.email, id]) {
      const read = await api().get(`/api/users/${key}`).set('Authorization', standard);
      expect(read.status).toBe(200);
      expectConformant('hoop', 'getUser', read);
      expect(read.body).toEqual(created.body);
    }

    const list = await api().get('/api/users').set('Authorization', standard);
    expectConformant('hoop', 'listUsers', list);
    expect(list.body.map((user: { id: string }) => user.id)).toContain(id);
    expect(list.body).toHaveLength(13);

    const replaced = await api()
      .put(`/api/users/${id}`)
      .set('Authorization', admin)
      .send({ email: 'ignored@example.com', name: 'Ada King', groups: ['admin'], status: 'inactive', role: 'standard', password: 'x' });
    expect(replaced.status).toBe(200);
    expectConformant('hoop', 'updateUser', replaced);
    expect(replaced.body).toMatchObject({
      email: newUser.email,
      name: 'Ada King',
      groups: ['admin'],
      status: 'inactive',
      role: 'admin',
      slack_id: '',
      picture: '',
    });
    expect((await api().get(`/api/users/${id}`).set('Authorization', admin)).body.name).toBe('Ada King');

    const deleted = await api().delete(`/api/users/${newUser.email}`).set('Authorization', admin);
    expect(deleted.status).toBe(204);
    expectConformant('hoop', 'deleteUser', deleted);
    const gone = await api().get(`/api/users/${id}`).set('Authorization', admin);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ message: `user ${id} not found` });
    expectConformant('hoop', 'getUser', gone);

    expect((await api().post('/api/users').set('Authorization', admin).send(newUser)).status).toBe(201);
  });

  it('echoes a password on create and never invents one', async () => {
    const withPassword = await api().post('/api/users').set('Authorization', admin).send({ email: 'p@example.com', password: 's3cret' });
    expect(withPassword.body.password).toBe('s3cret');
    const without = await api().post('/api/users').set('Authorization', admin).send({ email: 'np@example.com' });
    expect(without.body).not.toHaveProperty('password');
    expect(without.body).toMatchObject({ status: 'active', groups: [], role: 'standard' });
  });

  it('returns a password only in the create echo, never on a read, list or update', async () => {
    await api().post('/api/users').set('Authorization', admin).send({ email: 'p@example.com', password: 's3cret' });
    const read = await api().get('/api/users/p@example.com').set('Authorization', admin);
    const list = await api().get('/api/users').set('Authorization', admin);
    const put = await api().put('/api/users/p@example.com').set('Authorization', admin).send({ email: 'p@example.com', status: 'active' });
    const listed = list.body.find((user: { email: string }) => user.email === 'p@example.com');
    for (const user of [read.body, listed, put.body]) expect(user).not.toHaveProperty('password');
  });

  it('echoes role as sent on create (drift), and computes it from the groups everywhere else', async () => {
    const created = await api()
      .post('/api/users')
      .set('Authorization', admin)
      .send({ email: 'r@example.com', groups: ['sre'], role: 'admin' });
    expect([created.status, created.body.role]).toEqual([201, 'admin']);
    expectConformant('hoop', 'createUser', created);
    expect((await api().get('/api/users/r@example.com').set('Authorization', admin)).body.role).toBe('standard');
  });

  it('takes what encoding/json takes: a status outside the enum, null as absent, any role to echo', async () => {
    const created = await api()
      .post('/api/users')
      .set('Authorization', admin)
      .send({ email: 'n@example.com', name: null, groups: null, status: 'reviewing', role: 'auditor' });
    expect([created.status, created.body.name, created.body.groups, created.body.status, created.body.role]).toEqual([
      201,
      '',
      [],
      'reviewing',
      'auditor',
    ]);
    const read = await api().get('/api/users/n@example.com').set('Authorization', admin);
    expect([read.body.status, read.body.role]).toEqual(['reviewing', 'standard']);
    const put = await api()
      .put('/api/users/n@example.com')
      .set('Authorization', admin)
      .send({ email: 'n@example.com', name: 'N', slack_id: null, status: 'reviewing' });
    expect([put.status, put.body.name, put.body.slack_id, put.body.status]).toEqual([200, 'N', '', 'reviewing']);
    // The spec lists `reviewing` as known drift: the contract suite marks it so, and passes it with --allow-drift.
    for (const answer of [created, read, put])
      expectConformant('hoop', answer === created ? 'createUser' : answer === read ? 'getUser' : 'updateUser', answer);
  });

  it("takes an internationalised address, as Go's net/mail does", async () => {
    const created = await api().post('/api/users').set('Authorization', admin).send({ email: 'zoë@exämple.cöm' });
    expect([created.status, created.body.email]).toEqual([201, 'zoë@exämple.cöm']);
    expectConformant('hoop', 'createUser', created);
    expect((await api().post('/api/users').set('Authorization', admin).send({ email: 'zoë at exämple' })).status).toBe(422);
  });

  it('ignores the server-assigned id in a body: it is never checked as a uuid', async () => {
    const created = await api().post('/api/users').set('Authorization', admin).send({ email: 'i@example.com', id: 'chosen-by-client' });
    expect(created.status).toBe(201);
    expect(created.body.id).not.toBe('chosen-by-client');
    const put = await api()
      .put('/api/users/i@example.com')
      .set('Authorization', admin)
      .send({ email: 'other@example.com', id: 'chosen-by-client', name: 'Ida', status: 'active' });
    expect([put.status, put.body.email, put.body.id, put.body.name]).toEqual([200, 'i@example.com', created.body.id, 'Ida']);
    expectConformant('hoop', 'updateUser', put);
  });

  it("reports the decoder's type error before the validator's, in encoding/json's words", async () => {
    const post = (body: object) => api().post('/api/users').set('Authorization', admin).send(body);
    const cases: Array<[object, string]> = [
      [{ name: 42 }, 'json: cannot unmarshal number into Go struct field User.name of type string'],
      [{ email: '', name: 42 }, 'json: cannot unmarshal number into Go struct field User.name of type string'],
      [{ email: 'x@example.com', groups: ['sre', 1] }, 'json: cannot unmarshal number into Go struct field User.groups of type string'],
      [{ email: 'x@example.com', verified: 'yes' }, 'json: cannot unmarshal string into Go struct field User.verified of type bool'],
      [{ email: 'x@example.com', status: 1 }, 'json: cannot unmarshal number into Go struct field User.status of type openapi.StatusType'],
    ];
    for (const [body, message] of cases) {
      const answer = await post(body);
      expect({ body, status: answer.status, message: answer.body.message }).toEqual({ body, status: 400, message });
      expectConformant('hoop', 'createUser', answer);
    }
  });

  it('answers every create error with the documented status and message', async () => {
    const post = (body: string | object) =>
      api().post('/api/users').set('Authorization', admin).set('Content-Type', 'application/json').send(body);
    const cases: Array<[string | object, number, string]> = [
      [{ name: 'No Email' }, 400, "Key: 'User.Email' Error:Field validation for 'Email' failed on the 'required' tag"],
      [{ email: '' }, 400, "Key: 'User.Email' Error:Field validation for 'Email' failed on the 'required' tag"],
      [{ email: 'not-an-email' }, 422, 'invalid email'],
      [{ email: 'x@example.com', name: 42 }, 400, 'json: cannot unmarshal number into Go struct field User.name of type string'],
      [{ email: 'x@example.com', groups: 'sre' }, 400, 'json: cannot unmarshal string into Go struct field User.groups of type []string'],
      ['{"email": }', 400, "invalid character '}' looking for beginning of value"],
      ['[1,2]', 400, 'json: cannot unmarshal array into Go value of type openapi.User'],
      [
        { ...newUser, email: running.mock.state('hoop').users.values().next().value!.email },
        409,
        `user already exists with email ${running.mock.state('hoop').users.values().next().value!.email}`,
      ],
    ];
    for (const [body, status, message] of cases) {
      const answer = await post(body);
      expect({ body, status: answer.status, message: answer.body.message }).toEqual({ body, status, message });
      expectConformant('hoop', 'createUser', answer);
    }
    const empty = await api().post('/api/users').set('Authorization', admin);
    expect([empty.status, empty.body]).toEqual([400, { message: 'EOF' }]);
  });

  it('refuses an admin deactivating or deleting themself, and keeps their admin group', async () => {
    const me = (await api().get('/api/userinfo').set('Authorization', admin)).body;
    const deactivate = await api().put(`/api/users/${me.email}`).set('Authorization', admin).send({ email: me.email, status: 'inactive' });
    expect([deactivate.status, deactivate.body]).toEqual([422, { message: 'cannot deactivate yourself' }]);
    const noStatus = await api()
      .put(`/api/users/${me.id}`)
      .set('Authorization', admin)
      .send({ email: me.email, groups: ['sre'] });
    expect([noStatus.status, noStatus.body]).toEqual([422, { message: 'cannot deactivate yourself' }]);
    expectConformant('hoop', 'updateUser', noStatus);
    const kept = await api()
      .put(`/api/users/${me.id}`)
      .set('Authorization', admin)
      .send({ email: me.email, groups: ['sre'], status: 'active' });
    expect(kept.status).toBe(200);
    expect(kept.body.groups).toEqual(['sre', 'admin']);
    const del = await api().delete(`/api/users/${me.id}`).set('Authorization', admin);
    expect([del.status, del.body]).toEqual([422, { message: 'cannot delete yourself' }]);
    expectConformant('hoop', 'deleteUser', del);
  });

  it('checks existence before the body on PUT and DELETE', async () => {
    const put = await api().put('/api/users/nobody@example.com').set('Authorization', admin).send('garbage');
    expect([put.status, put.body]).toEqual([404, { message: 'user nobody@example.com not found' }]);
    expectConformant('hoop', 'updateUser', put);
    const missingEmail = await api()
      .put(`/api/users/${running.mock.state('hoop').users.values().next().value!.id}`)
      .set('Authorization', admin)
      .send({ name: 'x' });
    expect(missingEmail.status).toBe(400);
    const del = await api().delete('/api/users/nobody@example.com').set('Authorization', admin);
    expect(del.status).toBe(404);
  });
});

describe('hoop auth', () => {
  it('answers 401 for a missing, malformed or unknown token', async () => {
    for (const authorization of [
      undefined,
      admin.toLowerCase(),
      admin.replace(' ', '  '),
      'Bearer',
      'Bearer nope',
      `Basic ${admin.slice(7)}`,
    ]) {
      const req = api().get('/api/users');
      const answer = await (authorization === undefined ? req : req.set('Authorization', authorization));
      expect([authorization, answer.status, answer.body]).toEqual([authorization, 401, { message: 'access denied' }]);
      expectConformant('hoop', 'listUsers', answer);
    }
  });

  it('answers 403 to a standard user on admin routes and lets them read', async () => {
    for (const [method, path, operationId] of [
      ['post', '/api/users', 'createUser'],
      ['put', '/api/users/x@example.com', 'updateUser'],
      ['delete', '/api/users/x@example.com', 'deleteUser'],
      ['post', '/api/users/groups', 'createGroup'],
      ['delete', '/api/users/groups/sre', 'deleteGroup'],
    ] as const) {
      const answer = await api()[method](path).set('Authorization', standard).send({ email: 'x@example.com', name: 'x' });
      expect([path, answer.status, answer.body]).toEqual([path, 403, { message: 'access denied' }]);
      expectConformant('hoop', operationId, answer);
    }
    expect((await api().get('/api/users').set('Authorization', standard)).status).toBe(200);
  });

  it('refuses the token of a user who is no longer active', async () => {
    const me = (await api().get('/api/userinfo').set('Authorization', standard)).body;
    await api().put(`/api/users/${me.id}`).set('Authorization', admin).send({ email: me.email, status: 'inactive' });
    expect((await api().get('/api/userinfo').set('Authorization', standard)).status).toBe(401);
  });

  it('describes the caller on /api/userinfo', async () => {
    const info = await api().get('/api/userinfo').set('Authorization', admin);
    expect(info.status).toBe(200);
    expectConformant('hoop', 'getUserInfo', info);
    expect(info.body).toMatchObject({ role: 'admin', is_admin: true, status: 'active' });
    const standardInfo = await api().get('/api/userinfo').set('Authorization', standard);
    expect(standardInfo.body).toMatchObject({ role: 'standard', is_admin: false });
  });
});

describe('hoop groups and slack', () => {
  it('creates, conflicts on, lists and deletes groups, removing them from members', async () => {
    const created = await api().post('/api/users/groups').set('Authorization', admin).send({ name: 'oncall' });
    expect([created.status, created.body]).toEqual([201, { name: 'oncall' }]);
    expectConformant('hoop', 'createGroup', created);
    const again = await api().post('/api/users/groups').set('Authorization', admin).send({ name: 'oncall' });
    expect([again.status, again.body]).toEqual([409, { message: 'group oncall already exists' }]);
    const missing = await api().post('/api/users/groups').set('Authorization', admin).send({});
    expect([missing.status, missing.body.message]).toEqual([
      400,
      "Key: 'UserGroup.Name' Error:Field validation for 'Name' failed on the 'required' tag",
    ]);

    await api()
      .post('/api/users')
      .set('Authorization', admin)
      .send({ email: 'm@example.com', groups: ['oncall', 'sre'] });
    const list = await api().get('/api/users/groups').set('Authorization', standard);
    expectConformant('hoop', 'listGroups', list);
    expect(list.body).toContain('oncall');

    const listedGroups = async () =>
      ((await api().get('/api/users').set('Authorization', admin)).body as Array<{ email: string; groups: string[] }>).find(
        (user) => user.email === 'm@example.com',
      )?.groups;
    expect(await listedGroups()).toEqual(['oncall', 'sre']);
    const deleted = await api().delete('/api/users/groups/oncall').set('Authorization', admin);
    expect(deleted.status).toBe(204);
    expect((await api().get('/api/users/m@example.com').set('Authorization', admin)).body.groups).toEqual(['sre']);
    // The user list shows it too (it is serialised once per change, so every change must count as one).
    expect(await listedGroups()).toEqual(['sre']);
    const notFound = await api().delete('/api/users/groups/oncall').set('Authorization', admin);
    expect([notFound.status, notFound.body]).toEqual([404, { message: 'group oncall not found' }]);
    const adminGroup = await api().delete('/api/users/groups/admin').set('Authorization', admin);
    expect([adminGroup.status, adminGroup.body]).toEqual([422, { message: 'cannot delete admin group admin' }]);
    expectConformant('hoop', 'deleteGroup', adminGroup);
  });

  it('answers JSON null for the group list when there are no groups', async () => {
    const state = running.mock.state('hoop');
    const saved = [...state.groups];
    state.groups.clear();
    const list = await api().get('/api/users/groups').set('Authorization', standard);
    expect(list.text).toBe('null');
    expectConformant('hoop', 'listGroups', list);
    for (const group of saved) state.groups.add(group);
  });

  it("sets the caller's slack id", async () => {
    // Listed first, so a list answered from before the change would show.
    expect((await api().get('/api/users').set('Authorization', standard)).status).toBe(200);
    const patched = await api().patch('/api/users/self/slack').set('Authorization', standard).send({ slack_id: 'U999' });
    expect(patched.status).toBe(200);
    expectConformant('hoop', 'updateSelfSlack', patched);
    expect(patched.body.slack_id).toBe('U999');
    const listed = (await api().get('/api/users').set('Authorization', standard)).body as Array<{ id: string; slack_id: string }>;
    expect(listed.find((user) => user.id === patched.body.id)?.slack_id).toBe('U999');
    const missing = await api().patch('/api/users/self/slack').set('Authorization', standard).send({});
    expect(missing.status).toBe(400);
    expectConformant('hoop', 'updateSelfSlack', missing);
  });

  it('never takes /api/users/groups for a user lookup, and 404s unknown routes in plain text', async () => {
    expect(Array.isArray((await api().get('/api/users/groups').set('Authorization', admin)).body)).toBe(true);
    const unknown = await api().get('/api/users/self/nothing').set('Authorization', admin);
    expect([unknown.status, unknown.text, unknown.headers['content-type']]).toEqual([
      404,
      '404 page not found',
      'text/plain; charset=utf-8',
    ]);
    // A path none of the APIs owns is the mock's, not hoop's: it says so.
    const unowned = await api().get('/api/nothing').set('Authorization', admin);
    expect([unowned.status, unowned.text]).toEqual([404, 'usermock: no API here (GET /api/nothing)']);
    const wrongMethod = await api().patch('/api/users').set('Authorization', admin);
    expect([wrongMethod.status, wrongMethod.text]).toEqual([404, '404 page not found']);
  });

  it('answers a method /api/users/groups lacks as an unknown route, not as a lookup of user "groups"', async () => {
    for (const method of ['put', 'delete'] as const) {
      const answer = await api()[method]('/api/users/groups').set('Authorization', admin).send({ email: 'groups@example.com' });
      expect([method, answer.status, answer.text, answer.headers['content-type']]).toEqual([
        method,
        404,
        '404 page not found',
        'text/plain; charset=utf-8',
      ]);
    }
  });
});

describe('hoop seed', () => {
  it('seeds the users the spec documents first, counted in `users`, with the credentials of its admin and standard user', async () => {
    const state = running.mock.state('hoop');
    expect([...state.users.values()].slice(0, 4).map((user) => user.email)).toEqual([
      'jane@example.com',
      'jsmith@example.com',
      'alex.kim@example.org',
      'robin.park@example.com',
    ]);
    expect(state.users.size).toBe(12);
    const [adminInfo, standardInfo] = await Promise.all(
      [admin, standard].map((authorization) => api().get('/api/userinfo').set('Authorization', authorization)),
    );
    expect([adminInfo.body.email, adminInfo.body.role, standardInfo.body.email, standardInfo.body.role]).toEqual([
      'jane@example.com',
      'admin',
      'jsmith@example.com',
      'standard',
    ]);
    // The seeded users are the documented list example, as the mock presents them.
    const list = await api().get('/api/users').set('Authorization', admin);
    const organization = apiSpec('hoop')
      .seededExamples()
      .find((example) => example.name === 'organization')!;
    expect(list.body.slice(0, 4)).toEqual(organization.value);
  });
});
