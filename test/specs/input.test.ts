// The specs and the mock agree on input: each body below is accepted by the mock exactly when its
// spec says the vendor accepts it — the request schema of its media type (with `x-null-as-absent`
// nulls left out), less the rules `x-request-rules` marks not enforced — and each case says which
// the vendor does, so agreement cannot come from both being wrong the same way.
import type { ErrorObject } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSpec, type ApiName } from '../../specs/index.ts';
import type { Schema } from '../../specs/schema.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

let running: RunningMock;
beforeAll(async () => {
  running = await startMock({ users: 5 });
});
afterAll(() => running.close());

interface Case {
  api: ApiName;
  operationId: string;
  path: string | ((keys: Record<string, string>) => string);
  body?: unknown;
  /** Sent as a form instead of JSON. */
  form?: Record<string, string>;
  accepted: boolean;
}

const CASES: Array<[string, Case]> = [
  [
    'hoop: a status outside the enum is stored',
    { api: 'hoop', operationId: 'createUser', path: '/api/users', body: { email: 'a@example.com', status: 'reviewing' }, accepted: true },
  ],
  [
    'hoop: a null name reads as absent',
    { api: 'hoop', operationId: 'createUser', path: '/api/users', body: { email: 'b@example.com', name: null }, accepted: true },
  ],
  [
    'hoop: any role is echoed',
    { api: 'hoop', operationId: 'createUser', path: '/api/users', body: { email: 'c@example.com', role: 'auditor' }, accepted: true },
  ],
  [
    'hoop: an internationalised address',
    { api: 'hoop', operationId: 'createUser', path: '/api/users', body: { email: 'zoë@exämple.cöm' }, accepted: true },
  ],
  [
    'hoop: not an address',
    { api: 'hoop', operationId: 'createUser', path: '/api/users', body: { email: 'not-an-email' }, accepted: false },
  ],
  [
    'hoop: an empty slack id',
    { api: 'hoop', operationId: 'updateSelfSlack', path: '/api/users/self/slack', body: { slack_id: '' }, accepted: false },
  ],
  [
    'hoop: an empty group name',
    { api: 'hoop', operationId: 'createGroup', path: '/api/users/groups', body: { name: '' }, accepted: false },
  ],
  [
    'Amani: a number as the password',
    { api: 'amani', operationId: 'createUser', path: '/api/v2/user', body: { email: 'd@example.com', password: 12345678 }, accepted: true },
  ],
  [
    'Amani: a number as a name',
    {
      api: 'amani',
      operationId: 'createUser',
      path: '/api/v2/user',
      body: { email: 'e@example.com', password: 'pw', first_name: 42 },
      accepted: true,
    },
  ],
  [
    'Amani: an empty password',
    { api: 'amani', operationId: 'createUser', path: '/api/v2/user', body: { email: 'f@example.com', password: '' }, accepted: false },
  ],
  [
    'Amani: an empty partial update',
    { api: 'amani', operationId: 'updateUser', path: ({ amani }) => `/api/v2/user/${amani}`, body: {}, accepted: true },
  ],
  [
    'Amani: a partial update without a body',
    { api: 'amani', operationId: 'updateUser', path: ({ amani }) => `/api/v2/user/${amani}`, accepted: true },
  ],
  [
    'Amani: a login as a form',
    {
      api: 'amani',
      operationId: 'login',
      path: '/api/v2/user/login',
      form: { username: 'EMAIL', password: 'usermock-password' },
      accepted: true,
    },
  ],
  [
    'Amani: an empty refresh token',
    { api: 'amani', operationId: 'refreshToken', path: '/api/v2/token/refresh/', body: { refresh: '' }, accepted: false },
  ],
  [
    'Haplo: null tags and locale on create',
    {
      api: 'haplo',
      operationId: 'createUser',
      path: '/api/v0-user/create',
      body: { nameFirst: 'A', nameLast: 'B', email: 'g@example.com', tags: null, localeId: null },
      accepted: true,
    },
  ],
  [
    'Haplo: a falsy ref on create reads as absent',
    {
      api: 'haplo',
      operationId: 'createUser',
      path: '/api/v0-user/create',
      body: { nameFirst: 'A', nameLast: 'B', email: 'h@example.com', ref: false },
      accepted: true,
    },
  ],
  [
    'Haplo: a null locale on update',
    {
      api: 'haplo',
      operationId: 'updateUserById',
      path: ({ haplo }) => `/api/v0-user/id/${haplo}`,
      body: { localeId: null },
      accepted: false,
    },
  ],
  [
    'Haplo: a falsy ref on update',
    { api: 'haplo', operationId: 'updateUserById', path: ({ haplo }) => `/api/v0-user/id/${haplo}`, body: { ref: 0 }, accepted: false },
  ],
];

