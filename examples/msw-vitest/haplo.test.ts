// A frontend's test against Haplo with usermock's MSW handlers: a person added with the typed
// factory is found by tag, and the "not found" screen comes from an override.
import { createMockServer, haplo } from 'usermock/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

const { server, mock } = createMockServer({ users: 3 }, { onSpecViolation: 'throw' });
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => mock.reset());
afterAll(() => server.close());

const API = 'https://research.example.ac.uk';
const headers = () => ({ authorization: mock.credentials().haplo.admin, 'content-type': 'application/json' });

it('finds a new person by their department tag', async () => {
  const person = haplo.user({ tags: { department: 'archives' } });
  const created = await fetch(`${API}/api/v0-user/create`, { method: 'POST', headers: headers(), body: JSON.stringify(person) });
  const { user } = (await created.json()) as { user: { id: number } };
  const found = await fetch(`${API}/api/v0-user/find-by-tag?tag:department=archives`, { headers: headers() });
  expect(await found.json()).toMatchObject({ success: true, users: [user.id] });
  expect(mock.state('haplo').get(user.id)?.email).toBe(person.email);
});

it('shows the not-found screen when the user lookup answers 404', async () => {
  mock.override('haplo', 'getUserById', 404, 'default');
  const answer = await fetch(`${API}/api/v0-user/id/128`, { headers: headers() });
  expect(answer.status).toBe(404);
  expect(await answer.json()).toMatchObject({ success: false });
});
