// Amani: how the generic drivers create, read (by logging in) and update its users, and what only
// Amani has — logging in and refreshing tokens, DRF's 415 for bodies it does not parse.
import { isObject } from '../../specs/json.ts';
import { apiSpec } from '../../specs/index.ts';
import { expectationCheck } from '../checks/check.ts';
import { answersAsDocumented } from '../checks/response.ts';
import type { DataFactory } from '../data.ts';
import { UNICODE_NAMES } from '../unicode-names.ts';
import type { RunContext } from '../drivers/context.ts';
import { isSuccess, type Auth, type Call, type ReceivedResponse } from '../exchange.ts';
import type { ApiProfile, BodyTarget, CreatedUser, ExampleValues, Identity, Provocation, Update } from './profile.ts';

const spec = () => apiSpec('amani');
/** A well-formed user id no server has issued, for requests that must not touch real users. */
const NOBODY = '00000000-0000-4000-8000-00000000dead';

const createUser = (body: Record<string, unknown>): Call => spec().call('createUser', { body });
const patchUser = (id: string, body: Record<string, unknown>, auth: Auth = 'admin'): Call =>
  spec().call('updateUser', { params: { user_uuid: id }, body, auth });
const login = (username: unknown, password: unknown): Call => spec().call('login', { body: { username, password }, auth: 'none' });
const refresh = (token: string): Call => spec().call('refreshToken', { body: { refresh: token }, auth: 'none' });
const listGroups = (auth: Auth): Call => spec().call('listGroups', { auth });
/** The same request with its JSON sent as text/plain, which DRF's parsers do not read (415). */
const asText = (call: Call): Call => ({ ...call, body: undefined, raw: JSON.stringify(call.body ?? {}), contentType: 'text/plain' });

interface Role {
  id: number;
  permissions: string[];
}

/** What one run knows of the server, learnt by `prepareAmaniRun`. */
interface AmaniRun {
  /** The server's roles, so created users reference real ones and their permissions can be predicted. */
  roles: Role[];
  /** The role test users get: one that may list roles but not manage users, where the server has one. */
  testRole?: Role;
  /** The caller without roles the run made, once asked for. */
  standard?: Promise<Auth | undefined>;
}

/** The fields a read (a login) shows; a create or update answer shows them too, and the email. */
const FIELDS = ['username', 'first_name', 'last_name', 'phone', 'groups', 'permissions'] as const;

const tokenLifecycleCheck = expectationCheck(
  'token_lifecycle',
  'login and refresh succeed with what the server issued and fail with anything else',
  { stateful: true, writes: true },
);

/** A user in an answer as the checks compare it: roles by id, as a request names them. */
function present(response: ReceivedResponse): Record<string, unknown> | undefined {
  if (!isObject(response.json)) return undefined;
  const user = response.json;
  const groups = Array.isArray(user.groups) ? user.groups.map((role) => (isObject(role) ? role.id : role)) : user.groups;
  return { ...user, groups };
}

function newAmaniUser(run: AmaniRun, data: DataFactory, unicode = false): Record<string, unknown> {
  const body = data.body(spec().requestSchema('createUser')!);
  return {
    ...body,
    password: data.password(),
    groups: run.testRole ? [run.testRole.id] : [],
    ...(unicode ? { first_name: UNICODE_NAMES.first, last_name: UNICODE_NAMES.last } : {}),
  };
}

/** What a user created from `sent` shows: text fields as sent ("" when absent), its roles, and their permissions. */
function amaniUserShown(run: AmaniRun, sent: Record<string, unknown>): Record<string, unknown> {
  const groupIds = Array.isArray(sent.groups) ? sent.groups : [];
  const permissions = [...new Set(run.roles.filter((role) => groupIds.includes(role.id)).flatMap((role) => role.permissions))];
  return {
    username: sent.email,
    first_name: sent.first_name ?? '',
    last_name: sent.last_name ?? '',
    phone: sent.phone ?? '',
    groups: groupIds,
    permissions,
  };
}

