// Amani — users and permission groups (`/api/v2/...`), served by Django REST Framework with
// SimpleJWT. Behaviour per specs/amani.openapi.yaml and shared/api-notes/amani.md; where both are
// silent the mock answers as DRF, SimpleJWT and Django's auth app do by default.
import type { ErrorObject } from 'ajv';
import type { components, operations } from '../../../specs/generated/amani.types.ts';
import { apiSpec } from '../../../specs/index.ts';
import type { Requirement } from '../../../specs/spec.ts';
import { authorize, type Authentication, type Gate } from '../../core/access.ts';
import type { ApiModule, SeedOptions } from '../../core/api.ts';
import { constantTimeEqual } from '../../core/constant-time.ts';
import { isObject, json, parseJsonBody, type MockRequest, type MockResponse } from '../../core/http.ts';
import { specRouter, type Handler } from '../../core/router.ts';
import { fieldOf, requestErrors } from '../../core/validation.ts';

/** The password of every seeded user. */
export const SEEDED_PASSWORD = 'usermock-password';

type Schemas = components['schemas'];

/** A role: a Django permission group. */
export type AmaniRole = Schemas['Role'];

/** A user as the API shows it. */
export type AmaniUserAnswer = Schemas['User'];

/**
 * A stored user: the answer's fields less the derived ones (the company is the state's, the
 * permissions follow from the roles), with role ids and the password. `username` is the email the
 * user was created with; changing the email later keeps it (see the spec).
 */
export type AmaniUser = Omit<AmaniUserAnswer, 'company' | 'groups' | 'permissions'> & {
  password: string;
  /** Role ids, ascending. */
  groups: number[];
};

interface AmaniSnapshot {
  company: string;
  /** Signs every token the state issues, so tokens outlive a restart from a snapshot. */
  secret: string;
  roles: AmaniRole[];
  users: AmaniUser[];
  /** Access tokens of the seeded admin and standard users. */
  credentials: { admin: string; standard: string };
}

type TokenType = 'access' | 'refresh';

/** SimpleJWT's claims, in its order. */
interface Claims {
  token_type: TokenType;
  exp: number;
  iat: number;
  jti: string;
  user_id: string;
}

export type TokenCheck = { ok: true; claims: Claims } | { ok: false; message: string };

/** The vendor's example tokens live one hour (access) and one day (refresh). */
const LIFETIME: Record<TokenType, number> = { access: 60 * 60, refresh: 24 * 60 * 60 };
const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** One company account: its roles, its users (indexed by id, email and username) and its signing key. */
export class AmaniState {
  readonly roles = new Map<number, AmaniRole>();
  readonly users = new Map<string, AmaniUser>();
  private readonly idByEmail = new Map<string, string>();
  private readonly idByUsername = new Map<string, string>();

  private constructor(
    readonly company: string,
    private readonly secret: string,
    readonly credentials: AmaniSnapshot['credentials'],
  ) {}

  static fromJSON(snapshot: AmaniSnapshot): AmaniState {
    const state = new AmaniState(snapshot.company, snapshot.secret, snapshot.credentials);
    for (const role of snapshot.roles) state.roles.set(role.id, role);
    for (const user of snapshot.users) state.put(user);
    return state;
  }

  toJSON(): AmaniSnapshot {
    return {
      company: this.company,
      secret: this.secret,
      roles: [...this.roles.values()],
      users: [...this.users.values()],
      credentials: this.credentials,
    };
  }

  find(id: string): AmaniUser | undefined {
    return this.users.get(id);
  }

  findByEmail(email: string): AmaniUser | undefined {
    const id = this.idByEmail.get(normalizeEmail(email));
    return id === undefined ? undefined : this.users.get(id);
  }

  /** Login lookup: Django's ModelBackend matches the username exactly. */
  findByUsername(username: string): AmaniUser | undefined {
    const id = this.idByUsername.get(username);
    return id === undefined ? undefined : this.users.get(id);
  }

