// The SCIM 2.0 Users API (scim.openapi.yaml) as a usermock API module, made with the public exports
// only. Routing, credentials per the spec's `x-required-role`, and body decoding and validation
// come from `defineApiModule`; what is here is what the spec leaves to the implementation.
import {
  defineApiModule,
  empty,
  isObject,
  json,
  loadSpec,
  now,
  Table,
  uuid,
  type Gate,
  type MockResponse,
  type SeedOptions,
} from 'usermock';
import type { components, operations } from './scim.types.ts';

type User = components['schemas']['User'];
type Patch = components['schemas']['PatchOperation'];
const URN = 'urn:ietf:params:scim:';
const SCIM_JSON = 'application/scim+json';
const WRITABLE = ['userName', 'externalId', 'name', 'displayName', 'active', 'emails'] as const;
const NAME_PARTS = ['formatted', 'familyName', 'givenName'] as const;

export const spec = await loadSpec<operations>(new URL('./scim.openapi.yaml', import.meta.url), { name: 'scim' });

/** A SCIM error message (RFC 7644 §3.12): `status` a string, `scimType` on 400 and 409. */
const fail = (status: number, detail: string, scimType?: string, headers: Record<string, string> = {}): MockResponse => {
  const answer = json(status, { schemas: [`${URN}api:messages:2.0:Error`], status: String(status), scimType, detail }, SCIM_JSON);
  return { ...answer, headers: { ...answer.headers, ...headers } };
};

export interface ScimSnapshot {
  users: User[];
  tokens: { admin: string; standard: string };
}

/** The users, unique by `userName` whatever its case, and the two bearer tokens. */
export class ScimState {
  readonly users = new Table<string, User, 'userName'>((user) => user.id, { unique: { userName: (user) => user.userName.toLowerCase() } });
  constructor(readonly snapshot: ScimSnapshot) {
    for (const user of snapshot.users) this.users.put(user);
  }
  toJSON(): ScimSnapshot {
    return { users: [...this.users.values()], tokens: this.snapshot.tokens };
  }
  /** Whether another user than `id` has this userName. */
  taken(userName: string, id?: string): boolean {
    const holder = this.users.find('userName', userName.toLowerCase());
    return holder !== undefined && holder.id !== id;
  }
}

const gate: Gate<ScimState, 'admin' | 'standard'> = {
  authenticate(request, { snapshot: { tokens } }) {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const caller = token === tokens.admin ? 'admin' : token === tokens.standard ? 'standard' : undefined;
    if (caller) return { caller };
    return { refused: fail(401, 'expected Authorization Bearer <token>', undefined, { 'www-authenticate': 'Bearer realm="scim"' }) };
  },
  permits: (caller, requirement) => requirement.role !== 'admin' || caller === 'admin',
  forbidden: () => fail(403, 'this token may only read'),
};

/** A user as stored and answered: the attributes sent (an empty `name` or `emails` unassigned), and the provider's own. */
function stored(
  sent: Partial<User>,
  id: string,
  host: string | undefined,
  created?: string,
  time = new Date(now()).toISOString(),
): User | MockResponse {
  const user: User = { ...sent, schemas: [`${URN}schemas:core:2.0:User`], id, userName: sent.userName! } as User;
  if (user.name && Object.keys(user.name).length === 0) delete user.name;
  if (user.emails?.length === 0) delete user.emails;
  if ((user.emails ?? []).filter((email) => email.primary).length > 1) return fail(400, 'at most one email may be primary', 'invalidValue');
  const location = `http://${host ?? 'localhost'}/scim/v2/Users/${id}`;
  return { ...user, meta: { resourceType: 'User', created: created ?? time, lastModified: time, location } };
}

/** Stores a user unless another has its userName (409), answering it. */
function save(state: ScimState, user: User | MockResponse, status: number): MockResponse {
  if ('status' in user) return user;
  if (state.taken(user.userName, user.id)) return fail(409, `userName ${user.userName} is already in use`, 'uniqueness');
  state.users.put(user);
  const answer = json(status, user, SCIM_JSON);
  return status === 201 ? { ...answer, headers: { ...answer.headers, location: user.meta.location } } : answer;
}

/** The attributes of a user a PatchOp leaves, or its 400 (RFC 7644 §3.5.2). */
function patched(user: User, operations: Patch[]): Partial<User> | MockResponse {
  const next: Record<string, unknown> = structuredClone(user);
  for (const { op, path, value } of operations) {
    if (path === undefined && op === 'remove') return fail(400, 'remove needs a path', 'noTarget');
    if (path === undefined && !isObject(value)) return fail(400, 'without a path, value is an object of attributes', 'invalidValue');
    const changes = path === undefined ? Object.entries(value as object) : [[path, op === 'remove' ? null : value] as const];
    for (const [where, to] of changes) {
      const [attribute = '', part, ...deeper] = where.split('.');
      if (/^(id|meta|schemas)$/i.test(attribute)) return fail(400, `${attribute} cannot be changed`, 'mutability');
      const name = WRITABLE.find((known) => known.toLowerCase() === attribute.toLowerCase());
      const sub = NAME_PARTS.find((known) => known.toLowerCase() === part?.toLowerCase());
      if (!name || deeper.length > 0 || (part !== undefined && (name !== 'name' || !sub)))
        return fail(400, `no attribute ${where}`, 'invalidPath');
      if (name === 'userName' && to === null) return fail(400, 'userName cannot be removed', 'mutability');
      if (sub) next.name = { ...(next.name as object), [sub]: to ?? undefined };
      else if (to === null) delete next[name];
      else if (name === 'emails' && op === 'add') next.emails = [...((next.emails as unknown[]) ?? []), ...[to].flat()];
      else next[name] = name === 'name' && isObject(to) ? { ...(next.name as object), ...to } : to;
    }
  }
  const { id: _id, meta: _meta, ...attributes } = JSON.parse(JSON.stringify(next)) as User;
  const validate = spec.requestValidator('replaceUser')!;
  return validate(attributes) ? attributes : fail(400, spec.describeErrors(validate), 'invalidValue');
}

