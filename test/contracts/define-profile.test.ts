// defineContractProfile: a profile from the spec and a few facts, every other member derived —
// checked on the SCIM example's spec (examples/scim/: `application/scim+json`, a `ListResponse`,
// `userName` as the unique key, a replacing PUT), and on a small plain-JSON spec for what SCIM
// has not (a request default, a merging PATCH, a uuid key, an email as the unique key, no 409).
import { describe, expect, it } from 'vitest';
import { bodyTargetsOf, type CreatedUser } from '../../contracts/apis/profile.ts';
import { defineContractProfile, type ContractProfileDefinition } from '../../contracts/index.ts';
import { contentTypeConformance, responseSchemaConformance } from '../../contracts/checks/response.ts';
import { DataFactory } from '../../contracts/data.ts';
import { UNICODE_NAMES } from '../../contracts/unicode-names.ts';
import type { RunContext } from '../../contracts/drivers/context.ts';
import { receivedResponse, type Call, type Exchange } from '../../contracts/exchange.ts';
import { loadSpec } from '../../specs/index.ts';

const SCIM_JSON = 'application/scim+json';
const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
const scim = await loadSpec(new URL('../../examples/scim/scim.openapi.yaml', import.meta.url), { name: 'scim' });

/** A profile of the SCIM spec from the facts alone (the example's own, examples/scim/profile.ts, adds more). */
const scimProfile = (more: Partial<ContractProfileDefinition> = {}) =>
  defineContractProfile({
    api: 'scim',
    spec: scim,
    operations: { create: 'createUser', read: 'getUser', update: 'replaceUser', remove: 'deleteUser', list: 'listUsers' },
    key: 'id',
    ...more,
  });

const exchange = (call: Call, status: number, json: unknown, contentType = 'application/json'): Exchange => ({
  id: 1,
  operationId: call.operationId,
  call,
  request: { method: call.method, url: `http://server${call.path}`, headers: {}, auth: call.auth },
  response: receivedResponse(status, { 'content-type': contentType }, JSON.stringify(json)),
  intent: { purpose: 'a test' },
});

/** A run context that answers each call with `answer`, recording what was sent. */
function fakeContext(answer: (call: Call) => { status: number; json?: unknown }, readOnly = false) {
  const sent: Call[] = [];
  const context = {
    data: new DataFactory(1),
    mode: { readOnly, stateless: false, destructive: false },
    async send(call: Call) {
      sent.push(call);
      const { status, json } = answer(call);
      return exchange(call, status, json ?? {});
    },
  } as unknown as RunContext;
  return { context, sent };
}

const user = (key: string, sent: Record<string, unknown>): CreatedUser => ({ key, sent, shows: { ...sent }, history: [] });
const listResponse = (...Resources: unknown[]) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
  totalResults: Resources.length,
  Resources,
});