  /** Stores a new or changed user (pass a new object: the old one's index entries are dropped). */
  put(user: AmaniUser): void {
    const previous = this.users.get(user.id);
    if (previous) {
      this.idByEmail.delete(previous.email);
      this.idByUsername.delete(previous.username);
    }
    this.users.set(user.id, user);
    this.idByEmail.set(user.email, user.id);
    this.idByUsername.set(user.username, user.id);
  }

  /**
   * Whether a user other than `exceptId` holds this email, as email or as username. Emails compare
   * as Django's `normalize_email` stores them (domain case-insensitive, local part exact, as the
   * database's unique index compares); the username check turns what would be Django's
   * IntegrityError on the username column into the same 400.
   */
  emailTaken(email: string, exceptId?: string): boolean {
    const key = normalizeEmail(email);
    return [this.idByEmail.get(key), this.idByUsername.get(key)].some((id) => id !== undefined && id !== exceptId);
  }

  rolesOf(user: AmaniUser): AmaniRole[] {
    return user.groups.flatMap((id) => this.roles.get(id) ?? []);
  }

  /** The union of the user's roles' permissions, sorted. */
  permissionsOf(user: AmaniUser): string[] {
    return [...new Set(this.rolesOf(user).flatMap((role) => role.permissions))].sort();
  }

  /** A user as create and update answer it: roles expanded, never the password. */
  present(user: AmaniUser): AmaniUserAnswer {
    return {
      id: user.id,
      first_name: user.first_name,
      username: user.username,
      last_name: user.last_name,
      phone: user.phone,
      email: user.email,
      company: this.company,
      groups: this.rolesOf(user),
      mfa: user.mfa,
      reset_pw: user.reset_pw,
      reset_2fa: user.reset_2fa,
      is_active: user.is_active,
      permissions: this.permissionsOf(user),
    };
  }

  /** A fresh token for the user, valid for SimpleJWT's lifetime of its type from now. */
  issue(user: AmaniUser, type: TokenType): string {
    const iat = now();
    return signToken(this.secret, {
      token_type: type,
      exp: iat + LIFETIME[type],
      iat,
      jti: crypto.randomUUID().replaceAll('-', ''),
      user_id: user.id,
    });
  }

  /** Checks a token as SimpleJWT does: signature and expiry first, then the token type. */
  verify(token: string, type: TokenType): TokenCheck {
    const invalid = { ok: false, message: 'Token is invalid or expired' } as const;
    const [header, payload, signature, ...rest] = token.split('.');
    if (rest.length > 0 || !constantTimeEqual(signature ?? '', digest(this.secret, `${header}.${payload}`))) return invalid;
    const claims = decodeClaims(payload!);
    if (!isObject(claims) || typeof claims.exp !== 'number' || claims.exp <= now()) return invalid;
    if (claims.token_type !== type) return { ok: false, message: 'Token has wrong type' };
    return { ok: true, claims: claims as unknown as Claims };
  }
}

/** Django's `BaseUserManager.normalize_email`: the domain is lower-cased, the local part kept. */
function normalizeEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? email : email.slice(0, at) + email.slice(at).toLowerCase();
}

const now = () => Math.floor(Date.now() / 1000);

function signToken(secret: string, claims: Claims): string {
  const signed = `${JWT_HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${signed}.${digest(secret, signed)}`;
}

/**
 * A keyed 256-bit digest in place of HS256's HMAC: signing has to be synchronous and run in
 * browsers (Web Crypto's HMAC is neither), and the mock only needs to recognise its own tokens.
 */
function digest(secret: string, input: string): string {
  const text = `${secret}.${input}`;
  let bytes = '';
  for (let lane = 0; lane < 8; lane++) {
    let hash = Math.imul(lane + 1, 0x9e3779b9) ^ 0x811c9dc5;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
    hash ^= hash >>> 16;
    for (let shift = 24; shift >= 0; shift -= 8) bytes += String.fromCharCode((hash >>> shift) & 0xff);
  }
  return base64url(bytes);
}

