import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { haplo, HaploState, type HaploRecord } from '../../mocks/apis/haplo/index.ts';
import { seededFaker } from '../../specs/faker.ts';
import { createMock } from '../../mocks/index.ts';
import { apiSpec } from '../../specs/index.ts';
import { expectConformant, type Answer } from '../helpers/conformance.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

const PLATFORM = 'org.jruby.exceptions.RaiseException: (JavaScriptAPIError) ';
const FAILED_VALIDATION = 'Bad request (failed validation)';
const USER_FIELDS = [
  'id',
  'nameFirst',
  'nameLast',
  'name',
  'code',
  'email',
  'ref',
  'isGroup',
  'isActive',
  'isSuperUser',
  'isServiceUser',
  'isAnonymous',
  'localeId',
  'tags',
  'directGroupMembership',
];

let running: RunningMock;
let admin: string;
let standard: string;

beforeAll(async () => {
  running = await startMock({ users: 12 });
  ({ admin, standard } = running.mock.credentials().haplo);
});
afterAll(() => running.close());
beforeEach(() => running.mock.reset());

const state = () => running.mock.state('haplo');
const people = () =>
  state()
    .principals()
    .filter((p) => !p.isGroup && !p.isServiceUser);
const adminUser = () => people()[0]!;
const group = (code: string) => state().group(code)!;
const missingId = () => state().next + 100;

const get = (path: string, authorization = admin) => request(running.url).get(path).set('Authorization', authorization);
function post(path: string, body?: string | object, authorization = admin) {
  const req = request(running.url).post(path).set('Authorization', authorization);
  if (body === undefined) return req;
  return req.set('Content-Type', 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body));
}
const create = (body: object, query = '') => post(`/api/v0-user/create${query}`, body);
const newPerson = { nameFirst: 'First', nameLast: 'Last', email: 'first.last@example.com' };

function expectFailure(answer: request.Response, operationId: string, status: number, kind: string, message: string): void {
  expect({ status: answer.status, body: answer.body }).toEqual({ status, body: { success: false, kind, error: { message } } });
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expectConformant('haplo', operationId, answer);
}

function expectFailedValidation(answer: request.Response, operationId: string): void {
  expect([answer.status, answer.text, answer.headers['content-type']]).toEqual([400, FAILED_VALIDATION, 'text/plain; charset=utf-8']);
  expectConformant('haplo', operationId, answer);
}

