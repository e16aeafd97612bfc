// Haplo — User API v0 (`/api/v0-user/...`): the `haplo_api_user_v0` plugin on the `haplo_api_v0`
// responder. Behaviour per specs/haplo.openapi.yaml and shared/api-notes/haplo.md; the order of
// checks and the message texts follow the plugin's source.
import type { components, operations } from '../../../specs/generated/haplo.types.ts';
import { apiSpec } from '../../../specs/index.ts';
import type { Requirement } from '../../../specs/spec.ts';
import type { Gate } from '../../core/access.ts';
import type { ApiModule, SeedOptions } from '../../core/api.ts';
import { findBySecret } from '../../core/constant-time.ts';
import { isObject, json, parseJsonBody, text, type MockRequest, type MockResponse } from '../../core/http.ts';
import { specRouter, type Handler, type Params } from '../../core/router.ts';
import { requestErrors } from '../../core/validation.ts';

const CONTENT_TYPE = 'application/json; charset=utf-8';
const EVERYONE = 'std:group:everyone';
const ADMINISTRATORS = 'std:group:administrators';
/** The group whose members may use the API: the spec's `x-required-group` (every operation names the same one). */
const API_GROUP = apiSpec('haplo').operations.find((operation) => operation.requirement.group)!.requirement.group!;
const LOCALES = new Set(['en', 'cy']);
/** KObjRef's presentation: the object id in hex, written with q v w x y z for a–f. */
const REF = /^[0-9qvwxyz]+$/;
/** The platform's own errors reach the plugin wrapped by JRuby, prefix included. */
const PLATFORM_PREFIX = 'org.jruby.exceptions.RaiseException: (JavaScriptAPIError) ';
const MIN_KEY_LENGTH = 16;
const WELCOME_HOST = 'app.example.org';
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

const KIND = {
  create: 'haplo:api-v0:user:create',
  creationFailed: 'haplo:api-v0:user:creation-failed',
  details: 'haplo:api-v0:user:details',
  noDetails: 'haplo:api-v0:user:no-details-provided',
  noTagQuery: 'haplo:api-v0:user:no-tag-query-provided',
  noUserFound: 'haplo:api-v0:user:no-user-found',
  multipleUsers: 'haplo:api-v0:user:multiple-users-found',
  noSuchUser: 'haplo:api-v0:user:no-such-user',
  update: 'haplo:api-v0:user:update',
  updateFailed: 'haplo:api-v0:user:update-failed',
  enable: 'haplo:api-v0:user:enable',
  enableFailed: 'haplo:api-v0:user:enable-failed',
  groupDetails: 'haplo:api-v0:user:group-details',
  findByTag: 'haplo:api-v0:user:find-by-tag',
  exception: 'haplo:api-v0:generic:exception',
  noResponse: 'haplo:api-v0:generic:no-response',
  notPermitted: 'haplo:api-v0:generic:not-permitted',
} as const;

const NO_DETAILS_MESSAGE = 'Either a user ID in the path of the request, or a tag query in the parameters must be provided.';
const NO_TAG_QUERY_MESSAGE =
  'A tag query was expected in the parameters of this request, but was not provided. To be included in a tag query, tag names must be prefixed by tag:';

/** A security principal: a person, a service user or a group (groups share the id sequence). */
/** A principal as the API shows it, fields in the plugin's order. */
export type HaploUser = components['schemas']['User'];

/** A stored principal: the answer's fields with direct group ids (`std:group:everyone` is implied and never stored). */
export type HaploPrincipal = Omit<HaploUser, 'directGroupMembership'> & { groups: number[] };

interface HaploSnapshot {
  nextId: number;
  principals: HaploPrincipal[];
  keys: { admin: string; standard: string; byKey: Record<string, number> };
}

const NO_IDS: ReadonlySet<number> = new Set();
/** The one tag Haplo keeps unique (compared lower-cased). */
const USERNAME = 'username';
const tagKey = (name: string, value: string) => JSON.stringify([name, value]);

/** A Haplo application's principals, indexed by id, email, username tag, group code and tag. */
export class HaploState {
  private readonly byId = new Map<number, HaploPrincipal>();
  private readonly idByEmail = new Map<string, number>();
  private readonly idByUsername = new Map<string, number>();
  private readonly groupIdByCode = new Map<string, number>();
  private readonly idsByTag = new Map<string, Set<number>>();

