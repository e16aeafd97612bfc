// hoop.dev gateway — User Management (`/api/users`, `/api/userinfo`, `/api/users/groups`).
// Behaviour per specs/hoop.openapi.yaml and shared/api-notes/hoop.md.
import type { ErrorObject } from 'ajv';
import type { components, operations } from '../../specs/generated/hoop.types.ts';
import { apiSpec } from '../../specs/index.ts';
import type { ApiModule, SeedOptions } from '../core/api.ts';
import { findBySecret } from '../core/constant-time.ts';
import { empty, isObject, json, parseJsonBody, text, type MockRequest, type MockResponse } from '../core/http.ts';
import { specRouter } from '../core/router.ts';
import { fieldOf, jsonTypeOf, requestErrors } from '../core/validation.ts';

const CONTENT_TYPE = 'application/json; charset=utf-8';
const ADMIN_GROUP = 'admin';
/** `local@domain` with a dot inside the domain; checked without a backtracking regex, as ids can be long. */
const EMAIL_PARTS = /^[^\s@]+@([^\s@]+)$/;
const isEmail = (value: string) => EMAIL_PARTS.exec(value)?.[1]!.slice(1, -1).includes('.') ?? false;

type WireUser = components['schemas']['openapi.User'];
export type HoopStatus = NonNullable<WireUser['status']>;

/** A stored user: every field of the spec's user but `role`, which follows from the groups; a password only when set. */
export type HoopUser = Required<Omit<WireUser, 'role' | 'password'>> & Pick<WireUser, 'password'>;

interface HoopSnapshot {
  org: { id: string; name: string };
  users: HoopUser[];
  groups: string[];
  tokens: { admin: string; standard: string; byToken: Record<string, string> };
}

/** hoop's organisation: its users (indexed by id and email), groups and issued tokens. */
export class HoopState {
  readonly users = new Map<string, HoopUser>();
  private readonly idByEmail = new Map<string, string>();
  readonly groups = new Set<string>();

  constructor(
    readonly org: HoopSnapshot['org'],
    readonly tokens: HoopSnapshot['tokens'],
  ) {}

  static fromJSON(snapshot: HoopSnapshot): HoopState {
    const state = new HoopState(snapshot.org, snapshot.tokens);
    // Groups first: putting a user adds its groups, and the list must keep the snapshot's order.
    for (const group of snapshot.groups) state.groups.add(group);
    for (const user of snapshot.users) state.put(user);
    return state;
  }

  toJSON(): HoopSnapshot {
    return { org: this.org, users: [...this.users.values()], groups: [...this.groups], tokens: this.tokens };
  }

  /** Lookup as hoop does it: a value that parses as an email matches on email, otherwise on id. */
  find(emailOrID: string): HoopUser | undefined {
    const id = isEmail(emailOrID) ? this.idByEmail.get(emailOrID) : emailOrID;
    return id === undefined ? undefined : this.users.get(id);
  }

  findByEmail(email: string): HoopUser | undefined {
    const id = this.idByEmail.get(email);
    return id === undefined ? undefined : this.users.get(id);
  }

  put(user: HoopUser): void {
    this.users.set(user.id, user);
    this.idByEmail.set(user.email, user.id);
    for (const group of user.groups) this.groups.add(group);
  }

  remove(user: HoopUser): void {
    this.users.delete(user.id);
    this.idByEmail.delete(user.email);
  }

  /** The active user a bearer token belongs to. */
  caller(token: string): HoopUser | undefined {
    const id = findBySecret(token, Object.entries(this.tokens.byToken));
    const user = id === undefined ? undefined : this.users.get(id);
    return user?.status === 'active' ? user : undefined;
  }
}

export function roleOf(user: HoopUser): 'admin' | 'standard' {
  return user.groups.includes(ADMIN_GROUP) ? 'admin' : 'standard';
}

/** A user as the API shows it: role computed. The password is kept, as the gateway keeps it, but only the create echo shows it. */
export function present(user: HoopUser): WireUser {
  const { password: _password, ...rest } = user;
  return { ...rest, role: roleOf(user) };
}

const ok = (status: number, value: unknown) => json(status, value, CONTENT_TYPE);
const error = (status: number, message: string) => json(status, { message }, CONTENT_TYPE);
const accessDenied = (status: 401 | 403) => error(status, 'access denied');

interface Context {
  state: HoopState;
  caller: HoopUser;
  request: MockRequest;
}

