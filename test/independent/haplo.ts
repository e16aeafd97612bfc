/**
 * An independent implementation of the Haplo User API v0 (`/api/v0-user/...`), written from
 * docs/vendors/haplo.md, specs/haplo.openapi.yaml and the vendor's create-user documentation (with
 * the vendor's open-source `haplo_api_user_v0` plugin, which the notes are drawn from, for the order of its
 * checks). It shares no code with the project's mock: its purpose is to show that the conformance suite raises
 * no false alarms against a correct server that is not the project's own.
 *
 * Allowed differences from the mock (the spec leaves them open): principal ids start at 5000, seeded groups
 * and people are this file's own, `users` lists are in ascending id order, API keys are random per start, and
 * the people already there carry no `username` tag (some no tags at all).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IndependentServer {
  url: string;
  /** Authorization header value for a user in `haplo:group:api-v0:user-api`. */
  admin: string;
  /** Authorization header value for a valid key whose user is not in that group. */
  standard: string;
  close(): Promise<void>;
}

// --------------------------------------------------------------------------------------------------------
// Vendor wording (vendor notes "Message texts"; the spec's examples carry the same text)
// --------------------------------------------------------------------------------------------------------

const API_GROUP_CODE = 'haplo:group:api-v0:user-api';
const EVERYONE_CODE = 'std:group:everyone';
const FAILED_VALIDATION = 'Bad request (failed validation)';
/** Errors raised by the platform rather than by the plugin carry this prefix (spec info.description). */
const PLATFORM_PREFIX = 'org.jruby.exceptions.RaiseException: (JavaScriptAPIError) ';
const MSG_NO_DETAILS = 'Either a user ID in the path of the request, or a tag query in the parameters must be provided.';
const MSG_NO_TAG_QUERY =
  'A tag query was expected in the parameters of this request, but was not provided. To be included in a tag query, tag names must be prefixed by tag:';
const MSG_TAGS_NOT_STRINGS = 'tags attribute must be a dictionary of string to string';
const badRefMessage = (ref: unknown) => `Could not add ref ${String(ref)} to user as it is not a valid reference to an object`;
const unknownGroupMessage = (code: unknown) => `Group with code ${String(code)} does not exist`;

const LOCALES = new Set(['en', 'cy']);

/**
 * Email syntax accepted by the platform. The spec types `email` as `format: email`, so this is the strict
 * (RFC 5321-style) syntax: anything accepted here is also a valid `format: email` in the responses.
 */
const EMAIL_PATTERN =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/** Haplo refs are the object id in hex with a-f written as q,v,w,x,y,z (e.g. `8xy5z` in the spec). */
const REF_PATTERN = /^[0-9qvwxyz]+$/;

// --------------------------------------------------------------------------------------------------------
// Outcomes of a request
// --------------------------------------------------------------------------------------------------------

/** A JSON failure envelope with an explicit kind and status. */
class ApiFailure extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Any error thrown inside a handler: the responder answers 400 `haplo:api-v0:generic:exception` with its text. */
class HandlerException extends ApiFailure {
  constructor(message: string) {
    super('haplo:api-v0:generic:exception', message);
  }
}

const platformError = (text: string) => new HandlerException(PLATFORM_PREFIX + text);

/** The platform's argument validation failed: 400 text/plain, before any permission check. */
class ValidationFailure extends Error {}

// --------------------------------------------------------------------------------------------------------
// Data model
// --------------------------------------------------------------------------------------------------------

type PrincipalKind = 'person' | 'service' | 'group';

interface Principal {
  id: number;
  kind: PrincipalKind;
  nameFirst: string | null;
  nameLast: string | null;
  /** Title of a group or service user (people's display name is derived from their names). */
  title: string | null;
  code: string | null;
  email: string | null;
  ref: string | null;
  isActive: boolean;
  localeId: string;
  tags: Record<string, string>;
  /** Ids of the groups the principal is directly a member of; never includes std:group:everyone. */
  groups: number[];
}