  constructor(
    private nextId: number,
    readonly keys: HaploSnapshot['keys'],
  ) {}

  static fromJSON(snapshot: HaploSnapshot): HaploState {
    const state = new HaploState(snapshot.nextId, snapshot.keys);
    for (const principal of snapshot.principals) state.put(principal);
    return state;
  }

  toJSON(): HaploSnapshot {
    return { nextId: this.nextId, principals: [...this.byId.values()], keys: this.keys };
  }

  /** The id the next principal will get (so tests can name one that does not exist). */
  get next(): number {
    return this.nextId;
  }

  get(id: number): HaploPrincipal | undefined {
    return this.byId.get(id);
  }

  /** Every principal, in id order. */
  principals(): HaploPrincipal[] {
    return [...this.byId.values()];
  }

  findByEmail(email: string): HaploPrincipal | undefined {
    return this.lookup(this.idByEmail.get(email.toLowerCase()));
  }

  findByUsername(username: string): HaploPrincipal | undefined {
    return this.lookup(this.idByUsername.get(username.toLowerCase()));
  }

  /** The group with this API code. */
  group(code: string): HaploPrincipal | undefined {
    return this.lookup(this.groupIdByCode.get(code));
  }

  /** The principals carrying every `name=value` tag, in id order (blocked users included). */
  findByTags(conditions: ReadonlyArray<readonly [string, string]>): HaploPrincipal[] {
    const sets = conditions.map(([name, value]) => this.idsWithTag(name, value)).sort((a, b) => a.size - b.size);
    const [smallest, ...rest] = sets;
    if (!smallest) return [];
    const ids = [...smallest].filter((id) => rest.every((set) => set.has(id))).sort((a, b) => a - b);
    return ids.map((id) => this.byId.get(id)!);
  }

  /** Ids of a group's active members as `loadAllMembers` gives them: no service users, no groups. */
  members(group: HaploPrincipal): number[] {
    const everyone = group.code === EVERYONE;
    return this.principals()
      .filter((p) => p.isActive && !p.isGroup && !p.isServiceUser && (everyone || p.groups.includes(group.id)))
      .map((p) => p.id);
  }

  create(fields: Omit<HaploPrincipal, 'id'>): HaploPrincipal {
    const principal = { id: this.nextId++, ...fields };
    this.put(principal);
    return principal;
  }

  /** Stores a principal, replacing the one with its id and keeping every index in step. */
  put(principal: HaploPrincipal): void {
    const old = this.byId.get(principal.id);
    if (old) this.unindex(old);
    this.byId.set(principal.id, principal);
    this.index(principal);
  }

  /** The active principal an API key belongs to. */
  caller(key: string): HaploPrincipal | undefined {
    const id = findBySecret(key, Object.entries(this.keys.byKey));
    const principal = id === undefined ? undefined : this.byId.get(id);
    return principal?.isActive ? principal : undefined;
  }

  /** Whether a principal is a direct member of the group with this API code. */
  isMember(principal: HaploPrincipal, code: string): boolean {
    const group = this.groupIdByCode.get(code);
    return group !== undefined && principal.groups.includes(group);
  }

  private idsWithTag(name: string, value: string): ReadonlySet<number> {
    if (name !== USERNAME || !value) return this.idsByTag.get(tagKey(name, value)) ?? NO_IDS;
    // Non-empty usernames are unique and already indexed (lower-cased); the tag query compares exactly.
    const id = this.idByUsername.get(value.toLowerCase());
    return id !== undefined && this.byId.get(id)!.tags[USERNAME] === value ? new Set([id]) : NO_IDS;
  }

  private lookup(id: number | undefined): HaploPrincipal | undefined {
    return id === undefined ? undefined : this.byId.get(id);
  }

  private index(p: HaploPrincipal): void {
    if (p.email) this.idByEmail.set(p.email.toLowerCase(), p.id);
    if (p.tags.username) this.idByUsername.set(p.tags.username.toLowerCase(), p.id);
    if (p.isGroup && p.code) this.groupIdByCode.set(p.code, p.id);
    for (const [name, value] of Object.entries(p.tags)) {
      if (name === USERNAME && value) continue;
      const key = tagKey(name, value);
      let ids = this.idsByTag.get(key);
      if (!ids) this.idsByTag.set(key, (ids = new Set()));
      ids.add(p.id);
    }
  }