/** Amani documents no way to get one user; logging in as them shows the stored user. */
const readAmaniUser = (user: CreatedUser): Call => login(user.sent.email, user.sent.password);

/** Logs in as a user the run creates, with no role: a caller who may do nothing but authenticate (made once per run). */
function obtainRolelessCaller(run: AmaniRun, context: RunContext): Promise<Auth | undefined> {
  run.standard ??= (async () => {
    const body: Record<string, unknown> = { ...newAmaniUser(run, context.data), groups: [] };
    const user = await context.createUser(body, 'creating a user without roles');
    if (!user) return undefined;
    const answer = await context.send(login(body.email, body.password), {
      purpose: 'logging in as a user without roles',
      after: user.history,
    });
    const access = (answer.response.json as { access?: unknown } | undefined)?.access;
    if (typeof access !== 'string') return undefined;
    answer.intent.captures = [{ value: access, path: 'access' }];
    return { header: `Bearer ${access}`, issuedBy: [...user.history, answer] };
  })();
  return run.standard;
}

/** Logging in and refreshing: each succeeds with what the server issued and fails with anything else. */
async function amaniTokenLifecycle(run: AmaniRun, context: RunContext): Promise<void> {
  const check = tokenLifecycleCheck.name;
  const user = await context.user('tokens');
  if (!user) return context.block(check, context.noUserReason);
  const expectUser = { status: [200], shows: user.shows };
  const loggedIn = await context.send(readAmaniUser(user), {
    purpose: 'logging in with the password the user was created with',
    check,
    expect: expectUser,
    after: user.history,
  });
  await context.send(login(user.sent.email, `${user.sent.password}-wrong`), {
    purpose: 'logging in with a wrong password',
    check,
    expect: { status: [401] },
    after: user.history,
  });
  const issued = loggedIn.response.json as { access?: unknown; refresh?: unknown } | undefined;
  if (!isSuccess(loggedIn) || typeof issued?.refresh !== 'string' || typeof issued.access !== 'string') {
    return context.block(check, 'precondition failed: logging in gave no tokens (reported under token_lifecycle)');
  }
  loggedIn.intent.captures = [
    { value: issued.refresh, path: 'refresh' },
    { value: issued.access, path: 'access' },
  ];
  const refreshed = await context.send(refresh(issued.refresh), {
    purpose: 'refreshing with the refresh token login issued',
    check,
    expect: { status: [200] },
    after: [...user.history, loggedIn],
  });
  await context.send(refresh(issued.access), {
    purpose: 'refreshing with an access token instead of a refresh token',
    check,
    expect: { status: [401] },
    after: [...user.history, loggedIn],
  });
  await context.send(refresh(`usermock-${context.data.nonce}-not-a-token`), {
    purpose: 'refreshing with a token no server issued',
    check,
    expect: { status: [401] },
  });
  const access = (refreshed.response.json as { access?: unknown } | undefined)?.access;
  if (typeof access !== 'string') return;
  refreshed.intent.captures = [{ value: access, path: 'access' }];
  const mayList = run.testRole?.permissions.includes('view_group') ?? false;
  await context.send(listGroups({ header: `Bearer ${access}` }), {
    purpose: 'calling with the refreshed access token',
    check,
    expect: { status: [mayList ? 200 : 403] },
    after: [...user.history, loggedIn, refreshed],
  });
}