describe("a profile defined from the SCIM example's spec", () => {
  const profile = scimProfile();
  const data = new DataFactory(7);

  it('derives the unique key, the duplicate status and calls of the documented operations, in its media type', () => {
    // No email field at the top of a SCIM User: its first required text field.
    expect([profile.api, profile.uniqueKey, profile.duplicateStatus]).toEqual(['scim', 'userName', 409]);
    expect(profile.checks).toEqual([]);
    expect(profile.scenarios).toEqual([]);
    expect(profile.unprovokable).toEqual({});
    const someone = user('u 1', { schemas: [USER_URN], userName: 'ada' });
    expect(profile.read(someone)).toEqual({ operationId: 'getUser', method: 'GET', path: '/scim/v2/Users/u%201', auth: 'admin' });
    expect(profile.remove?.call(someone)).toMatchObject({ operationId: 'deleteUser', method: 'DELETE', path: '/scim/v2/Users/u%201' });
    expect(profile.remove?.afterwards).toEqual({ status: [404] });
    expect(profile.list?.call(someone)).toEqual({ operationId: 'listUsers', method: 'GET', path: '/scim/v2/Users', auth: 'admin' });
    expect(profile.create({ userName: 'ada' })).toEqual({
      operationId: 'createUser',
      method: 'POST',
      path: '/scim/v2/Users',
      auth: 'admin',
      body: { userName: 'ada' },
      contentType: SCIM_JSON,
    });
  });

  it("makes new users from the create's request schema, nested names in other scripts when asked", () => {
    const body = profile.newUser(data);
    expect(scim.requestValidator('createUser')!(body)).toBe(true);
    const unicode = profile.newUser(data, true);
    expect([unicode.name, unicode.displayName]).toEqual([
      expect.objectContaining({ givenName: UNICODE_NAMES.first, familyName: UNICODE_NAMES.last, formatted: UNICODE_NAMES.full }),
      UNICODE_NAMES.full,
    ]);
  });

  it('passes every body it makes through `accepted`, for what the schema cannot say', () => {
    // RFC 7643 §2.4: at most one primary email — no JSON Schema says so.
    const onePrimary = scimProfile({
      accepted: ({ emails, ...body }) => ({
        ...body,
        emails: ((emails as object[] | undefined) ?? []).map((email) => ({ ...email, primary: false })),
      }),
    });
    const someone = user('abc', { schemas: [USER_URN], userName: 'ada' });
    const bodies = [
      onePrimary.newUser(data),
      onePrimary.newUser(data, true),
      onePrimary.update(someone, data).call.body,
      bodyTargetsOf(onePrimary, someone, data)[1]!.valid(false),
    ] as Array<{ emails: Array<{ primary: boolean }> }>;
    const emails = bodies.flatMap((body) => body.emails);
    expect([emails.length > 0, emails.every((email) => email.primary === false)]).toEqual([true, true]);
  });

  it('expects the fields sent that the answers show (SCIM documents no defaults for those not sent)', () => {
    expect(profile.shows({ schemas: [USER_URN], userName: 'ada', displayName: 'Ada', id: 'mine', unknown: 1 })).toEqual({
      answer: { schemas: [USER_URN], userName: 'ada', displayName: 'Ada' },
      read: { schemas: [USER_URN], userName: 'ada', displayName: 'Ada' },
    });
    expect(profile.shows({ schemas: [USER_URN], userName: 'ada' }).read).toEqual({ schemas: [USER_URN], userName: 'ada' });
  });

  it('keys a created user by the key field, and the users of a ListResponse in its Resources', () => {
    const call = profile.create({});
    expect(profile.created(exchange(call, 201, { id: 'abc', userName: 'ada' }, SCIM_JSON))).toEqual({
      key: 'abc',
      captures: [{ value: 'abc', path: 'id' }],
    });
    expect(profile.created(exchange(call, 201, { userName: 'ada' }, SCIM_JSON))).toBeUndefined();
    const listed = exchange(profile.list!.call(user('1', {})), 200, listResponse({ id: 'a' }, { id: 'b' }), SCIM_JSON);
    expect(profile.list?.keysIn(listed.response)).toEqual(['a', 'b']);
    expect(profile.cleanup(exchange(call, 201, { id: 'abc' }))).toMatchObject([{ operationId: 'deleteUser', path: '/scim/v2/Users/abc' }]);
    expect(profile.leftover).toBeUndefined();
  });

  it('updates with a body of the update schema, the userName kept; a replacing update expects only what it sent', () => {
    const someone = user('abc', { schemas: [USER_URN], userName: 'ada', externalId: 'e-1', displayName: 'Ada', active: true });
    const merging = profile.update(someone, data);
    expect(merging.call).toMatchObject({ operationId: 'replaceUser', method: 'PUT', path: '/scim/v2/Users/abc', contentType: SCIM_JSON });
    const sent = merging.call.body as Record<string, unknown>;
    expect([sent.userName, scim.requestValidator('replaceUser')!(sent)]).toEqual(['ada', true]);
    const shown = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([field]) => field in someone.shows));
    // By default what it does not send is kept; with `replaces` (RFC 7644 §3.5.1) it is unassigned.
    expect(merging.after).toEqual({ ...someone.shows, ...shown(sent) });
    const replacing = scimProfile({ replaces: true }).update(someone, data);
    expect([replacing.after, replacing.because]).toEqual([shown(replacing.call.body as Record<string, unknown>), {}]);
  });

  it('names a user nobody is (of the string the path parameter is) in each operation documenting a 404', () => {
    const calls = profile.unknownUser(data);
    expect(calls.map((call) => call.operationId)).toEqual(['getUser', 'replaceUser', 'deleteUser']);
    expect(new Set(calls.map((call) => call.path)).size).toBe(1);
    expect(calls[0]!.path).toMatch(/^\/scim\/v2\/Users\/usermock-.+-nobody$/);
  });

  it('samples every operation (one beyond the five from its example), and offers the update besides the create as a body target', () => {
    const someone = user('abc', { schemas: [USER_URN], userName: 'ada' });
    for (const operation of scim.operations) expect(profile.sample(operation.id, someone, data)?.operationId).toBe(operation.id);
    expect(profile.sample('patchUser', someone, data)).toMatchObject({
      method: 'PATCH',
      body: { Operations: [{ op: 'replace', path: 'active', value: false }] },
    });
    // No read of nobody: without a user of the run or a listed one, none.
    expect(profile.sample('getUser', undefined, data)).toBeUndefined();
    expect(bodyTargetsOf(profile, someone, data).map((target) => target.operationId)).toEqual(['createUser', 'replaceUser']);
    const [, target] = bodyTargetsOf(profile, someone, data);
    expect(target!.call({ raw: '{' })).toMatchObject({ path: '/scim/v2/Users/abc', raw: '{', body: undefined });
    expect(target!.valid(true).displayName).toBe(UNICODE_NAMES.full);
  });

  it('identifies a credential by the list, and an admin by removing nobody (403: not an admin)', async () => {
    const answers = { listUsers: 200, deleteUser: 403 } as Record<string, number>;
    const { context, sent } = fakeContext((call) => ({ status: answers[call.operationId]!, json: listResponse() }));
    await expect(profile.identify(context, 'standard')).resolves.toMatchObject({ accepted: true, admin: false });
    expect(sent.map((call) => [call.operationId, call.auth])).toEqual([
      ['listUsers', 'standard'],
      ['deleteUser', 'standard'],
    ]);
    answers.deleteUser = 404;
    await expect(profile.identify(context, 'admin')).resolves.toMatchObject({ accepted: true, admin: true });
    answers.listUsers = 401;
    await expect(profile.identify(context, 'admin')).resolves.toMatchObject({ accepted: false });
    answers.listUsers = 500;
    await expect(profile.identify(context, 'admin')).resolves.toMatchObject({ accepted: undefined });
  });

  it('asks only the list on a read-only run, and remembers a listed user to read', async () => {
    const { context, sent } = fakeContext(() => ({ status: 200, json: listResponse({ id: 'known-1', userName: 'k' }) }), true);
    await expect(profile.identify(context, 'admin')).resolves.toEqual({ accepted: true, evidence: 'GET /scim/v2/Users answered 200' });
    await profile.prepare(context);
    expect(sent.map((call) => call.operationId)).toEqual(['listUsers', 'listUsers']);
    expect(profile.sample('getUser', undefined, context.data)?.path).toBe('/scim/v2/Users/known-1');
  });

  it('judges a +json answer as JSON: its media type and its schema', () => {
    const seeded = scim.seededExamples().find((example) => example.operationId === 'listUsers')!.value;
    const list = profile.list!.call(user('1', {}));
    const listed = exchange(list, 200, seeded, `${SCIM_JSON}; charset=utf-8`);
    expect(contentTypeConformance.judge(listed, profile.spec)).toBeUndefined();
    expect(responseSchemaConformance.judge(listed, profile.spec)).toBeUndefined();
    const wrong = exchange(list, 200, { ...listResponse(), Resources: 'none' }, SCIM_JSON);
    expect(responseSchemaConformance.judge(wrong, profile.spec)).toMatchObject({
      message: expect.stringContaining('/Resources must be array'),
    });
  });

  it('lets every member be given instead', () => {
    const custom = defineContractProfile({
      api: 'scim',
      spec: scim,
      operations: { create: 'createUser', read: 'getUser', update: 'replaceUser' },
      key: 'id',
      uniqueKey: 'externalId',
      duplicateStatus: 400,
      unprovokable: { 'getUser 404': 'never' },
    });
    expect([custom.uniqueKey, custom.duplicateStatus, custom.unprovokable, custom.remove, custom.list]).toEqual([
      'externalId',
      400,
      { 'getUser 404': 'never' },
      undefined,
      undefined,
    ]);
    // Without a remove, what the run created stays: the clean-up says so.
    const made = exchange(custom.create({ schemas: [USER_URN], userName: 'ada', externalId: 'e-1' }), 201, { id: 'x' });
    expect(custom.cleanup(made)).toEqual([]);
    expect(custom.leftover?.(made)).toBe('user e-1 (scim documents no way to delete a user)');
  });
});

