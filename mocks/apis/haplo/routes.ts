// Every operation of specs/haplo.openapi.yaml, by the ids its generated types list, each behind
// the `haplo:api-v0:responder` feature (`respondToAPI`).
import type { operations } from '../../../specs/generated/haplo.types.ts';
import { apiSpec } from '../../../specs/index.ts';
import type { Requirement } from '../../../specs/spec.ts';
import { isObject, text, type MockRequest, type MockResponse } from '../../core/http.ts';
import { specRouter, type Handler } from '../../core/router.ts';
import { gate } from './auth.ts';
import type { HaploRecord, HaploState } from './state.ts';
import { randomBytes } from '../../core/entropy.ts';
import {
  checkLocale,
  checkNames,
  checkTags,
  decodeArguments,
  deepEqual,
  fail,
  groupFor,
  groupIdsFor,
  KIND,
  NO_DETAILS_MESSAGE,
  NO_TAG_QUERY_MESSAGE,
  NOT_AN_OBJECT,
  noResponse,
  present,
  refMessage,
  reply,
  toRef,
  usernameTaken,
  type Args,
  type Declaration,
} from './wire.ts';

const WELCOME_HOST = 'app.example.org';
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export interface Context {
  state: HaploState;
  caller: HaploRecord;
  request: MockRequest;
  /** Who may call the operation, checked once its arguments are valid. */
  requirement: Requirement;
}

/**
 * The `haplo:api-v0:responder` feature: arguments validated first (400 text/plain), then the
 * permission check, then the handler; whatever it throws becomes `generic:exception`, and a handler
 * that returns without answering gets `generic:no-response`.
 */
function respondToAPI(declarations: Declaration[], handler: (context: Context, args: Args) => MockResponse | undefined): Handler<Context> {
  return (context, params) => {
    const args = decodeArguments(declarations, params, context.request);
    if (!args) return text(400, 'Bad request (failed validation)');
    if (!gate.permits(context.caller, context.requirement, context.state)) return gate.forbidden(context.requirement);
    try {
      return handler(context, args) ?? noResponse();
    } catch (error) {
      return fail(400, KIND.exception, error instanceof Error ? error.message : String(error));
    }
  };
}

/** The plugin's tag query: every `tag:<name>` parameter is a condition, all must match. */
function tagQuery(state: HaploState, query: URLSearchParams, single: boolean): { users: HaploRecord[] } | { response: MockResponse } {
  const conditions = [...new Set(query.keys())]
    .filter((key) => key.startsWith('tag:'))
    .map((key) => [key.slice(4), query.get(key)!] as const);
  if (conditions.length === 0) return { response: fail(400, KIND.noTagQuery, NO_TAG_QUERY_MESSAGE) };
  const users = state.findByTags(conditions);
  // The plugin's reduce callback returns nothing, so two or more conditions are quoted as undefined.
  const quoted = conditions.length === 1 ? `${conditions[0]![0]}=${conditions[0]![1]}` : 'undefined';
  if (users.length === 0) return { response: fail(404, KIND.noUserFound, `Tag query ${quoted} returned no users.`) };
  if (single && users.length > 1) return { response: fail(404, KIND.multipleUsers, `Tag query ${quoted} returned more than one result.`) };
  return { users };
}

/** The plugin's `findUser`: by id, or (id absent or 0) by tag query when there are parameters. */
function findUser({ state, request }: Context, id: number | null): { user: HaploRecord } | { response: MockResponse } {
  if (!id) {
    if (request.query.size === 0) return { response: fail(400, KIND.noDetails, NO_DETAILS_MESSAGE) };
    const found = tagQuery(state, request.query, true);
    return 'response' in found ? found : { user: found.users[0]! };
  }
  const user = state.get(id);
  return user ? { user } : { response: fail(404, KIND.noSuchUser, `User ID ${id} does not exist`) };
}

function getUser(context: Context, { id }: Args): MockResponse {
  const found = findUser(context, id);
  if ('response' in found) return found.response;
  return reply(KIND.details, { user: present(context.state, found.user) });
}

function createUser({ state, request }: Context, { body, welcomeLink }: Args): MockResponse {
  if (body === null) throw new TypeError('Cannot read property "email" from null');
  const details = isObject(body) ? body : {};
  const { email, tags } = details;
  if (typeof email === 'string' && state.findByEmail(email)) {
    return fail(400, KIND.creationFailed, `Could not create new user, as user already exists with email address ${email}`);
  }
  const username = isObject(tags) ? tags.username : undefined;
  if (usernameTaken(state, username)) {
    return fail(400, KIND.creationFailed, `Could not create new user, as user already exists with username tag ${username}`);
  }
  const ref = details.ref ? toRef(details.ref) : null;
  if (details.ref && !ref) return fail(400, KIND.creationFailed, refMessage(details.ref));
  const groups = groupIdsFor(state, details.directGroupMembership);
  if (!isObject(body)) throw new Error('Must pass an object containing details to O.setup.createUser()');
  const names = checkNames(details);
  const localeId = checkLocale(details.localeId ?? 'en');
  const user = state.create({
    ...names,
    name: `${names.nameFirst} ${names.nameLast}`,
    code: null,
    ref,
    isGroup: false,
    isActive: true,
    isSuperUser: false,
    isServiceUser: false,
    isAnonymous: false,
    localeId,
    tags: checkTags(tags),
    groups,
  });
  return reply(KIND.create, { ...(welcomeLink ? { welcomeLink: welcomeUrl(request, user) } : {}), user: present(state, user) });
}