/** The user object of the vendor notes, every field in the documented order. */
function present(store: Store, p: Principal) {
  return {
    id: p.id,
    nameFirst: p.nameFirst,
    nameLast: p.nameLast,
    name: p.kind === 'person' ? `${p.nameFirst} ${p.nameLast}` : p.title,
    code: p.code,
    email: p.email,
    ref: p.ref,
    isGroup: p.kind === 'group',
    isActive: p.isActive,
    isSuperUser: false,
    isServiceUser: p.kind === 'service',
    // Groups are reported as anonymous principals (vendor notes, last line).
    isAnonymous: p.kind === 'group',
    localeId: p.localeId,
    tags: { ...p.tags },
    directGroupMembership: p.groups.map((gid) => store.groupLabel(gid)),
  };
}

type Store = ReturnType<typeof createStore>;

function createStore() {
  const principals = new Map<number, Principal>();
  let nextId = 5000;

  const add = (fields: Partial<Principal> & Pick<Principal, 'kind'>): Principal => {
    const p: Principal = {
      id: nextId++,
      nameFirst: null,
      nameLast: null,
      title: null,
      code: null,
      email: null,
      ref: null,
      isActive: true,
      localeId: 'en',
      tags: {},
      groups: [],
      ...fields,
    };
    principals.set(p.id, p);
    return p;
  };

  const all = () => [...principals.values()].sort((a, b) => a.id - b.id);

  return {
    add,
    get: (id: number) => principals.get(id),
    groupByCode: (code: string) => all().find((p) => p.kind === 'group' && p.code === code),
    /** A group's API code, or `group:<id>` for a group without one. */
    groupLabel(gid: number): string {
      return principals.get(gid)?.code ?? `group:${gid}`;
    },
    /** Email addresses are unique case-insensitively (vendor notes, create failures). */
    byEmail: (email: string) => all().find((p) => p.email !== null && p.email.toLowerCase() === email.toLowerCase()),
    /** Username uniqueness is checked lower-cased (vendor notes). */
    usernameTaken: (username: string, except?: Principal) =>
      all().some((p) => p !== except && p.tags.username !== undefined && p.tags.username.toLowerCase() === username.toLowerCase()),
    /**
     * Every condition must match exactly. Blocked users are still found: the vendor's own tests blank the tags
     * of the users they block so that later tag queries do not find them.
     */
    byTags: (query: Map<string, string>) => all().filter((p) => [...query].every(([name, value]) => p.tags[name] === value)),
    /** Active people in the group; service users and groups are not listed (spec, getGroup). */
    activeMembers(group: Principal): number[] {
      const everyone = group.code === EVERYONE_CODE;
      return all()
        .filter((p) => p.kind === 'person' && p.isActive && (everyone || p.groups.includes(group.id)))
        .map((p) => p.id);
    },
  };
}

interface Seeded {
  store: Store;
  keys: Map<string, number>;
  adminKey: string;
  standardKey: string;
}

function seed(): Seeded {
  const s = createStore();
  const group = (title: string, code: string | null) => s.add({ kind: 'group', title, code });
  const administrators = group('Administrators', 'std:group:administrators');
  group('Everyone', EVERYONE_CODE);
  const apiGroup = group('API v0: User', API_GROUP_CODE);
  const libraryStaff = group('Library Staff', 'haplo:group:library-staff');
  const fieldTeam = group('Field Team', null);

  const apiUser = s.add({
    kind: 'service',
    title: 'API v0: User',
    code: 'haplo:service-user:api-v0:user',
    groups: [apiGroup.id],
  });
  const person = (nameFirst: string, nameLast: string, extra: Partial<Principal>) =>
    s.add({ kind: 'person', nameFirst, nameLast, email: `${nameFirst}.${nameLast}@example.net`.toLowerCase(), ...extra });
  // No existing person has a `username` tag, and some have no tags at all: tags are optional (`{}` when none,
  // vendor notes "User object"), so a client may not count on finding an existing user by a tag query. The
  // `department` tags are shared, so a query on one finds several people (getUserByTag's 404
  // multiple-users-found), not one.
  person('Ada', 'Lovelace', { tags: { department: 'engineering' }, groups: [libraryStaff.id] });
  person('Grace', 'Hopper', { groups: [administrators.id, fieldTeam.id] });
  person('Alan', 'Turing', { tags: { department: 'research' }, ref: '8xy5z', localeId: 'cy' });
  person('Katherine', 'Johnson', { isActive: false, groups: [fieldTeam.id] });
  const standardUser = person('Edsger', 'Dijkstra', { tags: { department: 'engineering' }, groups: [libraryStaff.id] });

  const newKey = () => randomBytes(18).toString('base64url');
  const adminKey = newKey();
  const standardKey = newKey();
  return {
    store: s,
    keys: new Map([
      [adminKey, apiUser.id],
      [standardKey, standardUser.id],
    ]),
    adminKey,
    standardKey,
  };
}