  private unindex(p: HaploPrincipal): void {
    const drop = (map: Map<string, number>, key: string) => {
      if (map.get(key) === p.id) map.delete(key);
    };
    if (p.email) drop(this.idByEmail, p.email.toLowerCase());
    if (p.tags.username) drop(this.idByUsername, p.tags.username.toLowerCase());
    if (p.code) drop(this.groupIdByCode, p.code);
    for (const [name, value] of Object.entries(p.tags)) {
      if (name === USERNAME && value) continue;
      const key = tagKey(name, value);
      const ids = this.idsByTag.get(key);
      ids?.delete(p.id);
      if (ids?.size === 0) this.idsByTag.delete(key);
    }
  }
}

/** A principal as the plugin's `userDetails` shows it. */
export function userDetails(state: HaploState, p: HaploPrincipal): HaploUser {
  return {
    id: p.id,
    nameFirst: p.nameFirst,
    nameLast: p.nameLast,
    name: p.name,
    code: p.code,
    email: p.email,
    ref: p.ref,
    isGroup: p.isGroup,
    isActive: p.isActive,
    isSuperUser: p.isSuperUser,
    isServiceUser: p.isServiceUser,
    isAnonymous: p.isAnonymous,
    localeId: p.localeId,
    tags: { ...p.tags },
    directGroupMembership: p.groups.map((id) => state.get(id)?.code ?? `group:${id}`),
  };
}

const success = (kind: string, data: Record<string, unknown>) => json(200, { success: true, kind, ...data }, CONTENT_TYPE);
const NOT_AN_OBJECT = 'Request body must be a JSON object of user details';
const failure = (status: number, kind: string, message: string) => json(status, { success: false, kind, error: { message } }, CONTENT_TYPE);
const noResponse = () => failure(404, KIND.noResponse, 'API implementation did not respond');
const platformError = (message: string) => new Error(PLATFORM_PREFIX + message);

/**
 * How JavaScript's string concatenation, which builds the plugin's messages, renders a value:
 * arrays join their items with commas, nested ones too, null items are empty. Walked with a stack
 * rather than recursion, as a request body can nest arrays thousands deep.
 */
