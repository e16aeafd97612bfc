// A frontend's test against hoop with usermock's MSW handlers: a typed factory for the data the
// test needs, an override for the error screen, the API's answer typed by the spec (`HoopUser`), and
// typed state for the assertion.
import { createMockServer, hoop, type HoopUser } from 'usermock/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

const { server, mock } = createMockServer({ users: 3 }, { onSpecViolation: 'throw' });
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => mock.reset());
afterAll(() => server.close());

const API = 'https://gateway.example.com';
const headers = () => ({ authorization: mock.credentials().hoop.admin, 'content-type': 'application/json' });

it('invites an admin, who is then listed with the admin role', async () => {
  const invited = hoop.user({ role: 'admin', name: 'Ada Lovelace' });
  const created = await fetch(`${API}/api/users`, { method: 'POST', headers: headers(), body: JSON.stringify(invited) });
  expect(created.status).toBe(201);
  const users = (await (await fetch(`${API}/api/users`, { headers: headers() })).json()) as HoopUser[];
  expect(users.find((user) => user.email === invited.email)?.role).toBe('admin');
  expect(mock.state('hoop').findByEmail(invited.email)?.groups).toContain('admin');
});

it('shows the signed-out screen when the list answers 401', async () => {
  mock.override('hoop', 'listUsers', 401);
  const answer = await fetch(`${API}/api/users`, { headers: headers() });
  expect([answer.status, await answer.json()]).toEqual([401, { message: 'access denied' }]);
});