// --------------------------------------------------------------------------------------------------------
// Small helpers
// --------------------------------------------------------------------------------------------------------

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of JSON values, object key order ignored (the plugin skips fields equal to their current value). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** `null` reads as absent for the optional create fields (brief; the plugin only tests truthiness). */
const given = (v: unknown) => v !== undefined && v !== null;

/**
 * The plugin walks `directGroupMembership` with underscore's `_.each`: arrays and strings element by element,
 * objects by value, anything else not at all.
 */
function groupCodesOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.values(value);
  return [];
}

/** Resolves a group API code or `group:<id>`; `group:0` resolves to nothing (vendor notes, getGroup). */
function resolveGroup(store: Store, code: unknown): Principal | undefined {
  if (typeof code !== 'string') throw new HandlerException(unknownGroupMessage(code));
  const numeric = /^group:(\d+)$/.exec(code);
  if (numeric) {
    const gid = Number.parseInt(numeric[1]!, 10);
    if (gid === 0) return undefined;
    const g = store.get(gid);
    if (!g || g.kind !== 'group') throw new HandlerException(unknownGroupMessage(code));
    return g;
  }
  const g = store.groupByCode(code);
  if (!g) throw new HandlerException(unknownGroupMessage(code));
  return g;
}

/** Group ids for a membership list; std:group:everyone is implied and never stored. */
function groupIdsFor(store: Store, value: unknown): number[] {
  const ids: number[] = [];
  for (const code of groupCodesOf(value)) {
    const g = resolveGroup(store, code);
    if (g && g.code !== EVERYONE_CODE && !ids.includes(g.id)) ids.push(g.id);
  }
  return ids;
}

/** A ref in its canonical presentation (leading zeros dropped), or null when the string is not a ref. */
function parseRef(text: string): string | null {
  if (!REF_PATTERN.test(text)) return null;
  const hex = text.replace(/[qvwxyz]/g, (c) => 'abcdef'['qvwxyz'.indexOf(c)]!);
  return BigInt(`0x${hex}`)
    .toString(16)
    .replace(/[a-f]/g, (c) => 'qvwxyz'['abcdef'.indexOf(c)]!);
}

/** The platform's checks of a person's details (createUser / setDetails), in the vendor's order. */
function checkPersonDetails(d: { nameFirst: unknown; nameLast: unknown; email: unknown }): void {
  for (const field of ['nameFirst', 'nameLast', 'email'] as const) {
    const v = d[field];
    if (typeof v !== 'string' || v === '') throw platformError(`User must have a non-empty String ${field} attribute`);
  }
  if (!EMAIL_PATTERN.test(d.email as string)) throw platformError('User must have a valid email address');
}

function checkTags(tags: unknown): asserts tags is Record<string, string> {
  if (!isPlainObject(tags) || !Object.values(tags).every((v) => typeof v === 'string')) throw platformError(MSG_TAGS_NOT_STRINGS);
}

