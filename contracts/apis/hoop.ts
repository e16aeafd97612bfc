// hoop.dev gateway: how the generic drivers create, read, list, update and delete its users, and
// what only hoop has — the caller's own record (`/api/userinfo`, `PATCH /api/users/self/slack`),
// groups, and an admin's refusals to deactivate or delete themself.
import { isObject } from '../../specs/json.ts';
import { apiSpec } from '../../specs/index.ts';
import { expectationCheck, NOT_JUDGED, responseCheck } from '../checks/check.ts';
import { answersAsDocumented } from '../checks/response.ts';
import type { DataFactory } from '../data.ts';
import { UNICODE_NAMES } from '../unicode-names.ts';
import type { RunContext } from '../drivers/context.ts';
import type { Call, Exchange } from '../exchange.ts';
import type { ApiProfile, BodyTarget, CreatedUser, ExampleValues, Identity, Provocation, Update } from './profile.ts';

const spec = () => apiSpec('hoop');

type Caller = 'admin' | 'standard';

/** Who a caller is, as hoop shows its own record. */
export const userInfo = (auth: Caller): Call => spec().call('getUserInfo', { auth });
/** A caller setting its own slack id: the one write to a record the run did not create, put back afterwards. */
export const selfSlack = (auth: Caller, slack_id: string): Call => spec().call('updateSelfSlack', { auth, body: { slack_id } });
const createUser = (body: Record<string, unknown>): Call => spec().call('createUser', { body });
const getUser = (key: string): Call => spec().call('getUser', { params: { emailOrID: key } });
const putUser = (key: string, body: Record<string, unknown>): Call => spec().call('updateUser', { params: { emailOrID: key }, body });
const deleteUser = (key: string): Call => spec().call('deleteUser', { params: { emailOrID: key } });
const createGroup = (name: string): Call => spec().call('createGroup', { body: { name } });
const deleteGroup = (name: string): Call => spec().call('deleteGroup', { params: { name } });

/** The fields a hoop user is compared on; `role` is computed from `groups` on every read. */
const FIELDS = ['email', 'name', 'groups', 'slack_id', 'picture', 'status'] as const;
const pick = (user: Record<string, unknown>) => Object.fromEntries(FIELDS.map((field) => [field, user[field]]));
const roleOf = (groups: unknown) => (Array.isArray(groups) && groups.includes('admin') ? 'admin' : 'standard');

/** What one run knows of the server, learnt by `prepareHoopRun`. */
interface HoopRun {
  /** The callers as `/api/userinfo` showed them at the start: their emails, and the slack ids to restore. */
  callers: Partial<Record<Caller, Record<string, unknown>>>;
  /** Callers whose own slack id the run may change: those it can put back (hoop refuses an empty one). */
  restorable: Set<Caller>;
  /** The group the run's users are in. */
  group: string;
}

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

const callerIdentityCheck = expectationCheck('caller_identity', '/api/userinfo and PATCH /api/users/self/slack are about the caller', {
  stateful: true,
  writes: true,
});

function newHoopUser(run: HoopRun, data: DataFactory, unicode = false): Record<string, unknown> {
  const body = data.body(spec().requestSchema('createUser')!);
  // Only active users read back the same on every server; the group is the run's own.
  // hoop takes internationalised addresses (net/mail): a non-ASCII body has one.
  return { ...body, status: 'active', groups: [run.group], ...(unicode ? { name: UNICODE_NAMES.full, email: data.idnEmail() } : {}) };
}

/**
 * The caller's own record: `/api/userinfo` shows the caller — the user `PATCH
 * /api/users/self/slack` changed, whose change every later read shows.
 */
async function hoopCallerIdentity(run: HoopRun, context: RunContext): Promise<void> {
  const check = callerIdentityCheck.name;
  if (run.restorable.size === 0) return context.block(check, "no caller's own slack id could be put back afterwards, so none is changed");
  for (const auth of ['admin', 'standard'] as const) {
    const before = run.callers[auth];
    if (!before || !run.restorable.has(auth)) continue;
    const slack_id = `U${context.data.nonce.toUpperCase()}${auth === 'admin' ? 'A' : 'S'}`;
    // Only the slack id changes: every other field of the caller stays as /api/userinfo showed it.
    const shows = { ...pick(before), slack_id };
    const because = {
      ...Object.fromEntries(FIELDS.map((field) => [field, 'not sent, so as /api/userinfo showed the caller'])),
      slack_id: 'just set by the caller',
    };
    const patched = await context.send(selfSlack(auth, slack_id), {
      purpose: `setting the ${auth} caller's own slack id`,
      check,
      expect: { status: [200], shows, because },
    });
    const expect = { status: [200], shows, because };
    await context.send(userInfo(auth), {
      purpose: `/api/userinfo after the ${auth} caller changed its slack id`,
      check,
      expect,
      after: [patched],
    });
    await context.send(
      { ...getUser(String(before.email)), auth },
      { purpose: `reading the ${auth} caller after it changed its slack id`, check, expect, after: [patched] },
    );
  }
}

