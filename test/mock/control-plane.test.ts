// The control plane (`/__usermock/…` and the dashboard) over HTTP answers only its owner
// (mocks/control-plane.ts): Origin, Host, Sec-Fetch-Site and the control token, and how each is
// opened deliberately — while the APIs' own routes go on answering frontends on any origin.
import type { Server } from 'node:http';
import { request, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlPlaneOptions } from '../../mocks/control-plane.ts';
import { createMock, type Mock, type BuiltInApi } from '../../mocks/index.ts';
import { createHttpServer, listen } from '../../mocks/server.ts';

let server: Server | undefined;
let mock: Mock<BuiltInApi>;

afterEach(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

async function start(options?: ControlPlaneOptions): Promise<string> {
  mock = createMock({ users: 2 });
  server = createHttpServer(mock, options);
  return listen(server, 0, '127.0.0.1');
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request with any headers, `Host` included (fetch may not set it). */
function send(url: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

const CONTROL_READS = ['/__usermock/credentials', '/__usermock/state', '/__usermock/overrides', '/__usermock/limits'];
const EVIL = 'http://evil.example';

/** Whether hoop's created user survived: a refused reset must not have run. */
async function resetRefused(url: string, headers: Record<string, string>): Promise<Answer> {
  if (!mock.state('hoop').findByEmail('kept@example.com')) mock.addUser('hoop', { email: 'kept@example.com' });
  const answer = await send(url, '/__usermock/reset', { method: 'POST', headers });
  expect(mock.state('hoop').findByEmail('kept@example.com'), 'the reset ran').toBeDefined();
  return answer;
}

describe('Origin', () => {
  it('lets clients without one (curl, tests) and pages on loopback origins or the mock’s own drive it', async () => {
    const url = await start();
    for (const origin of [
      undefined,
      url,
      'http://localhost:5173',
      'https://localhost',
      'http://127.0.0.1:3000',
      'http://[::1]:8080',
      'http://app.localhost:3000',
    ]) {
      const headers: Record<string, string> = origin ? { origin } : {};
      for (const path of CONTROL_READS) expect((await send(url, path, { headers })).status, `${origin} ${path}`).toBe(200);
      const credentials = await send(url, '/__usermock/credentials', { headers });
      if (origin)
        expect([credentials.headers['access-control-allow-origin'], credentials.headers['access-control-allow-credentials']]).toEqual([
          origin,
          'true',
        ]);
      expect(JSON.parse(credentials.body).hoop.admin).toBe(mock.credentials().hoop.admin);
      expect((await send(url, '/__usermock/reset', { method: 'POST', headers })).status).toBe(204);
    }
    const preflight = await send(url, '/__usermock/reset', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect([preflight.status, preflight.headers['access-control-allow-origin']]).toEqual([204, 'http://localhost:5173']);
  });

  it('refuses any other origin with a 403 naming --cors-origin: no credentials, no reset, no overrides, no dashboard', async () => {
    const url = await start();
    for (const path of [
      ...CONTROL_READS,
      '/__usermock/requests',
      '/__usermock/events',
      '/__usermock/',
      '/__usermock/dashboard/dashboard.js',
    ]) {
      const answer = await send(url, path, { headers: { origin: EVIL } });
      expect(answer.status, path).toBe(403);
      expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(answer.headers['access-control-allow-origin'], path).toBeUndefined();
      expect(answer.body).toContain(`--cors-origin ${EVIL}`);
      expect(answer.body).not.toContain(mock.credentials().hoop.admin);
    }
    // A no-cors POST (a form, fetch mode no-cors) needs no preflight: the 403 is what stops it.
    expect((await resetRefused(url, { origin: EVIL })).status).toBe(403);
    const planted = await send(url, '/__usermock/overrides', { method: 'POST', headers: { origin: EVIL, 'content-type': 'text/plain' } });
    expect(planted.status).toBe(403);
    const preflight = await send(url, '/__usermock/overrides', {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect([preflight.status, preflight.headers['access-control-allow-origin']]).toEqual([403, undefined]);
  });

  it('refuses Origin null: a sandboxed frame or a file:// page could be anyone’s', async () => {
    const url = await start();
    const answer = await send(url, '/__usermock/credentials', { headers: { origin: 'null' } });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/Origin null/);
    expect((await resetRefused(url, { origin: 'null' })).status).toBe(403);
  });

  it('refuses a cross-site request without an Origin, except a navigation (its answer goes to the user, not the page)', async () => {
    const url = await start();
    const crossSite = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' };
    expect((await resetRefused(url, crossSite)).status).toBe(403);
    expect((await send(url, '/__usermock/credentials', { headers: crossSite })).status).toBe(403);
    const link = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' };
    expect((await send(url, '/__usermock/', { headers: link })).status).toBe(200);
    expect((await resetRefused(url, link)).status).toBe(403);
    // A cross-site request from an origin that is allowed goes through: localhost:3000 → 127.0.0.1 is cross-site.
    expect((await send(url, '/__usermock/credentials', { headers: { ...crossSite, origin: 'http://localhost:3000' } })).status).toBe(200);
    expect((await send(url, '/__usermock/credentials', { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  });

  it('--cors-origin opens it to the origins named, and only those', async () => {
    const url = await start({ corsOrigins: ['https://team.example', 'HTTP://Other.example:8080/'] });
    for (const origin of ['https://team.example', 'http://other.example:8080']) {
      const answer = await send(url, '/__usermock/credentials', { headers: { origin } });
      expect([answer.status, answer.headers['access-control-allow-origin']]).toEqual([200, origin]);
    }
    for (const origin of ['http://team.example', 'https://team.example:8443', EVIL]) {
      expect((await send(url, '/__usermock/credentials', { headers: { origin } })).status, origin).toBe(403);
    }
  });
});

describe('Host', () => {
  it('refuses a name that is not this machine (DNS rebinding), naming --allowed-hosts', async () => {
    const url = await start();
    for (const path of ['/__usermock/credentials', '/__usermock/', '/__usermock/events']) {
      const answer = await send(url, path, { headers: { host: 'evil.example:4010' } });
      expect(answer.status, path).toBe(403);
      expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(answer.body).toContain('--allowed-hosts evil.example');
    }
    // Same-origin as far as the browser knows: the page's Origin is the rebound name.
    expect((await resetRefused(url, { host: 'evil.example:4010', origin: 'http://evil.example:4010' })).status).toBe(403);
  });

  it('answers loopback names and IP addresses: no rebinding reaches them', async () => {
    const url = await start();
    const port = new URL(url).port;
    for (const host of [`localhost:${port}`, 'app.localhost', `127.0.0.1:${port}`, `[::1]:${port}`, '192.168.1.20:4010', 'LOCALHOST.']) {
      expect((await send(url, '/__usermock/credentials', { headers: { host } })).status, host).toBe(200);
    }
  });

  it('--allowed-hosts opens it to the names given, a leading dot for subdomains, or all', async () => {
    let url = await start({ allowedHosts: ['usermock.internal', '.sandbox.example'] });
    for (const host of ['usermock.internal', 'USERMOCK.internal:4010', 'sandbox.example', 'a.sandbox.example']) {
      expect((await send(url, '/__usermock/credentials', { headers: { host } })).status, host).toBe(200);
    }
    for (const host of ['evil.example', 'usermock.internal.evil.example', 'notsandbox.example']) {
      expect((await send(url, '/__usermock/credentials', { headers: { host } })).status, host).toBe(403);
    }
    await new Promise((resolve) => server!.close(resolve));
    url = await start({ allowedHosts: true });
    expect((await send(url, '/__usermock/credentials', { headers: { host: 'evil.example' } })).status).toBe(200);
  });
});

describe('the APIs’ own routes', () => {
  it('keep answering frontends on any origin and any Host, CORS as before', async () => {
    const url = await start({ controlToken: 'not-for-the-apis' });
    const authorization = mock.credentials().hoop.admin;
    const answer = await send(url, '/api/users', {
      headers: { authorization, origin: EVIL, host: 'usermock:4010', 'sec-fetch-site': 'cross-site' },
    });
    expect([answer.status, answer.headers['access-control-allow-origin']]).toEqual([200, EVIL]);
    const preflight = await send(url, '/api/users', {
      method: 'OPTIONS',
      headers: { origin: 'null', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect([preflight.status, preflight.headers['access-control-allow-origin']]).toEqual([204, 'null']);
  });
});

describe('--control-token', () => {
  const TOKEN = 'correct horse battery staple';

  it('is required on every control endpoint: as a Bearer, in its header, or in the dashboard’s cookie', async () => {
    const url = await start({ controlToken: TOKEN });
    for (const path of [...CONTROL_READS, '/__usermock/events']) {
      const answer = await send(url, path);
      expect(answer.status, path).toBe(401);
      expect(answer.body).toContain('--control-token');
    }
    expect((await resetRefused(url, {})).status).toBe(401);
    expect((await resetRefused(url, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await resetRefused(url, { 'x-usermock-control-token': `${TOKEN}!` })).status).toBe(401);
    expect((await send(url, '/__usermock/credentials', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await send(url, '/__usermock/credentials', { headers: { 'x-usermock-control-token': TOKEN } })).status).toBe(200);
    // Origin and Host are still checked: the token does not stand in for them.
    expect((await send(url, '/__usermock/credentials', { headers: { authorization: `Bearer ${TOKEN}`, origin: EVIL } })).status).toBe(403);
    // A preflight carries no token; what follows it does.
    const preflight = await send(url, '/__usermock/credentials', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-headers': 'x-usermock-control-token' },
    });
    expect(preflight.status).toBe(204);
  });

  it('lets the dashboard in through its link once: the token becomes an HttpOnly, SameSite=Strict cookie', async () => {
    const url = await start({ controlToken: TOKEN });
    // The page and its files are the same for everyone; its calls are what need the token.
    expect((await send(url, '/__usermock/')).status).toBe(200);
    expect((await send(url, '/__usermock/dashboard/dashboard.js')).status).toBe(200);
    expect((await send(url, '/__usermock/?token=guess')).status).toBe(403);
    const link = await send(url, `/__usermock/?token=${encodeURIComponent(TOKEN)}`);
    expect([link.status, link.headers.location]).toEqual([303, '/__usermock/']);
    const [cookie] = link.headers['set-cookie']!;
    expect(cookie).toMatch(/^usermock-control-\d+=[^;]+; Path=\/__usermock\/; HttpOnly; SameSite=Strict$/);
    const pair = cookie!.split(';')[0]!;
    expect((await send(url, '/__usermock/credentials', { headers: { cookie: `other=1; ${pair}` } })).status).toBe(200);
    expect((await send(url, '/__usermock/credentials', { headers: { cookie: pair.replace(/=.*/, '=wrong') } })).status).toBe(401);
    expect((await send(url, '/__usermock/credentials', { headers: { cookie: pair.replace(/=.*/, '=%E0%A4%A') } })).status).toBe(401);
  });
});