function checkLocale(localeId: unknown): asserts localeId is string {
  if (typeof localeId !== 'string' || !LOCALES.has(localeId)) throw platformError(`Unknown locale: ${String(localeId)}`);
}

// --------------------------------------------------------------------------------------------------------
// Tag queries (vendor notes, get/find-by-tag; spec "Tag queries" and "Known implementation quirks")
// --------------------------------------------------------------------------------------------------------

type Params = [string, string][];

function tagQueryOf(params: Params): Map<string, string> {
  const query = new Map<string, string>();
  for (const [name, value] of params) {
    if (name.startsWith('tag:') && !query.has(name.slice(4))) query.set(name.slice(4), value);
  }
  return query;
}

/** Runs a tag query; `single` makes more than one match an error (get/update by tag). */
function runTagQuery(store: Store, params: Params, single: boolean): Principal[] {
  const query = tagQueryOf(params);
  if (query.size === 0) throw new ApiFailure('haplo:api-v0:user:no-tag-query-provided', MSG_NO_TAG_QUERY);
  const users = store.byTags(query);
  // The plugin's string building only yields `name=value` for a single condition, `undefined` otherwise.
  const quoted = query.size === 1 ? [...query].map(([name, value]) => `${name}=${value}`)[0] : 'undefined';
  if (users.length === 0) throw new ApiFailure('haplo:api-v0:user:no-user-found', `Tag query ${quoted} returned no users.`, 404);
  if (single && users.length > 1) {
    throw new ApiFailure('haplo:api-v0:user:multiple-users-found', `Tag query ${quoted} returned more than one result.`, 404);
  }
  return users;
}

function userById(store: Store, id: number): Principal {
  const p = store.get(id);
  if (!p) throw new ApiFailure('haplo:api-v0:user:no-such-user', `User ID ${id} does not exist`, 404);
  return p;
}

/** The target of get/update: by a non-zero id, otherwise by tag query (id 0 counts as no id). */
function findTarget(store: Store, id: number | null, params: Params): Principal {
  if (id) return userById(store, id);
  if (params.length === 0) throw new ApiFailure('haplo:api-v0:user:no-details-provided', MSG_NO_DETAILS);
  return runTagQuery(store, params, true)[0]!;
}

// --------------------------------------------------------------------------------------------------------
// Operations
// --------------------------------------------------------------------------------------------------------

type Success = Record<string, unknown>;

function createUser(store: Store, body: unknown, welcomeLink: number | null, host: string): Success {
  // A valid JSON body that is not an object has no fields: it fails the name checks below.
  const d = isPlainObject(body) ? body : {};

  if (typeof d.email === 'string' && d.email !== '' && store.byEmail(d.email)) {
    throw new ApiFailure(
      'haplo:api-v0:user:creation-failed',
      `Could not create new user, as user already exists with email address ${d.email}`,
    );
  }
  if (isPlainObject(d.tags) && d.tags.username) {
    const username = d.tags.username;
    if (typeof username !== 'string') throw platformError(MSG_TAGS_NOT_STRINGS);
    if (store.usernameTaken(username)) {
      throw new ApiFailure(
        'haplo:api-v0:user:creation-failed',
        `Could not create new user, as user already exists with username tag ${username}`,
      );
    }
  }
  let ref: string | null = null;
  // The spec (CreateUserRequest.ref): null and any other falsy value (false, 0, "") is the same as absent, as the
  // plugin reads a ref only `if(details.ref)`.
  if (d.ref) {
    // vendor notes: a non-string ref is a generic exception, a string that is not a ref is creation-failed.
    if (typeof d.ref !== 'string') throw new HandlerException(badRefMessage(d.ref));
    ref = parseRef(d.ref);
    if (ref === null) throw new ApiFailure('haplo:api-v0:user:creation-failed', badRefMessage(d.ref));
  }
  // The plugin resolves the groups before handing the details to the platform.
  const groups = given(d.directGroupMembership) ? groupIdsFor(store, d.directGroupMembership) : [];

  checkPersonDetails({ nameFirst: d.nameFirst, nameLast: d.nameLast, email: d.email });
  const tags = given(d.tags) ? d.tags : {};
  checkTags(tags);
  const localeId = given(d.localeId) ? d.localeId : 'en';
  checkLocale(localeId);

  const user = store.add({
    kind: 'person',
    nameFirst: d.nameFirst as string,
    nameLast: d.nameLast as string,
    email: d.email as string,
    ref,
    localeId,
    tags: { ...tags },
    groups,
  });
  const result: Success = {};
  // welcomeLink precedes user in the vendor's response (documented example).
  if (welcomeLink) result.welcomeLink = `https://${host}/do/authentication/welcome/${user.id}-${randomBytes(8).toString('hex')}`;
  result.user = present(store, user);
  return result;
}