async function identifyHoopCaller(context: RunContext, auth: Caller): Promise<Identity> {
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
}

async function prepareHoopRun(run: HoopRun, context: RunContext): Promise<void> {
  run.group = `usermock-${context.data.nonce}`;
  for (const auth of ['admin', 'standard'] as const) {
    if (!context.transport.has(auth)) continue;
    const info = await context.send(userInfo(auth), { purpose: `reading the ${auth} caller` });
    if (info.response.status !== 200 || !isObject(info.response.json)) continue;
    run.callers[auth] = info.response.json;
    if (context.mode.readOnly) continue;
    // The run changes a caller's slack id only where the clean-up can put it back: hoop refuses an empty one.
    const original = info.response.json.slack_id;
    if (typeof original === 'string' && original !== '') {
      run.restorable.add(auth);
      context.undo.push(selfSlack(auth, original));
    } else {
      context.notes.push(
        `the ${auth} caller's slack id is empty, which PATCH /api/users/self/slack cannot set back: caller_identity and the updateSelfSlack bodies leave that caller unchanged`,
      );
    }
  }
}

function updateHoopUser(run: HoopRun, user: CreatedUser, data: DataFactory): Update {
  // PUT replaces: every field is sent, status and groups changed too, and role follows the groups.
  const changes = {
    name: data.faker.person.fullName(),
    slack_id: `U${data.token().toUpperCase()}`,
    picture: data.faker.image.avatarGitHub(),
    status: 'inactive',
    groups: [run.group, `${run.group}-updated`],
  };
  const body = { ...pick(user.sent), ...changes, email: user.key };
  return { call: putUser(user.key, body), after: { ...pick(body), role: roleOf(body.groups) }, because: { role: 'computed from groups' } };
}

function hoopBodyTargets(run: HoopRun, user: CreatedUser, data: DataFactory): BodyTarget[] {
  const targets: BodyTarget[] = [
    {
      operationId: 'updateUser',
      call: (body) => ({ ...putUser(user.key, {}), body: undefined, ...body }),
      valid: (unicode) => ({ ...pick(user.sent), email: user.key, name: unicode ? UNICODE_NAMES.full : data.faker.person.fullName() }),
      acceptsValid: true,
    },
    {
      operationId: 'createGroup',
      call: (body) => ({ ...createGroup(''), body: undefined, ...body }),
      valid: (unicode) => ({ name: `${data.token()}${unicode ? '-ünï' : ''}` }),
      acceptsValid: true,
    },
  ];
  // The admin's own record: only when its slack id can be put back.
  if (run.restorable.has('admin'))
    targets.push({
      operationId: 'updateSelfSlack',
      call: (body) => ({ ...selfSlack('admin', ''), body: undefined, ...body }),
      valid: (unicode) => ({ slack_id: `U${data.token().toUpperCase()}${unicode ? 'Ü' : ''}` }),
      acceptsValid: true,
    });
  return targets;
}

function sampleHoopCall(run: HoopRun, operationId: string, user: CreatedUser | undefined, data: DataFactory): Call | undefined {
  // Reads may name the caller; writes only ever name a user of this run, or nobody.
  const someone = user?.key ?? (run.callers.admin?.email as string | undefined) ?? data.email();
  const target = user?.key ?? `usermock-${data.nonce}-nobody@example.com`;
  const calls: Record<string, Call> = {
    getUserInfo: userInfo('admin'),
    listUsers: spec().call('listUsers'),
    getUser: getUser(someone),
    listGroups: spec().call('listGroups'),
    createUser: createUser(newHoopUser(run, data)),
    updateUser: putUser(target, { ...(user ? pick(user.sent) : {}), email: target }),
    deleteUser: deleteUser(target),
    updateSelfSlack: selfSlack('admin', `U${data.nonce.toUpperCase()}`),
    createGroup: createGroup(data.token()),
    deleteGroup: deleteGroup(`usermock-${data.nonce}-nogroup`),
  };
  return calls[operationId];
}