function jsString(value: unknown): string {
  if (!Array.isArray(value)) return isObject(value) ? '[object Object]' : String(value);
  let text = '';
  const open: Array<{ items: unknown[]; next: number }> = [{ items: value, next: 0 }];
  while (open.length > 0) {
    const array = open.at(-1)!;
    if (array.next === array.items.length) {
      open.pop();
      continue;
    }
    if (array.next > 0) text += ',';
    const item = array.items[array.next++];
    if (Array.isArray(item)) open.push({ items: item, next: 0 });
    else if (item !== null) text += jsString(item);
  }
  return text;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

// ---------------------------------------------------------------------------------------------
// What the platform and the plugin check

const refMessage = (ref: unknown) => `Could not add ref ${jsString(ref)} to user as it is not a valid reference to an object`;

/** `O.ref(value)`: a ref, or null for a string (or null) that is not one; throws for anything else. */
function toRef(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new Error(refMessage(value));
  // A ref is stored as its object id, so leading zeros do not survive.
  return REF.test(value) ? value.replace(/^0+(?=.)/, '') : null;
}

/** The plugin's `getGroupMaybe`: undefined for `group:0`, which it skips; throws for an unknown code. */
function groupFor(state: HaploState, code: unknown): HaploPrincipal | undefined {
  const numbered = typeof code === 'string' ? /^group:(\d+)$/.exec(code) : null;
  if (numbered && Number(numbered[1]) === 0) return undefined;
  const group = numbered ? state.get(Number(numbered[1])) : typeof code === 'string' ? state.group(code) : undefined;
  if (!group?.isGroup) throw new Error(`Group with code ${jsString(code)} does not exist`);
  return group;
}

/** The plugin's `getGroupsForUpdate`, without `std:group:everyone`, which is implied. */
function groupIdsFor(state: HaploState, value: unknown): number[] {
  // underscore's _.each walks an array, a string's characters or an object's values; nothing else.
  const codes = Array.isArray(value) ? value : typeof value === 'string' ? [...value] : isObject(value) ? Object.values(value) : [];
  const ids: number[] = [];
  for (const code of codes) {
    const group = groupFor(state, code);
    if (group && group.code !== EVERYONE && !ids.includes(group.id)) ids.push(group.id);
  }
  return ids;
}

interface Names {
  nameFirst: string;
  nameLast: string;
  email: string;
}

/** The platform's check of a person's details (`createUser`, `setDetails`). */
function checkNames(details: Record<string, unknown>): Names {
  for (const field of ['nameFirst', 'nameLast', 'email'] as const) {
    const value = details[field];
    if (typeof value !== 'string' || value === '') throw platformError(`User must have a non-empty String ${field} attribute`);
  }
  const names = details as unknown as Names;
  // The spec's own email format, so that every stored address is one its responses accept.
  if (requestErrors('haplo', 'updateUserById', { email: names.email }).length) throw platformError('User must have a valid email address');
  return { nameFirst: names.nameFirst, nameLast: names.nameLast, email: names.email };
}

function checkLocale(localeId: unknown): string {
  if (typeof localeId === 'string' && LOCALES.has(localeId)) return localeId;
  throw platformError(`Unknown locale: ${jsString(localeId)}`);
}

function checkTags(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (!isObject(tags) || !Object.values(tags).every((value) => typeof value === 'string')) {
    throw platformError('tags attribute must be a dictionary of string to string');
  }
  return { ...(tags as Record<string, string>) };
}

/** Whether a username tag (compared lower-cased) belongs to a principal other than `self`. */
function usernameTaken(state: HaploState, username: unknown, self?: HaploPrincipal): username is string {
  if (typeof username !== 'string' || username === '') return false;
  const owner = state.findByUsername(username);
  return owner !== undefined && owner.id !== self?.id;
}

// ---------------------------------------------------------------------------------------------
// Requests

interface Context {
  state: HaploState;
  caller: HaploPrincipal;
  request: MockRequest;
  /** Who may call the operation, checked once its arguments are valid. */
  requirement: Requirement;
}

/** A handler's arguments, decoded as the platform does before the handler (and its permission check) runs. */
interface Args {
  id: number | null;
  groupcode: string;
  status: string;
  welcomeLink: number | null;
  body: unknown;
}

type Declaration =
  | { path: 'id' | 'groupcode'; as: 'int' | 'string'; optional?: true }
  | { parameter: 'status' | 'welcomeLink'; as: 'int' | 'string'; optional?: true }
  | { body: 'json' };

/** The platform's `callHandlerWithArguments`: undefined when an argument fails validation. */
function decodeArguments(declarations: Declaration[], params: Params, request: MockRequest): Args | undefined {
  const args: Record<string, unknown> = { id: null, groupcode: '', status: '', welcomeLink: null, body: null };
  for (const declaration of declarations) {
    if ('body' in declaration) {
      const parsed = parseJsonBody(request.body);
      if (!parsed.ok) return undefined;
      args.body = parsed.value;
      continue;
    }
    const name = 'path' in declaration ? declaration.path : declaration.parameter;
    const value = 'path' in declaration ? params[declaration.path] : request.query.get(declaration.parameter);
    if (value === undefined || value === null || value === '') {
      if (!declaration.optional) return undefined;
    } else if (declaration.as === 'int') {
      if (!/^-?\d+$/.test(value)) return undefined;
      args[name] = parseInt(value, 10);
    } else {
      args[name] = value;
    }
  }
  return args as unknown as Args;
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
      return failure(400, KIND.exception, error instanceof Error ? error.message : String(error));
    }
  };
}

/** The plugin's tag query: every `tag:<name>` parameter is a condition, all must match. */
function tagQuery(state: HaploState, query: URLSearchParams, single: boolean): { users: HaploPrincipal[] } | { response: MockResponse } {
  const conditions = [...new Set(query.keys())]
    .filter((key) => key.startsWith('tag:'))
    .map((key) => [key.slice(4), query.get(key)!] as const);
  if (conditions.length === 0) return { response: failure(400, KIND.noTagQuery, NO_TAG_QUERY_MESSAGE) };
  const users = state.findByTags(conditions);
  // The plugin's reduce callback returns nothing, so two or more conditions are quoted as undefined.
  const quoted = conditions.length === 1 ? `${conditions[0]![0]}=${conditions[0]![1]}` : 'undefined';
  if (users.length === 0) return { response: failure(404, KIND.noUserFound, `Tag query ${quoted} returned no users.`) };
  if (single && users.length > 1)
    return { response: failure(404, KIND.multipleUsers, `Tag query ${quoted} returned more than one result.`) };
  return { users };
}

