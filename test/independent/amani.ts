/**
 * An independent implementation of the Amani users and permission groups API (`/api/v2/...`), used as a
 * test fixture: the conformance suite must raise no false alarm against a correct server that is not the
 * project's own mock. Written only from the vendor documentation (its "Creating a new user" page), the API
 * notes (docs/vendors/amani.md) and specs/amani.openapi.yaml; it shares no code with mocks/ or contracts/.
 *
 * The vendor server is Django REST Framework + SimpleJWT (vendor notes, "Server is Django REST Framework"), so
 * everything the documentation leaves open follows what DRF / SimpleJWT / Django do by default: request
 * parsing, serializer validation messages, authentication and DjangoModelPermissions ordering — except
 * where the spec marks a default `x-provenance: inferred` and this server deliberately differs: the
 * login's 401 has no `WWW-Authenticate` header.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { domainToASCII } from 'node:url';

export interface IndependentServer {
  url: string;
  admin: string;
  standard: string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Errors and responses

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

class HttpError extends Error {
  readonly reply: Reply;
  constructor(status: number, body: unknown, headers?: Record<string, string>) {
    super(`HTTP ${status}`);
    this.reply = { status, body, headers };
  }
}

/** JWTAuthentication.authenticate_header / TokenViewBase.get_authenticate_header: `Bearer realm="api"` on every 401 but the login's (spec components.headers). */
const WWW_AUTHENTICATE = { 'WWW-Authenticate': 'Bearer realm="api"' };

const unauthorized = (body: Record<string, unknown>): HttpError => new HttpError(401, body, WWW_AUTHENTICATE);
const badRequest = (body: Record<string, unknown>): HttpError => new HttpError(400, body);

/** Headers Django's default middleware (SecurityMiddleware, XFrameOptionsMiddleware) adds to every answer. */
const DJANGO_HEADERS = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

// ---------------------------------------------------------------------------------------------------------
// Python / Django semantics the serializers rely on

/** Characters Python's `str.strip()` removes (str.isspace), which differ from JavaScript's `trim()`. */
const PY_WHITESPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, 'g');
const pyStrip = (text: string): string => text.replace(PY_STRIP, '');

/** A multipart file part: DRF merges uploaded files into `request.data`. */
class UploadedFile {
  readonly filename: string;
  constructor(filename: string) {
    this.filename = filename;
  }
}

const isDict = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof UploadedFile);

/** `type(value).__name__` of the value Python's json module would have produced (used in DRF messages). */
function pyTypeName(value: unknown): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  if (value instanceof UploadedFile) return 'InMemoryUploadedFile';
  return 'dict';
}