async function identifyAmaniCaller(context: RunContext, auth: 'admin' | 'standard'): Promise<Identity> {
  // Authentication comes before permission: the documented 401 refuses a credential, a 200 or the
  // documented 403 (no view_group) accepts it.
  const groups = await context.send(listGroups(auth), { purpose: `asking whether ${auth} is accepted` });
  const { status: answered, text } = groups.response;
  const documented = answersAsDocumented(groups, context.spec);
  if (!documented || (answered !== 200 && answered !== 403))
    return {
      accepted: answered === 401 && documented ? false : undefined,
      evidence: `GET /api/v2/group answered ${answered}${documented ? '' : ', not as the spec documents it,'} ${text.slice(0, 100)}`,
    };
  if (context.mode.readOnly) return { accepted: true, evidence: `GET /api/v2/group answered ${answered}; only a write tells an admin` };
  // An admin-only request that changes nothing: updating a user nobody has (DRF checks permission first).
  const probe = await context.send(patchUser(NOBODY, {}, auth), { purpose: `asking whether ${auth} is an admin` });
  const { status } = probe.response;
  const admin = !answersAsDocumented(probe, context.spec)
    ? undefined
    : status === 403
      ? false
      : status === 404 || status < 300
        ? true
        : undefined;
  return { accepted: true, admin, evidence: `PATCH ${probe.call.path} (needs change_user) answered ${status}` };
}

async function prepareAmaniRun(run: AmaniRun, context: RunContext): Promise<void> {
  const answer = await context.send(listGroups('admin'), { purpose: 'reading the roles' });
  run.roles = Array.isArray(answer.response.json)
    ? answer.response.json.filter((role): role is Role => isObject(role) && typeof role.id === 'number' && Array.isArray(role.permissions))
    : [];
  run.testRole =
    run.roles.find((role) => role.permissions.includes('view_group') && !role.permissions.includes('add_user')) ??
    run.roles.find((role) => !role.permissions.includes('add_user'));
}

function updateAmaniUser(user: CreatedUser, data: DataFactory): Update {
  // A partial update: one field sent, every other one stays.
  const first_name = data.faker.person.firstName();
  const because = Object.fromEntries(
    FIELDS.filter((field) => field !== 'first_name').map((field) => [field, 'not sent in the PATCH, so unchanged']),
  );
  return { call: patchUser(user.key, { first_name }), after: { ...user.shows, first_name }, because };
}

function amaniBodyTargets(user: CreatedUser, data: DataFactory): BodyTarget[] {
  return [
    {
      operationId: 'updateUser',
      call: (body) => ({ ...patchUser(user.key, {}), body: undefined, ...body }),
      valid: (unicode) =>
        unicode ? { first_name: UNICODE_NAMES.first, last_name: UNICODE_NAMES.last } : { first_name: data.faker.person.firstName() },
      acceptsValid: true,
    },
    {
      operationId: 'login',
      call: (body) => ({ ...login(undefined, undefined), body: undefined, ...body }),
      valid: () => ({ username: data.email(), password: 'not-the-password' }),
      acceptsValid: false,
    },
    {
      operationId: 'refreshToken',
      call: (body) => ({ ...refresh(''), body: undefined, ...body }),
      valid: () => ({ refresh: 'usermock-not-a-token' }),
      acceptsValid: false,
    },
  ];
}

function sampleAmaniCall(run: AmaniRun, operationId: string, user: CreatedUser | undefined, data: DataFactory): Call | undefined {
  const calls: Record<string, Call> = {
    listGroups: listGroups('admin'),
    createUser: createUser(newAmaniUser(run, data)),
    updateUser: patchUser(user?.key ?? NOBODY, { first_name: data.faker.person.firstName() }),
  };
  return calls[operationId];
}

async function amaniProvocations(run: AmaniRun, context: RunContext, user: CreatedUser | undefined): Promise<Provocation[]> {
  const textual: Provocation[] = [
    {
      operationId: 'login',
      status: 415,
      purpose: 'a login sent as text/plain',
      call: asText(login(context.data.email(), 'usermock-password')),
    },
    {
      operationId: 'refreshToken',
      status: 415,
      purpose: 'a refresh sent as text/plain',
      call: asText(refresh('usermock-not-a-token')),
    },
    {
      operationId: 'createUser',
      status: 415,
      purpose: 'a create sent as text/plain',
      call: asText(createUser(newAmaniUser(run, context.data))),
    },
    {
      operationId: 'updateUser',
      status: 415,
      purpose: 'an update sent as text/plain',
      call: asText(patchUser(user?.key ?? NOBODY, { first_name: 'Text' })),
    },
  ];
  // A caller with no role is authenticated but may not even list roles.
  const nobody = context.mode.readOnly ? undefined : await obtainRolelessCaller(run, context);
  return nobody
    ? [...textual, { operationId: 'listGroups', status: 403, purpose: 'listing roles as a user without roles', call: listGroups(nobody) }]
    : textual;
}