/** `generateWelcomeURL()`: on the application's host, which for the mock is the one the client addressed. */
function welcomeUrl(request: MockRequest, user: HaploRecord): string {
  const host = request.headers.host && HOST.test(request.headers.host) ? request.headers.host : WELCOME_HOST;
  const token = [...randomBytes(8)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `https://${host}/do/authentication/welcome/${user.id}-${token}`;
}

const EDITABLE = new Set(['nameFirst', 'nameLast', 'email', 'ref', 'localeId', 'directGroupMembership', 'tags']);

/**
 * The plugin's update: fields equal to the current value are skipped; ref, username and email
 * problems are collected (the last one wins) before anything changes; then the details, and each
 * other field in body order, are applied one by one, so a later platform error leaves the earlier
 * changes in place. Messages quote the path id as given (`null` for a tag query).
 */
function updateUser(context: Context, { id, body }: Args): MockResponse {
  const found = findUser(context, id);
  if ('response' in found) return found.response;
  const { state } = context;
  const { user } = found;
  if (user.isGroup) return fail(400, KIND.updateFailed, `User ${id} is a Group and cannot be updated`);
  // The plugin ignores a body that is not an object (200, unchanged); the spec, whose request
  // schema is an object, is followed here and the difference is listed as drift in it.
  if (!isObject(body)) return fail(400, KIND.exception, NOT_AN_OBJECT);
  const current: Record<string, unknown> = present(state, user);
  const next: Record<string, unknown> = { nameFirst: user.nameFirst, nameLast: user.nameLast, email: user.email };
  const latest = () => state.get(user.id)!;
  const actions: Array<() => void> = [];
  let setDetailsNeeded = false;
  let error: string | undefined;
  for (const [key, value] of Object.entries(body)) {
    if (!EDITABLE.has(key) || deepEqual(value, current[key])) continue;
    if (key === 'ref') {
      const ref = toRef(value);
      if (ref) actions.push(() => state.put({ ...latest(), ref }));
      else error = refMessage(value);
    } else if (key === 'localeId') {
      actions.push(() => state.put({ ...latest(), localeId: checkLocale(value) }));
    } else if (key === 'directGroupMembership') {
      const groups = groupIdsFor(state, value);
      actions.push(() => state.put({ ...latest(), groups }));
    } else if (key === 'tags') {
      const username = isObject(value) ? value.username : undefined;
      if (usernameTaken(state, username, user)) {
        error = `Could not set username tag to ${username} for user ${id} as a user already exists with that username.`;
      } else {
        actions.push(() => state.put({ ...latest(), tags: { ...latest().tags, ...checkTags(value) } }));
      }
    } else {
      next[key] = value;
      setDetailsNeeded = true;
    }
  }
  if (error) return fail(400, KIND.updateFailed, error);
  if (typeof next.email === 'string' && next.email !== current.email) {
    const owner = state.findByEmail(next.email);
    // Compared with the path id, so a tag-query update clashes even with the user's own address.
    if (owner && owner.id !== id) {
      return fail(
        400,
        KIND.updateFailed,
        `User ${id} cannot be updated to have email ${next.email} as another user already has that email`,
      );
    }
  }
  if (setDetailsNeeded) {
    actions.unshift(() => {
      const names = checkNames(next);
      state.put({ ...latest(), ...names, name: `${names.nameFirst} ${names.nameLast}` });
    });
  }
  for (const action of actions) action();
  return reply(KIND.update, { user: present(state, latest()) });
}

function enableUser({ state }: Context, { id, status }: Args): MockResponse {
  const user = state.get(id!);
  if (!user) return fail(404, KIND.noSuchUser, `User ID ${id} does not exist`);
  if (status !== 'block' && status !== 'active') return fail(400, KIND.enableFailed, `${status} is not a valid status`);
  state.put({ ...user, isActive: status === 'active' });
  return reply(KIND.enable, { user: present(state, state.get(user.id)!) });
}

function getGroup({ state }: Context, { groupcode }: Args): MockResponse | undefined {
  const group = groupFor(state, groupcode);
  if (!group) return undefined;
  return reply(KIND.groupDetails, { users: state.members(group), group: present(state, group) });
}

function findByTag({ state, request }: Context): MockResponse {
  const found = tagQuery(state, request.query, false);
  if ('response' in found) return found.response;
  return reply(KIND.findByTag, { users: found.users.map((user) => user.id) });
}

const OPTIONAL_ID: Declaration = { path: 'id', as: 'int', optional: true };
const BODY: Declaration = { body: 'json' };
const enable = respondToAPI(
  [
    { path: 'id', as: 'int' },
    { parameter: 'status', as: 'string' },
  ],
  enableUser,
);
const group = respondToAPI([{ path: 'groupcode', as: 'string' }], getGroup);

/** The spec's operations, by the ids the generated types list. */
type OperationId = keyof operations;

export const router = specRouter<OperationId, Context>(
  apiSpec('haplo'),
  {
    createUser: respondToAPI([BODY, { parameter: 'welcomeLink', as: 'int', optional: true }], createUser),
    getUserById: respondToAPI([OPTIONAL_ID], getUser),
    getUserByTag: respondToAPI([OPTIONAL_ID], getUser),
    updateUserById: respondToAPI([OPTIONAL_ID, BODY], updateUser),
    updateUserByTag: respondToAPI([OPTIONAL_ID, BODY], updateUser),
    enableUser: enable,
    getGroup: group,
    findByTag: respondToAPI([], findByTag),
  },
  // The platform hands a handler the path elements after its own path, so `/enable` and `/group`
  // without one reach the handler and fail its argument validation rather than finding no route.
  [
    { method: 'POST', path: '/api/v0-user/enable', operationId: 'enableUser', why: 'no id: the handler validates its arguments' },
    { method: 'GET', path: '/api/v0-user/group', operationId: 'getGroup', why: 'no code: the handler validates its arguments' },
  ],
);
