// Issue 19's catalogue of SEMANTIC backend faults: servers whose answers are well-formed, documented
// and schema-valid, but which do the wrong thing (a list that leaves users out, a delete that
// deletes nothing, a computed field that is stale, a PATCH that resets what it was not sent …).
// Each is the real mock with one realistic bug wrapped around it, with the vendor fact it breaks
// (from the spec) and a probe: a few raw requests whose answers differ between it and the mock.
import { API_MODULES, type ApiModule, type MockRequest, type MockResponse } from '../../mocks/index.ts';
import { present as presentHaplo } from '../../mocks/apis/haplo/wire.ts';
import type { HaploState } from '../../mocks/apis/haplo/state.ts';
import type { AmaniState } from '../../mocks/apis/amani/state.ts';
import type { ApiName } from '../../specs/index.ts';
import { bodyOf, json, type Next } from './broken.ts';

/** What a faulty handler sees besides the request: the credentials and the API's live state. */
export interface FaultContext<S> {
  admin: string;
  standard: string;
  state: S;
}

export type StatefulMutation<S = never> = (request: MockRequest, next: Next, context: FaultContext<S>) => Promise<MockResponse>;

/** A server to probe: its URL, its credentials and its state (for what no request can show). */
export interface Target {
  url: string;
  admin: string;
  standard: string;
  state(): unknown;
}

export type Kind =
  | 'lists'
  | 'deletes'
  | 'computed fields'
  | 'partial updates'
  | 'full updates'
  | 'uniqueness'
  | 'references'
  | 'enable/disable'
  | 'documented inputs'
  | 'defaults'
  | 'login/refresh'
  | 'pagination';

export interface SemanticFault {
  name: string;
  api: ApiName;
  kind: Kind;
  /** The vendor fact the fault breaks, and where it is written. */
  fact: string;
  /** A fresh faulty handler (faults that remember something start with an empty memory). */
  make: () => StatefulMutation<any>;
  /** Raw requests; what it returns must differ between the faulty server and the correct mock. */
  probe: (target: Target) => Promise<unknown>;
  /**
   * Why a contract run cannot fail on it, where it cannot: `unreachable` (no client can make the
   * state it needs, or the spec leaves the fact open), or `inferred` (both answers are facts the
   * spec only infers: a warning, a failure with --strict).
   */
  limit?: { kind: 'unreachable' | 'inferred'; why: string };
}

/**
 * Every API module, `api`'s wrapped in `mutation`; `seen` is told the state each request runs on,
 * so a probe can look at what no request shows (an inactive user's password).
 */
