// hoop.dev gateway: how the generic drivers create, read, list, update and delete its users, and
// what only hoop has — the caller's own record (`/api/userinfo`, `PATCH /api/users/self/slack`),
// groups, and an admin's refusals to deactivate or delete themself.
import { isObject } from '../../specs/json.ts';
import { apiSpec } from '../../specs/index.ts';
import { expectationCheck, NOT_JUDGED, responseCheck } from '../checks/check.ts';
import { answersAsDocumented } from '../checks/response.ts';
import { UNICODE_NAMES, type DataFactory } from '../data.ts';
import type { RunContext } from '../drivers/context.ts';
import type { Call, Exchange, ReceivedResponse } from '../exchange.ts';
import type { ApiProfile, Provocation } from './profile.ts';

const spec = () => apiSpec('hoop');
const userPath = (key: string) => `/api/users/${encodeURIComponent(key)}`;
const groupPath = (name: string) => `/api/users/groups/${encodeURIComponent(name)}`;
/** Who a caller is, as hoop shows its own record. */
export const userInfo = (auth: 'admin' | 'standard'): Call => ({ operationId: 'getUserInfo', method: 'GET', path: '/api/userinfo', auth });
/** A caller setting its own slack id: the one write to a record the run did not create, put back afterwards. */
export const selfSlack = (auth: 'admin' | 'standard', slack_id: string): Call => ({
  operationId: 'updateSelfSlack',
  method: 'PATCH',
  path: '/api/users/self/slack',
  auth,
  body: { slack_id },
});

/** The fields a hoop user is compared on; `role` is computed from `groups` on every read. */
const FIELDS = ['email', 'name', 'groups', 'slack_id', 'picture', 'status'] as const;
const pick = (user: Record<string, unknown>) => Object.fromEntries(FIELDS.map((field) => [field, user[field]]));
const roleOf = (groups: unknown) => (Array.isArray(groups) && groups.includes('admin') ? 'admin' : 'standard');

/** hoop users' `role` and `status` are within the spec's enums (a more precise message than the schema's). */
const hoopEnumConformance = responseCheck(
  'hoop_enum_conformance',
  'hoop role and status are within their enums',
  ({ response }, hoopSpec) => {
    const users = Array.isArray(response.json) ? response.json : [response.json];
    if (!users.some((user) => isObject(user) && 'email' in user)) return NOT_JUDGED;
    const schemas = (hoopSpec.document as { components?: { schemas?: Record<string, Record<string, unknown>> } }).components?.schemas ?? {};
    const roles = (schemas['openapi.User']?.properties as Record<string, { enum?: unknown[] }> | undefined)?.role?.enum ?? [];
    const statuses = (schemas['openapi.StatusType']?.enum as unknown[] | undefined) ?? [];
    for (const user of users) {
      if (!isObject(user)) continue;
      if ('role' in user && !roles.includes(user.role))
        return {
          message: `role ${JSON.stringify(user.role)} is not one of ${roles.join('|')}`,
          schemaErrors: [{ pointer: '/role', keyword: 'enum' }],
        };
      if ('status' in user && !statuses.includes(user.status))
        return {
          message: `status ${JSON.stringify(user.status)} is not one of ${statuses.join('|')}`,
          schemaErrors: [{ pointer: '/status', keyword: 'enum' }],
        };
    }
    return undefined;
  },
);