// A plain JSON API: a default, a merging PATCH, a uuid key, a required email, no documented 409.
const field = { type: 'string', minLength: 1 };
const email = { type: 'string', format: 'email' };
const ok = (schema: unknown) => ({ description: 'ok', content: { 'application/json': { schema } } });
const answered = { $ref: '#/components/schemas/User' };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const PLAIN = {
  openapi: '3.0.3',
  info: { title: 'Plain', version: '1' },
  paths: {
    '/users': {
      get: { operationId: 'listUsers', responses: { '200': ok({ type: 'array', items: answered }) } },
      post: {
        operationId: 'createUser',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/NewUser' } } } },
        responses: { '201': ok(answered), '400': ok({}) },
      },
    },
    '/users/{id}': {
      parameters: [id],
      get: { operationId: 'getUser', responses: { '200': ok(answered), '404': ok({}) } },
      patch: {
        operationId: 'updateUser',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/UserPatch' } } } },
        responses: { '200': ok(answered), '404': ok({}) },
      },
      delete: { operationId: 'deleteUser', responses: { '204': { description: 'gone' }, '404': ok({}) } },
    },
  },
  components: {
    schemas: {
      Role: { type: 'string', enum: ['member', 'admin'] },
      User: {
        type: 'object',
        required: ['id', 'email', 'name', 'role'],
        properties: {
          id: { type: 'string', format: 'uuid', readOnly: true },
          email,
          name: field,
          role: { $ref: '#/components/schemas/Role' },
        },
      },
      // The role through allOf, its default beside it.
      NewUser: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'name'],
        properties: { email, name: field, role: { default: 'member', allOf: [{ $ref: '#/components/schemas/Role' }] } },
      },
      // The email is the user's identity: an update cannot send it.
      UserPatch: {
        type: 'object',
        additionalProperties: false,
        properties: { name: field, role: { $ref: '#/components/schemas/Role' } },
      },
    },
  },
};
const plain = await loadSpec(PLAIN, { name: 'plain' });