/** The Go struct each body decodes into, and its fields' Go names (they appear in gin's messages). */
const GO_TYPES: Record<string, string> = {
  createUser: 'User',
  updateUser: 'User',
  updateSelfSlack: 'UserPatchSlackID',
  createGroup: 'UserGroup',
};
const GO_FIELDS: Record<string, string> = { email: 'Email', name: 'Name', slack_id: 'SlackID' };
/** Go types of the body fields that are not plain strings, as encoding/json names them. */
const GO_FIELD_TYPES: Record<string, string> = { groups: '[]string', verified: 'bool', status: 'openapi.StatusType' };

/**
 * Decodes a JSON body as hoop's gin handlers do: broken JSON, wrong types and missing required
 * fields are 400 with the decoder's or validator's own text, in that order; a malformed email is 422.
 * What encoding/json never refuses is accepted: `null` leaves a field at its zero value (absent),
 * and a string outside an enum (`status: "reviewing"`, `role: "auditor"`) is a string like any other.
 */
function decode(request: MockRequest, operationId: string): { body: Record<string, unknown> } | { response: MockResponse } {
  const goType = GO_TYPES[operationId]!;
  const parsed = parseJsonBody(request.body);
  if (!parsed.ok) return { response: error(400, decoderMessage(request.body, parsed.error)) };
  if (!isObject(parsed.value) && parsed.value !== null) {
    return { response: error(400, `json: cannot unmarshal ${jsonTypeOf(parsed.value)} into Go value of type openapi.${goType}`) };
  }
  const body = Object.fromEntries(Object.entries(parsed.value ?? {}).filter(([, value]) => value !== null));
  const errors = requestErrors('hoop', operationId, body).filter((e) => e.keyword !== 'enum');
  // The decoder fails before gin's validator runs.
  const mistyped = errors.find((e) => e.keyword === 'type');
  if (mistyped) return { response: error(400, unmarshalMessage(goType, body, mistyped)) };
  // gin's `required` tag also fails on an empty string.
  const blank = Object.keys(GO_FIELDS).find((field) => body[field] === '' && isRequired(operationId, field));
  const missing = blank ?? errors.filter((e) => e.keyword === 'required').map(fieldOf)[0];
  if (missing) return { response: error(400, requiredMessage(goType, missing)) };
  // `email` must be an address; `id` is the server's, so its format is never checked.
  if (errors.some((e) => e.keyword === 'format' && fieldOf(e) === 'email')) return { response: error(422, 'invalid email') };
  return { body };
}

/** encoding/json's wording for a value of the wrong type; an element of `groups` is named by its own type. */
function unmarshalMessage(goType: string, body: Record<string, unknown>, mistyped: ErrorObject): string {
  const [, field = '', index] = mistyped.instancePath.split('/');
  const value = index === undefined ? body[field] : (body[field] as unknown[])[Number(index)];
  const expected = index === undefined ? (GO_FIELD_TYPES[field] ?? 'string') : 'string';
  return `json: cannot unmarshal ${jsonTypeOf(value)} into Go struct field ${goType}.${field} of type ${expected}`;
}

function isRequired(operationId: string, field: string): boolean {
  return requestErrors('hoop', operationId, {}).some((e) => e.keyword === 'required' && e.params.missingProperty === field);
}

function requiredMessage(goType: string, field: string): string {
  const goField = GO_FIELDS[field] ?? field;
  return `Key: '${goType}.${goField}' Error:Field validation for '${goField}' failed on the 'required' tag`;
}