/** base64url of a binary (or ASCII) string, unpadded as in JWTs. */
function base64url(binary: string): string {
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeClaims(segment: string): unknown {
  try {
    return JSON.parse(atob(segment.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return undefined; // a token forged with the signing key from a state dump can carry anything
  }
}

type TextRule = { name: string; kind: 'text'; blank: boolean };
type Rule = TextRule | { name: string; kind: 'roles' };
type Converted = { ok: true; value: unknown } | { ok: false; message: string };
type Deserialized = { data: Record<string, unknown> } | { errors: Record<string, string[]> };

// Serializer fields in declaration order, which is the order of DRF's error keys. Every one trims,
// passwords too: neither DRF's CharField nor SimpleJWT's login PasswordField turns trimming off, so
// the password set and the password that logs in are both the trimmed text.
const USER_RULES: Rule[] = [
  { name: 'email', kind: 'text', blank: false },
  { name: 'password', kind: 'text', blank: false },
  { name: 'first_name', kind: 'text', blank: true },
  { name: 'last_name', kind: 'text', blank: true },
  { name: 'phone', kind: 'text', blank: true },
  { name: 'groups', kind: 'roles' },
];
const LOGIN_RULES: Rule[] = [
  { name: 'username', kind: 'text', blank: false },
  { name: 'password', kind: 'text', blank: false },
];
const REFRESH_RULES: Rule[] = [{ name: 'refresh', kind: 'text', blank: false }];

/**
 * The parsed body, as DRF's default parsers read it: JSON, a form or a multipart form (the vendor's
 * Web SDK logs in with a form). Any other media type, or none, is DRF's 415: a frontend that posts
 * JSON without `Content-Type: application/json` finds out here, not against the real server.
 */
async function readInput(request: MockRequest): Promise<{ data: unknown } | { response: MockResponse }> {
  if (!request.body) return { data: {} }; // DRF reads an absent body as no fields
  const contentType = request.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') return { data: formFields(new URLSearchParams(request.body)) };
  if (mediaType === 'multipart/form-data') {
    // Django's multipart parser refuses only a missing boundary; what it cannot make out it skips.
    if (!/;\s*boundary=/i.test(contentType)) {
      return { response: detail(400, 'Multipart form parse error - Invalid boundary in multipart: None') };
    }
    const parsing = new Response(request.body, { headers: { 'content-type': contentType } }).formData();
    return { data: formFields(await parsing.catch(() => new FormData())) };
  }
  if (mediaType !== 'application/json') return { response: detail(415, `Unsupported media type "${contentType}" in request.`) };
  const parsed = parseJsonBody(request.body);
  return parsed.ok ? { data: parsed.value } : { response: detail(400, `JSON parse error - ${parsed.error}`) };
}

/** Form fields as DRF's QueryDict gives them: the last value of a field, every value of a list field. */
function formFields(params: URLSearchParams | FormData): Record<string, unknown> {
  return Object.fromEntries(
    [...new Set(params.keys())].map((key) => [key, key === 'groups' ? params.getAll(key) : params.getAll(key).at(-1)]),
  );
}

/**
 * Runs a body through the serializer's fields. DRF's own conversions (types, blanks, role ids,
 * uniqueness) come first; the spec's request schema then decides what is required, what is an
 * email address and how long a text may be, so an accepted email always satisfies the response
 * schema too.
 */
function deserialize(
  operationId: string,
  rules: Rule[],
  input: unknown,
  state: AmaniState,
  emailTaken?: (email: string) => boolean,
): Deserialized {
  if (!isObject(input)) {
    const message = input === null ? 'No data provided' : `Invalid data. Expected a dictionary, but got ${pythonType(input)}.`;
    return { errors: { non_field_errors: [message] } };
  }
  const data: Record<string, unknown> = {};
  const errors = new Map<string, string[]>();
  for (const rule of rules) {
    if (!Object.hasOwn(input, rule.name)) continue;
    const converted = rule.kind === 'text' ? toText(rule, input[rule.name]) : toRoleIds(input[rule.name], state);
    if (!converted.ok) {
      errors.set(rule.name, [converted.message]);
      continue;
    }
    data[rule.name] = converted.value;
    if (rule.kind === 'text') {
      const messages = textValidators(rule, converted.value as string, emailTaken);
      if (messages.length > 0) errors.set(rule.name, messages);
    }
  }
  for (const error of requestErrors('amani', operationId, data)) {
    // A text field's string-or-number alternatives: the conversion above has judged its type.
    if (error.keyword === 'anyOf' || (error.keyword === 'type' && error.schemaPath.includes('/anyOf/'))) continue;
    const field = fieldOf(error);
    if (Object.hasOwn(input, field) && !Object.hasOwn(data, field)) continue; // DRF stops at a failed conversion
    errors.set(field, [...(errors.get(field) ?? []), schemaMessage(error)]);
  }
  if (errors.size === 0) return { data };
  const order = (field: string) => {
    const index = rules.findIndex((rule) => rule.name === field);
    return index < 0 ? rules.length : index;
  };
  return { errors: Object.fromEntries([...errors].sort(([a], [b]) => order(a) - order(b))) };
}

function fail(message: string): Converted {
  return { ok: false, message };
}

/** DRF's CharField: numbers are taken as their text, other non-strings refused, text trimmed. */
function toText(rule: TextRule, value: unknown): Converted {
  if (value === null) return fail('This field may not be null.');
  if (typeof value === 'string' && value.trim() === '') {
    return rule.blank ? { ok: true, value: '' } : fail('This field may not be blank.');
  }
  if (typeof value !== 'string' && typeof value !== 'number') return fail('Not a valid string.');
  return { ok: true, value: String(value).trim() };
}

/**
 * A UTF-16 half without its partner. Python's JSON decoder joins an escaped pair into one code
 * point, so only these are the surrogates DRF's CharField refuses.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The validators DRF runs on a converted text field, every one of them, in its order. */
function textValidators(rule: TextRule, value: string, emailTaken?: (email: string) => boolean): string[] {
  const messages: string[] = [];
  if (rule.name === 'email' && emailTaken?.(value)) messages.push('user with this email already exists.');
  if (value.includes('\0')) messages.push('Null characters are not allowed.');
  const surrogate = LONE_SURROGATE.exec(value)?.[0];
  if (surrogate) messages.push(`Surrogate characters are not allowed: U+${surrogate.charCodeAt(0).toString(16).toUpperCase()}.`);
  return messages;
}

/**
 * DRF's ManyRelatedField of PrimaryKeyRelatedFields: any iterable but a string (a dict gives its
 * keys), each item a pk Django's integer lookup accepts, the first bad item answering for all.
 */
function toRoleIds(value: unknown, state: AmaniState): Converted {
  if (value === null) return fail('This field may not be null.');
  if (typeof value !== 'object') return fail(`Expected a list of items but got type "${pythonType(value)}".`);
  const items = Array.isArray(value) ? value : Object.keys(value);
  const ids = new Set<number>();
  for (const item of items) {
    const id = item === null ? null : roleIdOf(item);
    if (id === undefined) return fail(`Incorrect type. Expected pk value, received ${pythonType(item)}.`);
    if (id === null || !state.roles.has(id)) return fail(`Invalid pk "${item === null ? 'None' : String(item)}" - object does not exist.`);
    ids.add(id);
  }
  return { ok: true, value: [...ids].sort((a, b) => a - b) };
}

/** What Python's `int()` makes of a pk (Django's lookup calls it), or undefined when it raises. */
function roleIdOf(item: unknown): number | undefined {
  if (typeof item === 'number') return Math.trunc(item);
  if (typeof item === 'string' && /^\s*[+-]?\d+\s*$/.test(item)) return Number(item);
  return undefined;
}

function schemaMessage(error: ErrorObject): string {
  if (error.keyword === 'required') return 'This field is required.';
  if (error.keyword === 'format' && error.params.format === 'email') return 'Enter a valid email address.';
  // The lengths of Django's EmailField and AbstractUser's names, as the spec gives them.
  if (error.keyword === 'maxLength') return `Ensure this field has no more than ${error.params.limit} characters.`;
  return 'Enter a valid value.'; // Django's generic validator message, for constraints the spec may add
}

/** The Python type name DRF puts in its messages. */
function pythonType(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

const detail = (status: number, message: string) => json(status, { detail: message });

/** Every 401 carries SimpleJWT's challenge. */
function unauthorized(body: Record<string, unknown>): MockResponse {
  const response = json(401, body);
  response.headers['www-authenticate'] = 'Bearer realm="api"';
  return response;
}

/** The caller of a bearer-token call, or SimpleJWT's (or DRF's) refusal. */
function authenticate(request: MockRequest, state: AmaniState): Authentication<AmaniUser> {
  // SimpleJWT ignores a header without the `Bearer` keyword; DRF then finds nobody logged in.
  const parts = (request.headers.authorization ?? '').split(/\s+/).filter(Boolean);
  if (parts[0] !== 'Bearer') return { refused: unauthorized({ detail: 'Authentication credentials were not provided.' }) };
  if (parts.length !== 2) {
    return {
      refused: unauthorized({ detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' }),
    };
  }
  const check = state.verify(parts[1]!, 'access');
  if (!check.ok) {
    return {
      refused: unauthorized({
        detail: 'Given token not valid for any token type',
        code: 'token_not_valid',
        messages: [{ token_class: 'AccessToken', token_type: 'access', message: check.message }],
      }),
    };
  }
  const user = state.find(check.claims.user_id);
  if (!user) return { refused: unauthorized({ detail: 'User not found', code: 'user_not_found' }) };
  if (!user.is_active) return { refused: unauthorized({ detail: 'User is inactive', code: 'user_inactive' }) };
  return { caller: user };
}

interface Context {
  state: AmaniState;
  request: MockRequest;
}

type UserFields = Partial<Pick<AmaniUser, 'email' | 'password' | 'first_name' | 'last_name' | 'phone' | 'groups'>>;

const logIn: Handler<Context> = async ({ state, request }) => {
  const input = await readInput(request);
  if ('response' in input) return input.response;
  const result = deserialize('login', LOGIN_RULES, input.data, state);
  if ('errors' in result) return json(400, result.errors);
  const { username, password } = result.data as { username: string; password: string };
  const user = state.findByUsername(username);
  // Compared for an unknown username too, so the answer's timing does not tell which usernames exist.
  const passwordMatches = constantTimeEqual(password, user?.password ?? '');
  // Django's ModelBackend refuses an inactive user exactly as it refuses a wrong password.
  if (!user || !passwordMatches || !user.is_active) return unauthorized({ detail: 'No active account found with the given credentials' });
  return json(200, {
    id: user.id,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
    phone: user.phone,
    refresh: state.issue(user, 'refresh'),
    access: state.issue(user, 'access'),
    groups: state.rolesOf(user),
    company_id: state.company,
    permissions: state.permissionsOf(user),
  });
};

/** The spec's operations, by the ids the generated types list. */
type OperationId = keyof operations;

const router = specRouter<OperationId, Context>(
  apiSpec('amani'),
  {
    login: logIn,
    refreshToken: async ({ state, request }) => {
      const input = await readInput(request);
      if ('response' in input) return input.response;
      const result = deserialize('refreshToken', REFRESH_RULES, input.data, state);
      if ('errors' in result) return json(400, result.errors);
      const check = state.verify(result.data.refresh as string, 'refresh');
      if (!check.ok) return unauthorized({ detail: check.message, code: 'token_not_valid' });
      const user = state.find(check.claims.user_id);
      if (!user?.is_active) return unauthorized({ detail: 'No active account found for the given token.' });
      return json(200, { access: state.issue(user, 'access') });
    },
    createUser: async ({ state, request }) => {
      const input = await readInput(request);
      if ('response' in input) return input.response;
      const result = deserialize('createUser', USER_RULES, input.data, state, (email) => state.emailTaken(email));
      if ('errors' in result) return json(400, result.errors);
      const fields = result.data as UserFields & Pick<AmaniUser, 'email' | 'password'>;
      const email = normalizeEmail(fields.email);
      const user: AmaniUser = {
        id: crypto.randomUUID(),
        username: email,
        email,
        password: fields.password,
        first_name: fields.first_name ?? '',
        last_name: fields.last_name ?? '',
        phone: fields.phone ?? '',
        groups: fields.groups ?? [],
        mfa: false,
        reset_pw: false,
        reset_2fa: false,
        is_active: true,
      };
      state.put(user);
      return json(201, state.present(user));
    },
    updateUser: async ({ state, request }, { user_uuid }) => {
      // DRF looks the user up before it reads the body.
      if (!state.find(user_uuid!)) return detail(404, 'Not found.');
      const input = await readInput(request);
      if ('response' in input) return input.response;
      // Taken again once the body is read (a multipart body is read asynchronously), so that an
      // update that landed meanwhile is kept.
      const user = state.find(user_uuid!)!;
      const result = deserialize('updateUser', USER_RULES, input.data, state, (email) => state.emailTaken(email, user.id));
      if ('errors' in result) return json(400, result.errors);
      const { email, ...fields } = result.data as UserFields;
      const updated: AmaniUser = { ...user, ...fields, ...(email === undefined ? {} : { email: normalizeEmail(email) }) };
      state.put(updated);
      return json(200, state.present(updated));
    },
    listGroups: ({ state }) =>
      json(
        200,
        [...state.roles.values()].sort((a, b) => a.id - b.id),
      ),
  },
  [
    {
      method: 'POST',
      path: '/api/v2/user/login/',
      operationId: 'login',
      why: "the vendor's Web SDK logs in at the trailing-slash spelling (see the spec's description); the server both it and the API reference work with serves both",
    },
  ],
);

/** DjangoModelPermissions' action per method; GET asks for `view_`, as the spec's `view_group` shows. */
const ACTIONS = new Map([
  ['GET', 'view'],
  ['POST', 'add'],
  ['PUT', 'change'],
  ['PATCH', 'change'],
  ['DELETE', 'delete'],
]);

/**
 * What DRF asks of the caller of a method the path does not serve, before it answers 405: a
 * credential, unless the path's view is open, and DjangoModelPermissions' codename for that
 * method on the view's model (`delete_user` for DELETE on a user). So a caller without it gets
 * 403, not 405.
 */
function wrongMethodRequirement(method: string, path: string): Requirement {
  const served = router.operationsAt(path);
  if (served.some((operation) => operation.requirement.role === 'none')) return { role: 'none' };
  const action = ACTIONS.get(method);
  const model = served.find((operation) => operation.requirement.permission !== undefined)?.requirement.permission!.replace(/^[a-z]+_/, '');
  return { role: 'any', ...(action === undefined || model === undefined ? {} : { permission: `${action}_${model}` }) };
}

/**
 * The mock's own roles besides the documented ones (the spec's examples show ids 2–4): a role
 * that grants only viewing, for the standard credential, and one more.
 */
const EXTRA_ROLES: AmaniRole[] = [
  { id: 1, name: 'Viewer', permissions: ['view_user', 'view_group'] },
  { id: 5, name: 'Support', permissions: ['view_user', 'view_group', 'view_company', 'view_profile', 'change_profile', 'view_document'] },
];
const VIEWER_ROLE = 1;
/** The permission that makes a caller the admin: a user who may create users. */
const ADMIN_PERMISSION = 'add_user';

// The seeded credentials are issued at a fixed time and expire in 2100, so they are the same for
// a seed and valid in every session, whenever the mock runs. The tokens the spec's examples show
// (login, refresh) are issued alike with the seed's signing key, so the mock takes them as its own.
const CREDENTIALS_ISSUED_AT = Date.UTC(2025, 0, 1) / 1000;
const CREDENTIALS_EXPIRE_AT = Date.UTC(2100, 0, 1) / 1000;

/** What the spec's examples marked `x-usermock-seed` show: the company, its roles and its users. */
interface Documented {
  company?: string;
  roles: AmaniRole[];
  users: AmaniUser[];
}

/**
 * The entities of the examples marked `x-usermock-seed`: the roles of a `listGroups` answer, and
 * the user of each `login` answer (active, no MFA, nothing to reset), with its roles, its company
 * and the password of the marked login request of the same name (the examples use
 * `usermock-password`, every seeded user's). A marked example the seed cannot read, or two that
 * disagree, are a spec error, thrown at the first seed.
 */
function documented(): Documented {
  const examples = apiSpec('amani').seededExamples();
  const roles = new Map<number, AmaniRole>();
  const users: AmaniUser[] = [];
  let company: string | undefined;
  const wrong = (name: string, why: string) => new Error(`amani spec: the example ${name} marked x-usermock-seed ${why}`);
  const addRole = (name: string, role: AmaniRole) => {
    const known = roles.get(role.id);
    if (known && JSON.stringify(known) !== JSON.stringify(role)) throw wrong(name, `shows role ${role.id} unlike another example`);
    roles.set(role.id, { id: role.id, name: role.name, permissions: [...role.permissions] });
  };
  for (const example of examples) {
    const where = `${example.operationId} ${example.where} ${example.name}`;
    if (example.operationId === 'listGroups' && example.where === 'response' && Array.isArray(example.value)) {
      for (const role of example.value as AmaniRole[]) addRole(where, role);
    } else if (example.operationId === 'login' && example.where === 'response' && example.status === '200') {
      const answer = example.value as Schemas['LoginResponse'];
      const request = examples.find((other) => other.operationId === 'login' && other.where === 'request' && other.name === example.name);
      if (!request) throw wrong(where, 'has no login request of the same name marked too');
      const { username, password } = request.value as Schemas['LoginRequest'];
      if (username !== answer.username) throw wrong(where, 'answers another user than its request logs in');
      if (company !== undefined && company !== answer.company_id) throw wrong(where, 'shows another company');
      company = answer.company_id;
      for (const role of answer.groups) addRole(where, role);
      users.push({
        id: answer.id,
        username: answer.username,
        email: answer.username,
        password: String(password),
        first_name: answer.first_name,
        last_name: answer.last_name,
        phone: answer.phone,
        groups: answer.groups.map((role) => role.id).sort((a, b) => a - b),
        mfa: false,
        reset_pw: false,
        reset_2fa: false,
        is_active: true,
      });
    } else if (example.where !== 'request' || example.operationId !== 'login') {
      throw wrong(where, 'shows nothing the seed reads (login requests and answers, listGroups answers)');
    }
  }
  return { company, roles: [...roles.values()], users };
}

/**
 * The documented company, roles and users first (the users count towards `users`), then the
 * mock's own roles and faker users up to `users`. There is always at least one faker user: the
 * first is a Viewer and holds the standard credential. The admin credential belongs to the first
 * documented user who may create users (the spec's company admin).
 */
function seed({ faker, users }: SeedOptions): AmaniState {
  // Drawn first, so the signing key and the credentials (and with them the tokens the examples
  // show) depend on neither the examples nor `users`.
  const secret = faker.string.alphanumeric(50); // the length of a Django SECRET_KEY
  const [adminJti, standardJti] = [0, 1].map(() => faker.string.hexadecimal({ length: 32, casing: 'lower', prefix: '' }));
  const credential = (user: AmaniUser, jti: string) =>
    signToken(secret, { token_type: 'access', exp: CREDENTIALS_EXPIRE_AT, iat: CREDENTIALS_ISSUED_AT, jti, user_id: user.id });

  const known = documented();
  const roles = [...known.roles, ...EXTRA_ROLES.filter((role) => !known.roles.some((other) => other.id === role.id))].sort(
    (a, b) => a.id - b.id,
  );
  const grantsAdmin = (id: number) => roles.find((role) => role.id === id)?.permissions.includes(ADMIN_PERMISSION) === true;
  const admin = known.users.find((user) => user.is_active && user.groups.some(grantsAdmin));
  if (!admin) throw new Error('amani spec: no login example marked x-usermock-seed logs in a user who may add users');
  const company = known.company ?? faker.string.uuid();
  const roleIds = roles.map((role) => role.id).filter((id) => !grantsAdmin(id));

  const seeded: AmaniUser[] = [...known.users];
  const emails = new Set(seeded.map((user) => user.email));
  const documentedCount = seeded.length;
  for (let i = documentedCount; i < Math.max(users, documentedCount + 1); i++) {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const local = `${firstName}.${lastName}`
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9.-]/g, '');
    let email = `${local}@example.com`;
    for (let n = 2; emails.has(email); n++) email = `${local}${n}@example.com`;
    emails.add(email);
    const standard = i === documentedCount;
    seeded.push({
      id: faker.string.uuid(),
      username: email,
      email,
      password: SEEDED_PASSWORD,
      first_name: firstName,
      last_name: lastName,
      phone: faker.helpers.maybe(() => `+905${faker.string.numeric(9)}`, { probability: 0.8 }) ?? '',
      groups: standard ? [VIEWER_ROLE] : faker.helpers.arrayElements(roleIds, { min: 0, max: 2 }).sort((a, b) => a - b),
      mfa: faker.datatype.boolean({ probability: 0.3 }),
      reset_pw: faker.datatype.boolean({ probability: 0.1 }),
      reset_2fa: faker.datatype.boolean({ probability: 0.05 }),
      is_active: standard || faker.datatype.boolean({ probability: 0.9 }),
    });
  }
  return AmaniState.fromJSON({
    company,
    secret,
    roles,
    users: seeded,
    credentials: { admin: credential(admin, adminJti!), standard: credential(seeded[documentedCount]!, standardJti!) },
  });
}

/** SimpleJWT's authentication and DRF's permission classes: the operation's permission (`x-required-permission`) among the caller's roles'. */
const gate: Gate<AmaniState, AmaniUser> = {
  authenticate,
  permits: (caller, requirement, state) =>
    requirement.permission === undefined || state.permissionsOf(caller).includes(requirement.permission),
  forbidden: () => detail(403, 'You do not have permission to perform this action.'),
};

export const amani: ApiModule<AmaniState, 'amani'> = {
  name: 'amani',
  spec: apiSpec('amani'),
  owns: (path) => path.startsWith('/api/v2/'),
  seed,
  restore: (snapshot) => AmaniState.fromJSON(snapshot as AmaniSnapshot),
  credentials: (state) => ({ admin: `Bearer ${state.credentials.admin}`, standard: `Bearer ${state.credentials.standard}` }),
  operationFor: (method, path) => router.operationFor(method, path),
  handle(request, state) {
    const match = router.match(request.method, request.path);
    // Django's URL resolver 404 in the JSON form of DRF's `Http404`.
    if (match.kind === 'none') return detail(404, 'Not found.');
    // DRF authenticates and checks permissions before it looks for the method's handler.
    const requirement = match.kind === 'route' ? match.operation.requirement : wrongMethodRequirement(request.method, request.path);
    const access = authorize(gate, request, state, requirement);
    if ('refused' in access) return access.refused;
    if (match.kind === 'wrong-method') return detail(405, `Method "${request.method}" not allowed.`);
    return match.handler({ state, request }, match.params);
  },
  gate,
  banner: (url, credentials) => [
    `Amani  ${url}/api/v2/user, /api/v2/group  (log in as any seeded user with password ${SEEDED_PASSWORD})`,
    `       admin (Company Admin)            Authorization: ${credentials.admin}`,
    `       standard                         Authorization: ${credentials.standard}`,
  ],
};