function amaniExampleValues(run: AmaniRun): ExampleValues {
  return {
    fields: { user_uuid: 'user', email: 'email', username: 'email', password: 'password', groups: 'reference', refresh: 'reference' },
    user: (user) => ({ id: user.key, email: user.sent.email, username: user.sent.email, password: user.sent.password }),
    async held({ field, original, index }, context) {
      // A role named otherwise than by its id (a wrong type on purpose) is sent as the example names it.
      if (field === 'groups' && typeof original !== 'number') return original;
      if (field === 'groups') {
        // Roles the server has, those that may not manage users first.
        const candidates = [...run.roles].sort(
          (a, b) => Number(a.permissions.includes('add_user')) - Number(b.permissions.includes('add_user')),
        );
        return candidates.length ? candidates[index % candidates.length]!.id : undefined;
      }
      if (field !== 'refresh' || !context.allows('POST')) return undefined;
      // A refresh token from logging in as a user of this run.
      const user = await context.user('examples');
      if (!user) return undefined;
      const answer = await context.send(readAmaniUser(user), {
        purpose: 'preparing an example: logging in for a refresh token',
        after: user.history,
      });
      const token = (answer.response.json as { refresh?: unknown } | undefined)?.refresh;
      return typeof token === 'string' ? token : undefined;
    },
    // A role id beyond every role the server has.
    nobody: ({ field, original }) =>
      field === 'groups' && typeof original === 'number' ? Math.max(0, ...run.roles.map((role) => role.id)) + 1000 : undefined,
  };
}

/** Amani's profile for one run. */
export function amaniProfile(): ApiProfile {
  const run: AmaniRun = { roles: [] };
  return {
    api: 'amani',
    spec: spec(),
    checks: [tokenLifecycleCheck],
    scenarios: [{ name: 'tokens', writes: true, feeds: [tokenLifecycleCheck.name], run: (context) => amaniTokenLifecycle(run, context) }],
    identify: identifyAmaniCaller,
    obtainStandard: (context) => obtainRolelessCaller(run, context),
    prepare: (context) => prepareAmaniRun(run, context),
    newUser: (data, unicode) => newAmaniUser(run, data, unicode),
    create: createUser,
    created(exchange) {
      const id = (exchange.response.json as { id?: unknown } | undefined)?.id;
      return typeof id === 'string' ? { key: id, captures: [{ value: id, path: 'id' }] } : undefined;
    },
    shows: (sent) => ({ answer: { email: sent.email, ...amaniUserShown(run, sent) }, read: amaniUserShown(run, sent) }),
    read: readAmaniUser,
    userIn: present,
    update: updateAmaniUser,
    duplicateStatus: 400,
    uniqueKey: 'email',
    unknownUser: (data) => [patchUser(data.faker.string.uuid(), { first_name: 'Nobody' })],
    bodyTargets: amaniBodyTargets,
    sample: (operationId, user, data) => sampleAmaniCall(run, operationId, user, data),
    provocations: (context, user) => amaniProvocations(run, context, user),
    unprovokable: {},
    cleanup: () => [],
    leftover(exchange) {
      const email = isObject(exchange.call.body) ? exchange.call.body.email : undefined;
      const created = exchange.operationId === 'createUser' && exchange.response.status === 201;
      return created
        ? `user ${typeof email === 'string' ? email : exchange.response.text.slice(0, 80)} (Amani documents no way to delete a user)`
        : undefined;
    },
    examples: amaniExampleValues(run),
  };
}