/** encoding/json's wording for a body that is not JSON. */
function decoderMessage(body: string | undefined, parseError: string): string {
  if (parseError === 'empty body') return 'EOF';
  const token = /Unexpected token '(.)'/.exec(parseError)?.[1];
  const position = /position (\d+)/.exec(parseError)?.[1];
  const character = token ?? (position === undefined ? '' : body!.charAt(Number(position)));
  return character ? `invalid character '${character}' looking for beginning of value` : 'unexpected end of JSON input';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

function string(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The spec's operations, by the ids the generated types list. */
type OperationId = keyof operations;

const router = specRouter<OperationId, Context>('hoop', {
  getUserInfo: ({ state, caller }) =>
    ok(200, {
      ...present(caller),
      is_admin: roleOf(caller) === 'admin',
      is_multitenant: false,
      tenancy_type: 'selfhosted',
      org_id: state.org.id,
      org_name: state.org.name,
      org_license: '',
      feature_ask_ai: 'unavailable',
      webapp_users_management: 'on',
      intercom_hmac_digest: '',
      default_protection_profile: null,
      show_origin_survey: false,
      show_setup_checklist: false,
    }),
  listUsers: ({ state }) => ok(200, [...state.users.values()].map(present)),
  getUser: ({ state }, { emailOrID }) => {
    const user = state.find(emailOrID!);
    return user ? ok(200, present(user)) : error(404, `user ${emailOrID} not found`);
  },
  createUser: ({ state, request }) => {
    const decoded = decode(request, 'createUser');
    if ('response' in decoded) return decoded.response;
    const { body } = decoded;
    const email = string(body.email);
    if (state.findByEmail(email)) return error(409, `user already exists with email ${email}`);
    const user: HoopUser = {
      id: crypto.randomUUID(),
      email,
      name: string(body.name),
      ...(body.password ? { password: string(body.password) } : {}),
      picture: string(body.picture),
      slack_id: string(body.slack_id),
      groups: strings(body.groups),
      status: (body.status as HoopStatus | undefined) ?? 'active',
      verified: false,
    };
    state.put(user);
    // The answer echoes the request: the password when one was sent, and `role` as sent (drift), not computed.
    const echoed = { ...(user.password ? { password: user.password } : {}), ...(typeof body.role === 'string' ? { role: body.role } : {}) };
    return ok(201, { ...present(user), ...echoed });
  },
  updateUser: ({ state, caller, request }, { emailOrID }) => {
    const user = state.find(emailOrID!);
    if (!user) return error(404, `user ${emailOrID} not found`);
    const decoded = decode(request, 'updateUser');
    if ('response' in decoded) return decoded.response;
    const { body } = decoded;
    const status = body.status as HoopStatus | undefined;
    const groups = strings(body.groups);
    if (user.id === caller.id) {
      // A status left out is not `active` either.
      if (status !== 'active') return error(422, 'cannot deactivate yourself');
      if (!groups.includes(ADMIN_GROUP)) groups.push(ADMIN_GROUP);
    }
    // email, role and password in the body are ignored: the rest is replaced whole (a status left out takes the spec's default).
    Object.assign(user, {
      name: string(body.name),
      picture: string(body.picture),
      slack_id: string(body.slack_id),
      groups,
      status: status ?? 'active',
    });
    state.put(user);
    return ok(200, present(user));
  },
  deleteUser: ({ state, caller }, { emailOrID }) => {
    const user = state.find(emailOrID!);
    if (!user) return error(404, `user ${emailOrID} not found`);
    if (user.id === caller.id) return error(422, 'cannot delete yourself');
    state.remove(user);
    return empty(204);
  },
  updateSelfSlack: ({ state, caller, request }) => {
    const decoded = decode(request, 'updateSelfSlack');
    if ('response' in decoded) return decoded.response;
    caller.slack_id = string(decoded.body.slack_id);
    state.put(caller);
    return ok(200, present(caller));
  },
  listGroups: ({ state }) => ok(200, state.groups.size ? [...state.groups] : null),
  createGroup: ({ state, request }) => {
    const decoded = decode(request, 'createGroup');
    if ('response' in decoded) return decoded.response;
    const name = string(decoded.body.name);
    if (state.groups.has(name)) return error(409, `group ${name} already exists`);
    state.groups.add(name);
    return ok(201, { name });
  },
  deleteGroup: ({ state }, { name }) => {
    if (name === ADMIN_GROUP) return error(422, `cannot delete admin group ${ADMIN_GROUP}`);
    if (!state.groups.has(name!)) return error(404, `group ${name} not found`);
    state.groups.delete(name!);
    for (const user of state.users.values()) user.groups = user.groups.filter((group) => group !== name);
    return empty(204);
  },
});

/** Operations only members of the `admin` group may call. */
const ADMIN_OPERATIONS = new Set(['createUser', 'updateUser', 'deleteUser', 'createGroup', 'deleteGroup']);
const BEARER = /^Bearer (\S+)$/;

/**
 * The users the spec's examples marked `x-usermock-seed` show (the organization listed by
 * `GET /api/users`), each once, in document order. Every example naming an existing user or group
 * (`admin`, `sre`, `dba`: their groups) is about one of them, so the examples run against the state
 * `usermock serve` starts with. Fresh objects on every call: the state mutates its users.
 */
function documentedUsers(): HoopUser[] {
  const users = new Map<string, HoopUser>();
  for (const example of apiSpec('hoop').seededExamples()) {
    const records = Array.isArray(example.value) ? (example.value as unknown[]) : [example.value];
    for (const record of records) {
      if (!isObject(record) || typeof record.email !== 'string' || users.has(record.email)) continue;
      users.set(record.email, {
        id: string(record.id),
        email: record.email,
        name: string(record.name),
        picture: string(record.picture),
        slack_id: string(record.slack_id),
        groups: [...strings(record.groups)],
        status: (record.status as HoopStatus | undefined) ?? 'active',
        verified: record.verified === true,
        ...(typeof record.password === 'string' ? { password: record.password } : {}),
      });
    }
  }
  return [...users.values()];
}

/**
 * The documented users first (they count towards `users`: the first `users` of them when there are
 * more), then faker users up to `users`. The admin credential belongs to the first active admin,
 * the standard one to the first active non-admin: with the spec's examples, Jane Doe and John Smith.
 */
function seed({ faker, users }: SeedOptions): HoopState {
  const teamGroups = ['sre', 'dba', 'engineering', 'support', 'security'];
  const state = new HoopState(
    { id: faker.string.uuid(), name: faker.company.name() },
    { admin: faker.string.alphanumeric(40), standard: faker.string.alphanumeric(40), byToken: {} },
  );
  for (const user of documentedUsers().slice(0, users)) state.put(user);
  // Without documented users, the first faker user is the admin and the second a standard user.
  for (let i = state.users.size; i < users; i++) {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const groups = faker.helpers.arrayElements(teamGroups, { min: 0, max: 2 });
    if (i === 0) groups.unshift(ADMIN_GROUP);
    state.put({
      id: faker.string.uuid(),
      email: `${firstName}.${lastName}.${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
      name: `${firstName} ${lastName}`,
      picture: faker.image.avatarGitHub(),
      slack_id: `U${faker.string.alphanumeric({ length: 10, casing: 'upper' })}`,
      groups: i === 1 ? groups.filter((group) => group !== ADMIN_GROUP) : groups,
      status:
        i < 2
          ? 'active'
          : faker.helpers.weightedArrayElement([
              { weight: 8, value: 'active' },
              { weight: 1, value: 'inactive' },
              { weight: 1, value: 'invited' },
            ]),
      verified: true,
    });
  }
  const active = [...state.users.values()].filter((user) => user.status === 'active');
  const admin = active.find((user) => roleOf(user) === 'admin');
  const standard = active.find((user) => roleOf(user) !== 'admin');
  if (admin) state.tokens.byToken[state.tokens.admin] = admin.id;
  if (standard) state.tokens.byToken[state.tokens.standard] = standard.id;
  return state;
}

export const hoop: ApiModule<HoopState, 'hoop'> = {
  name: 'hoop',
  spec: apiSpec('hoop'),
  owns: (path) => path === '/api/userinfo' || path === '/api/users' || path.startsWith('/api/users/'),
  seed,
  restore: (snapshot) => HoopState.fromJSON(snapshot as HoopSnapshot),
  credentials: (state) => ({ admin: `Bearer ${state.tokens.admin}`, standard: `Bearer ${state.tokens.standard}` }),
  operationFor: (method, path) => router.operationFor(method, path),
  async handle(request, state) {
    const match = router.match(request.method, request.path);
    if (match.kind !== 'route') return text(404, '404 page not found');
    const authorized = authorize(request, state, match.operationId);
    if ('response' in authorized) return authorized.response;
    return match.handler({ state, caller: authorized.caller, request }, match.params);
  },
  refuse(request, state) {
    const operationId = router.operationFor(request.method, request.path);
    const authorized = operationId === undefined ? undefined : authorize(request, state, operationId);
    return authorized && 'response' in authorized ? authorized.response : undefined;
  },
  banner: (url, credentials) => [
    `hoop   ${url}/api/users, /api/userinfo, /api/users/groups`,
    `       admin (group admin)              Authorization: ${credentials.admin}`,
    `       standard                         Authorization: ${credentials.standard}`,
  ],
};

/** The caller of an operation, or hoop's refusal: 401 without an active user's token, 403 for a non-admin on an admin route. */
function authorize(request: MockRequest, state: HoopState, operationId: string): { caller: HoopUser } | { response: MockResponse } {
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
  const caller = token === undefined ? undefined : state.caller(token);
  if (!caller) return { response: accessDenied(401) };
  if (ADMIN_OPERATIONS.has(operationId) && roleOf(caller) !== 'admin') return { response: accessDenied(403) };
  return { caller };
}