const EDITABLE = new Set(['nameFirst', 'nameLast', 'email', 'ref', 'localeId', 'directGroupMembership', 'tags']);

/**
 * Partial update. `pathId` is the id as it appears in the path (null for the tag-query form): the plugin
 * quotes it, not the target's id, in its messages (spec "Known implementation quirks").
 */
function updateUser(store: Store, target: Principal, pathId: number | null, body: unknown): Success {
  if (target.kind === 'group') {
    throw new ApiFailure('haplo:api-v0:user:update-failed', `User ${pathId} is a Group and cannot be updated`);
  }
  const current = present(store, target);
  const details = { nameFirst: target.nameFirst as unknown, nameLast: target.nameLast as unknown, email: target.email as unknown };
  let detailsChanged = false;
  let ref: string | undefined;
  let localeId: unknown;
  let groups: number[] | undefined;
  let tags: unknown;
  // The plugin records these failures and reports the last one after looking at every field.
  let failure: string | undefined;

  // A body that is valid JSON but not an object has no fields: nothing changes (vendor notes; brief).
  const fields = isPlainObject(body) ? Object.entries(body) : [];
  for (const [key, value] of fields) {
    if (!EDITABLE.has(key) || jsonEqual(value, current[key as keyof typeof current])) continue;
    switch (key) {
      case 'ref': {
        // null reaches here only when the user has a ref: the plugin treats it as an invalid reference.
        if (value !== null && typeof value !== 'string') throw new HandlerException(badRefMessage(value));
        const parsed = value === null ? null : parseRef(value);
        if (parsed === null) failure = badRefMessage(value);
        else ref = parsed;
        break;
      }
      case 'localeId':
        localeId = value;
        break;
      case 'directGroupMembership':
        groups = groupIdsFor(store, value);
        break;
      case 'tags': {
        const username = isPlainObject(value) ? value.username : undefined;
        if (username && typeof username !== 'string') throw platformError(MSG_TAGS_NOT_STRINGS);
        if (typeof username === 'string' && username !== '' && store.usernameTaken(username, target)) {
          failure = `Could not set username tag to ${username} for user ${pathId} as a user already exists with that username.`;
        } else {
          tags = value;
        }
        break;
      }
      default:
        details[key as keyof typeof details] = value;
        detailsChanged = true;
    }
  }
  if (failure !== undefined) throw new ApiFailure('haplo:api-v0:user:update-failed', failure);
  if (typeof details.email === 'string' && details.email !== target.email) {
    const owner = store.byEmail(details.email);
    if (owner && owner !== target) {
      throw new ApiFailure(
        'haplo:api-v0:user:update-failed',
        `User ${pathId} cannot be updated to have email ${details.email} as another user already has that email`,
      );
    }
  }
  // The platform's own checks; all run before anything is changed, so a failed update changes nothing.
  if (detailsChanged) checkPersonDetails(details);
  if (localeId !== undefined) checkLocale(localeId);
  if (tags !== undefined) checkTags(tags);

  if (detailsChanged) {
    target.nameFirst = details.nameFirst as string;
    target.nameLast = details.nameLast as string;
    target.email = details.email as string;
  }
  if (ref !== undefined) target.ref = ref;
  if (localeId !== undefined) target.localeId = localeId;
  if (groups !== undefined) target.groups = groups;
  // tags merge into the existing ones, directGroupMembership replaces. Spreading (not Object.assign) keeps a
  // tag named `__proto__` an ordinary tag.
  if (tags !== undefined) target.tags = { ...target.tags, ...tags };
  return { user: present(store, target) };
}

