// hoop's wire format: how a user is shown, the answers' shape, and the gin/encoding/json wording
// of every refused body (the Go sources are cited in docs/vendors/hoop.md).
import type { ErrorObject } from 'ajv';
import { apiSpec } from '../../../specs/index.ts';
import { isObject, json, parseJsonBody, text, type MockRequest, type MockResponse } from '../../core/http.ts';
import { fieldOf, jsonTypeOf, requestErrors } from '../../core/validation.ts';
import { roleOf, type HoopState, type HoopRecord, type WireUser } from './state.ts';

const CONTENT_TYPE = 'application/json; charset=utf-8';
/** A user as the API shows it: role computed. The password is kept, as the gateway keeps it, but only the create echo shows it. */
export function present(user: HoopRecord): WireUser {
  // Field by field rather than a copy without the password: this runs on every read and list.
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    picture: user.picture,
    slack_id: user.slack_id,
    groups: user.groups,
    status: user.status,
    verified: user.verified,
    role: roleOf(user),
  };
}

export const reply = (status: number, value: unknown) => json(status, value, CONTENT_TYPE);

/** `GET /api/users`: every user as the API shows them, serialised once per change (lists are read far more than written). */
export const listReply = (state: HoopState) => text(200, state.users.derived(serialiseUsers), CONTENT_TYPE);
const serialiseUsers = (users: HoopState['users']) => JSON.stringify([...users.values()].map(present));
export const fail = (status: number, message: string) => json(status, { message }, CONTENT_TYPE);
export const accessDenied = (status: 401 | 403) => fail(status, 'access denied');

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
export function decode(request: MockRequest, operationId: string): { body: Record<string, unknown> } | { response: MockResponse } {
  const goType = GO_TYPES[operationId]!;
  const parsed = parseJsonBody(request.body);
  if (!parsed.ok) return { response: fail(400, decoderMessage(request.body, parsed.error)) };
  if (!isObject(parsed.value) && parsed.value !== null) {
    return { response: fail(400, `json: cannot unmarshal ${jsonTypeOf(parsed.value)} into Go value of type openapi.${goType}`) };
  }
  const body = Object.fromEntries(Object.entries(parsed.value ?? {}).filter(([, value]) => value !== null));
  const errors = requestErrors(apiSpec('hoop'), operationId, body).filter((e) => e.keyword !== 'enum');
  // The decoder fails before gin's validator runs.
  const mistyped = errors.find((e) => e.keyword === 'type');
  if (mistyped) return { response: fail(400, unmarshalMessage(goType, body, mistyped)) };
  // gin's `required` tag also fails on an empty string.
  const blank = Object.keys(GO_FIELDS).find((field) => body[field] === '' && isRequired(operationId, field));
  const missing = blank ?? errors.filter((e) => e.keyword === 'required').map(fieldOf)[0];
  if (missing) return { response: fail(400, requiredMessage(goType, missing)) };
  // `email` must be an address; `id` is the server's, so its format is never checked.
  if (errors.some((e) => e.keyword === 'format' && fieldOf(e) === 'email')) return { response: fail(422, 'invalid email') };
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
  return requestErrors(apiSpec('hoop'), operationId, {}).some((e) => e.keyword === 'required' && e.params.missingProperty === field);
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

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

export function string(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