/** `str(number)` in Python: DRF's CharField turns numbers into text this way. JSON integers and integral floats are indistinguishable after JSON.parse; both are rendered as integers. */
function pyNumberText(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value)) return BigInt(value).toString();
  const [mantissa, exponent] = value.toExponential().split('e');
  const power = Number(exponent);
  // Python's float repr switches to exponent notation below 1e-4 and from 1e16 on; JavaScript at 1e-7 and 1e21.
  if (power < -4 || power >= 16) return `${mantissa}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
  return String(value);
}

// Django's EmailValidator (django/core/validators.py); `u` makes `i` use Unicode case folding like Python's re.IGNORECASE.
const EMAIL_USER =
  /^(?:[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*|"(?:[\x01-\x08\x0b\x0c\x0e-\x1f!#-\[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*")$/iu;
const EMAIL_DOMAIN = /^(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+(?:[A-Z0-9-]{2,63}(?<!-))$/iu;
const EMAIL_LITERAL = /^\[([A-F0-9:.]+)\]$/iu;

function isValidEmailDomain(domain: string): boolean {
  if (EMAIL_DOMAIN.test(domain)) return true;
  const literal = EMAIL_LITERAL.exec(domain);
  return literal !== null && isIP(literal[1]) !== 0;
}

function isDjangoEmail(value: string): boolean {
  if (value === '' || !value.includes('@') || [...value].length > 320) return false;
  const at = value.lastIndexOf('@');
  const user = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!EMAIL_USER.test(user)) return false;
  if (domain === 'localhost' || isValidEmailDomain(domain)) return true;
  // Django retries an internationalised domain in its punycode form.
  const ascii = domainToASCII(domain);
  return ascii !== '' && isValidEmailDomain(ascii);
}

// ---------------------------------------------------------------------------------------------------------
// Request bodies (DRF's default parsers: JSON, form, multipart)

type FormValue = string | UploadedFile;
type RequestData = { kind: 'json'; data: unknown } | { kind: 'form'; data: Map<string, FormValue[]> };

interface MediaType {
  type: string;
  subtype: string;
  params: Map<string, string>;
}

/** Django's parse_header_parameters: the type and parameter names are case-insensitive. */
function parseMediaType(header: string): MediaType {
  const [full = '', ...rest] = header.split(';');
  const [type = '', subtype = ''] = full.trim().toLowerCase().split('/', 2);
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params.set(part.slice(0, eq).trim().toLowerCase(), value);
  }
  return { type, subtype: subtype.trim(), params };
}

/** DRF's media_type_matches(parser type, request type): wildcards in the request's Content-Type match too. */
const mediaTypeMatches = (parser: string, request: MediaType): boolean => {
  const [type, subtype] = parser.split('/');
  return (request.subtype === '*' || request.subtype === subtype) && (request.type === '*' || request.type === type);
};

function decoderFor(media: MediaType): TextDecoder {
  // Django uses the Content-Type charset when Python knows the codec and falls back to UTF-8 otherwise.
  try {
    return new TextDecoder(media.params.get('charset') ?? 'utf-8', { fatal: true, ignoreBOM: true });
  } catch {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  }
}

function parseMultipart(body: Buffer, media: MediaType, decoder: TextDecoder): Map<string, FormValue[]> {
  const boundary = media.params.get('boundary');
  if (!boundary || !/^[ -~]{0,200}[!-~]$/.test(boundary)) {
    throw badRequest({ detail: `Multipart form parse error - Invalid boundary in multipart: ${boundary ?? 'None'}` });
  }
  const fields = new Map<string, FormValue[]>();
  const text = body.toString('latin1');
  for (const chunk of text.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const part = chunk.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(part.slice(0, split));
    const name = disposition && /;\s*name="([^"]*)"/i.exec(disposition[1]);
    if (!disposition || !name) continue;
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition[1]);
    const raw = Buffer.from(part.slice(split + 4), 'latin1');
    let value: FormValue;
    if (filename) value = new UploadedFile(filename[1]);
    else {
      try {
        value = decoder.decode(raw);
      } catch {
        value = raw.toString('latin1');
      }
    }
    fields.set(name[1], [...(fields.get(name[1]) ?? []), value]);
  }
  return fields;
}

/** DRF's Request._parse: an empty body is an empty dict whatever its type; otherwise JSON, form or multipart, else 415. */
function parseBody(req: IncomingMessage, body: Buffer): RequestData {
  const contentType = req.headers['content-type'] ?? '';
  const media = parseMediaType(contentType);
  const isForm = mediaTypeMatches('application/x-www-form-urlencoded', media);
  const isMultipart = mediaTypeMatches('multipart/form-data', media);
  if (body.length === 0) return isForm || isMultipart ? { kind: 'form', data: new Map() } : { kind: 'json', data: {} };
  const decoder = decoderFor(media);
  if (mediaTypeMatches('application/json', media)) {
    let text: string;
    try {
      text = decoder.decode(body);
    } catch {
      throw badRequest({ detail: `JSON parse error - '${decoder.encoding}' codec can't decode the request body` });
    }
    try {
      return { kind: 'json', data: JSON.parse(text) as unknown };
    } catch (error) {
      throw badRequest({ detail: `JSON parse error - ${(error as Error).message}` });
    }
  }
  if (isForm) {
    const fields = new Map<string, FormValue[]>();
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) fields.set(key, [...(fields.get(key) ?? []), value]);
    return { kind: 'form', data: fields };
  }
  if (isMultipart) return { kind: 'form', data: parseMultipart(body, media, decoder) };
  // The spec's UnsupportedMediaType response: DRF quotes the Content-Type header as sent ("" when absent).
  throw new HttpError(415, { detail: `Unsupported media type "${contentType}" in request.` });
}

