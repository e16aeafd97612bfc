// Amani's wire format, as Django REST Framework gives it: how a user is shown, the answers' shape
// (`{"detail": ...}` for a refusal, SimpleJWT's challenge on a 401), and how a body is read and
// run through a serializer's fields, with DRF's and Django's wording of every field error.
import type { ErrorObject } from 'ajv';
import { apiSpec } from '../../../specs/index.ts';
import { isObject, json, parseJsonBody, type MockRequest, type MockResponse } from '../../core/http.ts';
import { fieldOf, requestErrors } from '../../core/validation.ts';
import type { AmaniState, AmaniRecord, AmaniUserAnswer } from './state.ts';

/** A user as create and update answer it: roles expanded, never the password. */
export function present(state: AmaniState, user: AmaniRecord): AmaniUserAnswer {
  return {
    id: user.id,
    first_name: user.first_name,
    username: user.username,
    last_name: user.last_name,
    phone: user.phone,
    email: user.email,
    company: state.company,
    groups: state.rolesOf(user),
    mfa: user.mfa,
    reset_pw: user.reset_pw,
    reset_2fa: user.reset_2fa,
    is_active: user.is_active,
    permissions: state.permissionsOf(user),
  };
}

export const reply = (status: number, value: unknown) => json(status, value);
export const fail = (status: number, message: string) => json(status, { detail: message });

/** Every 401 carries SimpleJWT's challenge. */
export function unauthorized(body: Record<string, unknown>): MockResponse {
  const response = json(401, body);
  response.headers['www-authenticate'] = 'Bearer realm="api"';
  return response;
}

type TextRule = { name: string; kind: 'text'; blank: boolean };
type Rule = TextRule | { name: string; kind: 'roles' };
type Converted = { ok: true; value: unknown } | { ok: false; message: string };
type Deserialized = { data: Record<string, unknown> } | { errors: Record<string, string[]> };

// Serializer fields in declaration order, which is the order of DRF's error keys. Every one trims,
// passwords too: neither DRF's CharField nor SimpleJWT's login PasswordField turns trimming off, so
// the password set and the password that logs in are both the trimmed text.
export const USER_RULES: Rule[] = [
  { name: 'email', kind: 'text', blank: false },
  { name: 'password', kind: 'text', blank: false },
  { name: 'first_name', kind: 'text', blank: true },
  { name: 'last_name', kind: 'text', blank: true },
  { name: 'phone', kind: 'text', blank: true },
  { name: 'groups', kind: 'roles' },
];
export const LOGIN_RULES: Rule[] = [
  { name: 'username', kind: 'text', blank: false },
  { name: 'password', kind: 'text', blank: false },
];
export const REFRESH_RULES: Rule[] = [{ name: 'refresh', kind: 'text', blank: false }];

/**
 * The parsed body, as DRF's default parsers read it: JSON, a form or a multipart form (the vendor's
 * Web SDK logs in with a form). Any other media type, or none, is DRF's 415: a frontend that posts
 * JSON without `Content-Type: application/json` finds out here, not against the real server.
 */
type Input = { data: unknown } | { response: MockResponse };

/**
 * The parsed body as `readInput`, handed to `use` — at once for every body but a multipart one,
 * which is read asynchronously (so a scenario's users, posted as JSON, are created while seeding).
 */
export function withInput(request: MockRequest, use: (data: unknown) => MockResponse): MockResponse | Promise<MockResponse> {
  const input = readInput(request);
  const answer = (read: Input) => ('response' in read ? read.response : use(read.data));
  return input instanceof Promise ? input.then(answer) : answer(input);
}

export function readInput(request: MockRequest): Input | Promise<Input> {
  if (!request.body) return { data: {} }; // DRF reads an absent body as no fields
  const contentType = request.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') return { data: formFields(new URLSearchParams(request.body)) };
  if (mediaType === 'multipart/form-data') {
    // Django's multipart parser refuses only a missing boundary; what it cannot make out it skips.
    if (!/;\s*boundary=/i.test(contentType)) {
      return { response: fail(400, 'Multipart form parse error - Invalid boundary in multipart: None') };
    }
    const parsing = new Response(request.body, { headers: { 'content-type': contentType } }).formData();
    return parsing.catch(() => new FormData()).then((form) => ({ data: formFields(form) }));
  }
  if (mediaType !== 'application/json') return { response: fail(415, `Unsupported media type "${contentType}" in request.`) };
  const parsed = parseJsonBody(request.body);
  return parsed.ok ? { data: parsed.value } : { response: fail(400, `JSON parse error - ${parsed.error}`) };
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
export function deserialize(
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
  for (const error of requestErrors(apiSpec('amani'), operationId, data)) {
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

function invalid(message: string): Converted {
  return { ok: false, message };
}

/** DRF's CharField: numbers are taken as their text, other non-strings refused, text trimmed. */
function toText(rule: TextRule, value: unknown): Converted {
  if (value === null) return invalid('This field may not be null.');
  if (typeof value === 'string' && value.trim() === '') {
    return rule.blank ? { ok: true, value: '' } : invalid('This field may not be blank.');
  }
  if (typeof value !== 'string' && typeof value !== 'number') return invalid('Not a valid string.');
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
  if (value === null) return invalid('This field may not be null.');
  if (typeof value !== 'object') return invalid(`Expected a list of items but got type "${pythonType(value)}".`);
  const items = Array.isArray(value) ? value : Object.keys(value);
  const ids = new Set<number>();
  for (const item of items) {
    const id = item === null ? null : roleIdOf(item);
    if (id === undefined) return invalid(`Incorrect type. Expected pk value, received ${pythonType(item)}.`);
    if (id === null || !state.roles.has(id))
      return invalid(`Invalid pk "${item === null ? 'None' : String(item)}" - object does not exist.`);
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