describe('a profile defined from a plain JSON spec', () => {
  const define = (duplicateStatus?: number) =>
    defineContractProfile({
      api: 'plain',
      spec: plain,
      operations: { create: 'createUser', read: 'getUser', update: 'updateUser', remove: 'deleteUser', list: 'listUsers' },
      key: 'id',
      ...(duplicateStatus ? { duplicateStatus } : {}),
    });
  const data = new DataFactory(7);

  it('needs the duplicate status where the create documents no 409, naming the unique key (its required email)', () => {
    expect(() => define()).toThrow(
      'plain: createUser documents no 409: give duplicateStatus, the status a second create with the same email gets',
    );
    const profile = define(409);
    expect([profile.uniqueKey, profile.create({}).contentType]).toEqual(['email', 'application/json']);
    const body = profile.newUser(data);
    expect(plain.requestValidator('createUser')!(body)).toBe(true);
    expect(body.email).toMatch(/^usermock-.+@example\.com$/);
    expect(profile.newUser(data, true).name).toBe(UNICODE_NAMES.full);
  });

  it('expects the defaults of the fields not sent', () => {
    const profile = define(409);
    expect(profile.shows({ email: 'a@example.com', name: 'Ada', role: 'admin' }).read).toEqual({
      email: 'a@example.com',
      name: 'Ada',
      role: 'admin',
    });
    expect(profile.shows({ email: 'a@example.com', name: 'Ada' }).read).toEqual({ email: 'a@example.com', name: 'Ada', role: 'member' });
  });

  it('updates with a body of the update schema and expects the fields it does not send unchanged', () => {
    const someone = user('abc', { email: 'ada@example.com', name: 'Ada', role: 'member' });
    const { call, after, because } = define(409).update(someone, data);
    expect(call).toMatchObject({ operationId: 'updateUser', method: 'PATCH', path: '/users/abc' });
    expect(plain.requestValidator('updateUser')!(call.body)).toBe(true);
    expect(after).toEqual({ ...someone.shows, ...(call.body as object) });
    expect(because).toEqual({ email: 'not sent, so unchanged' });
  });

  it('names a user nobody is by a uuid, as the path parameter is one, and lists users of an array answer', () => {
    const profile = define(409);
    const calls = profile.unknownUser(data);
    expect(calls.map((call) => call.operationId)).toEqual(['getUser', 'updateUser', 'deleteUser']);
    expect(calls[0]!.path).toMatch(/^\/users\/[0-9a-f-]{36}$/);
    expect(profile.list?.keysIn(exchange(profile.list.call(user('1', {})), 200, [{ id: 'a' }, { id: 'b' }]).response)).toEqual(['a', 'b']);
  });
});