// ---------------------------------------------------------------------------------------------------------
// DRF serializer validation

const EMPTY = Symbol('empty');
const SKIP = Symbol('skip');

const MESSAGES = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  invalidString: 'Not a valid string.',
  maxLength: (max: number) => `Ensure this field has no more than ${max} characters.`,
  nullCharacters: 'Null characters are not allowed.',
  surrogate: (code: number) => `Surrogate characters are not allowed: U+${code.toString(16).toUpperCase()}.`,
  email: 'Enter a valid email address.',
  notAList: (type: string) => `Expected a list of items but got type "${type}".`,
  pkDoesNotExist: (pk: string) => `Invalid pk "${pk}" - object does not exist.`,
  pkIncorrectType: (type: string) => `Incorrect type. Expected pk value, received ${type}.`,
};

interface Role {
  id: number;
  name: string;
  permissions: string[];
}

interface CharFieldSpec {
  kind: 'char';
  name: string;
  required: boolean;
  allowBlank: boolean;
  maxLength?: number;
  email?: boolean;
  /** UniqueValidator: the message when the value is taken. */
  unique?: (value: string) => string | undefined;
}

interface RoleListFieldSpec {
  kind: 'roles';
  name: string;
  lookup: (id: number) => Role | undefined;
}

type FieldSpec = CharFieldSpec | RoleListFieldSpec;

class FieldError extends Error {
  readonly messages: string[];
  constructor(...messages: string[]) {
    super(messages.join(' '));
    this.messages = messages;
  }
}

/** Field.get_value, including DRF's special cases for HTML form input (QueryDict). */
function fieldValue(input: RequestData, field: FieldSpec, partial: boolean): unknown {
  if (input.kind === 'json') {
    const data = input.data as Record<string, unknown>;
    return Object.hasOwn(data, field.name) ? data[field.name] : EMPTY;
  }
  const values = input.data.get(field.name);
  if (field.kind === 'roles') return values ? [...values] : partial ? EMPTY : [];
  if (!values) return EMPTY;
  const value = values[values.length - 1];
  return value === '' && !field.required && !field.allowBlank ? EMPTY : value;
}

function validateChar(raw: unknown, field: CharFieldSpec, partial: boolean): string | typeof SKIP {
  if (raw === EMPTY) {
    if (!partial && field.required) throw new FieldError(MESSAGES.required);
    return SKIP;
  }
  if (typeof raw === 'string' && pyStrip(raw) === '') {
    if (!field.allowBlank) throw new FieldError(MESSAGES.blank);
    return '';
  }
  if (raw === null) throw new FieldError(MESSAGES.null);
  // DRF CharField.to_internal_value: numbers become text, everything else (bool, list, dict, file) is refused.
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new FieldError(MESSAGES.invalidString);
  const value = pyStrip(typeof raw === 'number' ? pyNumberText(raw) : raw);
  // DRF runs every validator and reports all of their messages.
  const errors: string[] = [];
  const taken = field.unique?.(value);
  if (taken) errors.push(taken);
  if (field.maxLength !== undefined && [...value].length > field.maxLength) errors.push(MESSAGES.maxLength(field.maxLength));
  if (value.includes('\0')) errors.push(MESSAGES.nullCharacters);
  const surrogate = /[\ud800-\udfff]/u.exec(value);
  if (surrogate) errors.push(MESSAGES.surrogate(surrogate[0].charCodeAt(0)));
  if (field.email && !isDjangoEmail(value)) errors.push(MESSAGES.email);
  if (errors.length > 0) throw new FieldError(...errors);
  return value;
}

