// A frontend's test against Amani with usermock's MSW handlers: a new user made with the typed
// factory logs in, and the roles screen's empty state comes from an override.
import { amani, createMockServer } from 'usermock/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

const { server, mock } = createMockServer({ users: 3 }, { onSpecViolation: 'throw' });
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => mock.reset());
afterAll(() => server.close());

const API = 'https://amani.example.com';
const json = { 'content-type': 'application/json' };

it('creates a user who can then log in', async () => {
  const user = amani.user({ first_name: 'Ada', groups: [1] });
  const headers = { ...json, authorization: mock.credentials().amani.admin };
  expect((await fetch(`${API}/api/v2/user`, { method: 'POST', headers, body: JSON.stringify(user) })).status).toBe(201);
  const login = await fetch(`${API}/api/v2/user/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username: user.email, password: user.password }),
  });
  expect(login.status).toBe(200);
  expect(mock.state('amani').findByEmail(user.email)?.first_name).toBe('Ada');
});

it('shows no roles when the role list is empty', async () => {
  mock.override('amani', 'listGroups', { empty: true, times: 1 });
  const roles = await fetch(`${API}/api/v2/group`, { headers: { authorization: mock.credentials().amani.admin } });
  expect(await roles.json()).toEqual([]);
});