/** Whether the spec says the vendor accepts a body: valid for its media type, but for the rules it does not enforce. */
function specAccepts(api: ApiName, operationId: string, mediaType: string, body: unknown): boolean {
  const spec = apiSpec(api);
  const requestBody = spec.operation(operationId).object.requestBody as
    { required?: boolean; content: Record<string, { schema?: Schema }>; 'x-null-as-absent'?: boolean } | undefined;
  if (body === undefined) return !requestBody?.required;
  const schema = requestBody?.content[mediaType]?.schema;
  if (!schema) return false;
  const sent =
    requestBody['x-null-as-absent'] && isRecord(body)
      ? Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null))
      : body;
  const validate = spec.validator(schema, 'request');
  if (validate(sent)) return true;
  return (validate.errors ?? []).every((error) => notEnforced(api, operationId, error));
}

function notEnforced(api: ApiName, operationId: string, error: ErrorObject): boolean {
  const field = error.keyword === 'required' ? String(error.params.missingProperty) : error.instancePath.split('/')[1];
  return apiSpec(api).requestRule(operationId, error.keyword, field) === 'not-enforced';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

describe('the specs say what the mock (and the vendor) accept', () => {
  it.each(CASES)('%s', async (_name, { api, operationId, path, body, form, accepted }) => {
    const credentials = running.mock.credentials()[api];
    const seeded = await seededKeys();
    const method = apiSpec(api).operation(operationId).method;
    const auth: Record<string, string> =
      apiSpec(api).operation(operationId).requirement.role === 'none' ? {} : { authorization: credentials.admin };
    const filled =
      form && Object.fromEntries(Object.entries(form).map(([key, value]) => [key, value === 'EMAIL' ? seeded.amaniEmail : value]));
    const answer = await fetch(`${running.url}${typeof path === 'string' ? path : path(seeded)}`, {
      method,
      headers: {
        ...auth,
        ...(body !== undefined || filled ? { 'content-type': filled ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
      },
      body: filled ? new URLSearchParams(filled).toString() : body === undefined ? undefined : JSON.stringify(body),
    });
    const mediaType = filled ? 'application/x-www-form-urlencoded' : 'application/json';
    expect(specAccepts(api, operationId, mediaType, filled ?? body), 'the spec').toBe(accepted);
    expect(answer.status < 300, `the mock answered ${answer.status} ${await answer.text()}`).toBe(accepted);
  });
});

/** Ids of seeded users to update, and a seeded Amani user's email to log in as. */
async function seededKeys(): Promise<{ amani: string; haplo: string; amaniEmail: string }> {
  const state = (await (await fetch(`${running.url}/__usermock/state`)).json()) as {
    sessions: {
      default: {
        amani: { users: Array<{ id: string; email: string; is_active: boolean }> };
        haplo: { principals: Array<{ id: number; isGroup: boolean }> };
      };
    };
  };
  const { amani, haplo } = state.sessions.default;
  const person = haplo.principals.find((principal) => !principal.isGroup)!;
  // A seeded user (they all have the password usermock-password) who is active.
  const active = amani.users.find((user) => user.is_active)!;
  return { amani: active.id, amaniEmail: active.email, haplo: String(person.id) };
}
