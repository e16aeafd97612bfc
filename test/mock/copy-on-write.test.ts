// Sessions share the seeded state (the template: a scenario's, or the seed's) until they write: a
// session that only reads costs no copy, its first write forks the template — sharing every row it
// does not change — and what one session writes is never seen by another, nor by the template.
import { describe, expect, it } from 'vitest';
import { API_MODULES, Mock, type ApiModule, type MockRequest, type MockResponse } from '../../mocks/index.ts';

/** The three APIs, counting how often each seeds a state and forks one. */
function counting(): { modules: ApiModule[]; counts: { seed: number; fork: number } } {
  const counts = { seed: 0, fork: 0 };
  const modules = API_MODULES.map((module) => {
    const api = module as unknown as ApiModule;
    return {
      ...api,
      seed: (options) => (counts.seed++, api.seed(options)),
      fork: (state) => (counts.fork++, api.fork!(state)),
    } as ApiModule;
  });
  return { modules, counts };
}

async function call(mock: Mock, method: string, path: string, session: string, body?: unknown): Promise<MockResponse> {
  const { hoop } = mock.credentials() as Record<string, { admin: string }>;
  const request: MockRequest = {
    method,
    path,
    query: new URLSearchParams(),
    headers: {
      authorization: hoop!.admin,
      'x-usermock-session': session,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  return mock.handle(request);
}
const emails = async (mock: Mock, session: string) =>
  (JSON.parse((await call(mock, 'GET', '/api/users', session)).body!) as Array<{ email: string }>).map((user) => user.email);

describe('copy-on-write sessions', () => {
  it('answer a session that never wrote from the template: no seeding, no copy', async () => {
    const { modules, counts } = counting();
    const mock = new Mock(modules, { users: 5 });
    const template = await emails(mock, 'default');
    for (let i = 0; i < 30; i++) expect(await emails(mock, `reader-${i}`)).toEqual(template);
    expect([counts.seed, counts.fork]).toEqual([3, 0]);
    expect(mock.limits().sessions.used).toBe(30);
    // The snapshot and the records view show it as every session starts.
    expect(mock.snapshot('reader-7').sessions['reader-7']).toEqual(mock.snapshot().sessions.default);
  });

  it('fork on the first write; a write in one session is seen neither in another nor in the template', async () => {
    const { modules, counts } = counting();
    const mock = new Mock(modules, { users: 5 });
    const template = await emails(mock, 'default');
    // Neither is the caller (hoop refuses an admin deleting themself).
    const [first, second] = template.slice(2);

    expect((await call(mock, 'POST', '/api/users', 'writer', { email: 'new@example.com' })).status).toBe(201);
    expect((await call(mock, 'DELETE', `/api/users/${first}`, 'writer')).status).toBe(204);
    expect((await call(mock, 'PUT', `/api/users/${second}`, 'writer', { email: second, name: 'Renamed', status: 'active' })).status).toBe(
      200,
    );
    expect(counts.fork).toBe(3); // one fork per API, once
    expect(await emails(mock, 'writer')).toEqual([...template.filter((email) => email !== first), 'new@example.com']);

    // Another session (held before the write, or new) and the default one read the template, unchanged.
    for (const other of ['default', 'reader', 'later']) {
      expect(await emails(mock, other)).toEqual(template);
      const read = await call(mock, 'GET', `/api/users/${second}`, other);
      expect(JSON.parse(read.body!).name).not.toBe('Renamed');
      expect((await call(mock, 'GET', '/api/users/new@example.com', other)).status).toBe(404);
    }
    // A write in another session starts from the template too.
    expect((await call(mock, 'POST', '/api/users', 'other', { email: 'new@example.com' })).status).toBe(201);
    expect(await emails(mock, 'other')).toEqual([...template, 'new@example.com']);
    expect(mock.limits().users.used).toMatchObject({
      default: { hoop: { users: 5 } },
      writer: { hoop: { users: 5 } },
      other: { hoop: { users: 6 } },
      later: { hoop: { users: 5 } },
    });
    expect([counts.seed, counts.fork]).toEqual([3, 6]);
  });

  it('reset puts a session back on the template, and every session with a reset of all', async () => {
    const mock = new Mock(API_MODULES, { users: 5 });
    const template = await emails(mock, 'default');
    await call(mock, 'POST', '/api/users', 'a', { email: 'a@example.com' });
    await call(mock, 'POST', '/api/users', 'default', { email: 'd@example.com' });
    mock.reset('a');
    expect(await emails(mock, 'a')).toEqual(template);
    expect(await emails(mock, 'default')).toEqual([...template, 'd@example.com']);
    await call(mock, 'POST', '/api/users', 'a', { email: 'again@example.com' });
    expect(await emails(mock, 'a')).toEqual([...template, 'again@example.com']);
    mock.reset();
    expect(mock.limits().sessions.used).toBe(0);
    expect(await emails(mock, 'default')).toEqual(template);
    expect(await emails(mock, 'a')).toEqual(template);
  });

  it('keep a scenario’s template: its users in every session, written sessions restored from a snapshot', async () => {
    const scenario = { users: 2, apis: { hoop: { users: [{ email: 'lisa@example.com', role: 'admin' }] } } };
    const mock = new Mock(API_MODULES, { scenario });
    await call(mock, 'POST', '/api/users', 'w', { email: 'w@example.com' });
    expect(await emails(mock, 'r')).toContain('lisa@example.com');
    const restored = new Mock(API_MODULES, { scenario, snapshot: mock.snapshot() });
    expect(await emails(restored, 'w')).toEqual(await emails(mock, 'w'));
    expect(await emails(restored, 'r')).toEqual(await emails(mock, 'r'));
    expect(JSON.stringify(restored.snapshot())).toBe(JSON.stringify(mock.snapshot()));
    expect(await emails(restored, 'fresh')).toEqual(await emails(mock, 'default'));
  });

  it('give mock.state() the session’s own state, whose changes stay in it', async () => {
    const mock = new Mock(API_MODULES, { users: 5 });
    const template = await emails(mock, 'default');
    const state = mock.state('hoop', 's') as import('../../mocks/index.ts').HoopState;
    const user = [...state.users.values()][2]!; // not the admin the credential belongs to
    state.remove(user);
    expect(await emails(mock, 's')).toEqual(template.filter((email) => email !== user.email));
    expect(await emails(mock, 't')).toEqual(template);
  });
});