/** hoop's profile for one run. */
export function hoopProfile(): ApiProfile {
  /** The callers as `/api/userinfo` showed them at the start: their emails, and the slack ids to restore. */
  const callers: Partial<Record<'admin' | 'standard', Record<string, unknown>>> = {};
  /** Callers whose own slack id the run may change: those it can put back (hoop refuses an empty one). */
  const restorable = new Set<'admin' | 'standard'>();
  let runGroup = 'usermock-group';

  function newUser(data: DataFactory, unicode = false): Record<string, unknown> {
    const body = data.body(spec().requestSchema('createUser')!);
    // Only active users read back the same on every server; the group is the run's own.
    // hoop takes internationalised addresses (net/mail): a non-ASCII body has one.
    return { ...body, status: 'active', groups: [runGroup], ...(unicode ? { name: UNICODE_NAMES.full, email: data.idnEmail() } : {}) };
  }

  const create = (body: Record<string, unknown>): Call => ({
    operationId: 'createUser',
    method: 'POST',
    path: '/api/users',
    auth: 'admin',
    body,
  });
  const put = (key: string, body: Record<string, unknown>): Call => ({
    operationId: 'updateUser',
    method: 'PUT',
    path: userPath(key),
    auth: 'admin',
    body,
  });
  const remove = (key: string): Call => ({ operationId: 'deleteUser', method: 'DELETE', path: userPath(key), auth: 'admin' });
  const read = (key: string): Call => ({ operationId: 'getUser', method: 'GET', path: userPath(key), auth: 'admin' });
  const deleteGroup = (name: string): Call => ({ operationId: 'deleteGroup', method: 'DELETE', path: groupPath(name), auth: 'admin' });

  /**
   * The caller's own record: `/api/userinfo` shows the caller — the user `PATCH
   * /api/users/self/slack` changed, whose change every later read shows.
   */
  async function callerIdentity(context: RunContext): Promise<void> {
    if (restorable.size === 0)
      return context.block('caller_identity', "no caller's own slack id could be put back afterwards, so none is changed");
    for (const auth of ['admin', 'standard'] as const) {
      const before = callers[auth];
      if (!before || !restorable.has(auth)) continue;
      const slack_id = `U${context.data.nonce.toUpperCase()}${auth === 'admin' ? 'A' : 'S'}`;
      // Only the slack id changes: every other field of the caller stays as /api/userinfo showed it.
      const shows = { ...pick(before), slack_id };
      const because = {
        ...Object.fromEntries(FIELDS.map((field) => [field, 'not sent, so as /api/userinfo showed the caller'])),
        slack_id: 'just set by the caller',
      };
      const patched = await context.send(selfSlack(auth, slack_id), {
        purpose: `setting the ${auth} caller's own slack id`,
        check: 'caller_identity',
        expect: { status: [200], shows, because },
      });
      const expect = { status: [200], shows, because };
      await context.send(userInfo(auth), {
        purpose: `/api/userinfo after the ${auth} caller changed its slack id`,
        check: 'caller_identity',
        expect,
        after: [patched],
      });
      await context.send(
        { ...read(String(before.email)), auth },
        { purpose: `reading the ${auth} caller after it changed its slack id`, check: 'caller_identity', expect, after: [patched] },
      );
    }
  }

  const profile: ApiProfile = {
    api: 'hoop',
    spec: spec(),
    checks: [
      hoopEnumConformance,
      expectationCheck('caller_identity', '/api/userinfo and PATCH /api/users/self/slack are about the caller', {
        stateful: true,
        writes: true,
      }),
    ],
    scenarios: [{ name: 'caller', writes: true, feeds: ['caller_identity'], run: callerIdentity }],

    async identify(context, auth) {
      // Any valid credential may call /api/userinfo: its documented 401 refuses one, its 200 accepts it and says who it is.
      const info = await context.send(userInfo(auth), { purpose: `asking who ${auth === 'admin' ? '--auth' : '--auth-standard'} is` });
      const { status, text, json } = info.response;
      const documented = answersAsDocumented(info, context.spec);
      if (status !== 200 || !documented)
        return {
          accepted: status === 401 && documented ? false : undefined,
          evidence: `GET /api/userinfo answered ${status}${documented ? '' : ', not as the spec documents it,'} ${text.slice(0, 100)}`,
        };
      const groups = isObject(json) ? json.groups : undefined;
      const claimsAdmin = Array.isArray(groups) ? roleOf(groups) === 'admin' : undefined;
      const claims = `GET /api/userinfo shows groups ${JSON.stringify(groups)}`;
      if (context.mode.readOnly) return { accepted: true, claimsAdmin, evidence: claims };
      // An admin-only request that changes nothing: deleting a group nobody has. Its documented 403
      // is the role refusal; any other refusal of a credential /api/userinfo accepted tells nothing.
      const probe = await context.send(
        { ...deleteGroup(`usermock-${context.data.nonce}-none`), auth },
        { purpose: `asking whether ${auth} is an admin` },
      );
      const answered = probe.response.status;
      const admin = !answersAsDocumented(probe, context.spec)
        ? undefined
        : answered === 403
          ? false
          : answered < 400 || answered === 404
            ? true
            : undefined;
      return { accepted: true, admin, claimsAdmin, evidence: `${claims}; DELETE ${probe.call.path} (admin only) answered ${answered}` };
    },

    async prepare(context) {
      runGroup = `usermock-${context.data.nonce}`;
      for (const auth of ['admin', 'standard'] as const) {
        if (!context.transport.has(auth)) continue;
        const info = await context.send(userInfo(auth), { purpose: `reading the ${auth} caller` });
        if (info.response.status !== 200 || !isObject(info.response.json)) continue;
        callers[auth] = info.response.json;
        if (context.mode.readOnly) continue;
        // The run changes a caller's slack id only where the clean-up can put it back: hoop refuses an empty one.
        const original = info.response.json.slack_id;
        if (typeof original === 'string' && original !== '') {
          restorable.add(auth);
          context.undo.push(selfSlack(auth, original));
        } else {
          context.notes.push(
            `the ${auth} caller's slack id is empty, which PATCH /api/users/self/slack cannot set back: caller_identity and the updateSelfSlack bodies leave that caller unchanged`,
          );
        }
      }
    },

    newUser,
    create,
    created: (exchange) =>
      exchange.response.status === 201 ? { key: String((exchange.call.body as { email: string }).email) } : undefined,
    shows: (sent) => ({ answer: pick(sent), read: { ...pick(sent), role: roleOf(sent.groups) } }),
    read: (user) => read(user.key),
    userIn: (response: ReceivedResponse) => (isObject(response.json) ? response.json : undefined),
    list: {
      call: () => ({ operationId: 'listUsers', method: 'GET', path: '/api/users', auth: 'admin' }),
      keysIn: (response) =>
        Array.isArray(response.json) ? response.json.map((user: { email?: unknown }) => String(user?.email)) : undefined,
      scope: 'all',
    },
    update(user, data) {
      // PUT replaces: every field is sent, status and groups changed too, and role follows the groups.
      const changes = {
        name: data.faker.person.fullName(),
        slack_id: `U${data.token().toUpperCase()}`,
        picture: data.faker.image.avatarGitHub(),
        status: 'inactive',
        groups: [runGroup, `${runGroup}-updated`],
      };
      const body = { ...pick(user.sent), ...changes, email: user.key };
      return { call: put(user.key, body), after: { ...pick(body), role: roleOf(body.groups) }, because: { role: 'computed from groups' } };
    },
    remove: { call: (user) => remove(user.key), afterwards: { status: [404] }, meaning: 'deleting the user' },
    duplicateStatus: 409,
    unknownUser(data) {
      const nobody = data.email();
      return [read(nobody), put(nobody, { email: nobody, name: 'Nobody' }), remove(nobody)];
    },
    bodyTargets: (user, data) => [
      {
        operationId: 'updateUser',
        call: (body) => ({ ...put(user.key, {}), body: undefined, ...body }),
        valid: (unicode) => ({ ...pick(user.sent), email: user.key, name: unicode ? UNICODE_NAMES.full : data.faker.person.fullName() }),
        acceptsValid: true,
      },
      {
        operationId: 'createGroup',
        call: (body) => ({ operationId: 'createGroup', method: 'POST', path: '/api/users/groups', auth: 'admin', ...body }),
        valid: (unicode) => ({ name: `${data.token()}${unicode ? '-ünï' : ''}` }),
        acceptsValid: true,
      },
      // The admin's own record: only when its slack id can be put back.
      ...(restorable.has('admin')
        ? [
            {
              operationId: 'updateSelfSlack',
              call: (body: { body?: unknown; raw?: string }) => ({ ...selfSlack('admin', ''), body: undefined, ...body }),
              valid: (unicode: boolean) => ({ slack_id: `U${data.token().toUpperCase()}${unicode ? 'Ü' : ''}` }),
              acceptsValid: true,
            },
          ]
        : []),
    ],
    sample(operationId, user, data) {
      // Reads may name the caller; writes only ever name a user of this run, or nobody.
      const someone = user?.key ?? (callers.admin?.email as string | undefined) ?? data.email();
      const target = user?.key ?? `usermock-${data.nonce}-nobody@example.com`;
      const calls: Record<string, Call> = {
        getUserInfo: userInfo('admin'),
        listUsers: { operationId, method: 'GET', path: '/api/users', auth: 'admin' },
        getUser: read(someone),
        listGroups: { operationId, method: 'GET', path: '/api/users/groups', auth: 'admin' },
        createUser: create(newUser(data)),
        updateUser: put(target, { ...(user ? pick(user.sent) : {}), email: target }),
        deleteUser: remove(target),
        updateSelfSlack: selfSlack('admin', `U${data.nonce.toUpperCase()}`),
        createGroup: { operationId, method: 'POST', path: '/api/users/groups', auth: 'admin', body: { name: data.token() } },
        deleteGroup: deleteGroup(`usermock-${data.nonce}-nogroup`),
      };
      return calls[operationId];
    },
    async provocations(context, user): Promise<Provocation[]> {
      const group = context.data.token();
      const createGroup: Call = {
        operationId: 'createGroup',
        method: 'POST',
        path: '/api/users/groups',
        auth: 'admin',
        body: { name: group },
      };
      const self = callers.admin?.email as string | undefined;
      return [
        { operationId: 'createGroup', status: 201, purpose: 'creating a group', call: createGroup },
        {
          operationId: 'createGroup',
          status: 409,
          purpose: 'creating the group admin, which every organisation has',
          call: { ...createGroup, body: { name: 'admin' } },
        },
        {
          operationId: 'deleteGroup',
          status: 204,
          purpose: 'deleting a group the run created',
          setup: [createGroup],
          call: deleteGroup(group),
        },
        { operationId: 'deleteGroup', status: 404, purpose: 'deleting a group nobody has', call: deleteGroup(`${group}-none`) },
        ...(user
          ? [
              {
                operationId: 'updateUser',
                status: 200,
                purpose: 'updating a user',
                call: put(user.key, { ...pick(user.sent), email: user.key }),
              },
            ]
          : []),
        // A conformant hoop refuses these three; a server that does not has done them.
        ...(self
          ? [
              {
                operationId: 'updateUser',
                status: 422,
                purpose: 'an admin deactivating themself',
                call: put(self, { ...pick(callers.admin!), email: self, status: 'inactive' }),
                destructive: true,
              },
              { operationId: 'deleteUser', status: 422, purpose: 'an admin deleting themself', call: remove(self), destructive: true },
            ]
          : []),
        { operationId: 'deleteGroup', status: 422, purpose: 'deleting the admin group', call: deleteGroup('admin'), destructive: true },
      ];
    },
    unprovokable: {},
    cleanup(exchange: Exchange): Call[] {
      const { operationId, call, response } = exchange;
      const body = isObject(call.body) ? call.body : {};
      const testGroups = Array.isArray(body.groups)
        ? body.groups.filter((name): name is string => typeof name === 'string' && name.startsWith('usermock-'))
        : [];
      if (operationId === 'createUser' && response.status === 201 && typeof body.email === 'string')
        return [remove(body.email), ...testGroups.map(deleteGroup)];
      if (operationId === 'updateUser' && response.status === 200) return testGroups.map(deleteGroup);
      if (operationId === 'createGroup' && response.status === 201 && typeof body.name === 'string') return [deleteGroup(body.name)];
      return [];
    },
    examples: {
      fields: {
        emailOrID: 'user',
        email: 'email',
        password: 'password',
        groups: 'name',
        'createGroup.name': 'name',
        'deleteGroup.name': 'name',
      },
      user: (user) => ({ email: user.key, id: (user.history[0]?.response.json as { id?: unknown } | undefined)?.id }),
      // The examples' admin is the caller they are sent as (`/api/userinfo`'s adminSelfHosted).
      isCaller: (record) => record.role === 'admin',
      builtIn: ['admin'],
      // A group an example names stands for a group of this run, made for it (the clean-up deletes it).
      async held(_wanted, context) {
        if (!context.allows('POST')) return undefined;
        const name = context.data.token();
        const made = await context.send(
          { operationId: 'createGroup', method: 'POST', path: '/api/users/groups', auth: 'admin', body: { name } },
          { purpose: 'preparing an example: a group of this run' },
        );
        return made.response.status === 201 ? name : undefined;
      },
      unsafe: (operationId) =>
        operationId === 'updateSelfSlack' && !restorable.has('admin')
          ? "it changes the admin caller's own slack id, which this run could not put back"
          : undefined,
    },
  };
  return profile;
}