describe('haplo user lifecycle', () => {
  it('creates, reads by id and tag, finds, updates, blocks and reactivates a user', async () => {
    const staff = group('haplo:group:staff');
    const created = await create(
      {
        ...newPerson,
        localeId: 'en',
        tags: { username: 'abc123', flag: 'other' },
        directGroupMembership: ['std:group:administrators', 'std:group:everyone', 'haplo:group:staff'],
      },
      '?welcomeLink=1',
    );
    expect(created.status).toBe(200);
    expectConformant('haplo', 'createUser', created);
    expect(created.headers['content-type']).toBe('application/json; charset=utf-8');
    const id = created.body.user.id as number;
    expect(Object.keys(created.body)).toEqual(['success', 'kind', 'welcomeLink', 'user']);
    expect(Object.keys(created.body.user)).toEqual(USER_FIELDS);
    expect(created.body.welcomeLink).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:\\d+/do/authentication/welcome/${id}-[0-9a-f]{16}$`));
    const user = {
      id,
      nameFirst: 'First',
      nameLast: 'Last',
      name: 'First Last',
      code: null,
      email: 'first.last@example.com',
      ref: null,
      isGroup: false,
      isActive: true,
      isSuperUser: false,
      isServiceUser: false,
      isAnonymous: false,
      localeId: 'en',
      tags: { username: 'abc123', flag: 'other' },
      directGroupMembership: ['std:group:administrators', 'haplo:group:staff'],
    };
    expect(created.body).toMatchObject({ success: true, kind: 'haplo:api-v0:user:create', user });

    const byId = await get(`/api/v0-user/id/${id}`);
    expectConformant('haplo', 'getUserById', byId);
    expect(byId.body).toEqual({ success: true, kind: 'haplo:api-v0:user:details', user });

    const byTag = await get('/api/v0-user/id?tag:username=abc123&tag:flag=other');
    expectConformant('haplo', 'getUserByTag', byTag);
    expect(byTag.body).toEqual(byId.body);

    const found = await get('/api/v0-user/find-by-tag?tag:flag=other');
    expectConformant('haplo', 'findByTag', found);
    expect(found.body).toEqual({ success: true, kind: 'haplo:api-v0:user:find-by-tag', users: [id] });

    const updated = await post(`/api/v0-user/id/${id}`, {
      nameFirst: 'Alison',
      tags: { department: 'finance' },
      directGroupMembership: ['haplo:group:researchers'],
      name: 'ignored',
      isActive: false,
    });
    expect(updated.status).toBe(200);
    expectConformant('haplo', 'updateUserById', updated);
    expect(updated.body).toEqual({
      success: true,
      kind: 'haplo:api-v0:user:update',
      user: {
        ...user,
        nameFirst: 'Alison',
        name: 'Alison Last',
        tags: { username: 'abc123', flag: 'other', department: 'finance' },
        directGroupMembership: ['haplo:group:researchers'],
      },
    });
    expect((await get(`/api/v0-user/group/haplo:group:staff`)).body.users).not.toContain(id);
    expect(state().get(id)!.groups).not.toContain(staff.id);

    const blocked = await post(`/api/v0-user/enable/${id}?status=block`);
    expect(blocked.status).toBe(200);
    expectConformant('haplo', 'enableUser', blocked);
    expect(blocked.body).toEqual({ success: true, kind: 'haplo:api-v0:user:enable', user: { ...updated.body.user, isActive: false } });
    const members = await get('/api/v0-user/group/haplo:group:researchers');
    expectConformant('haplo', 'getGroup', members);
    expect(members.body.users).not.toContain(id);
    // Blocked users keep their tags and are still found by them.
    expect((await get('/api/v0-user/find-by-tag?tag:username=abc123')).body.users).toEqual([id]);

    const active = await post(`/api/v0-user/enable/${id}/?status=active`);
    expect(active.body.user.isActive).toBe(true);
    expect((await get('/api/v0-user/group/haplo:group:researchers')).body.users).toContain(id);
  });

  it('includes a welcome link only for a non-zero welcomeLink', async () => {
    const cases = [
      ['', false],
      ['?welcomeLink=0', false],
      ['?welcomeLink=', false],
      ['?welcomeLink=-1', true],
      ['?welcomeLink=01', true],
    ] as const;
    for (const [i, [query, hasLink]] of cases.entries()) {
      const answer = await create({ ...newPerson, email: `w${i}@example.com` }, query);
      expect([query, answer.status, 'welcomeLink' in answer.body]).toEqual([query, 200, hasLink]);
      expectConformant('haplo', 'createUser', answer);
    }
  });

  it('accepts a Haplo ref, a Welsh locale and a group without an API code', async () => {
    const visiting = state()
      .principals()
      .find((p) => p.isGroup && p.code === null)!;
    const created = await create({
      ...newPerson,
      ref: '08xy5z',
      localeId: 'cy',
      directGroupMembership: [`group:${visiting.id}`, 'group:0'],
    });
    expectConformant('haplo', 'createUser', created);
    expect(created.body.user).toMatchObject({ ref: '8xy5z', localeId: 'cy', directGroupMembership: [`group:${visiting.id}`] });
    const members = await get(`/api/v0-user/group/group:${visiting.id}`);
    expectConformant('haplo', 'getGroup', members);
    expect(members.body.group).toMatchObject({
      id: visiting.id,
      code: null,
      name: 'Visiting Fellows',
      isGroup: true,
      isAnonymous: true,
      nameFirst: null,
      email: null,
    });
    expect(members.body.users).toContain(created.body.user.id);
  });
});

describe('haplo createUser errors', () => {
  it('answers each documented failure with the vendor kind and wording, in the plugin order', async () => {
    const seeded = people()[2]!;
    const username = people().find((p) => p.tags.username)!.tags.username!;
    const cases: Array<[string | object, string, string]> = [
      [{ nameFirst: 'Bob' }, 'haplo:api-v0:generic:exception', `${PLATFORM}User must have a non-empty String nameLast attribute`],
      [{}, 'haplo:api-v0:generic:exception', `${PLATFORM}User must have a non-empty String nameFirst attribute`],
      [
        { ...newPerson, nameFirst: '' },
        'haplo:api-v0:generic:exception',
        `${PLATFORM}User must have a non-empty String nameFirst attribute`,
      ],
      [{ nameFirst: 'A', nameLast: 'B' }, 'haplo:api-v0:generic:exception', `${PLATFORM}User must have a non-empty String email attribute`],
      [{ ...newPerson, email: 42 }, 'haplo:api-v0:generic:exception', `${PLATFORM}User must have a non-empty String email attribute`],
      [{ ...newPerson, email: 'not-an-email' }, 'haplo:api-v0:generic:exception', `${PLATFORM}User must have a valid email address`],
      [{ ...newPerson, localeId: 'fr' }, 'haplo:api-v0:generic:exception', `${PLATFORM}Unknown locale: fr`],
      [
        { ...newPerson, tags: { flag: 5 } },
        'haplo:api-v0:generic:exception',
        `${PLATFORM}tags attribute must be a dictionary of string to string`,
      ],
      [
        { ...newPerson, tags: 'flag' },
        'haplo:api-v0:generic:exception',
        `${PLATFORM}tags attribute must be a dictionary of string to string`,
      ],
      [
        { ...newPerson, directGroupMembership: ['haplo:group:finance-team'] },
        'haplo:api-v0:generic:exception',
        'Group with code haplo:group:finance-team does not exist',
      ],
      [
        { ...newPerson, directGroupMembership: ['group:999999'] },
        'haplo:api-v0:generic:exception',
        'Group with code group:999999 does not exist',
      ],
      [
        { ...newPerson, directGroupMembership: [`group:${seeded.id}`] },
        'haplo:api-v0:generic:exception',
        `Group with code group:${seeded.id} does not exist`,
      ],
      [
        { ...newPerson, ref: { id: 'notARef' } },
        'haplo:api-v0:generic:exception',
        'Could not add ref [object Object] to user as it is not a valid reference to an object',
      ],
      [
        { ...newPerson, ref: 'notARef' },
        'haplo:api-v0:user:creation-failed',
        'Could not add ref notARef to user as it is not a valid reference to an object',
      ],
      [
        { ...newPerson, ref: 'test' },
        'haplo:api-v0:user:creation-failed',
        'Could not add ref test to user as it is not a valid reference to an object',
      ],
      [
        { ...newPerson, email: seeded.email!.toUpperCase() },
        'haplo:api-v0:user:creation-failed',
        `Could not create new user, as user already exists with email address ${seeded.email!.toUpperCase()}`,
      ],
      [
        { ...newPerson, tags: { username: username.toUpperCase() } },
        'haplo:api-v0:user:creation-failed',
        `Could not create new user, as user already exists with username tag ${username.toUpperCase()}`,
      ],
      // The plugin checks the email, username, ref and groups before the platform checks the names.
      [
        { email: seeded.email! },
        'haplo:api-v0:user:creation-failed',
        `Could not create new user, as user already exists with email address ${seeded.email}`,
      ],
      [{ directGroupMembership: ['nope'] }, 'haplo:api-v0:generic:exception', 'Group with code nope does not exist'],
      ['null', 'haplo:api-v0:generic:exception', 'Cannot read property "email" from null'],
      ['"text"', 'haplo:api-v0:generic:exception', 'Must pass an object containing details to O.setup.createUser()'],
    ];
    for (const [body, kind, message] of cases) {
      const answer = await post('/api/v0-user/create', body);
      expect({ body, status: answer.status, kind: answer.body.kind, message: answer.body.error?.message }).toEqual({
        body,
        status: 400,
        kind,
        message,
      });
      expectConformant('haplo', 'createUser', answer);
    }
    expect(state().findByEmail(newPerson.email)).toBeUndefined();
  });

  it('answers a missing or broken body and a non-integer welcomeLink in plain text, before the permission check', async () => {
    for (const [body, query] of [
      [undefined, ''],
      ['', ''],
      ['{"nameFirst": }', ''],
      ['  ', ''],
      [newPerson, '?welcomeLink=abc'],
      [newPerson, '?welcomeLink=1.5'],
    ] as const) {
      expectFailedValidation(await post(`/api/v0-user/create${query}`, body), 'createUser');
      expectFailedValidation(await post(`/api/v0-user/create${query}`, body, standard), 'createUser');
    }
  });
});

describe('haplo getUserById and getUserByTag', () => {
  it('shows a service user and a group as principals', async () => {
    const service = state()
      .principals()
      .find((p) => p.isServiceUser)!;
    const answer = await get(`/api/v0-user/id/${service.id}?tag:username=nobody`);
    expectConformant('haplo', 'getUserById', answer);
    expect(answer.body.user).toEqual({
      id: service.id,
      nameFirst: null,
      nameLast: null,
      name: 'API v0: User',
      code: 'haplo:service-user:api-v0:user',
      email: null,
      ref: null,
      isGroup: false,
      isActive: true,
      isSuperUser: false,
      isServiceUser: true,
      isAnonymous: false,
      localeId: 'en',
      tags: {},
      directGroupMembership: ['haplo:group:api-v0:user-api'],
    });
    const apiGroup = await get(`/api/v0-user/id/${group('haplo:group:api-v0:user-api').id}`);
    expect(apiGroup.body.user).toMatchObject({
      name: 'API v0: User',
      code: 'haplo:group:api-v0:user-api',
      isGroup: true,
      isAnonymous: true,
      localeId: 'en',
      directGroupMembership: [],
    });
  });

  it('answers every lookup failure with its documented kind', async () => {
    await create({ ...newPerson, tags: { flag: 'other' } });
    await create({ ...newPerson, email: 'second@example.com', tags: { flag: 'other' } });
    const missing = missingId();
    const cases: Array<[string, string, number, string, string]> = [
      [
        '/api/v0-user/id',
        'getUserByTag',
        400,
        'haplo:api-v0:user:no-details-provided',
        'Either a user ID in the path of the request, or a tag query in the parameters must be provided.',
      ],
      [
        '/api/v0-user/id/',
        'getUserByTag',
        400,
        'haplo:api-v0:user:no-details-provided',
        'Either a user ID in the path of the request, or a tag query in the parameters must be provided.',
      ],
      [
        '/api/v0-user/id/0',
        'getUserById',
        400,
        'haplo:api-v0:user:no-details-provided',
        'Either a user ID in the path of the request, or a tag query in the parameters must be provided.',
      ],
      [
        '/api/v0-user/id?usajfsdl=jsadlkfj',
        'getUserByTag',
        400,
        'haplo:api-v0:user:no-tag-query-provided',
        'A tag query was expected in the parameters of this request, but was not provided. To be included in a tag query, tag names must be prefixed by tag:',
      ],
      [
        '/api/v0-user/id?tag:username=nobody',
        'getUserByTag',
        404,
        'haplo:api-v0:user:no-user-found',
        'Tag query username=nobody returned no users.',
      ],
      [
        '/api/v0-user/id?tag:username=nobody&tag:flag=other',
        'getUserByTag',
        404,
        'haplo:api-v0:user:no-user-found',
        'Tag query undefined returned no users.',
      ],
      [
        '/api/v0-user/id?tag:flag=other',
        'getUserByTag',
        404,
        'haplo:api-v0:user:multiple-users-found',
        'Tag query flag=other returned more than one result.',
      ],
      // Id 0 is "no id": the tag query decides (the spec files this under getUserByTag's kinds).
      [
        '/api/v0-user/id/0?tag:flag=other',
        'getUserByTag',
        404,
        'haplo:api-v0:user:multiple-users-found',
        'Tag query flag=other returned more than one result.',
      ],
      [`/api/v0-user/id/${missing}`, 'getUserById', 404, 'haplo:api-v0:user:no-such-user', `User ID ${missing} does not exist`],
      ['/api/v0-user/id/-3', 'getUserById', 404, 'haplo:api-v0:user:no-such-user', 'User ID -3 does not exist'],
    ];
    for (const [path, operationId, status, kind, message] of cases) expectFailure(await get(path), operationId, status, kind, message);
    for (const path of ['/api/v0-user/id/abc', '/api/v0-user/id/1.5', '/api/v0-user/id/1e3'])
      expectFailedValidation(await get(path), 'getUserById');
  });

  it('matches tag values exactly and usernames by the tag query', async () => {
    const user = people().find((p) => p.tags.username)!;
    const answer = await get(`/api/v0-user/id/?tag:username=${user.tags.username}`);
    expect(answer.body.user.id).toBe(user.id);
    expect((await get(`/api/v0-user/id?tag:username=${user.tags.username!.toUpperCase()}`)).status).toBe(404);
  });
});

describe('haplo updateUser', () => {
  const target = () => people()[3]!;

  it('treats posting back the user object unchanged as a no-op', async () => {
    const before = (await get(`/api/v0-user/id/${target().id}`)).body.user;
    const answer = await post(`/api/v0-user/id/${target().id}`, before);
    expectConformant('haplo', 'updateUserById', answer);
    expect(answer.body).toEqual({ success: true, kind: 'haplo:api-v0:user:update', user: before });
  });

  it('refuses an update body that is not a JSON object, as the spec says (the plugin ignores it: drift)', async () => {
    const before = (await get(`/api/v0-user/id/${target().id}`)).body.user;
    for (const body of ['null', '[1,2]', '"nameFirst"', '42']) {
      const answer = await post(`/api/v0-user/id/${target().id}`, body);
      expect([body, answer.status, answer.body.kind]).toEqual([body, 400, 'haplo:api-v0:generic:exception']);
      expectConformant('haplo', 'updateUserById', answer);
    }
    expect((await get(`/api/v0-user/id/${target().id}`)).body.user).toEqual(before);
  });

  it('changes email, ref and locale, and finds its target by tag query', async () => {
    const { id } = (await create({ ...newPerson, tags: { username: 'flast' } })).body.user;
    const changed = await post(`/api/v0-user/id/${id}`, { email: 'FIRST.LAST@example.com', ref: '8xy5z', localeId: 'cy' });
    expectConformant('haplo', 'updateUserById', changed);
    expect(changed.body.user).toMatchObject({ email: 'FIRST.LAST@example.com', ref: '8xy5z', localeId: 'cy' });
    expect(state().findByEmail('first.last@example.com')!.id).toBe(id);

    const byTag = await post('/api/v0-user/id/?tag:username=flast', { nameLast: 'Smith' });
    expectConformant('haplo', 'updateUserByTag', byTag);
    expect(byTag.body.user).toMatchObject({ id, name: 'First Smith' });

    const clearRef = await post(`/api/v0-user/id/${id}`, { ref: null });
    expectFailure(
      clearRef,
      'updateUserById',
      400,
      'haplo:api-v0:user:update-failed',
      'Could not add ref null to user as it is not a valid reference to an object',
    );
  });

  it('answers each documented failure with the vendor kind and wording', async () => {
    const user = target();
    const other = people().find((p) => p.id !== user.id && p.tags.username)!;
    const service = state()
      .principals()
      .find((p) => p.isServiceUser)!;
    const staff = group('haplo:group:staff');
    const cases: Array<[number, object, string, string]> = [
      [staff.id, { email: 'x@example.com' }, 'haplo:api-v0:user:update-failed', `User ${staff.id} is a Group and cannot be updated`],
      [
        user.id,
        { tags: { username: other.tags.username!.toUpperCase() } },
        'haplo:api-v0:user:update-failed',
        `Could not set username tag to ${other.tags.username!.toUpperCase()} for user ${user.id} as a user already exists with that username.`,
      ],
      [
        user.id,
        { email: other.email! },
        'haplo:api-v0:user:update-failed',
        `User ${user.id} cannot be updated to have email ${other.email} as another user already has that email`,
      ],
      [
        user.id,
        { ref: 'notARef' },
        'haplo:api-v0:user:update-failed',
        'Could not add ref notARef to user as it is not a valid reference to an object',
      ],
      [
        user.id,
        { ref: { test: 'test' } },
        'haplo:api-v0:generic:exception',
        'Could not add ref [object Object] to user as it is not a valid reference to an object',
      ],
      [
        user.id,
        { directGroupMembership: ['haplo:group:finance-team'] },
        'haplo:api-v0:generic:exception',
        'Group with code haplo:group:finance-team does not exist',
      ],
      [user.id, { localeId: 'notAnID' }, 'haplo:api-v0:generic:exception', `${PLATFORM}Unknown locale: notAnID`],
      [user.id, { nameFirst: '' }, 'haplo:api-v0:generic:exception', `${PLATFORM}User must have a non-empty String nameFirst attribute`],
      [user.id, { email: 'nope' }, 'haplo:api-v0:generic:exception', `${PLATFORM}User must have a valid email address`],
      [
        service.id,
        { nameLast: 'test' },
        'haplo:api-v0:generic:exception',
        `${PLATFORM}User must have a non-empty String nameFirst attribute`,
      ],
      // Collected problems: the last one in body order is reported.
      [
        user.id,
        { tags: { username: other.tags.username! }, ref: 'notARef' },
        'haplo:api-v0:user:update-failed',
        'Could not add ref notARef to user as it is not a valid reference to an object',
      ],
    ];
    for (const [id, body, kind, message] of cases) {
      const answer = await post(`/api/v0-user/id/${id}`, body);
      expect({ body, status: answer.status, kind: answer.body.kind, message: answer.body.error?.message }).toEqual({
        body,
        status: 400,
        kind,
        message,
      });
      expectConformant('haplo', 'updateUserById', answer);
    }
    expect(state().get(user.id)).toEqual(user);
    expectFailure(
      await post(`/api/v0-user/id/${missingId()}`, {}),
      'updateUserById',
      404,
      'haplo:api-v0:user:no-such-user',
      `User ID ${missingId()} does not exist`,
    );
  });

  it('quotes the id as null when the target came from a tag query, even for its own email', async () => {
    const { id } = (await create({ ...newPerson, tags: { username: 'flast' } })).body.user;
    const other = people().find((p) => p.id !== id && p.tags.username)!;
    expectFailure(
      await post('/api/v0-user/id?tag:username=flast', { email: 'First.Last@example.com' }),
      'updateUserByTag',
      400,
      'haplo:api-v0:user:update-failed',
      'User null cannot be updated to have email First.Last@example.com as another user already has that email',
    );
    expectFailure(
      await post('/api/v0-user/id?tag:username=flast', { tags: { username: other.tags.username } }),
      'updateUserByTag',
      400,
      'haplo:api-v0:user:update-failed',
      `Could not set username tag to ${other.tags.username} for user null as a user already exists with that username.`,
    );
    expect((await post(`/api/v0-user/id/${id}`, { email: 'First.Last@example.com' })).status).toBe(200);
    expectFailure(
      await post('/api/v0-user/id', {}),
      'updateUserByTag',
      400,
      'haplo:api-v0:user:no-details-provided',
      'Either a user ID in the path of the request, or a tag query in the parameters must be provided.',
    );
    expectFailure(
      await post('/api/v0-user/id?username=flast', {}),
      'updateUserByTag',
      400,
      'haplo:api-v0:user:no-tag-query-provided',
      'A tag query was expected in the parameters of this request, but was not provided. To be included in a tag query, tag names must be prefixed by tag:',
    );
    expectFailure(
      await post('/api/v0-user/id?tag:username=nobody', {}),
      'updateUserByTag',
      404,
      'haplo:api-v0:user:no-user-found',
      'Tag query username=nobody returned no users.',
    );
  });

  it('keeps changes applied before a later platform error, as the plugin does', async () => {
    const user = target();
    const answer = await post(`/api/v0-user/id/${user.id}`, { nameFirst: 'Changed', localeId: 'fr', tags: { late: 'x' } });
    expectFailure(answer, 'updateUserById', 400, 'haplo:api-v0:generic:exception', `${PLATFORM}Unknown locale: fr`);
    expect(state().get(user.id)).toMatchObject({ nameFirst: 'Changed', name: `Changed ${user.nameLast}`, localeId: 'en', tags: user.tags });
  });

  it('answers a missing or broken body and a non-integer id in plain text', async () => {
    for (const [path, body, operationId] of [
      [`/api/v0-user/id/${target().id}`, undefined, 'updateUserById'],
      [`/api/v0-user/id/${target().id}`, '{oops', 'updateUserById'],
      ['/api/v0-user/id/abc', {}, 'updateUserById'],
      ['/api/v0-user/id?tag:username=x', undefined, 'updateUserByTag'],
    ] as const) {
      expectFailedValidation(await post(path, body), operationId);
    }
  });
});

describe('haplo enableUser', () => {
  it('rejects other statuses, unknown ids and missing arguments', async () => {
    const user = people()[4]!;
    expectFailure(
      await post(`/api/v0-user/enable/${user.id}?status=carrots`),
      'enableUser',
      400,
      'haplo:api-v0:user:enable-failed',
      'carrots is not a valid status',
    );
    expectFailure(
      await post(`/api/v0-user/enable/${missingId()}?status=block`),
      'enableUser',
      404,
      'haplo:api-v0:user:no-such-user',
      `User ID ${missingId()} does not exist`,
    );
    for (const path of [
      `/api/v0-user/enable/${user.id}`,
      `/api/v0-user/enable/${user.id}?status=`,
      '/api/v0-user/enable/abc?status=block',
      '/api/v0-user/enable?status=block',
      '/api/v0-user/enable/',
    ]) {
      expectFailedValidation(await post(path), 'enableUser');
    }
    expect(state().get(user.id)!.isActive).toBe(user.isActive);
  });

  it('refuses the API key of a user once blocked', async () => {
    expect((await post(`/api/v0-user/enable/${adminUser().id}?status=block`)).status).toBe(200);
    expectFailure(await get(`/api/v0-user/id/${adminUser().id}`), 'getUserById', 403, 'INVALID-API-KEY', 'Invalid API Key');
  });
});

describe('haplo getGroup and findByTag', () => {
  it('lists active members, never service users, and everyone for std:group:everyone', async () => {
    const apiGroup = await get('/api/v0-user/group/haplo:group:api-v0:user-api/');
    expectConformant('haplo', 'getGroup', apiGroup);
    expect(Object.keys(apiGroup.body)).toEqual(['success', 'kind', 'users', 'group']);
    expect(apiGroup.body.users).toEqual([adminUser().id]);
    expect(apiGroup.body.group).toEqual({
      id: group('haplo:group:api-v0:user-api').id,
      nameFirst: null,
      nameLast: null,
      name: 'API v0: User',
      code: 'haplo:group:api-v0:user-api',
      email: null,
      ref: null,
      isGroup: true,
      isActive: true,
      isSuperUser: false,
      isServiceUser: false,
      isAnonymous: true,
      localeId: 'en',
      tags: {},
      directGroupMembership: [],
    });
    const byId = await get(`/api/v0-user/group/group:${group('haplo:group:api-v0:user-api').id}`);
    expect(byId.body).toEqual(apiGroup.body);
    // Whether faker seeds an inactive person depends on the seed: block one, so the filter is tested.
    expect((await post(`/api/v0-user/enable/${people()[4]!.id}?status=block`)).status).toBe(200);
    const everyone = await get('/api/v0-user/group/std:group:everyone');
    expect(everyone.body.users).toEqual(
      people()
        .filter((p) => p.isActive)
        .map((p) => p.id),
    );
    expect(people().some((p) => !p.isActive)).toBe(true);
  });

  it('answers unknown codes, group:0 and a missing code as the plugin and platform do', async () => {
    const person = people()[0]!;
    for (const code of ['haplo:group:non-existent', 'group:999999', `group:${person.id}`, 'toString']) {
      expectFailure(
        await get(`/api/v0-user/group/${code}`),
        'getGroup',
        400,
        'haplo:api-v0:generic:exception',
        `Group with code ${code} does not exist`,
      );
    }
    expectFailure(
      await get('/api/v0-user/group/group:0'),
      'getGroup',
      404,
      'haplo:api-v0:generic:no-response',
      'API implementation did not respond',
    );
    // Not a spec path (the code is required), so only the platform's answer is checked.
    const noCode = await get('/api/v0-user/group/');
    expect([noCode.status, noCode.text]).toEqual([400, FAILED_VALIDATION]);
  });

  it('finds ids by one or more tags, in id order', async () => {
    const first = (await create({ ...newPerson, tags: { username: 'testuser', other: 'true' } })).body.user.id;
    const second = (await create({ ...newPerson, email: 'two@example.com', tags: { username: 'testuser2', other: 'true' } })).body.user.id;
    const both = await get('/api/v0-user/find-by-tag/?tag:other=true');
    expectConformant('haplo', 'findByTag', both);
    expect(both.body.users).toEqual([first, second]);
    expect((await get('/api/v0-user/find-by-tag?tag:username=testuser&tag:other=true')).body.users).toEqual([first]);
    const cases: Array<[string, number, string, string]> = [
      [
        '',
        400,
        'haplo:api-v0:user:no-tag-query-provided',
        'A tag query was expected in the parameters of this request, but was not provided. To be included in a tag query, tag names must be prefixed by tag:',
      ],
      [
        '?username=testuser',
        400,
        'haplo:api-v0:user:no-tag-query-provided',
        'A tag query was expected in the parameters of this request, but was not provided. To be included in a tag query, tag names must be prefixed by tag:',
      ],
      [
        '?tag:username[anotherLevel]=testuser',
        404,
        'haplo:api-v0:user:no-user-found',
        'Tag query username[anotherLevel]=testuser returned no users.',
      ],
      ['?tag:username=testuser6', 404, 'haplo:api-v0:user:no-user-found', 'Tag query username=testuser6 returned no users.'],
    ];
    for (const [query, status, kind, message] of cases)
      expectFailure(await get(`/api/v0-user/find-by-tag${query}`), 'findByTag', status, kind, message);
  });
});

describe('haplo auth', () => {
  const operations: Array<[string, string, string, object?]> = [
    ['post', '/api/v0-user/create', 'createUser', newPerson],
    ['get', '/api/v0-user/id/1', 'getUserById'],
    ['get', '/api/v0-user/id?tag:username=x', 'getUserByTag'],
    ['post', '/api/v0-user/id/1', 'updateUserById', {}],
    ['post', '/api/v0-user/id?tag:username=x', 'updateUserByTag', {}],
    ['post', '/api/v0-user/enable/1?status=block', 'enableUser'],
    ['get', '/api/v0-user/group/std:group:everyone', 'getGroup'],
    ['get', '/api/v0-user/find-by-tag?tag:username=x', 'findByTag'],
  ];
  const send = (method: string, path: string, body: object | undefined, authorization?: string) => {
    const req = method === 'get' ? request(running.url).get(path) : request(running.url).post(path);
    if (authorization !== undefined) req.set('Authorization', authorization);
    return body === undefined ? req : req.set('Content-Type', 'application/json').send(JSON.stringify(body));
  };

  it('answers 403 with the kind for the caller: anonymous, invalid key, not in the API group', async () => {
    const key = atob(admin.slice(6)).slice('haplo:'.length);
    // The platform takes a key only from `Basic ` + base64 of `haplo:<key>`; any other header carries
    // none, so the request runs as the anonymous user, as without a header.
    const noKey = [
      '',
      `Basic ${btoa(`someone:${key}`)}`,
      `basic ${btoa(`haplo:${key}`)}`,
      `Basic ${btoa('haplo')}`,
      `Basic ${btoa('haplo:')}`,
      'Basic',
      'Basic !!!not-base64',
      `Bearer ${key}`,
      admin.replace('Basic ', 'Basic  '),
    ];
    const invalid = [
      `Basic ${btoa(`haplo:${key.slice(0, 15)}`)}`,
      `Basic ${btoa('haplo:0123456789abcdefghij')}`,
      `Basic ${btoa(`haplo:${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`)}`,
      'Basic aGFwbG86Y',
    ];
    for (const [method, path, operationId, body] of operations) {
      for (const authorization of [undefined, ...noKey]) {
        expectFailure(
          await send(method, path, body, authorization),
          operationId,
          403,
          'UNAUTHORISED',
          'Unauthorised: You are not permitted to perform that action',
        );
      }
      for (const authorization of invalid)
        expectFailure(await send(method, path, body, authorization), operationId, 403, 'INVALID-API-KEY', 'Invalid API Key');
      expectFailure(
        await send(method, path, body, standard),
        operationId,
        403,
        'haplo:api-v0:generic:not-permitted',
        'User is not permitted to use this API',
      );
    }
  });

  it('authenticates the key before validating arguments, and validates before the permission check', async () => {
    const unknownKey = `Basic ${btoa('haplo:0123456789abcdefghij')}`;
    expectFailure(await post('/api/v0-user/create', '{broken', unknownKey), 'createUser', 403, 'INVALID-API-KEY', 'Invalid API Key');
    expectFailure(
      await post('/api/v0-user/create', '{broken', 'Basic x'),
      'createUser',
      403,
      'UNAUTHORISED',
      'Unauthorised: You are not permitted to perform that action',
    );
    expectFailedValidation(await post('/api/v0-user/create', '{broken', standard), 'createUser');
  });

  it('grants or withdraws the API through membership of the API group', async () => {
    const standardUser = people()[1]!;
    await post(`/api/v0-user/id/${standardUser.id}`, { directGroupMembership: ['haplo:group:api-v0:user-api'] });
    expect((await get(`/api/v0-user/id/${standardUser.id}`, standard)).status).toBe(200);
    await post(`/api/v0-user/id/${adminUser().id}`, { directGroupMembership: [] });
    expect((await get(`/api/v0-user/id/${adminUser().id}`)).body.kind).toBe('haplo:api-v0:generic:not-permitted');
  });
});

describe('haplo seed from the spec', () => {
  it('starts with every principal the examples marked x-usermock-seed show, exactly as they show it', async () => {
    const marked = apiSpec('haplo').seededExamples();
    expect(marked.map((example) => `${example.operationId} ${example.name}`).sort()).toEqual([
      'enableUser active',
      'getGroup apiGroup',
      'getGroup numeric',
      'getGroup withMembers',
      'getUserById person',
      'getUserById serviceUser',
      'getUserByTag person',
      'updateUserById unchanged',
    ]);
    for (const { value } of marked) {
      const {
        user,
        group: shown,
        users,
      } = value as { user?: { id: number }; group?: { id: number; code: string | null }; users?: number[] };
      if (user) expect((await get(`/api/v0-user/id/${user.id}`)).body.user).toEqual(user);
      if (shown) {
        const answer = await get(`/api/v0-user/group/${shown.code ?? `group:${shown.id}`}`);
        expect(answer.body).toMatchObject({ group: shown, users: users! });
      }
    }
    // The documented people come first (they count towards `users`), then the others, numbered after them.
    expect(
      people()
        .slice(0, 3)
        .map((p) => p.name),
    ).toEqual(['Priya Shah', 'Alice Smith', 'Ben Okafor']);
    expect(people()).toHaveLength(12);
    expect(
      Math.min(
        ...state()
          .principals()
          .filter((p) => p.id > 142)
          .map((p) => p.id),
      ),
    ).toBe(143);
  });

  it('gives the admin key to the documented API user and the standard key to a documented person outside the API group', () => {
    const { keys } = state();
    expect(state().caller(keys.admin)!.name).toBe('Priya Shah');
    expect(state().caller(keys.standard)!.name).toBe('Alice Smith');
  });
});

describe('haplo paths and state', () => {
  it('owns /api/v0-user and answers unknown paths and methods there with the no-response envelope', async () => {
    expect([running.mock.serves('/api/v0-user/id/1'), running.mock.serves('/api/v0-user'), running.mock.serves('/api/v0-users')]).toEqual([
      true,
      true,
      false,
    ]);
    for (const answer of [
      await get('/api/v0-user/nothing'),
      await get('/api/v0-user/create'),
      await get('/api/v0-user'),
      await request(running.url).delete('/api/v0-user/id/1').set('Authorization', admin),
    ]) {
      expect([answer.status, answer.body]).toEqual([
        404,
        { success: false, kind: 'haplo:api-v0:generic:no-response', error: { message: 'API implementation did not respond' } },
      ]);
    }
    expect((await post('/api/v0-user/create/', newPerson)).status).toBe(200);
  });

  it('seeds deterministically and restores every index from a snapshot', () => {
    const seeded = (seed: number) => haplo.seed({ faker: seededFaker(seed), users: 20 });
    expect(JSON.stringify(seeded(7))).toBe(JSON.stringify(seeded(7)));
    const original = seeded(7);
    expect(haplo.credentials(original).admin).not.toBe(haplo.credentials(seeded(8)).admin);
    const emails = original.principals().flatMap((p) => (p.email ? [p.email] : []));
    expect(new Set(emails).size).toBe(20);
    expect(emails.every((email) => email === email.toLowerCase())).toBe(true);
    expect(original.principals().some((p) => p.tags.username)).toBe(true);

    const restored = HaploState.fromJSON(JSON.parse(JSON.stringify(original)));
    expect(restored.toJSON()).toEqual(original.toJSON());
    const someone = original.principals().find((p) => p.tags.username && p.tags.department)!;
    expect(restored.findByEmail(someone.email!.toUpperCase())!.id).toBe(someone.id);
    expect(restored.findByUsername(someone.tags.username!)!.id).toBe(someone.id);
    expect(restored.findByTags([['department', someone.tags.department!]]).map((p) => p.id)).toContain(someone.id);
    expect(restored.group('haplo:group:staff')!.name).toBe('Staff');
    expect(restored.caller(original.keys.admin)!.id).toBe(original.principals().find((p) => !p.isGroup && !p.isServiceUser)!.id);
  });

  it('never answers 5xx and always conforms, whatever the body', async () => {
    const mock = createMock({ users: 6 });
    const { admin: authorization } = mock.credentials().haplo;
    const people = (mock.state('haplo') as HaploState).principals().map((p: HaploRecord) => p.id);
    const value = fc.oneof(fc.string(), fc.jsonValue(), fc.constantFrom('8xy5z', 'en', 'cy', 'haplo:group:staff', 'a@example.com'));
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          nameFirst: value,
          nameLast: value,
          email: value,
          ref: value,
          localeId: value,
          tags: fc.oneof(fc.dictionary(fc.string(), value), value),
          directGroupMembership: fc.oneof(fc.array(fc.oneof(value, fc.constantFrom('group:0', 'group:4', 'std:group:everyone'))), value),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('createUser', 'updateUserById'),
        fc.constantFrom(...people),
        body,
        async (operationId, id, payload) => {
          const path = operationId === 'createUser' ? '/api/v0-user/create' : `/api/v0-user/id/${id}`;
          const response = await mock.handle({
            method: 'POST',
            path,
            query: new URLSearchParams(),
            headers: { authorization },
            body: JSON.stringify(payload),
          });
          const answer: Answer = { status: response.status, headers: response.headers, text: response.body ?? '' };
          expect(response.status).toBeLessThan(500);
          expectConformant('haplo', operationId, answer);
        },
      ),
      { numRuns: 300 },
    );
  });
});
