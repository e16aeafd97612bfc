import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AmaniState, SEEDED_PASSWORD, type AmaniRecord } from '../../mocks/apis/amani/index.ts';
import { SESSION_HEADER } from '../../mocks/index.ts';
import { apiSpec } from '../../specs/index.ts';
import { expectConformant } from '../helpers/conformance.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

let running: RunningMock;
let admin: string;
let standard: string;

beforeAll(async () => {
  running = await startMock({ seed: 7, users: 12 });
  ({ admin, standard } = running.mock.credentials().amani);
});
afterAll(() => running.close());
beforeEach(() => running.mock.reset());

const api = () => request(running.url);
const state = (session?: string) => running.mock.state('amani', session);
const seeded = (index: number): AmaniRecord => [...state().users.values()][index]!;
/**
 * The seeded users: the spec's documented ones first (Selin Kaya, the company admin whose token is
 * the admin credential; Emre Aydın, a company user), then faker's, the first of them the Viewer
 * whose token is the standard credential.
 */
const STANDARD = 2;

const VIEWER = { id: 1, name: 'Viewer', permissions: ['view_user', 'view_group'] };
const COMPANY_ADMIN = {
  id: 2,
  name: 'Company Admin',
  permissions: [
    'add_user',
    'change_user',
    'view_user',
    'delete_user',
    'view_group',
    'view_company',
    'add_profile',
    'change_profile',
    'view_profile',
  ],
};
const COMPANY_USER = {
  id: 3,
  name: 'Company User',
  permissions: ['add_profile', 'change_profile', 'view_profile', 'add_document', 'view_document'],
};
const AUDITOR = { id: 4, name: 'Auditor', permissions: ['view_user', 'view_group', 'view_profile', 'view_document'] };
const SUPPORT = {
  id: 5,
  name: 'Support',
  permissions: ['view_user', 'view_group', 'view_company', 'view_profile', 'change_profile', 'view_document'],
};
const ROLES = [VIEWER, COMPANY_ADMIN, COMPANY_USER, AUDITOR, SUPPORT];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };
const BAD_CREDENTIALS = { detail: 'No active account found with the given credentials' };
const invalidAccess = (message: string) => ({
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message }],
});

const jwtPart = (token: string, index: number) => JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8'));

const login = (username: string, password = SEEDED_PASSWORD, session = 'default') =>
  api().post('/api/v2/user/login').set(SESSION_HEADER, session).send({ username, password });

/** Creates a user as the seeded admin and returns the answer's body. */
async function createUser(body: object, session = 'default'): Promise<Record<string, unknown>> {
  const created = await api().post('/api/v2/user').set(SESSION_HEADER, session).set('Authorization', admin).send(body);
  expect(created.status).toBe(201);
  return created.body;
}