/** PrimaryKeyRelatedField.to_internal_value: Django's `queryset.get(pk=...)` accepts integers and integer strings. */
function lookupRole(item: unknown, field: RoleListFieldSpec): Role {
  let id: number | undefined;
  if (typeof item === 'number' && Number.isInteger(item)) id = item;
  else if (typeof item === 'string' && /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(item)) id = Number(item.replaceAll('_', ''));
  else if (item !== null) throw new FieldError(MESSAGES.pkIncorrectType(pyTypeName(item)));
  const role = id === undefined ? undefined : field.lookup(id);
  if (!role)
    throw new FieldError(MESSAGES.pkDoesNotExist(item === null ? 'None' : typeof item === 'number' ? pyNumberText(item) : String(item)));
  return role;
}

function validateRoles(raw: unknown, field: RoleListFieldSpec): Role[] | typeof SKIP {
  if (raw === EMPTY) return SKIP;
  if (raw === null) throw new FieldError(MESSAGES.null);
  // ManyRelatedField accepts any iterable but a string: a dict is iterated over its keys, like in Python.
  let items: unknown[];
  if (Array.isArray(raw)) items = raw;
  else if (isDict(raw)) items = Object.keys(raw);
  else throw new FieldError(MESSAGES.notAList(pyTypeName(raw)));
  const roles = new Map<number, Role>();
  for (const item of items) {
    const role = lookupRole(item, field);
    roles.set(role.id, role);
  }
  return [...roles.values()];
}

interface Validated {
  [field: string]: string | Role[] | undefined;
}