export function brokenWithState(api: ApiName, mutation: StatefulMutation<any>, seen?: (state: unknown) => void): ApiModule[] {
  return API_MODULES.map((builtIn): ApiModule => {
    const module = builtIn as ApiModule;
    if (module.name !== api) return module;
    return {
      ...module,
      handle: (request, state) => {
        seen?.(state);
        return mutation(request, async (changed) => module.handle(changed, state, module.route(changed.method, changed.path)), {
          ...module.credentials(state),
          state,
        });
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Raw requests for the probes.

export interface Answer {
  status: number;
  type: string;
  body: any;
}

export async function call(
  target: Target,
  method: string,
  path: string,
  options: { body?: unknown; auth?: string | null; contentType?: string; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? target.admin : options.auth;
  if (auth) headers.authorization = auth;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(target.url + path, { method, headers, body });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  let parsed: unknown = text;
  if (type.includes('json') && text) parsed = JSON.parse(text);
  return { status: response.status, type: type.split(';')[0]!, body: parsed };
}

let counter = 0;
/** A word no earlier probe used. */
export const unique = (prefix = 'sf') => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

// ---------------------------------------------------------------------------------------------
// Shared pieces of the faults.

const segments = (request: MockRequest) => request.path.replace(/\/+$/, '').split('/').map(decodeURIComponent);
const isJson = (response: MockResponse) => response.headers['content-type']?.includes('json') ?? false;
const parsedBody = (request: MockRequest): Record<string, any> | undefined => {
  if (!request.body || !request.headers['content-type']?.includes('json')) return undefined;
  try {
    const value = JSON.parse(request.body);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
};
const withBody = (request: MockRequest, body: unknown): MockRequest => ({ ...request, body: JSON.stringify(body) });
/** The same answer with its JSON body changed. */
const rewrite = (response: MockResponse, change: (body: any) => any): MockResponse => ({
  ...response,
  body: JSON.stringify(change(bodyOf(response))),
});
/** Characters outside the Basic Multilingual Plane (surrogate pairs). */
const ASTRAL = /[\u{10000}-\u{10FFFF}]/u;
/** What MySQL's 3-byte `utf8` column keeps of a text: everything before the first 4-byte character. */
const utf8mb3 = (value: unknown) => (typeof value === 'string' && ASTRAL.test(value) ? value.slice(0, value.search(ASTRAL)) : value);

// hoop -----------------------------------------------------------------------------------------

const HOOP_FIXED = new Set(['groups', 'self']);
/** The `{emailOrID}` of a request on `/api/users/{emailOrID}`, if it is one. */
function hoopUserRef(request: MockRequest): string | undefined {
  const parts = segments(request);
  return parts.length === 4 && parts[1] === 'api' && parts[2] === 'users' && !HOOP_FIXED.has(parts[3]!) ? parts[3] : undefined;
}
const isHoopList = (request: MockRequest) => request.method === 'GET' && request.path.replace(/\/+$/, '') === '/api/users';
const isHoopCreate = (request: MockRequest) => request.method === 'POST' && request.path.replace(/\/+$/, '') === '/api/users';
/** A user as hoop shows it, read through the real handler. */
async function hoopRead(next: Next, admin: string, ref: string): Promise<any | undefined> {
  const response = await next({
    method: 'GET',
    path: `/api/users/${encodeURIComponent(ref)}`,
    query: new URLSearchParams(),
    headers: { authorization: admin },
    body: undefined,
  });
  return response.status === 200 ? bodyOf(response) : undefined;
}
async function hoopList(next: Next, admin: string): Promise<any[]> {
  const response = await next({
    method: 'GET',
    path: '/api/users',
    query: new URLSearchParams(),
    headers: { authorization: admin },
    body: undefined,
  });
  return bodyOf(response) ?? [];
}
async function hoopGroups(next: Next, admin: string): Promise<string[]> {
  const response = await next({
    method: 'GET',
    path: '/api/users/groups',
    query: new URLSearchParams(),
    headers: { authorization: admin },
    body: undefined,
  });
  return bodyOf(response) ?? [];
}
/** What a PUT replaces, from a user as read. */
const hoopWritable = ({ email, name, picture, slack_id, groups, status }: any) => ({ email, name, picture, slack_id, groups, status });
const hoopUser = (extra: Record<string, unknown> = {}) => ({ email: `${unique()}@example.com`, name: 'Probe User', ...extra });
/** A user read back from hoop after `body` was created. */
async function hoopCreated(t: Target, extra: Record<string, unknown> = {}) {
  const created = await call(t, 'POST', '/api/users', { body: hoopUser(extra) });
  return created.body;
}

// haplo ----------------------------------------------------------------------------------------

/** `/api/v0-user/<what>/<rest>` with the optional trailing slash removed. */
const haploRoute = (request: MockRequest) => {
  const parts = segments(request);
  return parts[1] === 'api' && parts[2] === 'v0-user' ? { what: parts[3], rest: parts.slice(4) } : undefined;
};
const haploIdOf = (request: MockRequest, what: string): number | undefined => {
  const route = haploRoute(request);
  if (route?.what !== what || route.rest.length !== 1 || !/^\d+$/.test(route.rest[0]!)) return undefined;
  return Number(route.rest[0]) || undefined;
};
const isHaploCreate = (request: MockRequest) => request.method === 'POST' && haploRoute(request)?.what === 'create';
/** `POST /api/v0-user/id/{id}` with a numeric non-zero id. */
const haploUpdateId = (request: MockRequest) => (request.method === 'POST' ? haploIdOf(request, 'id') : undefined);
const haploAnswer = (kind: string, state: HaploState, id: number) =>
  json(200, { success: true, kind, user: presentHaplo(state, state.get(id)!) });
const haploUser = (extra: Record<string, unknown> = {}) => {
  const word = unique();
  return { nameFirst: 'Probe', nameLast: word, email: `${word}@example.com`, ...extra };
};
async function haploCreated(t: Target, extra: Record<string, unknown> = {}) {
  const created = await call(t, 'POST', '/api/v0-user/create', { body: haploUser(extra) });
  return created.body.user;
}
const haploRead = async (t: Target, id: number) => (await call(t, 'GET', `/api/v0-user/id/${id}`)).body.user;

// amani ----------------------------------------------------------------------------------------

const AMANI_LOGIN = /^\/api\/v2\/user\/login\/?$/;
const AMANI_REFRESH = '/api/v2/token/refresh/';
const isAmaniCreate = (request: MockRequest) => request.method === 'POST' && request.path === '/api/v2/user';
const amaniPatchId = (request: MockRequest) => {
  const match = /^\/api\/v2\/user\/([^/]+)$/.exec(request.path);
  return request.method === 'PATCH' && match && match[1] !== 'login' ? decodeURIComponent(match[1]!) : undefined;
};
/** The fields of a JSON or form body, as the mock's DRF parsers would read them. */
function amaniFields(request: MockRequest): Record<string, any> | undefined {
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(request.body ?? '');
    return Object.fromEntries(
      [...new Set(form.keys())].map((key) => [key, key === 'groups' ? form.getAll(key).map(Number) : form.get(key)]),
    );
  }
  return parsedBody(request);
}
const amaniUser = (extra: Record<string, unknown> = {}) => ({
  email: `${unique()}@example.com`,
  password: 'Probe-password-1',
  first_name: 'Probe',
  last_name: 'User',
  phone: '+905551112233',
  ...extra,
});
async function amaniCreated(t: Target, extra: Record<string, unknown> = {}) {
  return (await call(t, 'POST', '/api/v2/user', { body: amaniUser(extra) })).body;
}
const AMANI_FIELD_ERROR = (field: string, message: string) => json(400, { [field]: [message] }, 'application/json');

// ---------------------------------------------------------------------------------------------
// The catalogue.

export const SEMANTIC_FAULTS: SemanticFault[] = [
  // ----------------------------------------------------------------------------------- hoop
  {
    name: 'the list leaves out inactive users',
    api: 'hoop',
    kind: 'lists',
    fact: 'listUsers: "List all users of the caller\'s organization … the whole organization is returned in one array"',
    make: () => async (request, next) => {
      const response = await next(request);
      return isHoopList(request) && response.status === 200
        ? rewrite(response, (users) => users.filter((user: any) => user.status !== 'inactive'))
        : response;
    },
    probe: async (t) => {
      const user = await hoopCreated(t, { status: 'inactive' });
      const list = await call(t, 'GET', '/api/users');
      return list.body.some((listed: any) => listed.id === user.id);
    },
  },
  {
    name: 'the list answers only the newest 5 users',
    api: 'hoop',
    kind: 'pagination',
    fact: 'listUsers: "There is no pagination: the whole organization is returned in one array"',
    make: () => async (request, next) => {
      const response = await next(request);
      return isHoopList(request) && response.status === 200 ? rewrite(response, (users) => users.slice(-5)) : response;
    },
    probe: async (t) => {
      const me = await call(t, 'GET', '/api/userinfo');
      const list = await call(t, 'GET', '/api/users');
      return list.body.some((listed: any) => listed.email === me.body.email);
    },
  },
  {
    name: 'an updated user is listed twice (the old row and the new one)',
    api: 'hoop',
    kind: 'lists',
    fact: 'listUsers: all users of the organization, each once (a user is one record, PUT replaces it)',
    make: () => {
      const before = new Map<string, any>();
      return async (request, next, { admin }) => {
        const ref = hoopUserRef(request);
        if (request.method === 'PUT' && ref) {
          const old = await hoopRead(next, admin, ref);
          const response = await next(request);
          if (old && response.status === 200 && !before.has(old.id)) before.set(old.id, old);
          return response;
        }
        const response = await next(request);
        if (!isHoopList(request) || response.status !== 200) return response;
        return rewrite(response, (users) => [
          ...users,
          ...users.flatMap((user: any) => (before.has(user.id) ? [before.get(user.id)] : [])),
        ]);
      };
    },
    probe: async (t) => {
      const user = await hoopCreated(t);
      await call(t, 'PUT', `/api/users/${user.id}`, { body: { email: user.email, name: 'Renamed', status: 'active' } });
      const list = await call(t, 'GET', '/api/users');
      return list.body.filter((listed: any) => listed.id === user.id).length;
    },
  },
  {
    name: 'the list serves a cached row after an update',
    api: 'hoop',
    kind: 'lists',
    fact: 'listUsers: every item is the user as stored; PUT replaces name, picture, status, slack_id and groups',
    make: () => {
      const cached = new Map<string, any>();
      return async (request, next, { admin }) => {
        const ref = hoopUserRef(request);
        if (request.method === 'PUT' && ref) {
          const old = await hoopRead(next, admin, ref);
          const response = await next(request);
          if (old && response.status === 200 && !cached.has(old.id)) cached.set(old.id, old);
          return response;
        }
        if (request.method === 'DELETE' && ref) {
          const old = await hoopRead(next, admin, ref);
          if (old) cached.delete(old.id);
        }
        const response = await next(request);
        if (!isHoopList(request) || response.status !== 200) return response;
        return rewrite(response, (users) => users.map((user: any) => cached.get(user.id) ?? user));
      };
    },
    probe: async (t) => {
      const user = await hoopCreated(t);
      await call(t, 'PUT', `/api/users/${user.id}`, { body: { email: user.email, name: 'Renamed', status: 'active' } });
      const list = await call(t, 'GET', '/api/users');
      return list.body.find((listed: any) => listed.id === user.id)?.name;
    },
  },
  {
    name: 'a deleted user is still listed (the list query does not filter soft-deleted rows)',
    api: 'hoop',
    kind: 'lists',
    fact: 'deleteUser 204, listUsers: the users of the organization ("a deleted user\'s email can be created again")',
    make: () => {
      const deleted = new Map<string, any>();
      return async (request, next, { admin }) => {
        const ref = hoopUserRef(request);
        if (request.method === 'DELETE' && ref) {
          const old = await hoopRead(next, admin, ref);
          const response = await next(request);
          if (old && response.status === 204) deleted.set(old.id, old);
          return response;
        }
        if (isHoopCreate(request)) {
          const email = parsedBody(request)?.email;
          for (const [id, user] of deleted) if (user.email === email) deleted.delete(id);
        }
        const response = await next(request);
        return isHoopList(request) && response.status === 200 ? rewrite(response, (users) => [...users, ...deleted.values()]) : response;
      };
    },
    probe: async (t) => {
      const user = await hoopCreated(t);
      await call(t, 'DELETE', `/api/users/${user.id}`);
      const list = await call(t, 'GET', '/api/users');
      return list.body.some((listed: any) => listed.id === user.id);
    },
  },
  {
    name: 'DELETE answers 204 but the user is still readable (soft delete, reads unfiltered)',
    api: 'hoop',
    kind: 'deletes',
    fact: 'deleteUser 204; then getUser 404 "user <v> not found"',
    make: () => {
      const deleted = new Set<string>();
      return async (request, next, { admin }) => {
        const ref = hoopUserRef(request);
        const user = ref ? await hoopRead(next, admin, ref) : undefined;
        if (request.method === 'DELETE' && user && request.headers.authorization === admin) {
          const me = bodyOf(await next({ ...request, method: 'GET', path: '/api/userinfo', body: undefined }));
          if (me?.id === user.id) return next(request);
          deleted.add(user.id);
          return { status: 204, headers: {} };
        }
        if (isHoopCreate(request)) {
          const email = parsedBody(request)?.email;
          const taken = typeof email === 'string' ? await hoopRead(next, admin, email) : undefined;
          // The new row takes the address: the old, soft-deleted one goes for good.
          if (taken && deleted.has(taken.id)) await next({ ...request, method: 'DELETE', path: `/api/users/${taken.id}`, body: undefined });
        }
        const response = await next(request);
        return isHoopList(request) && response.status === 200
          ? rewrite(response, (users) => users.filter((listed: any) => !deleted.has(listed.id)))
          : response;
      };
    },
    probe: async (t) => {
      const user = await hoopCreated(t);
      await call(t, 'DELETE', `/api/users/${user.id}`);
      return (await call(t, 'GET', `/api/users/${user.id}`)).status;
    },
  },
  {
    name: 'DELETE removes the user listed before the one named',
    api: 'hoop',
    kind: 'deletes',
    fact: 'deleteUser: deletes the user {emailOrID} names (lookup by email, else by id)',
    make:
      () =>
      async (request, next, { admin }) => {
        const ref = hoopUserRef(request);
        if (request.method !== 'DELETE' || !ref) return next(request);
        const target = await hoopRead(next, admin, ref);
        if (!target) return next(request);
        const me = bodyOf(await next({ ...request, method: 'GET', path: '/api/userinfo', body: undefined }));
        const users = await hoopList(next, admin);
        const index = users.findIndex((user) => user.id === target.id);
        const victim = users
          .slice(0, index)
          .reverse()
          .find((user) => user.id !== me?.id);
        return victim ? next({ ...request, path: `/api/users/${victim.id}` }) : next(request);
      },
    probe: async (t) => {
      const first = await hoopCreated(t);
      const second = await hoopCreated(t);
      await call(t, 'DELETE', `/api/users/${second.id}`);
      return [(await call(t, 'GET', `/api/users/${first.id}`)).status, (await call(t, 'GET', `/api/users/${second.id}`)).status];
    },
  },
  {
    name: 'deleting a user deletes its groups from the organization (and from every other member)',
    api: 'hoop',
    kind: 'deletes',
    fact: 'deleteUser removes the user only; groups are removed by deleteGroup ("Deleting a group removes it from its members")',
    make:
      () =>
      async (request, next, { admin }) => {
        const ref = hoopUserRef(request);
        if (request.method !== 'DELETE' || !ref) return next(request);
        const user = await hoopRead(next, admin, ref);
        const response = await next(request);
        if (response.status !== 204 || !user) return response;
        for (const group of user.groups as string[]) {
          if (group === 'admin') continue;
          await next({ ...request, path: `/api/users/groups/${encodeURIComponent(group)}` });
        }
        return response;
      },
    probe: async (t) => {
      const group = unique('team');
      const leaving = await hoopCreated(t, { groups: [group] });
      const staying = await hoopCreated(t, { groups: [group] });
      await call(t, 'DELETE', `/api/users/${leaving.id}`);
      return (await call(t, 'GET', `/api/users/${staying.id}`)).body.groups;
    },
  },
  {
    name: 'deleting a group leaves it on its members',
    api: 'hoop',
    kind: 'deletes',
    fact: 'deleteGroup 204: "Deleting a group removes it from its members" (vendor notes; mock)',
    make: () => {
      const stale = new Map<string, Set<string>>();
      const restore = (user: any) => {
        const extra = [...(stale.get(user.id) ?? [])].filter((group) => !user.groups.includes(group));
        return extra.length ? { ...user, groups: [...user.groups, ...extra] } : user;
      };
      return async (request, next, { admin }) => {
        const parts = segments(request);
        if (request.method === 'DELETE' && parts.length === 5 && parts[3] === 'groups') {
          const members = (await hoopList(next, admin)).filter((user) => user.groups.includes(parts[4]));
          const response = await next(request);
          if (response.status === 204) for (const user of members) stale.set(user.id, new Set([...(stale.get(user.id) ?? []), parts[4]!]));
          return response;
        }
        if (request.method === 'PUT' && hoopUserRef(request)) {
          const user = await hoopRead(next, admin, hoopUserRef(request)!);
          if (user) stale.delete(user.id);
        }
        const response = await next(request);
        if (response.status !== 200 || !isJson(response) || request.method !== 'GET') return response;
        if (isHoopList(request)) return rewrite(response, (users) => users.map(restore));
        if (hoopUserRef(request) || request.path === '/api/userinfo') return rewrite(response, restore);
        return response;
      };
    },
    probe: async (t) => {
      const group = unique('team');
      const user = await hoopCreated(t, { groups: [group] });
      await call(t, 'DELETE', `/api/users/groups/${group}`);
      return (await call(t, 'GET', `/api/users/${user.id}`)).body.groups;
    },
  },
  {
    name: "deleting a group removes all of its members' groups",
    api: 'hoop',
    kind: 'deletes',
    fact: 'deleteGroup removes that group from its members, nothing else',
    make:
      () =>
      async (request, next, { admin }) => {
        const parts = segments(request);
        if (request.method !== 'DELETE' || parts.length !== 5 || parts[3] !== 'groups') return next(request);
        const members = (await hoopList(next, admin)).filter((user) => user.groups.includes(parts[4]));
        const response = await next(request);
        if (response.status !== 204) return response;
        for (const user of members) {
          await next({
            ...request,
            method: 'PUT',
            path: `/api/users/${user.id}`,
            headers: { authorization: admin, 'content-type': 'application/json' },
            body: JSON.stringify({ ...hoopWritable(user), groups: [] }),
          });
        }
        return response;
      },
    probe: async (t) => {
      const group = unique('team');
      const user = await hoopCreated(t, { groups: [group, 'sre-probe'] });
      await call(t, 'DELETE', `/api/users/groups/${group}`);
      return (await call(t, 'GET', `/api/users/${user.id}`)).body.groups;
    },
  },
  {
    name: 'role is computed once, at create, and never again',
    api: 'hoop',
    kind: 'computed fields',
    fact: 'role: "A user is admin when it belongs to the admin group"; "Answers compute the role from the groups"',
    make: () => {
      const roles = new Map<string, string>();
      const fix = (user: any) => {
        if (!user?.id) return user;
        if (!roles.has(user.id)) roles.set(user.id, user.groups?.includes('admin') ? 'admin' : 'standard');
        return { ...user, role: roles.get(user.id) };
      };
      return async (request, next) => {
        const response = await next(request);
        if (response.status >= 300 || !isJson(response) || isHoopCreate(request) || request.path.startsWith('/api/users/groups'))
          return response;
        if (isHoopList(request)) return rewrite(response, (users) => users.map(fix));
        if (hoopUserRef(request) || request.path === '/api/userinfo' || request.path === '/api/users/self/slack')
          return rewrite(response, fix);
        return response;
      };
    },
    probe: async (t) => {
      const user = await hoopCreated(t);
      await call(t, 'GET', `/api/users/${user.id}`);
      await call(t, 'PUT', `/api/users/${user.id}`, { body: { email: user.email, groups: ['admin'], status: 'active' } });
      return (await call(t, 'GET', `/api/users/${user.id}`)).body.role;
    },
  },
  {
    name: 'role looks at the first group only',
    api: 'hoop',
    kind: 'computed fields',
    fact: 'role is admin for any member of the admin group, wherever it is listed',
    make: () => async (request, next) => {
      const response = await next(request);
      const fix = (user: any) =>
        user && Array.isArray(user.groups) ? { ...user, role: user.groups[0] === 'admin' ? 'admin' : 'standard' } : user;
      if (response.status >= 300 || !isJson(response) || isHoopCreate(request) || request.path.startsWith('/api/users/groups'))
        return response;
      if (isHoopList(request)) return rewrite(response, (users) => users.map(fix));
      if (hoopUserRef(request) || request.path === '/api/userinfo') return rewrite(response, fix);
      return response;
    },
    probe: async (t) => {
      const user = await hoopCreated(t, { groups: ['sre', 'admin'] });
      return (await call(t, 'GET', `/api/users/${user.id}`)).body.role;
    },
  },
  {
    name: 'PUT merges like a PATCH: fields left out keep their old values',
    api: 'hoop',
    kind: 'full updates',
    fact: 'updateUser: "full replacement of name, picture, status, slack_id, groups" (nothing is merged)',
    make:
      () =>
      async (request, next, { admin }) => {
        const ref = hoopUserRef(request);
        const body = parsedBody(request);
        if (request.method !== 'PUT' || !ref || !body) return next(request);
        const current = await hoopRead(next, admin, ref);
        if (!current) return next(request);
        const { name, picture, slack_id, groups } = current;
        return next(withBody(request, { name, picture, slack_id, groups, ...body }));
      },
    probe: async (t) => {
      const user = await hoopCreated(t, { picture: 'https://example.com/a.png', slack_id: 'U0PROBE' });
      await call(t, 'PUT', `/api/users/${user.id}`, { body: { email: user.email, name: 'Renamed', status: 'active' } });
      const read = (await call(t, 'GET', `/api/users/${user.id}`)).body;
      return [read.picture, read.slack_id];
    },
  },
  {
    name: 'PUT ignores picture',
    api: 'hoop',
    kind: 'full updates',
    fact: 'updateUser replaces picture with the one sent',
    make:
      () =>
      async (request, next, { admin }) => {
        const ref = hoopUserRef(request);
        const body = parsedBody(request);
        if (request.method !== 'PUT' || !ref || !body || !('picture' in body)) return next(request);
        const current = await hoopRead(next, admin, ref);
        return next(withBody(request, { ...body, picture: current?.picture ?? '' }));
      },
    probe: async (t) => {
      const user = await hoopCreated(t, { picture: 'https://example.com/a.png' });
      await call(t, 'PUT', `/api/users/${user.id}`, {
        body: { email: user.email, picture: 'https://example.com/b.png', status: 'active' },
      });
      return (await call(t, 'GET', `/api/users/${user.id}`)).body.picture;
    },
  },
  {
    name: "a user's new group is not added to the organization's groups",
    api: 'hoop',
    kind: 'references',
    fact: 'listGroups: "List the names of all groups of the organization" (a group given to a user is one of them)',
    make: () => {
      const hidden = new Set<string>();
      return async (request, next, { admin }) => {
        const ref = hoopUserRef(request);
        const body = parsedBody(request);
        const parts = segments(request);
        if (request.method === 'POST' && parts[3] === 'groups') hidden.delete(body?.name);
        if ((isHoopCreate(request) || (request.method === 'PUT' && ref)) && Array.isArray(body?.groups)) {
          const before = new Set(await hoopGroups(next, admin));
          const response = await next(request);
          if (response.status < 300) for (const group of body.groups) if (!before.has(group)) hidden.add(group);
          return response;
        }
        const response = await next(request);
        if (request.method === 'GET' && request.path === '/api/users/groups' && response.status === 200) {
          return rewrite(response, (groups) => {
            const kept = (groups ?? []).filter((group: string) => !hidden.has(group));
            return kept.length ? kept : null;
          });
        }
        return response;
      };
    },
    probe: async (t) => {
      const group = unique('team');
      await hoopCreated(t, { groups: [group] });
      return ((await call(t, 'GET', '/api/users/groups')).body ?? []).includes(group);
    },
  },
  {
    name: 'status left out on create is stored as invited instead of the default active',
    api: 'hoop',
    kind: 'defaults',
    fact: 'openapi.User status: "default active"',
    make: () => async (request, next) => {
      const body = parsedBody(request);
      return isHoopCreate(request) && body && body.status == null ? next(withBody(request, { ...body, status: 'invited' })) : next(request);
    },
    probe: async (t) => {
      const user = await hoopCreated(t);
      return (await call(t, 'GET', `/api/users/${user.id}`)).body.status;
    },
  },
  {
    name: 'a user is found by email only, never by id',
    api: 'hoop',
    kind: 'documented inputs',
    fact: 'getUser {emailOrID}: "A value that parses as an email address is matched against email; any other value is matched against id"',
    make: () => async (request, next) => {
      const ref = hoopUserRef(request);
      const response = await next(request);
      return request.method === 'GET' && ref && !ref.includes('@') && response.status === 200
        ? json(404, { message: `user ${ref} not found` })
        : response;
    },
    probe: async (t) => {
      const user = await hoopCreated(t);
      return (await call(t, 'GET', `/api/users/${user.id}`)).status;
    },
  },
  {
    name: 'a name is cut at its first character outside the BMP (a 3-byte utf8 column)',
    api: 'hoop',
    kind: 'documented inputs',
    fact: 'name is a string: stored and answered as sent (JSON is UTF-8; characters outside the BMP are characters)',
    make: () => async (request, next) => {
      const body = parsedBody(request);
      if (!body || !(isHoopCreate(request) || (request.method === 'PUT' && hoopUserRef(request)))) return next(request);
      return next(withBody(request, { ...body, name: utf8mb3(body.name) }));
    },
    probe: async (t) => {
      const user = await hoopCreated(t, { name: 'Zoë 🚀 Rocket' });
      return (await call(t, 'GET', `/api/users/${user.id}`)).body.name;
    },
  },
  {
    name: "a deleted user's email cannot be used again (the unique index keeps soft-deleted rows)",
    api: 'hoop',
    kind: 'uniqueness',
    fact: 'vendor notes hoop: "a deleted user\'s email can be created again"; createUser 409 only for an existing user',
    make: () => {
      const deleted = new Set<string>();
      return async (request, next, { admin }) => {
        const ref = hoopUserRef(request);
        if (request.method === 'DELETE' && ref) {
          const user = await hoopRead(next, admin, ref);
          const response = await next(request);
          if (user && response.status === 204) deleted.add(user.email);
          return response;
        }
        const email = isHoopCreate(request) ? parsedBody(request)?.email : undefined;
        if (typeof email === 'string' && deleted.has(email) && request.headers.authorization === admin)
          return json(409, { message: `user already exists with email ${email}` });
        return next(request);
      };
    },
    probe: async (t) => {
      const user = await hoopCreated(t);
      await call(t, 'DELETE', `/api/users/${user.id}`);
      return (await call(t, 'POST', '/api/users', { body: { email: user.email, name: 'Again' } })).status;
    },
  },
  {
    name: "setting one's slack id blanks one's name (the whole row is saved from a partial struct)",
    api: 'hoop',
    kind: 'partial updates',
    fact: 'updateSelfSlack changes slack_id only',
    make:
      () =>
      async (request, next, { admin }) => {
        if (request.method !== 'PATCH' || request.path !== '/api/users/self/slack') return next(request);
        const response = await next(request);
        if (response.status !== 200) return response;
        const me = bodyOf(response);
        await next({
          ...request,
          method: 'PUT',
          path: `/api/users/${me.id}`,
          headers: { authorization: admin, 'content-type': 'application/json' },
          body: JSON.stringify({ ...hoopWritable(me), name: '' }),
        });
        return rewrite(response, (user) => ({ ...user, name: '' }));
      },
    probe: async (t) => {
      await call(t, 'PATCH', '/api/users/self/slack', { body: { slack_id: 'U0PROBE' }, auth: t.standard });
      return (await call(t, 'GET', '/api/userinfo', { auth: t.standard })).body.name;
    },
  },

  // ----------------------------------------------------------------------------------- haplo
  {
    name: 'a duplicate email is accepted when its case differs',
    api: 'haplo',
    kind: 'uniqueness',
    fact: 'createUser 400 creation-failed: "an email address already used (compared case-insensitively)"',
    make:
      () =>
      async (request, next, { state }: FaultContext<HaploState>) => {
        const body = parsedBody(request);
        const existing = isHaploCreate(request) && typeof body?.email === 'string' ? state.findByEmail(body.email) : undefined;
        if (!existing || existing.email === body!.email) return next(request);
        const response = await next(withBody(request, { ...body, email: `${unique('dup')}@example.invalid` }));
        if (response.status !== 200) return response;
        const id = bodyOf(response).user.id as number;
        state.put({ ...state.get(id)!, email: body!.email });
        state.put(state.get(existing.id)!); // the old row keeps the address's index
        return rewrite(response, (answer) => ({ ...answer, user: presentHaplo(state, state.get(id)!) }));
      },
    probe: async (t) => {
      const user = await haploCreated(t);
      const again = await call(t, 'POST', '/api/v0-user/create', { body: haploUser({ email: user.email.toUpperCase() }) });
      return [again.status, again.body.kind];
    },
  },
  {
    name: 'a duplicate username tag is accepted when its case differs',
    api: 'haplo',
    kind: 'uniqueness',
    fact: 'createUser 400 creation-failed: "tags.username is already taken (compared lower-cased)"',
    make:
      () =>
      async (request, next, { state }: FaultContext<HaploState>) => {
        const body = parsedBody(request);
        const username = body?.tags?.username;
        const existing = isHaploCreate(request) && typeof username === 'string' ? state.findByUsername(username) : undefined;
        if (!existing || existing.tags.username === username) return next(request);
        const response = await next(withBody(request, { ...body, tags: { ...body!.tags, username: unique('dup') } }));
        if (response.status !== 200) return response;
        const id = bodyOf(response).user.id as number;
        state.put({ ...state.get(id)!, tags: { ...state.get(id)!.tags, username } });
        state.put(state.get(existing.id)!);
        return rewrite(response, (answer) => ({ ...answer, user: presentHaplo(state, state.get(id)!) }));
      },
    probe: async (t) => {
      const username = unique('User');
      await haploCreated(t, { tags: { username } });
      const again = await call(t, 'POST', '/api/v0-user/create', { body: haploUser({ tags: { username: username.toLowerCase() } }) });
      return [again.status, again.body.kind];
    },
  },
  {
    name: 'an update replaces tags instead of merging them',
    api: 'haplo',
    kind: 'partial updates',
    fact: 'updateUser: "directGroupMembership replaces, tags merge"',
    make:
      () =>
      async (request, next, { state }: FaultContext<HaploState>) => {
        const id = haploUpdateId(request);
        const body = parsedBody(request);
        if (!id || !body?.tags || typeof body.tags !== 'object') return next(request);
        const response = await next(request);
        if (response.status !== 200 || !state.get(id)) return response;
        state.put({ ...state.get(id)!, tags: { ...body.tags } });
        return haploAnswer('haplo:api-v0:user:update', state, id);
      },
    probe: async (t) => {
      const user = await haploCreated(t, { tags: { department: 'finance' } });
      await call(t, 'POST', `/api/v0-user/id/${user.id}`, { body: { tags: { office: 'london' } } });
      return (await haploRead(t, user.id)).tags;
    },
  },
  {
    name: 'name is not recomputed after an update of nameFirst or nameLast',
    api: 'haplo',
    kind: 'computed fields',
    fact: 'User.name: nameFirst + " " + nameLast',
    make:
      () =>
      async (request, next, { state }: FaultContext<HaploState>) => {
        const id = haploUpdateId(request);
        const body = parsedBody(request);
        const before = id ? state.get(id) : undefined;
        if (!before || !body || !('nameFirst' in body || 'nameLast' in body)) return next(request);
        const response = await next(request);
        if (response.status !== 200) return response;
        state.put({ ...state.get(id!)!, name: before.name });
        return haploAnswer('haplo:api-v0:user:update', state, id!);
      },
    probe: async (t) => {
      const user = await haploCreated(t);
      await call(t, 'POST', `/api/v0-user/id/${user.id}`, { body: { nameFirst: 'Changed' } });
      return (await haploRead(t, user.id)).name;
    },
  },
  {
    name: 'an update without directGroupMembership clears the memberships',
    api: 'haplo',
    kind: 'partial updates',
    fact: 'updateUser is a partial update: fields not sent are unchanged',
    make:
      () =>
      async (request, next, { state }: FaultContext<HaploState>) => {
        const id = haploUpdateId(request);
        const body = parsedBody(request);
        if (!id || !body || 'directGroupMembership' in body) return next(request);
        const response = await next(request);
        if (response.status !== 200 || !state.get(id)) return response;
        state.put({ ...state.get(id)!, groups: [] });
        return haploAnswer('haplo:api-v0:user:update', state, id);
      },
    probe: async (t) => {
      const user = await haploCreated(t, { directGroupMembership: ['haplo:group:staff'] });
      await call(t, 'POST', `/api/v0-user/id/${user.id}`, { body: { nameLast: 'Changed' } });
      return (await haploRead(t, user.id)).directGroupMembership;
    },
  },
  {
    name: 'directGroupMembership on an update is added to the old one instead of replacing it',
    api: 'haplo',
    kind: 'partial updates',
    fact: 'updateUser: "directGroupMembership replaces"',
    make:
      () =>
      async (request, next, { state }: FaultContext<HaploState>) => {
        const id = haploUpdateId(request);
        const body = parsedBody(request);
        const before = id ? state.get(id) : undefined;
        if (!before || !Array.isArray(body?.directGroupMembership)) return next(request);
        const response = await next(request);
        if (response.status !== 200) return response;
        const after = state.get(id!)!;
        state.put({ ...after, groups: [...new Set([...before.groups, ...after.groups])] });
        return haploAnswer('haplo:api-v0:user:update', state, id!);
      },
    probe: async (t) => {
      const user = await haploCreated(t, { directGroupMembership: ['haplo:group:staff'] });
      await call(t, 'POST', `/api/v0-user/id/${user.id}`, { body: { directGroupMembership: ['haplo:group:researchers'] } });
      return (await haploRead(t, user.id)).directGroupMembership;
    },
  },
  {
    name: "an update refuses the user's own email (the uniqueness check does not exclude the user)",
    api: 'haplo',
    kind: 'uniqueness',
    fact: 'updateUser 400 update-failed only when "another user already has that email"',
    make:
      () =>
      async (request, next, { state, admin }: FaultContext<HaploState>) => {
        const id = haploUpdateId(request);
        const email = parsedBody(request)?.email;
        if (!id || typeof email !== 'string' || !state.findByEmail(email) || request.headers.authorization !== admin) return next(request);
        return json(400, {
          success: false,
          kind: 'haplo:api-v0:user:update-failed',
          error: { message: `User ${id} cannot be updated to have email ${email} as another user already has that email` },
        });
      },
    probe: async (t) => {
      const user = await haploCreated(t);
      const update = await call(t, 'POST', `/api/v0-user/id/${user.id}`, { body: { email: user.email, nameLast: 'Changed' } });
      return update.status;
    },
  },
  {
    name: 'enable with status=active answers success and changes nothing',
    api: 'haplo',
    kind: 'enable/disable',
    fact: 'enableUser ?status=active re-enables a blocked user (isActive true)',
    make:
      () =>
      async (request, next, { state, admin }: FaultContext<HaploState>) => {
        const id = request.method === 'POST' ? haploIdOf(request, 'enable') : undefined;
        if (
          !id ||
          request.headers.authorization !== admin ||
          request.query.get('status') !== 'active' ||
          !state.get(id) ||
          state.get(id)!.isGroup
        )
          return next(request);
        return haploAnswer('haplo:api-v0:user:enable', state, id);
      },
    probe: async (t) => {
      const user = await haploCreated(t);
      await call(t, 'POST', `/api/v0-user/enable/${user.id}?status=block`);
      await call(t, 'POST', `/api/v0-user/enable/${user.id}?status=active`);
      return (await haploRead(t, user.id)).isActive;
    },
  },
  {
    name: 'a blocked user still reads as active',
    api: 'haplo',
    kind: 'enable/disable',
    fact: 'User.isActive: "False once blocked with enableUser"',
    make: () => async (request, next) => {
      const response = await next(request);
      if (request.method !== 'GET' || haploRoute(request)?.what !== 'id' || response.status !== 200) return response;
      return rewrite(response, (answer) => ({
        ...answer,
        user: { ...answer.user, isActive: !answer.user.isGroup || answer.user.isActive },
      }));
    },
    probe: async (t) => {
      const user = await haploCreated(t);
      await call(t, 'POST', `/api/v0-user/enable/${user.id}?status=block`);
      return (await haploRead(t, user.id)).isActive;
    },
  },
  {
    name: "a group's member list names blocked users",
    api: 'haplo',
    kind: 'lists',
    fact: 'getGroup: "users: ids of the group\'s active members"',
    make:
      () =>
      async (request, next, { state }: FaultContext<HaploState>) => {
        const response = await next(request);
        if (request.method !== 'GET' || haploRoute(request)?.what !== 'group' || response.status !== 200) return response;
        return rewrite(response, (answer) => {
          const group = state.get(answer.group.id)!;
          const everyone = group.code === 'std:group:everyone';
          const users = state
            .principals()
            .filter((p) => !p.isGroup && !p.isServiceUser && (everyone || p.groups.includes(group.id)))
            .map((p) => p.id);
          return { ...answer, users };
        });
      },
    probe: async (t) => {
      const user = await haploCreated(t, { directGroupMembership: ['haplo:group:staff'] });
      await call(t, 'POST', `/api/v0-user/enable/${user.id}?status=block`);
      return (await call(t, 'GET', '/api/v0-user/group/haplo:group:staff')).body.users.includes(user.id);
    },
  },
  {
    name: 'an unknown group code is silently dropped',
    api: 'haplo',
    kind: 'references',
    fact: 'createUser/updateUser: unknown group → 400 generic:exception "Group with code X does not exist"',
    make:
      () =>
      async (request, next, { state }: FaultContext<HaploState>) => {
        const body = parsedBody(request);
        if (!body || !Array.isArray(body.directGroupMembership) || !(isHaploCreate(request) || haploUpdateId(request)))
          return next(request);
        const known = (code: unknown) => {
          const numbered = typeof code === 'string' ? /^group:(\d+)$/.exec(code) : null;
          return numbered ? state.get(Number(numbered[1]))?.isGroup === true : typeof code === 'string' && state.group(code) !== undefined;
        };
        return next(withBody(request, { ...body, directGroupMembership: body.directGroupMembership.filter(known) }));
      },
    probe: async (t) => {
      const answer = await call(t, 'POST', '/api/v0-user/create', {
        body: haploUser({ directGroupMembership: ['haplo:group:no-such-group'] }),
      });
      return [answer.status, answer.body.kind];
    },
  },
  {
    name: 'id 0 is taken as a user id',
    api: 'haplo',
    kind: 'documented inputs',
    fact: '"GET/POST /api/v0-user/id/0 behave like the tag-query form (id 0 counts as no id)"',
    make: () => async (request, next) => {
      const route = haploRoute(request);
      const response = await next(request);
      return response.status !== 403 && route?.what === 'id' && route.rest.length === 1 && /^0+$/.test(route.rest[0]!)
        ? json(404, { success: false, kind: 'haplo:api-v0:user:no-such-user', error: { message: 'User ID 0 does not exist' } })
        : response;
    },
    probe: async (t) => {
      const username = unique('user');
      const user = await haploCreated(t, { tags: { username } });
      const read = await call(t, 'GET', `/api/v0-user/id/0?tag:username=${username}`);
      return [read.status, read.body.user?.id === user.id];
    },
  },
  {
    name: 'an id that is not an integer is answered 404 no-such-user instead of 400 text/plain',
    api: 'haplo',
    kind: 'documented inputs',
    fact: '{id}: "A value that is not an integer is answered with 400 text/plain Bad request (failed validation)"',
    make: () => async (request, next) => {
      const route = haploRoute(request);
      const id = route?.rest[0];
      return (route?.what === 'id' || route?.what === 'enable') && route.rest.length === 1 && !/^-?\d+$/.test(id!)
        ? json(404, { success: false, kind: 'haplo:api-v0:user:no-such-user', error: { message: `User ID ${id} does not exist` } })
        : next(request);
    },
    probe: async (t) => {
      const read = await call(t, 'GET', '/api/v0-user/id/abc');
      return [read.status, read.type];
    },
  },
  {
    name: 'characters outside the BMP are stored as U+FFFD',
    api: 'haplo',
    kind: 'documented inputs',
    fact: 'nameFirst/nameLast are strings, stored as sent (name = first + " " + last)',
    make: () => async (request, next) => {
      const body = parsedBody(request);
      if (!body || !(isHaploCreate(request) || haploUpdateId(request))) return next(request);
      const mangle = (value: unknown) => (typeof value === 'string' ? value.replace(/[\u{10000}-\u{10FFFF}]/gu, '\uFFFD') : value);
      return next(withBody(request, { ...body, nameFirst: mangle(body.nameFirst), nameLast: mangle(body.nameLast) }));
    },
    probe: async (t) => {
      const user = await haploCreated(t, { nameLast: 'Rocket 🚀' });
      return (await haploRead(t, user.id)).nameLast;
    },
  },
  {
    name: '?welcomeLink=1 is ignored (no welcome link in the answer)',
    api: 'haplo',
    kind: 'documented inputs',
    fact: 'createUser: "With welcomeLink set to a non-zero integer the response also carries a top-level welcomeLink"',
    make: () => async (request, next) => {
      const response = await next(request);
      if (!isHaploCreate(request) || response.status !== 200) return response;
      return rewrite(response, ({ welcomeLink: _link, ...answer }) => answer);
    },
    probe: async (t) => {
      const answer = await call(t, 'POST', '/api/v0-user/create?welcomeLink=1', { body: haploUser() });
      return typeof answer.body.welcomeLink;
    },
  },
  {
    name: 'a user created without localeId gets null instead of the default en',
    api: 'haplo',
    kind: 'defaults',
    fact: 'createUser localeId: optional, "en" when left out (the platform default)',
    make:
      () =>
      async (request, next, { state }: FaultContext<HaploState>) => {
        const body = parsedBody(request);
        if (!isHaploCreate(request) || !body || 'localeId' in body) return next(request);
        const response = await next(request);
        if (response.status !== 200) return response;
        const id = bodyOf(response).user.id as number;
        state.put({ ...state.get(id)!, localeId: null as unknown as string });
        return rewrite(response, (answer) => ({ ...answer, user: presentHaplo(state, state.get(id)!) }));
      },
    probe: async (t) => {
      const user = await haploCreated(t);
      return (await haploRead(t, user.id)).localeId;
    },
  },

  // ----------------------------------------------------------------------------------- amani
  {
    name: 'an unknown role id is silently dropped',
    api: 'amani',
    kind: 'references',
    fact: 'createUser/updateUser 400 unknownRole: {"groups": ["Invalid pk \\"9\\" - object does not exist."]}',
    make:
      () =>
      async (request, next, { state }: FaultContext<AmaniState>) => {
        const body = parsedBody(request);
        if (!body || !Array.isArray(body.groups) || !(isAmaniCreate(request) || amaniPatchId(request))) return next(request);
        return next(
          withBody(request, { ...body, groups: body.groups.filter((id: unknown) => typeof id !== 'number' || state.roles.has(id)) }),
        );
      },
    probe: async (t) => {
      const answer = await call(t, 'POST', '/api/v2/user', { body: amaniUser({ groups: [9] }) });
      return answer.status;
    },
  },
  {
    name: 'permissions are not refreshed after a PATCH of groups',
    api: 'amani',
    kind: 'computed fields',
    fact: 'User.permissions: "the union of its roles\' permissions"; PATCH groups replaces the roles',
    make:
      () =>
      async (request, next, { state }: FaultContext<AmaniState>) => {
        const id = amaniPatchId(request);
        const before = id ? state.find(id) : undefined;
        if (!before || !('groups' in (amaniFields(request) ?? {}))) return next(request);
        const permissions = state.permissionsOf(before);
        const response = await next(request);
        return response.status === 200 ? rewrite(response, (user) => ({ ...user, permissions })) : response;
      },
    probe: async (t) => {
      const user = await amaniCreated(t, { groups: [3] });
      return (await call(t, 'PATCH', `/api/v2/user/${user.id}`, { body: { groups: [2] } })).body.permissions;
    },
  },
  {
    name: 'groups on a PATCH are added to the old roles instead of replacing them',
    api: 'amani',
    kind: 'partial updates',
    fact: 'updateUser: "groups, when sent, replaces the user\'s roles"',
    make:
      () =>
      async (request, next, { state }: FaultContext<AmaniState>) => {
        const id = amaniPatchId(request);
        const body = parsedBody(request);
        const user = id ? state.find(id) : undefined;
        if (!user || !Array.isArray(body?.groups)) return next(request);
        return next(withBody(request, { ...body, groups: [...new Set([...user.groups, ...body!.groups])] }));
      },
    probe: async (t) => {
      const user = await amaniCreated(t, { groups: [3] });
      const answer = await call(t, 'PATCH', `/api/v2/user/${user.id}`, { body: { groups: [2] } });
      return answer.body.groups.map((role: any) => role.id);
    },
  },
  {
    name: "a PATCH without groups clears the user's roles",
    api: 'amani',
    kind: 'partial updates',
    fact: 'updateUser: "only the fields sent are changed" (DRF partial update)',
    make: () => async (request, next) => {
      const body = parsedBody(request);
      return amaniPatchId(request) && body && !('groups' in body) ? next(withBody(request, { ...body, groups: [] })) : next(request);
    },
    probe: async (t) => {
      const user = await amaniCreated(t, { groups: [3] });
      const answer = await call(t, 'PATCH', `/api/v2/user/${user.id}`, { body: { first_name: 'Changed' } });
      return answer.body.groups.map((role: any) => role.id);
    },
  },
  {
    name: "a PATCH refuses the user's own email as taken",
    api: 'amani',
    kind: 'uniqueness',
    fact: 'updateUser 400 duplicateEmail: "Email already used by another user" (DRF\'s UniqueValidator excludes the instance)',
    make:
      () =>
      async (request, next, { state, admin }: FaultContext<AmaniState>) => {
        const email = amaniPatchId(request) && request.headers.authorization === admin ? amaniFields(request)?.email : undefined;
        return typeof email === 'string' && state.findByEmail(email)
          ? AMANI_FIELD_ERROR('email', 'user with this email already exists.')
          : next(request);
      },
    probe: async (t) => {
      const user = await amaniCreated(t);
      return (await call(t, 'PATCH', `/api/v2/user/${user.id}`, { body: { email: user.email, first_name: 'Same' } })).status;
    },
  },
  {
    name: 'a login form (application/x-www-form-urlencoded) is refused with 415',
    api: 'amani',
    kind: 'documented inputs',
    fact: 'login requestBody lists application/x-www-form-urlencoded (DRF FormParser; the Web SDK logs in with a form)',
    make: () => async (request, next) =>
      AMANI_LOGIN.test(request.path) && request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
        ? json(415, { detail: `Unsupported media type "${request.headers['content-type']}" in request.` }, 'application/json')
        : next(request),
    probe: async (t) => {
      const form = new URLSearchParams({ username: 'selin.kaya@example.com', password: 'usermock-password' }).toString();
      return (await call(t, 'POST', '/api/v2/user/login', { raw: form, contentType: 'application/x-www-form-urlencoded', auth: null }))
        .status;
    },
  },
  {
    name: 'a login form is read without percent-decoding',
    api: 'amani',
    kind: 'documented inputs',
    fact: 'login application/x-www-form-urlencoded: fields decoded as any form (DRF QueryDict)',
    make: () => async (request, next) => {
      if (!AMANI_LOGIN.test(request.path) || !request.headers['content-type']?.startsWith('application/x-www-form-urlencoded'))
        return next(request);
      const fields = Object.fromEntries((request.body ?? '').split('&').map((pair) => pair.split('=') as [string, string]));
      return next({ ...request, headers: { ...request.headers, 'content-type': 'application/json' }, body: JSON.stringify(fields) });
    },
    probe: async (t) => {
      const form = new URLSearchParams({ username: 'selin.kaya@example.com', password: 'usermock-password' }).toString();
      return (await call(t, 'POST', '/api/v2/user/login', { raw: form, contentType: 'application/x-www-form-urlencoded', auth: null }))
        .status;
    },
  },
  {
    name: 'login accepts an inactive user',
    limit: { kind: 'unreachable', why: 'no Amani operation makes a user inactive, and a client cannot find the seeded inactive ones' },
    api: 'amani',
    kind: 'login/refresh',
    fact: 'login 401: "Unknown username, wrong password or inactive account"',
    make:
      () =>
      async (request, next, { state }: FaultContext<AmaniState>) => {
        const response = await next(request);
        if (!AMANI_LOGIN.test(request.path) || response.status !== 401) return response;
        const fields = amaniFields(request);
        const user = typeof fields?.username === 'string' ? state.findByUsername(fields.username) : undefined;
        if (!user || user.is_active || user.password !== fields!.password) return response;
        state.put({ ...user, is_active: true });
        try {
          return await next(request);
        } finally {
          state.put({ ...state.find(user.id)!, is_active: false });
        }
      },
    probe: async (t) => {
      await call(t, 'GET', '/api/v2/group'); // the state is seen by a request
      const state = t.state() as AmaniState;
      const inactive = [...state.users.values()].find((user) => !user.is_active);
      if (!inactive) throw new Error('the seed has no inactive Amani user');
      return (
        await call(t, 'POST', '/api/v2/user/login', { body: { username: inactive.username, password: inactive.password }, auth: null })
      ).status;
    },
  },
  {
    name: 'refresh accepts an access token',
    api: 'amani',
    kind: 'login/refresh',
    fact: 'refreshToken 401 token_not_valid for "a token that is not a valid refresh token" (SimpleJWT checks token_type)',
    make:
      () =>
      async (request, next, { state }: FaultContext<AmaniState>) => {
        const token = request.path === AMANI_REFRESH ? amaniFields(request)?.refresh : undefined;
        if (typeof token !== 'string') return next(request);
        const check = state.verify(token, 'access');
        const user = check.ok ? state.find(check.claims.user_id) : undefined;
        return user?.is_active ? json(200, { access: state.issue(user, 'access') }, 'application/json') : next(request);
      },
    probe: async (t) => {
      const login = await call(t, 'POST', '/api/v2/user/login', {
        body: { username: 'selin.kaya@example.com', password: 'usermock-password' },
        auth: null,
      });
      return (await call(t, 'POST', AMANI_REFRESH, { body: { refresh: login.body.access }, auth: null })).status;
    },
  },
  {
    name: "a created user's company is not the caller's",
    api: 'amani',
    kind: 'computed fields',
    fact: 'User.company: "The id of the user\'s company (the caller\'s company)"',
    make: () => async (request, next) => {
      const response = await next(request);
      return (isAmaniCreate(request) && response.status === 201) || (amaniPatchId(request) && response.status === 200)
        ? rewrite(response, (user) => ({ ...user, company: '00000000-0000-4000-8000-00000000c0de' }))
        : response;
    },
    probe: async (t) => {
      const login = await call(t, 'POST', '/api/v2/user/login', {
        body: { username: 'selin.kaya@example.com', password: 'usermock-password' },
        auth: null,
      });
      const user = await amaniCreated(t);
      return user.company === login.body.company_id;
    },
  },
  {
    name: 'a first name is cut at its first character outside the BMP',
    api: 'amani',
    kind: 'documented inputs',
    fact: 'first_name is a text field stored as sent (DRF CharField)',
    make: () => async (request, next) => {
      const body = parsedBody(request);
      if (!body || !(isAmaniCreate(request) || amaniPatchId(request))) return next(request);
      return next(withBody(request, { ...body, first_name: utf8mb3(body.first_name), last_name: utf8mb3(body.last_name) }));
    },
    probe: async (t) => (await amaniCreated(t, { first_name: 'Zoë 🚀' })).first_name,
  },
  {
    name: 'a PATCH to an id that is not a UUID answers 400 instead of 404',
    limit: { kind: 'inferred', why: "Amani's 400 and 404 are both DRF defaults the spec infers" },
    api: 'amani',
    kind: 'documented inputs',
    fact: 'updateUser 404: "No user with this id in the caller\'s company, or the id is not a UUID"',
    make: () => async (request, next) => {
      const id = amaniPatchId(request);
      const response = await next(request);
      return response.status === 404 && id && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
        ? AMANI_FIELD_ERROR('user_uuid', 'Must be a valid UUID.')
        : response;
    },
    probe: async (t) => (await call(t, 'PATCH', '/api/v2/user/not-a-uuid', { body: { first_name: 'X' } })).status,
  },
  {
    name: 'the role list answers only its first page of 3',
    api: 'amani',
    kind: 'pagination',
    fact: 'listGroups: "Returns every role that can be assigned to a user, as a bare JSON array (no pagination)"',
    make: () => async (request, next) => {
      const response = await next(request);
      return request.method === 'GET' && request.path === '/api/v2/group' && response.status === 200
        ? rewrite(response, (roles) => roles.slice(0, 3))
        : response;
    },
    probe: async (t) => {
      const roles = (await call(t, 'GET', '/api/v2/group')).body.map((role: any) => role.id);
      const user = await amaniCreated(t, { groups: [5] });
      return [roles.includes(5), user.groups?.map((role: any) => role.id)];
    },
  },
];
