// The SCIM example through MSW, as a frontend's test would use it: a mock of the SCIM API alone,
// typed by the spec's generated types, with the spec's own checks on every request.
import { createMockServer } from 'usermock/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { scim } from './module.ts';
import type { components } from './scim.types.ts';

type User = components['schemas']['User'];
type ListResponse = components['schemas']['ListResponse'];

const { server, mock } = createMockServer({ apis: [scim], users: 5 }, { onSpecViolation: 'throw' });
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => mock.reset());
afterAll(() => server.close());

const API = 'https://idp.example.com/scim/v2/Users';
const as = (role: 'admin' | 'standard') => ({ authorization: mock.credentials().scim[role], 'content-type': 'application/scim+json' });
const send = (method: string, path: string, body?: unknown, role: 'admin' | 'standard' = 'admin') =>
  fetch(`${API}${path}`, { method, headers: as(role), body: body === undefined ? undefined : JSON.stringify(body) });
const NEW_USER = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada@example.com', active: true };

it('creates a user, finds it by userName whatever the case, patches and deletes it', async () => {
  const created = await send('POST', '', NEW_USER);
  const user = (await created.json()) as User;
  expect([created.status, created.headers.get('content-type'), created.headers.get('location')]).toEqual([
    201,
    'application/scim+json',
    user.meta.location,
  ]);
  const found = (await (await send('GET', `?filter=${encodeURIComponent('userName eq "ADA@example.com"')}`)).json()) as ListResponse;
  expect([found.totalResults, found.Resources[0]?.id]).toEqual([1, user.id]);
  const patch = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'active', value: false }],
  };
  expect(((await (await send('PATCH', `/${user.id}`, patch)).json()) as User).active).toBe(false);
  expect(mock.state('scim').users.get(user.id)?.active).toBe(false);
  expect((await send('DELETE', `/${user.id}`)).status).toBe(204);
  expect((await send('GET', `/${user.id}`)).status).toBe(404);
});

it("answers in SCIM's own error shape: a taken userName, a read-only token", async () => {
  await send('POST', '', NEW_USER);
  const taken = await send('POST', '', { ...NEW_USER, userName: 'ADA@EXAMPLE.COM' });
  expect([taken.status, await taken.json()]).toEqual([409, expect.objectContaining({ status: '409', scimType: 'uniqueness' })]);
  expect((await send('POST', '', NEW_USER, 'standard')).status).toBe(403);
});

it('answers what breaks the spec as SCIM does, and journals how it broke it: no token, bodies its schema refuses, a query', async () => {
  const { server: lenient, mock: quiet } = createMockServer({ apis: [scim] });
  server.close();
  lenient.listen({ onUnhandledRequest: 'error' });
  try {
    const anonymous = await fetch(API);
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="scim"']);
    const headers = { authorization: quiet.credentials().scim.admin, 'content-type': 'application/scim+json' };
    const noName = await fetch(API, { method: 'POST', headers, body: JSON.stringify({ schemas: NEW_USER.schemas }) });
    expect([noName.status, ((await noName.json()) as { scimType: string }).scimType]).toEqual([400, 'invalidValue']);
    const garbled = await fetch(API, { method: 'POST', headers, body: '{"userName":' });
    expect([garbled.status, ((await garbled.json()) as { scimType: string }).scimType]).toEqual([400, 'invalidSyntax']);
    // The journal says what broke the spec, for bodies of any JSON media type and for the query too.
    await fetch(`${API}?count=many`, { headers });
    expect(quiet.journal.list().map((entry) => entry.violations)).toEqual([
      [expect.stringMatching(/^listUsers needs credentials/)],
      [expect.stringMatching(/field "userName" is missing/)],
      ['createUser takes JSON and the body is not JSON'],
      ['query parameter "count" must be integer (listUsers\'s parameters)'],
    ]);
  } finally {
    lenient.close();
    server.listen({ onUnhandledRequest: 'error' });
  }
});