/** The plugin's `findUser`: by id, or (id absent or 0) by tag query when there are parameters. */
function findUser({ state, request }: Context, id: number | null): { user: HaploPrincipal } | { response: MockResponse } {
  if (!id) {
    if (request.query.size === 0) return { response: failure(400, KIND.noDetails, NO_DETAILS_MESSAGE) };
    const found = tagQuery(state, request.query, true);
    return 'response' in found ? found : { user: found.users[0]! };
  }
  const user = state.get(id);
  return user ? { user } : { response: failure(404, KIND.noSuchUser, `User ID ${id} does not exist`) };
}

function getUser(context: Context, { id }: Args): MockResponse {
  const found = findUser(context, id);
  if ('response' in found) return found.response;
  return success(KIND.details, { user: userDetails(context.state, found.user) });
}

function createUser({ state, request }: Context, { body, welcomeLink }: Args): MockResponse {
  if (body === null) throw new TypeError('Cannot read property "email" from null');
  const details = isObject(body) ? body : {};
  const { email, tags } = details;
  if (typeof email === 'string' && state.findByEmail(email)) {
    return failure(400, KIND.creationFailed, `Could not create new user, as user already exists with email address ${email}`);
  }
  const username = isObject(tags) ? tags.username : undefined;
  if (usernameTaken(state, username)) {
    return failure(400, KIND.creationFailed, `Could not create new user, as user already exists with username tag ${username}`);
  }
  const ref = details.ref ? toRef(details.ref) : null;
  if (details.ref && !ref) return failure(400, KIND.creationFailed, refMessage(details.ref));
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
  return success(KIND.create, { ...(welcomeLink ? { welcomeLink: welcomeUrl(request, user) } : {}), user: userDetails(state, user) });
}