describe('amani login and tokens', () => {
  it('logs a seeded user in with the documented fields and JWT-shaped tokens', async () => {
    const user = seeded(0);
    const answer = await login(user.username);
    expect(answer.status).toBe(200);
    expectConformant('amani', 'login', answer);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toEqual({
      id: user.id,
      username: user.email,
      first_name: user.first_name,
      last_name: user.last_name,
      phone: user.phone,
      refresh: expect.stringMatching(JWT),
      access: expect.stringMatching(JWT),
      groups: [COMPANY_ADMIN],
      company_id: state().company,
      permissions: [...COMPANY_ADMIN.permissions].sort(),
    });
    expect(Object.keys(answer.body)).toEqual([
      'id',
      'username',
      'first_name',
      'last_name',
      'phone',
      'refresh',
      'access',
      'groups',
      'company_id',
      'permissions',
    ]);

    const { access, refresh } = answer.body as { access: string; refresh: string };
    expect(jwtPart(access, 0)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const accessClaims = jwtPart(access, 1);
    expect(accessClaims).toEqual({
      token_type: 'access',
      exp: accessClaims.iat + 3600,
      iat: expect.any(Number),
      jti: expect.stringMatching(/^[0-9a-f]{32}$/),
      user_id: user.id,
    });
    expect(Math.abs(accessClaims.iat - Date.now() / 1000)).toBeLessThan(60);
    const refreshClaims = jwtPart(refresh, 1);
    expect(refreshClaims).toMatchObject({ token_type: 'refresh', exp: refreshClaims.iat + 86400, user_id: user.id });
    expect(refreshClaims.jti).not.toBe(accessClaims.jti);

    const groups = await api().get('/api/v2/group').set('Authorization', `Bearer ${access}`);
    expect(groups.status).toBe(200);

    const viewer = await login(seeded(STANDARD).username);
    expect(viewer.status).toBe(200);
    expect(viewer.body).toMatchObject({ groups: [VIEWER], permissions: ['view_group', 'view_user'] });
  });

  it('refuses an unknown username, a wrong password and an inactive account alike', async () => {
    const user = seeded(2);
    state().put({ ...seeded(3), is_active: false });
    for (const [username, password] of [
      [user.username, 'not-my-password'],
      ['nobody@example.com', SEEDED_PASSWORD],
      [user.username.toUpperCase(), SEEDED_PASSWORD],
      [seeded(3).username, SEEDED_PASSWORD],
    ] as const) {
      const answer = await login(username, password);
      expect([username, answer.status, answer.body]).toEqual([username, 401, BAD_CREDENTIALS]);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
      expectConformant('amani', 'login', answer);
    }
  });

  it('answers field errors for missing, blank or mistyped login fields', async () => {
    const required = ['This field is required.'];
    const cases: Array<[object, object]> = [
      [{}, { username: required, password: required }],
      [{ username: 'a@example.com' }, { password: required }],
      [{ username: 'a@example.com', password: '' }, { password: ['This field may not be blank.'] }],
      // SimpleJWT's PasswordField trims, as every DRF CharField does.
      [{ username: 'a@example.com', password: ' \t ' }, { password: ['This field may not be blank.'] }],
      [{ username: '   ', password: 'x' }, { username: ['This field may not be blank.'] }],
      [{ username: 'a\ud800@example.com', password: 'x' }, { username: ['Surrogate characters are not allowed: U+D800.'] }],
      [
        { username: true, password: null },
        { username: ['Not a valid string.'], password: ['This field may not be null.'] },
      ],
      [{ username: 'a@example.com', password: ['x'] }, { password: ['Not a valid string.'] }],
    ];
    for (const [body, errors] of cases) {
      const answer = await api().post('/api/v2/user/login').send(body);
      expect([body, answer.status, answer.body]).toEqual([body, 400, errors]);
      expectConformant('amani', 'login', answer);
    }
    const noBody = await api().post('/api/v2/user/login');
    expect([noBody.status, noBody.body]).toEqual([400, { username: required, password: required }]);
    const list = await api().post('/api/v2/user/login').type('json').send('[]');
    expect([list.status, list.body]).toEqual([400, { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }]);
    expectConformant('amani', 'login', list);
  });

  it("accepts the form-encoded and multipart logins of the vendor's Web SDK, at its path too", async () => {
    for (const path of ['/api/v2/user/login', '/api/v2/user/login/']) {
      const form = await api()
        .post(path)
        .type('form')
        .send({ username: seeded(1).username, password: SEEDED_PASSWORD });
      const multipart = await api().post(path).field('username', seeded(1).username).field('password', SEEDED_PASSWORD);
      for (const answer of [form, multipart]) {
        expect([path, answer.status, answer.body.id]).toEqual([path, 200, seeded(1).id]);
        expectConformant('amani', 'login', answer);
      }
    }
    const other = await api().get('/api/v2/user/login/');
    expect([other.status, other.body]).toEqual([405, { detail: 'Method "GET" not allowed.' }]);

    // Django's multipart parser: the last value of a field; no fields from parts it cannot make
    // out; a ParseError only without a boundary.
    const repeated = await api()
      .post('/api/v2/user/login')
      .field('username', 'nobody')
      .field('username', seeded(1).username)
      .field('password', SEEDED_PASSWORD);
    expect(repeated.status).toBe(200);
    const required = ['This field is required.'];
    for (const [contentType, body] of [
      ['multipart/form-data; boundary=usermock', { username: required, password: required }],
      ['multipart/form-data', { detail: 'Multipart form parse error - Invalid boundary in multipart: None' }],
    ] as const) {
      const answer = await api().post('/api/v2/user/login').set('Content-Type', contentType).send('{"username": "x", "password": "y"}');
      expect([contentType, answer.status, answer.body]).toEqual([contentType, 400, body]);
      expectConformant('amani', 'login', answer);
    }
  });

  it('exchanges a refresh token for a new access token and nothing else', async () => {
    const { access, refresh } = (await login(seeded(STANDARD).username)).body as { access: string; refresh: string };
    const refreshed = await api().post('/api/v2/token/refresh/').send({ refresh });
    expect(refreshed.status).toBe(200);
    expectConformant('amani', 'refreshToken', refreshed);
    expect(refreshed.body).toEqual({ access: expect.stringMatching(JWT) });
    expect(jwtPart(refreshed.body.access, 1)).toMatchObject({ token_type: 'access', user_id: seeded(STANDARD).id });
    expect((await api().get('/api/v2/group').set('Authorization', `Bearer ${refreshed.body.access}`)).status).toBe(200);

    const [header, , signature] = refresh.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...jwtPart(refresh, 1), user_id: seeded(0).id })).toString('base64url')}.${signature}`;
    const invalid = { detail: 'Token is invalid or expired', code: 'token_not_valid' };
    for (const [token, body] of [
      ['not-a-refresh-token', invalid],
      [forged, invalid],
      [`${refresh}x`, invalid],
      [access, { detail: 'Token has wrong type', code: 'token_not_valid' }],
    ] as const) {
      const answer = await api().post('/api/v2/token/refresh/').send({ refresh: token });
      expect([token, answer.status, answer.body]).toEqual([token, 401, body]);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
      expectConformant('amani', 'refreshToken', answer);
    }

    for (const [body, errors] of [
      [{}, { refresh: ['This field is required.'] }],
      [{ refresh: '' }, { refresh: ['This field may not be blank.'] }],
    ] as const) {
      const answer = await api().post('/api/v2/token/refresh/').send(body);
      expect([answer.status, answer.body]).toEqual([400, errors]);
      expectConformant('amani', 'refreshToken', answer);
    }

    state().put({ ...seeded(STANDARD), is_active: false });
    const inactive = await api().post('/api/v2/token/refresh/').send({ refresh });
    expect([inactive.status, inactive.body]).toEqual([401, { detail: 'No active account found for the given token.' }]);
    expectConformant('amani', 'refreshToken', inactive);
  });

  it('expires access tokens after an hour and refresh tokens after a day', async () => {
    const { access, refresh } = (await login(seeded(1).username)).body as { access: string; refresh: string };
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 3601 * 1000);
      const expired = await api().get('/api/v2/group').set('Authorization', `Bearer ${access}`);
      expect([expired.status, expired.body]).toEqual([401, invalidAccess('Token is invalid or expired')]);
      expect((await api().post('/api/v2/token/refresh/').send({ refresh })).status).toBe(200);
      expect((await api().get('/api/v2/group').set('Authorization', standard)).status).toBe(200);
      vi.setSystemTime(Date.now() + 86400 * 1000);
      const stale = await api().post('/api/v2/token/refresh/').send({ refresh });
      expect([stale.status, stale.body]).toEqual([401, { detail: 'Token is invalid or expired', code: 'token_not_valid' }]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('amani bearer authentication and permissions', () => {
  it('answers 401 for a missing, malformed, unknown or wrong-type token', async () => {
    const token = standard.slice('Bearer '.length);
    const { refresh } = (await login(seeded(1).username)).body as { refresh: string };
    const badHeader = { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' };
    const cases: Array<[string | undefined, object]> = [
      [undefined, NOT_PROVIDED],
      ['', NOT_PROVIDED],
      [`bearer ${token}`, NOT_PROVIDED],
      [`Token ${token}`, NOT_PROVIDED],
      ['Bearer', badHeader],
      [`Bearer ${token} extra`, badHeader],
      ['Bearer nope', invalidAccess('Token is invalid or expired')],
      [`Bearer ${token.slice(0, -2)}`, invalidAccess('Token is invalid or expired')],
      [`Bearer ${refresh}`, invalidAccess('Token has wrong type')],
    ];
    for (const [authorization, body] of cases) {
      const req = api().get('/api/v2/group');
      const answer = await (authorization === undefined ? req : req.set('Authorization', authorization));
      expect([authorization, answer.status, answer.body]).toEqual([authorization, 401, body]);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
      expectConformant('amani', 'listGroups', answer);
    }
    // SimpleJWT splits the header on any run of whitespace.
    expect((await api().get('/api/v2/group').set('Authorization', `Bearer   ${token}`)).status).toBe(200);
  });

  it('refuses the token of a user who is no longer active', async () => {
    state().put({ ...seeded(STANDARD), is_active: false });
    const answer = await api().get('/api/v2/group').set('Authorization', standard);
    expect([answer.status, answer.body]).toEqual([401, { detail: 'User is inactive', code: 'user_inactive' }]);
    expectConformant('amani', 'listGroups', answer);
  });

  it('answers 403 when the caller lacks the permission, before reading the body', async () => {
    const target = seeded(2).id;
    const before = structuredClone(seeded(2));
    for (const [method, path, operationId] of [
      ['post', '/api/v2/user', 'createUser'],
      ['patch', `/api/v2/user/${target}`, 'updateUser'],
      ['patch', '/api/v2/user/00000000-0000-4000-8000-000000000000', 'updateUser'],
    ] as const) {
      const answer = await api()[method](path).set('Authorization', standard).type('json').send('{not json');
      expect([path, answer.status, answer.body]).toEqual([path, 403, FORBIDDEN]);
      expectConformant('amani', operationId, answer);
    }
    expect(state().find(target)).toEqual(before);

    // A Company User holds no view_group; a Support user may look at roles but not create users.
    await createUser({ email: 'cu@example.com', password: 'pw-cu', groups: [3] });
    await createUser({ email: 'support@example.com', password: 'pw-support', groups: [5] });
    const companyUser = `Bearer ${(await login('cu@example.com', 'pw-cu')).body.access}`;
    const support = `Bearer ${(await login('support@example.com', 'pw-support')).body.access}`;
    const refused = await api().get('/api/v2/group').set('Authorization', companyUser);
    expect([refused.status, refused.body]).toEqual([403, FORBIDDEN]);
    expectConformant('amani', 'listGroups', refused);
    expect((await api().get('/api/v2/group').set('Authorization', support)).status).toBe(200);
    expect((await api().post('/api/v2/user').set('Authorization', support).send({ email: 'z@example.com', password: 'z' })).status).toBe(
      403,
    );
  });
});

describe('amani users', () => {
  it("answers a body in a media type DRF's parsers do not read with 415", async () => {
    const body = JSON.stringify({ email: 'plain@example.com', password: 'pa55word!' });
    for (const [contentType, shown] of [
      ['text/plain;charset=UTF-8', 'text/plain;charset=UTF-8'],
      ['application/merge-patch+json', 'application/merge-patch+json'],
    ]) {
      const answer = await api().post('/api/v2/user').set('Authorization', admin).set('Content-Type', contentType).send(body);
      expect([answer.status, answer.body]).toEqual([415, { detail: `Unsupported media type "${shown}" in request.` }]);
      expectConformant('amani', 'createUser', answer);
    }
    const login = await api().post('/api/v2/user/login').set('Content-Type', 'text/plain').send('{"username":"x","password":"y"}');
    expect(login.status).toBe(415);
    expectConformant('amani', 'login', login);
  });

  it('creates a user with the roles expanded and the union of their permissions', async () => {
    const answer = await api()
      .post('/api/v2/user')
      .set('Authorization', admin)
      .send({
        email: 'ayse.demir@example.com',
        password: 'Gx7!pQ2v-Demir',
        first_name: 'Ayşe',
        last_name: 'Demir',
        phone: '+905551234567',
        groups: [4, 1, 4],
      });
    expect(answer.status).toBe(201);
    expectConformant('amani', 'createUser', answer);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toEqual({
      id: expect.stringMatching(UUID),
      first_name: 'Ayşe',
      username: 'ayse.demir@example.com',
      last_name: 'Demir',
      phone: '+905551234567',
      email: 'ayse.demir@example.com',
      company: state().company,
      groups: [VIEWER, AUDITOR],
      mfa: false,
      reset_pw: false,
      reset_2fa: false,
      is_active: true,
      permissions: ['view_document', 'view_group', 'view_profile', 'view_user'],
    });
    expect(answer.text).not.toContain('Gx7!pQ2v-Demir');
    expect(state().find(answer.body.id)?.password).toBe('Gx7!pQ2v-Demir');
    expect(state().findByEmail('ayse.demir@example.com')?.id).toBe(answer.body.id);

    const minimal = await api()
      .post('/api/v2/user')
      .set('Authorization', admin)
      .send({ email: 'mehmet.yilmaz@example.org', password: 'w8#Lr4zN-Yilmaz' });
    expect(minimal.status).toBe(201);
    expectConformant('amani', 'createUser', minimal);
    expect(minimal.body).toMatchObject({
      first_name: '',
      last_name: '',
      phone: '',
      groups: [],
      permissions: [],
      username: 'mehmet.yilmaz@example.org',
    });

    // DRF's CharField takes numbers as text and trims, passwords too; Django's pk lookup takes "3" for 3.
    const coerced = await api()
      .post('/api/v2/user')
      .set('Authorization', admin)
      .send({
        email: '  trim@example.com ',
        password: ' spaced ',
        first_name: '  Ada ',
        last_name: 'Lovelace \u{1F642}',
        phone: 905551234567,
        groups: ['3'],
        id: 'ignored',
        is_active: false,
      });
    expect(coerced.status).toBe(201);
    expectConformant('amani', 'createUser', coerced);
    expect(coerced.body).toMatchObject({
      email: 'trim@example.com',
      first_name: 'Ada',
      last_name: 'Lovelace \u{1F642}',
      phone: '905551234567',
      groups: [COMPANY_USER],
      is_active: true,
    });
    expect(coerced.body.id).not.toBe('ignored');
    expect(state().find(coerced.body.id)?.password).toBe('spaced');
    expect((await login('trim@example.com', 'spaced')).status).toBe(200);
    expect((await login('trim@example.com', ' spaced ')).status).toBe(200);

    // A multipart form, which DRF's default parsers read too: every value of the role list.
    const multipart = await api()
      .post('/api/v2/user')
      .set('Authorization', admin)
      .field('email', 'form@example.com')
      .field('password', 'pw-form')
      .field('groups', '3')
      .field('groups', '4');
    expect(multipart.status).toBe(201);
    expectConformant('amani', 'createUser', multipart);
    expect(multipart.body).toMatchObject({ email: 'form@example.com', groups: [COMPANY_USER, AUDITOR] });
  });

  it("answers every create error with DRF's field errors", async () => {
    const taken = seeded(1).email;
    const required = ['This field is required.'];
    const ok = { email: 'new@example.com', password: 'pw' };
    const cases: Array<[unknown, object]> = [
      [{}, { email: required, password: required }],
      [{ password: 'pw' }, { email: required }],
      [{ email: 'new@example.com' }, { password: required }],
      [{ ...ok, email: 'not-an-email' }, { email: ['Enter a valid email address.'] }],
      [{ ...ok, email: '' }, { email: ['This field may not be blank.'] }],
      [{ ...ok, email: '   ' }, { email: ['This field may not be blank.'] }],
      [{ ...ok, email: null }, { email: ['This field may not be null.'] }],
      [{ ...ok, email: ['new@example.com'] }, { email: ['Not a valid string.'] }],
      [{ ...ok, password: '' }, { password: ['This field may not be blank.'] }],
      [{ ...ok, password: '   ' }, { password: ['This field may not be blank.'] }],
      [{ ...ok, first_name: true }, { first_name: ['Not a valid string.'] }],
      [{ ...ok, last_name: { a: 1 } }, { last_name: ['Not a valid string.'] }],
      [{ ...ok, first_name: 'x'.repeat(151) }, { first_name: ['Ensure this field has no more than 150 characters.'] }],
      [{ ...ok, phone: 'a\u0000b' }, { phone: ['Null characters are not allowed.'] }],
      [{ ...ok, first_name: 'Ay\ud800e' }, { first_name: ['Surrogate characters are not allowed: U+D800.'] }],
      [{ ...ok, last_name: '\udc00\ud83d' }, { last_name: ['Surrogate characters are not allowed: U+DC00.'] }],
      [{ ...ok, email: taken }, { email: ['user with this email already exists.'] }],
      [{ ...ok, email: taken.replace('@example.com', '@EXAMPLE.com') }, { email: ['user with this email already exists.'] }],
      [{ ...ok, groups: [9] }, { groups: ['Invalid pk "9" - object does not exist.'] }],
      [{ ...ok, groups: [1, '9'] }, { groups: ['Invalid pk "9" - object does not exist.'] }],
      [{ ...ok, groups: [null] }, { groups: ['Invalid pk "None" - object does not exist.'] }],
      [{ ...ok, groups: ['Company Admin'] }, { groups: ['Incorrect type. Expected pk value, received str.'] }],
      [{ ...ok, groups: [true] }, { groups: ['Incorrect type. Expected pk value, received bool.'] }],
      [{ ...ok, groups: [[2]] }, { groups: ['Incorrect type. Expected pk value, received list.'] }],
      [{ ...ok, groups: [{ id: 2 }] }, { groups: ['Incorrect type. Expected pk value, received dict.'] }],
      [{ ...ok, groups: 2 }, { groups: ['Expected a list of items but got type "int".'] }],
      [{ ...ok, groups: '2' }, { groups: ['Expected a list of items but got type "str".'] }],
      [{ ...ok, groups: null }, { groups: ['This field may not be null.'] }],
      [
        { email: taken, groups: [9], first_name: 5.5, last_name: null },
        {
          email: ['user with this email already exists.'],
          password: required,
          last_name: ['This field may not be null.'],
          groups: ['Invalid pk "9" - object does not exist.'],
        },
      ],
      [[ok], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
      ['text', { non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] }],
      [3, { non_field_errors: ['Invalid data. Expected a dictionary, but got int.'] }],
      [true, { non_field_errors: ['Invalid data. Expected a dictionary, but got bool.'] }],
      [null, { non_field_errors: ['No data provided'] }],
    ];
    const users = state().users.size;
    for (const [body, errors] of cases) {
      const answer = await api().post('/api/v2/user').set('Authorization', admin).type('json').send(JSON.stringify(body));
      expect([body, answer.status, answer.body]).toEqual([body, 400, errors]);
      expect(Object.keys(answer.body)).toEqual(Object.keys(errors));
      expectConformant('amani', 'createUser', answer);
    }
    expect(state().users.size).toBe(users);

    const noBody = await api().post('/api/v2/user').set('Authorization', admin);
    expect([noBody.status, noBody.body]).toEqual([400, { email: required, password: required }]);
    expectConformant('amani', 'createUser', noBody);
  });

  it("answers DRF's ParseError for a body that is not JSON", async () => {
    const answer = await api().post('/api/v2/user').set('Authorization', admin).type('json').send('{"email": ');
    expect(answer.status).toBe(400);
    expectConformant('amani', 'createUser', answer);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(Object.keys(answer.body)).toEqual(['detail']);
    expect(answer.body.detail).toMatch(/^JSON parse error - \S/);
  });

  it('compares and stores emails as Django does: domain case-insensitive, local part exact', async () => {
    const created = await createUser({ email: 'Ada.Lovelace@EXAMPLE.com', password: 'pw' });
    expect(created).toMatchObject({ email: 'Ada.Lovelace@example.com', username: 'Ada.Lovelace@example.com' });
    const again = await api().post('/api/v2/user').set('Authorization', admin).send({ email: 'Ada.Lovelace@Example.COM', password: 'pw' });
    expect([again.status, again.body]).toEqual([400, { email: ['user with this email already exists.'] }]);
    expect((await createUser({ email: 'ada.lovelace@example.com', password: 'pw2' })).email).toBe('ada.lovelace@example.com');
    expect((await login('Ada.Lovelace@example.com', 'pw')).status).toBe(200);
    expect((await login('Ada.Lovelace@EXAMPLE.com', 'pw')).status).toBe(401);
  });

  it('updates only the fields sent, replaces and expands the roles, and changes the login password', async () => {
    const created = await createUser({
      email: 'ayse.demir@example.com',
      password: 'old-pw',
      first_name: 'Ayşe',
      last_name: 'Demir',
      phone: '+905551234567',
      groups: [3],
    });
    const patch = (body: unknown) =>
      api().patch(`/api/v2/user/${created.id}`).set('Authorization', admin).type('json').send(JSON.stringify(body));

    const renamed = await patch({ first_name: 'Ayşe Nur' });
    expect(renamed.status).toBe(200);
    expectConformant('amani', 'updateUser', renamed);
    expect(renamed.body).toEqual({ ...created, first_name: 'Ayşe Nur' });

    const reassigned = await patch({ groups: [2, 1] });
    expect(reassigned.status).toBe(200);
    expectConformant('amani', 'updateUser', reassigned);
    expect(reassigned.body).toEqual({
      ...created,
      first_name: 'Ayşe Nur',
      groups: [VIEWER, COMPANY_ADMIN],
      permissions: [...COMPANY_ADMIN.permissions].sort(),
    });

    const unchanged = await patch({});
    expect([unchanged.status, unchanged.body]).toEqual([200, reassigned.body]);

    const emailChanged = await patch({ email: 'ayse.aksoy@example.com', groups: [] });
    expect(emailChanged.status).toBe(200);
    expect(emailChanged.body).toMatchObject({
      email: 'ayse.aksoy@example.com',
      username: 'ayse.demir@example.com',
      groups: [],
      permissions: [],
    });
    expect(state().findByEmail('ayse.demir@example.com')).toBeUndefined();
    expect(state().findByEmail('ayse.aksoy@example.com')?.id).toBe(created.id);

    const password = await patch({ password: 'new-pw' });
    expect(password.status).toBe(200);
    expect(password.text).not.toContain('new-pw');
    expect((await login('ayse.demir@example.com', 'old-pw')).status).toBe(401);
    expect((await login('ayse.demir@example.com', 'new-pw')).status).toBe(200);

    // The user's own email, the released old email and its own username are all free for it.
    for (const email of ['ayse.aksoy@EXAMPLE.com', 'ayse.demir@example.com']) {
      expect((await patch({ email })).status).toBe(200);
    }
  });

  it('answers 404 for an unknown or malformed user id before reading the body, and field errors after', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', seeded(2).id.toUpperCase()]) {
      const answer = await api().patch(`/api/v2/user/${id}`).set('Authorization', admin).type('json').send('{broken');
      expect([id, answer.status, answer.body]).toEqual([id, 404, { detail: 'Not found.' }]);
      expectConformant('amani', 'updateUser', answer);
    }

    const target = structuredClone(seeded(2));
    const cases: Array<[unknown, object]> = [
      [{ email: seeded(1).email }, { email: ['user with this email already exists.'] }],
      [{ email: seeded(1).email.replace('example.com', 'Example.Com') }, { email: ['user with this email already exists.'] }],
      [{ email: 'nope' }, { email: ['Enter a valid email address.'] }],
      [{ password: '' }, { password: ['This field may not be blank.'] }],
      [{ password: ' ' }, { password: ['This field may not be blank.'] }],
      [{ first_name: null }, { first_name: ['This field may not be null.'] }],
      [{ groups: [9] }, { groups: ['Invalid pk "9" - object does not exist.'] }],
      [{ groups: 'Company Admin' }, { groups: ['Expected a list of items but got type "str".'] }],
      [[], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
      [null, { non_field_errors: ['No data provided'] }],
    ];
    for (const [body, errors] of cases) {
      const answer = await api().patch(`/api/v2/user/${target.id}`).set('Authorization', admin).type('json').send(JSON.stringify(body));
      expect([body, answer.status, answer.body]).toEqual([body, 400, errors]);
      expectConformant('amani', 'updateUser', answer);
    }
    expect(state().find(target.id)).toEqual(target);

    const broken = await api().patch(`/api/v2/user/${target.id}`).set('Authorization', admin).type('json').send('{broken');
    expect(broken.status).toBe(400);
    expect(broken.body.detail).toMatch(/^JSON parse error - /);
  });

  it('runs the documented flow: log in, create, update partially, log in as the new user', async () => {
    const adminLogin = await login(seeded(0).username);
    const token = `Bearer ${adminLogin.body.access}`;
    const roles = await api().get('/api/v2/group').set('Authorization', token);
    expect(roles.status).toBe(200);
    const companyUser = (roles.body as Array<{ id: number; name: string }>).find((role) => role.name === 'Company User')!;

    const created = await api()
      .post('/api/v2/user')
      .set('Authorization', token)
      .send({ email: 'can.ozturk@example.com', password: 'Hn5$eT1q-Ozturk', first_name: 'Can', groups: [companyUser.id] });
    expect(created.status).toBe(201);
    expectConformant('amani', 'createUser', created);

    const updated = await api()
      .patch(`/api/v2/user/${created.body.id}`)
      .set('Authorization', token)
      .send({ last_name: 'Öztürk', groups: [companyUser.id, 4] });
    expect(updated.status).toBe(200);
    expectConformant('amani', 'updateUser', updated);
    expect(updated.body).toEqual({
      ...created.body,
      last_name: 'Öztürk',
      groups: [COMPANY_USER, AUDITOR],
      permissions: ['add_document', 'add_profile', 'change_profile', 'view_document', 'view_group', 'view_profile', 'view_user'],
    });

    const own = await login('can.ozturk@example.com', 'Hn5$eT1q-Ozturk');
    expect(own.status).toBe(200);
    expectConformant('amani', 'login', own);
    expect(own.body).toMatchObject({
      id: created.body.id,
      first_name: 'Can',
      last_name: 'Öztürk',
      phone: '',
      company_id: adminLogin.body.company_id,
      groups: [COMPANY_USER, AUDITOR],
    });
    expect((await api().get('/api/v2/group').set('Authorization', `Bearer ${own.body.access}`)).status).toBe(200);
  });
});

describe('amani groups and routing', () => {
  it('lists every role as a bare array', async () => {
    for (const authorization of [admin, standard]) {
      const answer = await api().get('/api/v2/group').set('Authorization', authorization);
      expect(answer.status).toBe(200);
      expectConformant('amani', 'listGroups', answer);
      expect(answer.body).toEqual(ROLES);
    }
  });

  it('answers unknown paths with 404 and known paths with 405, after authentication and permissions where DRF checks them', async () => {
    for (const path of ['/api/v2/nothing', '/api/v2/token/refresh', '/api/v2/group/', '/api/v2/user/']) {
      const answer = await api().get(path).set('Authorization', admin);
      expect([path, answer.status, answer.body, answer.headers['content-type']]).toEqual([
        path,
        404,
        { detail: 'Not found.' },
        'application/json',
      ]);
    }
    const loginGet = await api().get('/api/v2/user/login');
    expect([loginGet.status, loginGet.body]).toEqual([405, { detail: 'Method "GET" not allowed.' }]);
    const refreshPut = await api().put('/api/v2/token/refresh/');
    expect([refreshPut.status, refreshPut.body]).toEqual([405, { detail: 'Method "PUT" not allowed.' }]);
    // Django resolves the URL before the method: `user/login` is the login view, never a user id.
    const loginPatch = await api().patch('/api/v2/user/login').set('Authorization', admin).send({ first_name: 'x' });
    expect([loginPatch.status, loginPatch.body]).toEqual([405, { detail: 'Method "PATCH" not allowed.' }]);

    // DjangoModelPermissions asks for the method's permission on the view's model before DRF
    // looks for the method: a Viewer may not delete users, nor a Company Admin add groups.
    const userPath = `/api/v2/user/${seeded(2).id}`;
    expect((await api().delete(userPath)).body).toEqual(NOT_PROVIDED);
    for (const [method, path, authorization, status] of [
      ['delete', userPath, standard, 403],
      ['put', userPath, standard, 403],
      ['delete', userPath, admin, 405],
      ['get', '/api/v2/user', standard, 405],
      ['post', '/api/v2/group', admin, 403],
      ['delete', '/api/v2/group', admin, 403],
    ] as const) {
      const answer = await api()[method](path).set('Authorization', authorization);
      const body = status === 403 ? FORBIDDEN : { detail: `Method "${method.toUpperCase()}" not allowed.` };
      expect([method, path, answer.status, answer.body]).toEqual([method, path, status, body]);
    }
  });
});

describe("amani seeding: the spec's examples run against the default seed", () => {
  const spec = apiSpec('amani');
  type Example = { name: string; value: unknown };
  const value = <T>(examples: Example[], name: string) => examples.find((example) => example.name === name)!.value as T;
  const loginRequests = spec.requestExamples('login');
  const loginAnswers = spec.responseExamples('login', 200);
  type LoginAnswer = { id: string; username: string; access: string; refresh: string; permissions: string[] } & Record<string, unknown>;

  let served: RunningMock;
  beforeAll(async () => {
    served = await startMock(); // `usermock serve`'s defaults: seed 1, 30 users per API
  });
  afterAll(() => served.close());
  const seededState = () => served.mock.state('amani');

  it('seeds the company, roles and users of the examples marked x-usermock-seed, first, counting towards users', async () => {
    const marked = spec.seededExamples().map((example) => `${example.operationId} ${example.where} ${example.name}`);
    expect(marked.sort()).toEqual(
      [
        'login request companyAdmin',
        'login request companyUser',
        'login response companyAdmin',
        'login response companyUser',
        'listGroups response roles',
      ].sort(),
    );
    const state = seededState();
    for (const role of value<Array<{ id: number }>>(spec.responseExamples('listGroups', 200), 'roles')) {
      expect(state.roles.get(role.id)).toEqual(role);
    }
    expect([...state.roles.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(state.users.size).toBe(30);
    for (const [index, name] of ['companyAdmin', 'companyUser'].entries()) {
      const answer = value<LoginAnswer>(loginAnswers, name);
      const user = [...state.users.values()][index]!;
      expect(state.company).toBe(answer.company_id);
      expect(user).toEqual({
        id: answer.id,
        username: answer.username,
        email: answer.username,
        password: value<{ password: string }>(loginRequests, name).password,
        first_name: answer.first_name,
        last_name: answer.last_name,
        phone: answer.phone,
        groups: (answer.groups as Array<{ id: number }>).map((role) => role.id),
        mfa: false,
        reset_pw: false,
        reset_2fa: false,
        is_active: true,
      });
      expect(user.password).toBe(SEEDED_PASSWORD);
      // What the mock answers to the login example is the example, but for fresh tokens.
      const login = await request(served.url).post('/api/v2/user/login').send(value(loginRequests, name));
      expect(login.status).toBe(200);
      expect({ ...login.body, permissions: [...login.body.permissions].sort() }).toEqual({
        ...answer,
        access: expect.stringMatching(JWT),
        refresh: expect.stringMatching(JWT),
        permissions: [...answer.permissions].sort(),
      });
    }
    // Fewer users than documented ones plus the standard credential's: those still.
    const few = await startMock({ users: 1 });
    try {
      expect([...few.mock.state('amani').users.values()].map((user) => user.groups)).toEqual([[2], [3], [1]]);
    } finally {
      await few.close();
    }
  });

  it('issued the tokens the examples show: the admin credential, the refresh token and the access tokens', async () => {
    const state = seededState();
    const admin = value<LoginAnswer>(loginAnswers, 'companyAdmin');
    expect(served.mock.credentials().amani.admin).toBe(`Bearer ${admin.access}`);
    const refresh = value<{ refresh: string }>(spec.requestExamples('refreshToken'), 'refresh').refresh;
    expect(refresh).toBe(admin.refresh);
    const tokens: Array<[string, 'access' | 'refresh', string]> = [
      ...loginAnswers.flatMap(({ value: answer }) => {
        const { access, refresh: token, id } = answer as LoginAnswer;
        return [
          [access, 'access', id],
          [token, 'refresh', id],
        ] as Array<[string, 'access' | 'refresh', string]>;
      }),
      [value<{ access: string }>(spec.responseExamples('refreshToken', 200), 'refresh').access, 'access', admin.id],
    ];
    for (const [token, type, userId] of tokens) {
      const check = state.verify(token, type);
      expect(check.ok && check.claims.user_id, token).toBe(userId);
    }
    const refreshed = await request(served.url).post('/api/v2/token/refresh/').send({ refresh });
    expect(refreshed.status).toBe(200);
    expect(state.verify(refreshed.body.access, 'access')).toMatchObject({ ok: true, claims: { user_id: admin.id } });
  });
});

describe('amani seeding and sessions', () => {
  it('seeds the same users and credentials for the same seed, and valid credentials', async () => {
    const [one, two, other] = await Promise.all([
      startMock({ seed: 42, users: 8 }),
      startMock({ seed: 42, users: 8 }),
      startMock({ seed: 43, users: 8 }),
    ]);
    try {
      const first = one.mock.state('amani');
      expect(JSON.stringify(first)).toBe(JSON.stringify(two.mock.state('amani')));
      expect(one.mock.credentials().amani).toEqual(two.mock.credentials().amani);
      expect(other.mock.credentials().amani).not.toEqual(one.mock.credentials().amani);
      expect(JSON.stringify(other.mock.state('amani'))).not.toBe(JSON.stringify(first));

      const users = [...first.users.values()];
      expect(users).toHaveLength(8);
      expect(new Set(users.map((user) => user.email)).size).toBe(8);
      for (const user of users) {
        expect(user.email).toMatch(/^[a-z0-9.-]+@example\.com$/);
        expect(user.username).toBe(user.email);
        expect(user.password).toBe(SEEDED_PASSWORD);
        expect(user.id).toMatch(UUID);
      }
      expect(users.slice(0, 3).map((user) => [user.groups, user.is_active])).toEqual([
        [[2], true],
        [[3], true],
        [[1], true],
      ]);

      const { admin: adminCredential, standard: standardCredential } = one.mock.credentials().amani;
      expect(jwtPart(adminCredential.slice(7), 1)).toMatchObject({ token_type: 'access', user_id: users[0]!.id });
      expect(jwtPart(standardCredential.slice(7), 1)).toMatchObject({ token_type: 'access', user_id: users[STANDARD]!.id });
      // A credential of one mock is valid in another seeded alike.
      const created = await request(two.url)
        .post('/api/v2/user')
        .set('Authorization', adminCredential)
        .send({ email: 'x@example.com', password: 'x' });
      expect(created.status).toBe(201);
      expect((await request(two.url).get('/api/v2/group').set('Authorization', standardCredential)).status).toBe(200);
      expect((await request(other.url).get('/api/v2/group').set('Authorization', standardCredential)).status).toBe(401);
    } finally {
      await Promise.all([one.close(), two.close(), other.close()]);
    }
  });

  it('keeps sessions apart and honours the credentials in every session', async () => {
    const created = await createUser({ email: 'only-in-a@example.com', password: 'pw-a' }, 'a');
    expect(state('a').find(created.id as string)).toBeDefined();
    expect(state().find(created.id as string)).toBeUndefined();

    const inA = await login('only-in-a@example.com', 'pw-a', 'a');
    expect(inA.status).toBe(200);
    expect((await login('only-in-a@example.com', 'pw-a')).status).toBe(401);
    expect((await login('only-in-a@example.com', 'pw-a', 'b')).status).toBe(401);

    // The same email is free in another session.
    expect((await createUser({ email: 'only-in-a@example.com', password: 'pw-b' }, 'b')).id).not.toBe(created.id);

    // A token names a user of its session; elsewhere SimpleJWT finds nobody.
    const elsewhere = await api().get('/api/v2/group').set(SESSION_HEADER, 'c').set('Authorization', `Bearer ${inA.body.access}`);
    expect([elsewhere.status, elsewhere.body]).toEqual([401, { detail: 'User not found', code: 'user_not_found' }]);
    expectConformant('amani', 'listGroups', elsewhere);
    for (const session of ['a', 'b', 'c']) {
      expect((await api().get('/api/v2/group').set(SESSION_HEADER, session).set('Authorization', standard)).status).toBe(200);
    }
    expect(running.mock.credentials('a').amani).toEqual({ admin, standard });

    running.mock.reset('a');
    expect((await login('only-in-a@example.com', 'pw-a', 'a')).status).toBe(401);
  });

  it('restores its state from a snapshot, tokens included', async () => {
    const created = await createUser({ email: 'kept@example.com', password: 'pw-kept', groups: [4] });
    const { refresh } = (await login('kept@example.com', 'pw-kept')).body as { refresh: string };
    const copy = AmaniState.fromJSON(JSON.parse(JSON.stringify(state())));
    expect(copy.toJSON()).toEqual(state().toJSON());
    expect(copy.findByEmail('kept@example.com')?.id).toBe(created.id);

    const restored = await startMock({ snapshot: JSON.parse(JSON.stringify(running.mock.snapshot())) });
    try {
      expect(restored.mock.credentials().amani).toEqual({ admin, standard });
      expect(
        (await request(restored.url).post('/api/v2/user/login').send({ username: 'kept@example.com', password: 'pw-kept' })).status,
      ).toBe(200);
      expect((await request(restored.url).post('/api/v2/token/refresh/').send({ refresh })).status).toBe(200);
      expect((await request(restored.url).get('/api/v2/group').set('Authorization', standard)).status).toBe(200);
    } finally {
      await restored.close();
    }
  });
});

describe('amani robustness', () => {
  it('answers any JSON body with a documented, conformant answer', async () => {
    const target = seeded(2).id;
    const operations = [
      ['login', 'post', '/api/v2/user/login', undefined],
      ['refreshToken', 'post', '/api/v2/token/refresh/', undefined],
      ['createUser', 'post', '/api/v2/user', admin],
      ['updateUser', 'patch', `/api/v2/user/${target}`, admin],
    ] as const;
    const field = fc.constantFrom('email', 'password', 'username', 'refresh', 'first_name', 'last_name', 'phone', 'groups');
    const body = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(field, fc.oneof(fc.jsonValue(), fc.emailAddress(), fc.array(fc.integer({ min: 0, max: 6 })))),
    );
    for (const [operationId, method, path, authorization] of operations) {
      await fc.assert(
        fc.asyncProperty(body, async (value) => {
          const req = api()[method](path).type('json');
          const answer = await (authorization ? req.set('Authorization', authorization) : req).send(JSON.stringify(value));
          expect(answer.status).toBeLessThan(500);
          expectConformant('amani', operationId, answer);
        }),
        { numRuns: 60 },
      );
    }
  });

  it('answers any bearer token with 401', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[!-~]{0,80}$/), async (token) => {
        const answer = await api().get('/api/v2/group').set('Authorization', `Bearer ${token}`);
        expect(answer.status).toBe(401);
        expectConformant('amani', 'listGroups', answer);
      }),
      { numRuns: 60 },
    );
  });
});