function hoopProvocations(run: HoopRun, context: RunContext, user: CreatedUser | undefined): Provocation[] {
  const group = context.data.token();
  const self = run.callers.admin?.email as string | undefined;
  const provocations: Provocation[] = [
    { operationId: 'createGroup', status: 201, purpose: 'creating a group', call: createGroup(group) },
    {
      operationId: 'createGroup',
      status: 409,
      purpose: 'creating the group admin, which every organisation has',
      call: createGroup('admin'),
    },
    {
      operationId: 'deleteGroup',
      status: 204,
      purpose: 'deleting a group the run created',
      setup: [createGroup(group)],
      call: deleteGroup(group),
    },
    { operationId: 'deleteGroup', status: 404, purpose: 'deleting a group nobody has', call: deleteGroup(`${group}-none`) },
  ];
  if (user)
    provocations.push({
      operationId: 'updateUser',
      status: 200,
      purpose: 'updating a user',
      call: putUser(user.key, { ...pick(user.sent), email: user.key }),
    });
  // A conformant hoop refuses these three; a server that does not has done them.
  if (self)
    provocations.push(
      {
        operationId: 'updateUser',
        status: 422,
        purpose: 'an admin deactivating themself',
        call: putUser(self, { ...pick(run.callers.admin!), email: self, status: 'inactive' }),
        destructive: true,
      },
      { operationId: 'deleteUser', status: 422, purpose: 'an admin deleting themself', call: deleteUser(self), destructive: true },
    );
  provocations.push({
    operationId: 'deleteGroup',
    status: 422,
    purpose: 'deleting the admin group',
    call: deleteGroup('admin'),
    destructive: true,
  });
  return provocations;
}

function hoopCleanup(exchange: Exchange): Call[] {
  const { operationId, call, response } = exchange;
  const body = isObject(call.body) ? call.body : {};
  const testGroups = Array.isArray(body.groups)
    ? body.groups.filter((name): name is string => typeof name === 'string' && name.startsWith('usermock-'))
    : [];
  if (operationId === 'createUser' && response.status === 201 && typeof body.email === 'string')
    return [deleteUser(body.email), ...testGroups.map(deleteGroup)];
  if (operationId === 'updateUser' && response.status === 200) return testGroups.map(deleteGroup);
  if (operationId === 'createGroup' && response.status === 201 && typeof body.name === 'string') return [deleteGroup(body.name)];
  return [];
}

function hoopExampleValues(run: HoopRun): ExampleValues {
  return {
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
      const made = await context.send(createGroup(name), { purpose: 'preparing an example: a group of this run' });
      return made.response.status === 201 ? name : undefined;
    },
    unsafe: (operationId) =>
      operationId === 'updateSelfSlack' && !run.restorable.has('admin')
        ? "it changes the admin caller's own slack id, which this run could not put back"
        : undefined,
  };
}

/** hoop's profile for one run. */
export function hoopProfile(): ApiProfile {
  const run: HoopRun = { callers: {}, restorable: new Set(), group: 'usermock-group' };
  return {
    api: 'hoop',
    spec: spec(),
    checks: [hoopEnumConformance, callerIdentityCheck],
    scenarios: [{ name: 'caller', writes: true, feeds: [callerIdentityCheck.name], run: (context) => hoopCallerIdentity(run, context) }],
    identify: identifyHoopCaller,
    prepare: (context) => prepareHoopRun(run, context),
    newUser: (data, unicode) => newHoopUser(run, data, unicode),
    create: createUser,
    created: (exchange) =>
      exchange.response.status === 201 ? { key: String((exchange.call.body as { email: string }).email) } : undefined,
    shows: (sent) => ({ answer: pick(sent), read: { ...pick(sent), role: roleOf(sent.groups) } }),
    read: (user) => getUser(user.key),
    userIn: (response) => (isObject(response.json) ? response.json : undefined),
    list: {
      call: () => spec().call('listUsers'),
      keysIn: (response) =>
        Array.isArray(response.json) ? response.json.map((user: { email?: unknown }) => String(user?.email)) : undefined,
      scope: 'all',
    },
    update: (user, data) => updateHoopUser(run, user, data),
    remove: { call: (user) => deleteUser(user.key), afterwards: { status: [404] }, meaning: 'deleting the user' },
    duplicateStatus: 409,
    uniqueKey: 'email',
    unknownUser(data) {
      const nobody = data.email();
      return [getUser(nobody), putUser(nobody, { email: nobody, name: 'Nobody' }), deleteUser(nobody)];
    },
    bodyTargets: (user, data) => hoopBodyTargets(run, user, data),
    sample: (operationId, user, data) => sampleHoopCall(run, operationId, user, data),
    provocations: async (context, user) => hoopProvocations(run, context, user),
    unprovokable: {},
    cleanup: hoopCleanup,
    examples: hoopExampleValues(run),
  };
}
