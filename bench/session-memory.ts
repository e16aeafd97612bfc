// What new sessions cost under `--scenario large` (10,000 users per API): run by bench/run.ts in a
// process of its own with --expose-gc, so that every figure is taken after a full collection.
// The mock is made as `usermock serve` makes it, and driven through `mock.handle` (the transport
// adds nothing per session). Prints one JSON line: RSS and heap in MB at each step.
import { API_MODULES, Mock, type MockRequest } from '../mocks/index.ts';
import { loadScenario } from '../cli/scenario.ts';

const SESSIONS = Number(process.argv[2] ?? 30);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const mock = new Mock(API_MODULES, { scenario: await loadScenario('large', API_MODULES) });
mock.world(); // as `usermock serve` does at start: the scenario's users are made now

function measure(): { rss: number; heap: number } {
  gc!();
  gc!();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: rss / 2 ** 20, heap: heapUsed / 2 ** 20 };
}

const { hoop } = mock.credentials();
const { id } = JSON.parse(
  (
    await mock.handle({
      method: 'GET',
      path: '/api/userinfo',
      query: new URLSearchParams(),
      headers: { authorization: hoop.admin },
      body: undefined,
    })
  ).body!,
) as { id: string };

const send = async (session: string, method: string, path: string, body?: unknown, authorization: string | null = hoop.admin) => {
  const request: MockRequest = {
    method,
    path,
    query: new URLSearchParams(),
    headers: {
      'x-usermock-session': session,
      ...(authorization === null ? {} : { authorization }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  return (await mock.handle(request)).status;
};

/** What a test's session typically does: read a user, create one, read it back. */
async function use(session: string): Promise<void> {
  const statuses = [
    await send(session, 'GET', `/api/users/${id}`),
    await send(session, 'POST', '/api/users', { email: `${session}@example.com`, name: 'Bench Session' }),
    await send(session, 'GET', `/api/users/${session}@example.com`),
  ];
  if (statuses.join() !== '200,201,200') throw new Error(`session ${session} answered ${statuses.join()}`);
}

const none = measure();
await use('bench-0');
const one = measure();
for (let i = 1; i <= SESSIONS; i++) await use(`bench-${i}`);
const many = measure();
// Unauthenticated requests with new session names: answered 401, no session held.
for (let i = 0; i < SESSIONS; i++) {
  if ((await send(`stranger-${i}`, 'GET', '/api/users', undefined, null)) !== 401) throw new Error('expected 401');
}
const strangers = measure();
const held = mock.limits().sessions.used;
console.log(JSON.stringify({ sessions: SESSIONS, none, one, many, strangers, held }));