/** `filter`, `startIndex` and `count` as RFC 7644 §3.4.2 reads them, or the 400. */
function page(query: URLSearchParams, users: User[]): MockResponse {
  const filter = query.get('filter');
  const match = filter === null ? undefined : /^\s*(userName|externalId)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i.exec(filter);
  if (filter !== null && !match) return fail(400, `unsupported filter ${filter}`, 'invalidFilter');
  const [start, count] = ['startIndex', 'count'].map((name) => (query.has(name) ? Number(query.get(name)) : undefined));
  if (![start, count].every((n) => n === undefined || Number.isInteger(n)))
    return fail(400, 'startIndex and count are integers', 'invalidValue');
  const wanted = match && (JSON.parse(match[2]!) as string);
  const found = users.filter((user) =>
    !match ? true : /^userName$/i.test(match[1]!) ? user.userName.toLowerCase() === wanted!.toLowerCase() : user.externalId === wanted,
  );
  const first = Math.max(start ?? 1, 1);
  const Resources = found.slice(first - 1, first - 1 + Math.min(Math.max(count ?? 100, 0), 100));
  return json(
    200,
    {
      schemas: [`${URN}api:messages:2.0:ListResponse`],
      totalResults: found.length,
      startIndex: first,
      itemsPerPage: Resources.length,
      Resources,
    },
    SCIM_JSON,
  );
}

const notFound = (id: string) => fail(404, `Resource ${id} not found`);

export const scim = defineApiModule<operations, ScimState, 'admin' | 'standard', Partial<User>, 'scim'>({
  name: 'scim',
  spec,
  seed({ faker, users }) {
    const seeded = spec.seededExamples().flatMap((example) => (example.value as { Resources: User[] }).Resources);
    // Times from faker too: replicas seeding apart must hold the very same users.
    while (seeded.length < users)
      seeded.push(stored(newUser(faker), faker.string.uuid(), undefined, undefined, faker.date.past().toISOString()) as User);
    const token = () => faker.string.alphanumeric(32);
    return new ScimState({ users: seeded.slice(0, Math.max(users, 0)), tokens: { admin: token(), standard: token() } });
  },
  restore: (snapshot) => new ScimState(snapshot as ScimSnapshot),
  credentials: ({ snapshot: { tokens } }) => ({ admin: `Bearer ${tokens.admin}`, standard: `Bearer ${tokens.standard}` }),
  gate,
  error: (status, message) => fail(status, message),
  // RFC 7644 order (the spec's): 401, 403, 404, then 400 — each operation reads the body after its lookup.
  bodyWhenRead: true,
  invalidBody: (message, operation, notJson) =>
    fail(400, message, notJson || operation.id === 'patchUser' ? 'invalidSyntax' : 'invalidValue'),
  records: [{ kind: 'users', count: (state) => state.users.size, addedBy: ['createUser'], rows: (state) => [...state.users.values()] }],
  newUser: { operationId: 'createUser', body: (faker, fields) => newUser(faker, fields) },
  operations: {
    listUsers: ({ state, request }) => page(request.query, [...state.users.values()]),
    createUser: ({ state, request, body }) => save(state, stored(body, uuid(), request.headers.host), 201),
    getUser: ({ state, params }) => {
      const user = state.users.get(params.id);
      return user ? json(200, user, SCIM_JSON) : notFound(params.id);
    },
    replaceUser: (context) => {
      const user = context.state.users.get(context.params.id);
      return user
        ? save(context.state, stored(context.body, user.id, context.request.headers.host, user.meta.created), 200)
        : notFound(context.params.id);
    },
    patchUser: (context) => {
      const user = context.state.users.get(context.params.id);
      if (!user) return notFound(context.params.id);
      const attributes = patched(user, context.body.Operations);
      return 'status' in attributes
        ? attributes
        : save(context.state, stored(attributes, user.id, context.request.headers.host, user.meta.created), 200);
    },
    deleteUser: ({ state, params }) => (state.users.delete(params.id) ? empty(204) : notFound(params.id)),
  },
});

/** A user `POST /scim/v2/Users` accepts: the fields given, faker for the rest. */
function newUser(faker: SeedOptions['faker'], fields: Partial<User> = {}): Partial<User> {
  const [givenName, familyName] = [faker.person.firstName(), faker.person.lastName()];
  const userName = `${givenName}.${familyName}.${faker.string.alphanumeric(6)}@example.com`.toLowerCase();
  return {
    schemas: [`${URN}schemas:core:2.0:User`],
    userName,
    name: { givenName, familyName },
    active: true,
    emails: [{ value: userName, type: 'work', primary: true }],
    ...fields,
  };
}