/** `generateWelcomeURL()`: on the application's host, which for the mock is the one the client addressed. */
function welcomeUrl(request: MockRequest, user: HaploPrincipal): string {
  const host = request.headers.host && HOST.test(request.headers.host) ? request.headers.host : WELCOME_HOST;
  const token = [...crypto.getRandomValues(new Uint8Array(8))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
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
  if (user.isGroup) return failure(400, KIND.updateFailed, `User ${id} is a Group and cannot be updated`);
  // The plugin ignores a body that is not an object (200, unchanged); the spec, whose request
  // schema is an object, is followed here and the difference is listed as drift in it.
  if (!isObject(body)) return failure(400, KIND.exception, NOT_AN_OBJECT);
  const current: Record<string, unknown> = userDetails(state, user);
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
  if (error) return failure(400, KIND.updateFailed, error);
  if (typeof next.email === 'string' && next.email !== current.email) {
    const owner = state.findByEmail(next.email);
    // Compared with the path id, so a tag-query update clashes even with the user's own address.
    if (owner && owner.id !== id) {
      return failure(
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
  return success(KIND.update, { user: userDetails(state, latest()) });
}

function enableUser({ state }: Context, { id, status }: Args): MockResponse {
  const user = state.get(id!);
  if (!user) return failure(404, KIND.noSuchUser, `User ID ${id} does not exist`);
  if (status !== 'block' && status !== 'active') return failure(400, KIND.enableFailed, `${status} is not a valid status`);
  state.put({ ...user, isActive: status === 'active' });
  return success(KIND.enable, { user: userDetails(state, state.get(user.id)!) });
}

function getGroup({ state }: Context, { groupcode }: Args): MockResponse | undefined {
  const group = groupFor(state, groupcode);
  if (!group) return undefined;
  return success(KIND.groupDetails, { users: state.members(group), group: userDetails(state, group) });
}

function findByTag({ state, request }: Context): MockResponse {
  const found = tagQuery(state, request.query, false);
  if ('response' in found) return found.response;
  return success(KIND.findByTag, { users: found.users.map((user) => user.id) });
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

const router = specRouter<OperationId, Context>(
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

// ---------------------------------------------------------------------------------------------
// Authentication, seed and module

/**
 * The platform reads an API key only from `Basic ` and the base64 of `haplo:<key>` (it matches the
 * header against `Basic aGFwbG86…`, which is `haplo:` encoded); any other Authorization header,
 * another user name or scheme included, carries no key and the request runs as the anonymous user.
 */
const API_KEY_AUTHORIZATION = /^Basic aGFwbG86([A-Za-z0-9+/]+=*)$/;

/** The API key in an Authorization header, or undefined when it carries none. */
function apiKey(header: string | undefined): string | undefined {
  const encoded = header === undefined ? undefined : API_KEY_AUTHORIZATION.exec(header)?.[1];
  if (encoded === undefined) return undefined;
  try {
    return atob(encoded);
  } catch {
    return ''; // base64 broken after the `haplo:` part is still a key, one that no user has
  }
}

/** The platform's API-key authentication, then the API group the spec names (`x-required-group`). */
const gate: Gate<HaploState, HaploPrincipal> = {
  authenticate(request, state) {
    const key = apiKey(request.headers.authorization);
    if (key === undefined) return { refused: failure(403, 'UNAUTHORISED', 'Unauthorised: You are not permitted to perform that action') };
    const caller = key.length >= MIN_KEY_LENGTH ? state.caller(key) : undefined;
    return caller ? { caller } : { refused: failure(403, 'INVALID-API-KEY', 'Invalid API Key') };
  },
  permits: (caller, requirement, state) => requirement.group === undefined || state.isMember(caller, requirement.group),
  forbidden: () => failure(403, KIND.notPermitted, 'User is not permitted to use this API'),
};

const slug = (value: string) => value.toLowerCase().replace(/[^a-z0-9]/g, '');

function unique(base: string, taken: (candidate: string) => boolean): string {
  let candidate = base;
  for (let n = 2; taken(candidate); n++) candidate = `${base}${n}`;
  return candidate;
}

/**
 * The principals the spec's examples marked `x-usermock-seed` show (`user` and `group` of each
 * marked answer), each once, in id order. Every example that names an existing user or group is
 * about one of these, so the examples run against the state `usermock serve` starts with. Fresh
 * objects on every call: the state replaces its principals.
 */
function documentedPrincipals(): HaploUser[] {
  if (!documentedCache) {
    const byId = new Map<number, HaploUser>();
    for (const example of apiSpec('haplo').seededExamples()) {
      if (!isObject(example.value)) continue;
      for (const principal of [example.value.user, example.value.group]) {
        if (!isObject(principal) || typeof principal.id !== 'number') continue;
        const seen = byId.get(principal.id);
        if (seen && !deepEqual(seen, principal))
          throw new Error(`haplo spec: the seeded examples disagree about principal ${principal.id}`);
        byId.set(principal.id, principal as HaploUser);
      }
    }
    documentedCache = [...byId.values()].sort((a, b) => a.id - b.id);
  }
  return structuredClone(documentedCache);
}
let documentedCache: HaploUser[] | undefined;

const isPerson = (p: HaploUser | HaploPrincipal) => !p.isGroup && !p.isServiceUser;

/**
 * The documented principals first, with their documented ids: the groups and the service user
 * always, the people counting towards `users` (the first `users` of them, in id order, when there
 * are more). Then the standard groups the documented ones do not already provide, and faker people
 * up to `users`, all numbered after the highest documented id. The admin key belongs to the first
 * person in the API's group, the standard key to the first person outside it: with the spec's
 * examples, Priya Shah (128) and Alice Smith (131).
 */
function seed({ faker, users }: SeedOptions): HaploState {
  const keys = { admin: faker.string.alphanumeric(40), standard: faker.string.alphanumeric(40), byKey: {} };
  const documented = documentedPrincipals();
  const documentedPeople = documented.filter(isPerson).slice(0, users);
  const seeded = documented.filter((p) => !isPerson(p) || documentedPeople.includes(p));
  const state = new HaploState(Math.max(0, ...documented.map((p) => p.id)) + 1, keys);
  // Group memberships are set once every group exists (standard groups are numbered after).
  for (const { directGroupMembership: _codes, ...principal } of seeded) state.put({ ...principal, groups: [] });

  const newGroup = (code: string | null, name: string) =>
    state.principals().find((p) => p.isGroup && (code === null ? p.code === null && p.name === name : p.code === code)) ??
    state.create({
      nameFirst: null,
      nameLast: null,
      name,
      code,
      email: null,
      ref: null,
      isGroup: true,
      isActive: true,
      isSuperUser: false,
      isServiceUser: false,
      isAnonymous: true,
      localeId: 'en',
      tags: {},
      groups: [],
    });
  newGroup(EVERYONE, 'Everyone');
  const administrators = newGroup(ADMINISTRATORS, 'Administrators');
  const apiGroup = newGroup(API_GROUP, 'API v0: User');
  // Named by the vendor's documented create example.
  newGroup('haplo:group:example', 'Example');
  // The teams faker people join: not the documented groups, whose members the examples list.
  const teams = [
    newGroup('haplo:group:staff', 'Staff'),
    newGroup('haplo:group:researchers', 'Researchers'),
    newGroup('haplo:group:research-admin', 'Research Administrators'),
    newGroup(null, 'Visiting Fellows'),
  ].filter((group) => !documented.some((p) => p.id === group.id));
  for (const { id, directGroupMembership } of seeded) {
    if (directGroupMembership.length) state.put({ ...state.get(id)!, groups: groupIdsFor(state, directGroupMembership) });
  }
  if (!state.principals().some((p) => p.code === 'haplo:service-user:api-v0:user')) {
    state.create({
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
      groups: [apiGroup.id],
    });
  }

  const departments = ['finance', 'research', 'library', 'estates', 'registry'];
  // Without documented people, the first faker person is the admin and the second a standard user.
  for (let i = documentedPeople.length; i < users; i++) {
    const nameFirst = faker.person.firstName();
    const nameLast = faker.person.lastName();
    const local = unique(
      `${slug(nameFirst) || 'user'}.${slug(nameLast) || i}`,
      (c) => state.findByEmail(`${c}@example.ac.uk`) !== undefined,
    );
    const tags: Record<string, string> = {};
    if (i < 2 || faker.datatype.boolean({ probability: 0.8 })) {
      tags.username = unique(slug(`${nameFirst.charAt(0)}${nameLast}`) || 'user', (c) => state.findByUsername(c) !== undefined);
    }
    if (faker.datatype.boolean({ probability: 0.6 })) tags.department = faker.helpers.arrayElement(departments);
    const groups =
      i === 0
        ? [apiGroup.id, administrators.id]
        : i === 1
          ? teams.slice(0, 1).map((g) => g.id)
          : faker.helpers.arrayElements(teams, { min: 0, max: 2 }).map((g) => g.id);
    state.create({
      nameFirst,
      nameLast,
      name: `${nameFirst} ${nameLast}`,
      code: null,
      email: `${local}@example.ac.uk`,
      ref: null,
      isGroup: false,
      isActive: i < 2 || !faker.datatype.boolean({ probability: 0.1 }),
      isSuperUser: false,
      isServiceUser: false,
      isAnonymous: false,
      localeId: 'en',
      tags,
      groups,
    });
  }
  const people = state.principals().filter((p) => isPerson(p) && p.isActive);
  const admin = people.find((p) => state.isMember(p, API_GROUP));
  const standard = people.find((p) => !state.isMember(p, API_GROUP));
  if (admin) state.keys.byKey[state.keys.admin] = admin.id;
  if (standard) state.keys.byKey[state.keys.standard] = standard.id;
  return state;
}

export const haplo: ApiModule<HaploState, 'haplo'> = {
  name: 'haplo',
  spec: apiSpec('haplo'),
  owns: (path) => path === '/api/v0-user' || path.startsWith('/api/v0-user/'),
  seed,
  restore: (snapshot) => HaploState.fromJSON(snapshot as HaploSnapshot),
  credentials: (state) => ({
    admin: `Basic ${btoa(`haplo:${state.keys.admin}`)}`,
    standard: `Basic ${btoa(`haplo:${state.keys.standard}`)}`,
  }),
  operationFor: (method, path) => router.operationFor(method, path),
  handle(request, state) {
    // The platform authenticates every request before the responder looks for a handler; the
    // group is checked by the responder, after the arguments (`respondToAPI`).
    const identity = gate.authenticate(request, state);
    if ('refused' in identity) return identity.refused;
    const match = router.match(request.method, request.path);
    // No handler for the path: the responder's own answer for a request nothing answered.
    if (match.kind !== 'route') return noResponse();
    return match.handler({ state, caller: identity.caller, request, requirement: match.operation.requirement }, match.params);
  },
  gate,
  banner: (url, credentials) => [
    `Haplo  ${url}/api/v0-user/...`,
    `       admin (in the API group)         Authorization: ${credentials.admin}`,
    `       standard (not in the API group)  Authorization: ${credentials.standard}`,
  ],
};
