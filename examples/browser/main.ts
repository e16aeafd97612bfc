// Calls all three APIs with plain fetch and relative URLs: the usermock service worker answers
// them, so the page works with nothing but a static file server behind it.
import { createMockWorker, mock, worker, type Scenario } from 'usermock/browser';
import adminsOnly from 'usermock/scenarios/admins-only.json' with { type: 'json' };

interface Result {
  api: 'hoop' | 'amani' | 'haplo';
  operation: string;
  method: string;
  path: string;
  status: number;
  body: unknown;
}

declare global {
  interface Window {
    __usermockResults?: Result[];
    /** With `?scenario=admins-only`: hoop's users as the page sees them (email and role). */
    __usermockScenario?: { email: string; role: string }[];
  }
}

const results: Result[] = [];
const credentials = mock.credentials();

async function call(
  api: Result['api'],
  operation: string,
  method: string,
  path: string,
  auth: 'admin' | null,
  body?: unknown,
): Promise<any> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = credentials[api][auth];
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const result: Result = { api, operation, method, path, status: response.status, body: text ? JSON.parse(text) : null };
  results.push(result);
  render(result);
  return result.body;
}

function render({ api, operation, method, path, status, body }: Result): void {
  const json = JSON.stringify(body);
  const cells = {
    api,
    operation,
    request: `${method} ${path}`,
    status: String(status),
    body: json.length > 90 ? `${json.slice(0, 90)}…` : json,
  };
  const row = document.createElement('tr');
  for (const [name, text] of Object.entries(cells)) Object.assign(row.insertCell(), { className: name, textContent: text });
  document.getElementById('results')!.append(row);
}

async function run(): Promise<void> {
  await worker.start({ serviceWorker: { url: '/mockServiceWorker.js' }, onUnhandledRequest: 'bypass', quiet: true });

  const hoopUser = { email: 'ada@example.com', name: 'Ada Lovelace', groups: ['sre'] };
  await call('hoop', 'create', 'POST', '/api/users', 'admin', hoopUser);
  await call('hoop', 'read', 'GET', `/api/users/${hoopUser.email}`, 'admin');
  await call('hoop', 'list', 'GET', '/api/users', 'admin');
  await call('hoop', 'duplicate', 'POST', '/api/users', 'admin', hoopUser);

  const amaniUser = { email: 'ada@example.com', password: 'pa55word!', first_name: 'Ada', groups: [1] };
  await call('amani', 'create', 'POST', '/api/v2/user', 'admin', amaniUser);
  // Amani has no endpoint to fetch one user: logging in with the new password reads it back.
  await call('amani', 'log in', 'POST', '/api/v2/user/login', null, { username: amaniUser.email, password: amaniUser.password });
  await call('amani', 'list groups', 'GET', '/api/v2/group', 'admin');
  await call('amani', 'invalid email', 'POST', '/api/v2/user', 'admin', { ...amaniUser, email: 'not-an-email' });

  const created = await call('haplo', 'create', 'POST', '/api/v0-user/create', 'admin', {
    nameFirst: 'Ada',
    nameLast: 'Lovelace',
    email: 'ada@example.com',
    tags: { username: 'ada' },
  });
  await call('haplo', 'read', 'GET', `/api/v0-user/id/${created.user.id}`, 'admin');
  await call('haplo', 'find by tag', 'GET', '/api/v0-user/find-by-tag?tag:username=ada', 'admin');
  await call('haplo', 'no credentials', 'GET', '/api/v0-user/find-by-tag?tag:username=ada', null);
}

/** `?scenario=admins-only`: a worker whose mock starts from the shipped scenario, as in `serve --scenario` and Node tests. */
async function runScenario(): Promise<string> {
  const { worker: scenarioWorker, mock: scenarioMock } = createMockWorker({ scenario: adminsOnly as Scenario });
  await scenarioWorker.start({ serviceWorker: { url: '/mockServiceWorker.js' }, onUnhandledRequest: 'bypass', quiet: true });
  const response = await fetch('/api/users', { headers: { authorization: scenarioMock.credentials().hoop.admin } });
  const users = (await response.json()) as { email: string; role: string }[];
  window.__usermockScenario = users.map(({ email, role }) => ({ email, role }));
  return `admins-only: ${users.length} hoop users.`;
}

(new URLSearchParams(location.search).get('scenario') === 'admins-only' ? runScenario() : run().then(() => `${results.length} calls done.`))
  .catch((error: unknown) => `Failed: ${error instanceof Error ? error.message : String(error)}`)
  .then((summary) => {
    document.getElementById('summary')!.textContent = summary;
    window.__usermockResults = results;
    document.body.dataset.done = 'true';
  });