function enableUser(store: Store, id: number, status: string): Success {
  const user = userById(store, id);
  if (status === 'block') user.isActive = false;
  else if (status === 'active') user.isActive = true;
  else throw new ApiFailure('haplo:api-v0:user:enable-failed', `${status} is not a valid status`);
  return { user: present(store, user) };
}

function groupDetails(store: Store, code: string): Success {
  const group = resolveGroup(store, code);
  // `group:0` resolves to nothing and the handler returns without responding.
  if (!group) throw new ApiFailure('haplo:api-v0:generic:no-response', 'API implementation did not respond', 404);
  // users precedes group in the vendor's response.
  return { users: store.activeMembers(group), group: present(store, group) };
}

// --------------------------------------------------------------------------------------------------------
// HTTP
// --------------------------------------------------------------------------------------------------------

type Operation = 'create' | 'getUser' | 'updateUser' | 'enable' | 'group' | 'findByTag';

interface Route {
  op: Operation;
  /** The path element after the endpoint, if any. */
  arg: string | undefined;
}

const ENDPOINTS: Record<string, { methods: Partial<Record<string, Operation>>; maxArgs: number }> = {
  create: { methods: { POST: 'create' }, maxArgs: 0 },
  id: { methods: { GET: 'getUser', POST: 'updateUser' }, maxArgs: 1 },
  enable: { methods: { POST: 'enable' }, maxArgs: 1 },
  group: { methods: { GET: 'group' }, maxArgs: 1 },
  'find-by-tag': { methods: { GET: 'findByTag' }, maxArgs: 0 },
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function route(method: string, pathname: string): Route {
  const parts = pathname.split('/');
  // A trailing slash is optional on every path (vendor notes).
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  const [root, api, version, endpoint, ...rest] = parts;
  const spec = endpoint === undefined ? undefined : ENDPOINTS[endpoint];
  if (root !== '' || api !== 'api' || version !== 'v0-user' || !spec || rest.length > spec.maxArgs || rest.includes('')) {
    throw new HttpError(404, 'Not Found');
  }
  const op = spec.methods[method];
  if (!op) throw new HttpError(405, 'Method Not Allowed', { allow: Object.keys(spec.methods).join(', ') });
  let arg: string | undefined;
  try {
    arg = rest[0] === undefined ? undefined : decodeURIComponent(rest[0]);
  } catch {
    throw new HttpError(404, 'Not Found');
  }
  return { op, arg };
}

/** The platform's `as:"int"` conversion; anything else fails argument validation. */
function parseInteger(text: string | undefined | null, required: boolean): number | null {
  if (text === undefined || text === null) {
    if (required) throw new ValidationFailure();
    return null;
  }
  if (!/^-?\d+$/.test(text)) throw new ValidationFailure();
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new ValidationFailure();
  return n;
}

function parseJsonBody(raw: string): unknown {
  if (raw === '') throw new ValidationFailure();
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationFailure();
  }
}

type Caller = { kind: 'anonymous' } | { kind: 'invalid' } | { kind: 'user'; principal: Principal };

/**
 * HTTP Basic with user name exactly `haplo` and the API key as password. Any other Authorization header
 * carries no key, and the request runs as the anonymous user (spec, Authentication and permission).
 */
function identify(store: Store, header: string | undefined, keys: Map<string, number>): Caller {
  const match = header === undefined ? null : /^basic +([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!match) return { kind: 'anonymous' };
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(0, colon) !== 'haplo') return { kind: 'anonymous' };
  const key = decoded.slice(colon + 1);
  const id = key.length >= 16 ? keys.get(key) : undefined;
  const principal = id === undefined ? undefined : store.get(id);
  return principal ? { kind: 'user', principal } : { kind: 'invalid' };
}