/** Serializer.is_valid: a dict is required; field errors are collected per field and answered together. */
function validate(input: RequestData, fields: FieldSpec[], partial: boolean): Validated {
  if (input.kind === 'json' && input.data === null) throw badRequest({ non_field_errors: ['No data provided'] });
  if (input.kind === 'json' && !isDict(input.data)) {
    throw badRequest({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${pyTypeName(input.data)}.`] });
  }
  const errors: Record<string, string[]> = {};
  const values: Validated = {};
  for (const field of fields) {
    try {
      const raw = fieldValue(input, field, partial);
      const value = field.kind === 'char' ? validateChar(raw, field, partial) : validateRoles(raw, field);
      if (value !== SKIP) values[field.name] = value;
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      errors[field.name] = error.messages;
    }
  }
  if (Object.keys(errors).length > 0) throw badRequest(errors);
  return values;
}

// ---------------------------------------------------------------------------------------------------------
// JWT user tokens (SimpleJWT-shaped: HS256, claims token_type, exp, iat, jti, user_id)

type TokenType = 'access' | 'refresh';

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;
/** SimpleJWT's default access lifetime is 5 minutes; an hour keeps a slow test run clear of expiry. */
const ACCESS_LIFETIME = 60 * MINUTE;
const REFRESH_LIFETIME = DAY;
/** The fixture credentials handed to the caller must outlive any test run. */
const FIXTURE_LIFETIME = 30 * DAY;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

class TokenSigner {
  readonly #key = randomBytes(32);

  #sign(data: string): Buffer {
    return createHmac('sha256', this.#key).update(data).digest();
  }

  issue(type: TokenType, userId: string, lifetime: number): string {
    const now = Math.floor(Date.now() / 1000);
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const claims = { token_type: type, exp: now + lifetime, iat: now, jti: randomBytes(16).toString('hex'), user_id: userId };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${header}.${payload}.${this.#sign(`${header}.${payload}`).toString('base64url')}`;
  }

  /** SimpleJWT Token(...): the claims, or the TokenError message. */
  verify(token: string, type: TokenType): { claims: Record<string, unknown> } | { error: string } {
    const invalid = { error: 'Token is invalid or expired' };
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return invalid;
    const expected = this.#sign(`${parts[0]}.${parts[1]}`);
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
    let header: unknown;
    let claims: unknown;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return invalid;
    }
    if (!isDict(header) || header.alg !== 'HS256' || !isDict(claims)) return invalid;
    if (typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000) return invalid;
    if (claims.token_type !== type) return { error: 'Token has wrong type' };
    return { claims };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Data

interface StoredUser {
  id: string;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  phone: string;
  company: string;
  roleIds: number[];
  mfa: boolean;
  reset_pw: boolean;
  reset_2fa: boolean;
  is_active: boolean;
  salt: Buffer;
  passwordHash: Buffer;
}

const hashPassword = (salt: Buffer, password: string): Buffer => createHmac('sha256', salt).update(password).digest();

/**
 * Roles, with the ids of the spec's examples (2 "Company Admin", 3 "Company User", 4 "Auditor"). Only the
 * "Company User" role lacks `view_group` (spec info.description); only "Company Admin" may add or change users.
 */
const SEED_ROLES: Role[] = [
  {
    id: 2,
    name: 'Company Admin',
    permissions: [
      'add_user',
      'change_user',
      'view_user',
      'delete_user',
      'view_group',
      'view_company',
      'add_profile',
      'change_profile',
      'view_profile',
      'add_document',
      'view_document',
    ],
  },
  { id: 3, name: 'Company User', permissions: ['view_user', 'add_profile', 'view_profile', 'add_document', 'view_document'] },
  { id: 4, name: 'Auditor', permissions: ['view_user', 'view_group', 'view_profile', 'view_document'] },
];

/** Django's AbstractUser.username is unique: a user created later with another user's former email would clash. */
const USERNAME_TAKEN = 'A user with that username already exists.';
const EMAIL_TAKEN = 'user with this email already exists.';

/** The method → permission map of DRF's DjangoModelPermissions (spec: "inferred from DjangoModelPermissions conventions"). */
const PERMISSION_PREFIX: Record<string, string | null> = {
  GET: 'view',
  HEAD: 'view',
  OPTIONS: null,
  POST: 'add',
  PUT: 'change',
  PATCH: 'change',
  DELETE: 'delete',
};

// ---------------------------------------------------------------------------------------------------------
// The application

interface Route {
  /** DRF view name, answered by OPTIONS. */
  name: string;
  /** Methods the view implements (405 for the others; OPTIONS is always there). */
  methods: string[];
  /** Django model whose permissions DjangoModelPermissions checks; absent for the open token views. */
  model?: 'user' | 'group';
  userUuid?: string;
}

class AmaniApp {
  readonly signer = new TokenSigner();
  readonly roles = new Map<number, Role>(SEED_ROLES.map((role) => [role.id, role]));
  readonly users = new Map<string, StoredUser>();

  addUser(fields: Partial<StoredUser> & { email: string; password: string; company: string }): StoredUser {
    const salt = randomBytes(16);
    const user: StoredUser = {
      id: randomUUID(),
      username: fields.email,
      first_name: '',
      last_name: '',
      phone: '',
      roleIds: [],
      mfa: false,
      reset_pw: false,
      reset_2fa: false,
      is_active: true,
      ...fields,
      salt,
      passwordHash: hashPassword(salt, fields.password),
    };
    this.users.set(user.id, user);
    return user;
  }

  // --- serialisation ---

  userRoles(user: StoredUser): Role[] {
    return [...user.roleIds]
      .sort((a, b) => a - b)
      .flatMap((id) => {
        const role = this.roles.get(id);
        return role ? [{ id: role.id, name: role.name, permissions: [...role.permissions] }] : [];
      });
  }

  userPermissions(user: StoredUser): string[] {
    return [...new Set(this.userRoles(user).flatMap((role) => role.permissions))];
  }

  userBody(user: StoredUser): Record<string, unknown> {
    return {
      id: user.id,
      first_name: user.first_name,
      username: user.username,
      last_name: user.last_name,
      phone: user.phone,
      email: user.email,
      company: user.company,
      groups: this.userRoles(user),
      mfa: user.mfa,
      reset_pw: user.reset_pw,
      reset_2fa: user.reset_2fa,
      is_active: user.is_active,
      permissions: this.userPermissions(user),
    };
  }

  // --- routing ---

  route(path: string): Route | undefined {
    if (path === '/api/v2/user/login') return { name: 'Login', methods: ['POST'] };
    if (path === '/api/v2/token/refresh/') return { name: 'Token Refresh', methods: ['POST'] };
    if (path === '/api/v2/user') return { name: 'User Create', methods: ['POST'], model: 'user' };
    if (path === '/api/v2/group') return { name: 'Group List', methods: ['GET', 'HEAD'], model: 'group' };
    const match = /^\/api\/v2\/user\/([^/]+)$/.exec(path);
    if (match) return { name: 'User Update', methods: ['PATCH'], model: 'user', userUuid: match[1] };
    return undefined;
  }

  /** SimpleJWT JWTAuthentication.authenticate: undefined when no Bearer credentials were sent at all. */
  authenticate(header: string | undefined): StoredUser | undefined {
    if (header === undefined) return undefined;
    const parts = header.split(/[ \t\n\r\v\f]+/).filter(Boolean);
    // Another scheme (or a lower-case "bearer") is not for this authenticator: the request stays anonymous.
    if (parts.length === 0 || parts[0] !== 'Bearer') return undefined;
    if (parts.length !== 2) {
      throw unauthorized({ detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' });
    }
    const result = this.signer.verify(parts[1], 'access');
    if ('error' in result) {
      throw unauthorized({
        detail: 'Given token not valid for any token type',
        code: 'token_not_valid',
        messages: [{ token_class: 'AccessToken', token_type: 'access', message: result.error }],
      });
    }
    const userId = result.claims.user_id;
    if (typeof userId !== 'string')
      throw unauthorized({ detail: 'Token contained no recognizable user identification', code: 'token_not_valid' });
    const user = this.users.get(userId);
    if (!user) throw unauthorized({ detail: 'User not found', code: 'user_not_found' });
    if (!user.is_active) throw unauthorized({ detail: 'User is inactive', code: 'user_inactive' });
    return user;
  }

  /** APIView.dispatch: authentication and permissions run before the handler, so 401/403 win over 405, 404 and body errors. */
  async handle(method: string, path: string, req: IncomingMessage, body: Buffer): Promise<Reply> {
    const route = this.route(path);
    // Django resolves the URL before any view code runs: unknown paths are 404 whatever the credentials.
    if (!route) return { status: 404, body: { detail: 'Not found.' } };
    const allow = [...route.methods, 'OPTIONS'].join(', ');
    try {
      const reply = await this.dispatch(route, method, req, body);
      return { ...reply, headers: { Allow: allow, ...reply.headers } };
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return { ...error.reply, headers: { Allow: allow, ...error.reply.headers } };
    }
  }

  async dispatch(route: Route, method: string, req: IncomingMessage, body: Buffer): Promise<Reply> {
    let caller: StoredUser | undefined;
    if (route.model) {
      caller = this.authenticate(req.headers.authorization);
      // DjangoModelPermissions: anonymous callers are refused (401, since JWTAuthentication sends a challenge).
      if (!caller) throw unauthorized({ detail: 'Authentication credentials were not provided.' });
      const prefix = PERMISSION_PREFIX[method];
      if (prefix === undefined) throw new HttpError(405, { detail: `Method "${method}" not allowed.` });
      if (prefix !== null && !this.userPermissions(caller).includes(`${prefix}_${route.model}`)) {
        throw new HttpError(403, { detail: 'You do not have permission to perform this action.' });
      }
    }
    if (method === 'OPTIONS') {
      // DRF's SimpleMetadata answer.
      const parses = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];
      return { status: 200, body: { name: route.name, description: '', renders: ['application/json'], parses } };
    }
    if (!route.methods.includes(method)) throw new HttpError(405, { detail: `Method "${method}" not allowed.` });
    switch (route.name) {
      case 'Login':
        return this.login(parseBody(req, body));
      case 'Token Refresh':
        return this.refresh(parseBody(req, body));
      case 'Group List':
        return { status: 200, body: this.listRoles() };
      case 'User Create':
        return this.createUser(caller!, parseBody(req, body));
      default:
        // UpdateModelMixin looks the user up before it reads the body: 404 wins over 400/415.
        return this.updateUser(this.findUser(caller!, route.userUuid!), parseBody(req, body));
    }
  }

  // --- operations ---

  login(input: RequestData): Reply {
    const fields: FieldSpec[] = [
      { kind: 'char', name: 'username', required: true, allowBlank: false },
      { kind: 'char', name: 'password', required: true, allowBlank: false },
    ];
    const { username, password } = validate(input, fields, false) as { username: string; password: string };
    const user = [...this.users.values()].find((candidate) => candidate.username === username);
    const ok = user !== undefined && timingSafeEqual(hashPassword(user.salt, password), user.passwordHash);
    // SimpleJWT answers unknown users, wrong passwords and inactive accounts alike. This login's 401 carries
    // no `WWW-Authenticate` challenge (as behind a proxy that drops it, or a view without an authenticator):
    // the vendor documents no bad-credential answer, and the spec marks the challenge `x-provenance: inferred`.
    if (!ok || !user.is_active) throw new HttpError(401, { detail: 'No active account found with the given credentials' });
    return {
      status: 200,
      body: {
        id: user.id,
        username: user.username,
        first_name: user.first_name,
        last_name: user.last_name,
        phone: user.phone,
        refresh: this.signer.issue('refresh', user.id, REFRESH_LIFETIME),
        access: this.signer.issue('access', user.id, ACCESS_LIFETIME),
        groups: this.userRoles(user),
        // The login answer names the company `company_id` (spec: "Documentation inconsistencies").
        company_id: user.company,
        permissions: this.userPermissions(user),
      },
    };
  }

  refresh(input: RequestData): Reply {
    const { refresh } = validate(input, [{ kind: 'char', name: 'refresh', required: true, allowBlank: false }], false) as {
      refresh: string;
    };
    const result = this.signer.verify(refresh, 'refresh');
    if ('error' in result) throw unauthorized({ detail: result.error, code: 'token_not_valid' });
    const user = typeof result.claims.user_id === 'string' ? this.users.get(result.claims.user_id) : undefined;
    if (!user?.is_active) throw unauthorized({ detail: 'No active account found for the given token.' });
    // No refresh-token rotation (SimpleJWT's default), so the answer carries `access` only.
    return { status: 200, body: { access: this.signer.issue('access', user.id, ACCESS_LIFETIME) } };
  }

  listRoles(): Role[] {
    // Bare array, no pagination (vendor notes); the order is free, here alphabetical by name.
    return [...this.roles.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((role) => ({ id: role.id, name: role.name, permissions: [...role.permissions] }));
  }

  /** The user serializer's writable fields; `instance` is excluded from the uniqueness check on update. */
  userFields(instance?: StoredUser): FieldSpec[] {
    const emailTaken = (email: string) => {
      const clash = [...this.users.values()].some((user) => user !== instance && user.email === email);
      return clash ? EMAIL_TAKEN : undefined;
    };
    return [
      { kind: 'char', name: 'email', required: true, allowBlank: false, maxLength: 254, email: true, unique: emailTaken },
      { kind: 'char', name: 'password', required: true, allowBlank: false },
      // Django text fields are blank=True: an absent or empty value is stored and answered as "" (spec "Modelling choices").
      { kind: 'char', name: 'first_name', required: false, allowBlank: true, maxLength: 150 },
      { kind: 'char', name: 'last_name', required: false, allowBlank: true, maxLength: 150 },
      { kind: 'char', name: 'phone', required: false, allowBlank: true },
      { kind: 'roles', name: 'groups', lookup: (id) => this.roles.get(id) },
    ];
  }

  createUser(caller: StoredUser, input: RequestData): Reply {
    const values = validate(input, this.userFields(), false);
    const email = values.email as string;
    if ([...this.users.values()].some((user) => user.username === email)) throw badRequest({ email: [USERNAME_TAKEN] });
    const user = this.addUser({
      email,
      password: values.password as string,
      first_name: (values.first_name as string | undefined) ?? '',
      last_name: (values.last_name as string | undefined) ?? '',
      phone: (values.phone as string | undefined) ?? '',
      roleIds: ((values.groups as Role[] | undefined) ?? []).map((role) => role.id),
      // The user belongs to the caller's company.
      company: caller.company,
    });
    return { status: 201, body: this.userBody(user) };
  }

  /** Users of the caller's company only; Django's UUID lookup accepts any spelling `uuid.UUID()` parses and 404s the rest. */
  findUser(caller: StoredUser, rawId: string): StoredUser {
    const hex = rawId
      .replace(/^urn:/i, '')
      .replace(/^uuid:/i, '')
      .replace(/^\{|\}$/g, '')
      .replaceAll('-', '')
      .toLowerCase();
    const user = [...this.users.values()].find((candidate) => candidate.id.replaceAll('-', '') === hex);
    if (!/^[0-9a-f]{32}$/.test(hex) || !user || user.company !== caller.company) throw new HttpError(404, { detail: 'Not found.' });
    return user;
  }

  /** DRF partial update: any subset of the fields, `{}` included; only the fields sent change (spec "Known drift"). */
  updateUser(user: StoredUser, input: RequestData): Reply {
    const values = validate(input, this.userFields(user), true);
    // `username` keeps the address the user was created with (spec: User.username).
    if (values.email !== undefined) user.email = values.email as string;
    if (values.password !== undefined) {
      user.salt = randomBytes(16);
      user.passwordHash = hashPassword(user.salt, values.password as string);
    }
    if (values.first_name !== undefined) user.first_name = values.first_name as string;
    if (values.last_name !== undefined) user.last_name = values.last_name as string;
    if (values.phone !== undefined) user.phone = values.phone as string;
    if (values.groups !== undefined) user.roleIds = (values.groups as Role[]).map((role) => role.id);
    return { status: 200, body: this.userBody(user) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Seed and server

function seed(app: AmaniApp): { admin: StoredUser; standard: StoredUser } {
  const company = randomUUID();
  const otherCompany = randomUUID();
  // The admin is the account of the spec's login example, so its documented credentials work.
  const admin = app.addUser({
    email: 'selin.kaya@example.com',
    password: 'Tr0ub4dor&3-Kaya',
    first_name: 'Selin',
    last_name: 'Kaya',
    phone: '+905321264718',
    company,
    roleIds: [2],
    mfa: true,
  });
  const standard = app.addUser({
    email: 'emre.aydin@example.com',
    password: 'Kp9#vW2m-Aydin',
    first_name: 'Emre',
    last_name: 'Aydın',
    company,
    roleIds: [3],
  });
  app.addUser({ email: 'zeynep.arslan@example.com', password: 'Qa4!zX8r-Arslan', first_name: 'Zeynep', company, roleIds: [3, 4] });
  app.addUser({ email: 'burak.celik@example.com', password: 'Lm2$cV6b-Celik', company, is_active: false, reset_pw: true });
  // Another company's admin: invisible to the first company's callers (PATCH answers 404).
  app.addUser({ email: 'omar.haddad@example.ae', password: 'Yt7&hN3k-Haddad', first_name: 'Omar', company: otherCompany, roleIds: [2] });
  return { admin, standard };
}

function send(res: ServerResponse, method: string, reply: Reply): void {
  const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...DJANGO_HEADERS,
    ...(reply.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    'Content-Length': String(Buffer.byteLength(text)),
    ...reply.headers,
  });
  res.end(method === 'HEAD' ? undefined : text);
}

function requestPath(rawUrl: string): string {
  const { pathname } = new URL(rawUrl, 'http://localhost');
  // The WSGI server hands Django a percent-decoded path.
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/** Starts the server on 127.0.0.1 on a free port (listen(0)). admin/standard are full Authorization header values (Bearer <access token>). */
export async function startIndependentAmani(): Promise<IndependentServer> {
  const app = new AmaniApp();
  const { admin, standard } = seed(app);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = (req.method ?? 'GET').toUpperCase();
      app
        .handle(method, requestPath(req.url ?? '/'), req, Buffer.concat(chunks))
        .catch((): Reply => ({ status: 500, body: { detail: 'A server error occurred.' } }))
        .then((reply) => send(res, method, reply));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    admin: `Bearer ${app.signer.issue('access', admin.id, FIXTURE_LIFETIME)}`,
    standard: `Bearer ${app.signer.issue('access', standard.id, FIXTURE_LIFETIME)}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