function authorise(store: Store, caller: Caller): void {
  if (caller.kind === 'invalid') throw new ApiFailure('INVALID-API-KEY', 'Invalid API Key', 403);
  if (caller.kind === 'anonymous') {
    throw new ApiFailure('UNAUTHORISED', 'Unauthorised: You are not permitted to perform that action', 403);
  }
  const apiGroup = store.groupByCode(API_GROUP_CODE);
  if (!apiGroup || !caller.principal.groups.includes(apiGroup.id)) {
    // The current documentation answers 403 (an older version said 401; spec, Known drift).
    throw new ApiFailure('haplo:api-v0:generic:not-permitted', 'User is not permitted to use this API', 403);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

const SUCCESS_KIND: Record<Operation, string> = {
  create: 'haplo:api-v0:user:create',
  getUser: 'haplo:api-v0:user:details',
  updateUser: 'haplo:api-v0:user:update',
  enable: 'haplo:api-v0:user:enable',
  group: 'haplo:api-v0:user:group-details',
  findByTag: 'haplo:api-v0:user:find-by-tag',
};

async function handle(seeded: Seeded, req: IncomingMessage, res: ServerResponse, fallbackHost: string): Promise<void> {
  const { store } = seeded;
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const params: Params = [...url.searchParams];
  const param = (name: string) => url.searchParams.get(name);
  const raw = await readBody(req);
  try {
    const { op, arg } = route(req.method ?? 'GET', url.pathname);

    // 1. The platform's argument validation, before the permission check (vendor notes, Envelope).
    let run: () => Success;
    switch (op) {
      case 'create': {
        const body = parseJsonBody(raw);
        const welcomeLink = parseInteger(param('welcomeLink'), false);
        run = () => createUser(store, body, welcomeLink, req.headers.host ?? fallbackHost);
        break;
      }
      case 'getUser': {
        const id = parseInteger(arg, false);
        run = () => ({ user: present(store, findTarget(store, id, params)) });
        break;
      }
      case 'updateUser': {
        const id = parseInteger(arg, false);
        const body = parseJsonBody(raw);
        run = () => updateUser(store, findTarget(store, id, params), id, body);
        break;
      }
      case 'enable': {
        const id = parseInteger(arg, true)!;
        const status = param('status');
        if (status === null) throw new ValidationFailure();
        run = () => enableUser(store, id, status);
        break;
      }
      case 'group': {
        if (arg === undefined) throw new ValidationFailure();
        run = () => groupDetails(store, arg);
        break;
      }
      case 'findByTag':
        run = () => ({ users: runTagQuery(store, params, false).map((p) => p.id) });
        break;
    }

    // 2. Authentication and the API group's permission, 3. the handler.
    authorise(store, identify(store, req.headers.authorization, seeded.keys));
    const data = run();
    sendJson(res, 200, { success: true, kind: SUCCESS_KIND[op], ...data });
  } catch (e) {
    if (e instanceof ValidationFailure) sendText(res, 400, FAILED_VALIDATION);
    else if (e instanceof ApiFailure) sendJson(res, e.status, { success: false, kind: e.kind, error: { message: e.message } });
    else if (e instanceof HttpError) sendText(res, e.status, e.message, e.headers);
    else sendText(res, 500, `Internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Starts the server on 127.0.0.1 on a free port. admin/standard are full Authorization header values. */
export async function startIndependentHaplo(): Promise<IndependentServer> {
  const seeded = seed();
  let fallbackHost = '127.0.0.1';
  const server = createServer((req, res) => {
    handle(seeded, req, res, fallbackHost).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  fallbackHost = `127.0.0.1:${port}`;
  const basic = (key: string) => `Basic ${Buffer.from(`haplo:${key}`).toString('base64')}`;
  return {
    url: `http://127.0.0.1:${port}`,
    admin: basic(seeded.adminKey),
    standard: basic(seeded.standardKey),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
