// The control plane against real pages in Chromium: a page from another origin — a non-loopback
// name (evil.localtest, mapped to 127.0.0.1 by --host-resolver-rules), and a page whose name was
// rebound to the mock itself (DNS rebinding) — can neither read the credentials nor reset the
// state; one on another loopback port (a frontend's dev server) can, until a control token closes
// it; the mock's own dashboard works, with a control token too.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMock, type BuiltInApi, type Mock } from '../../mocks/index.ts';
import type { ControlPlaneOptions } from '../../mocks/control-plane.ts';
import { createHttpServer, listen } from '../../mocks/server.ts';
import { CHROMIUM } from './chromium.ts';

const EVIL = 'evil.localtest';
const TOKEN = 'browser-token';
const servers: Server[] = [];
let browser: Browser;
/** Where the attacker's page is served: a port of its own on 127.0.0.1. */
let attackerPort: number;

async function startMock(options?: ControlPlaneOptions): Promise<{ url: string; mock: Mock<BuiltInApi> }> {
  const mock = createMock({ users: 3 });
  const server = createHttpServer(mock, options);
  servers.push(server);
  return { url: await listen(server, 0, '127.0.0.1'), mock };
}

beforeAll(async () => {
  // Any page: the attack is the script evaluated in it.
  const attacker = createServer((_, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'),
  );
  servers.push(attacker);
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerPort = (attacker.address() as AddressInfo).port;
  browser = await chromium.launch({ ...CHROMIUM, args: [...CHROMIUM.args!, `--host-resolver-rules=MAP ${EVIL} 127.0.0.1`] });
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function pageAt(url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(url);
  return page;
}

/**
 * What a page's script gets from the mock's control endpoints: the credentials if it can read them
 * (or why not), and the answers to its resets — a CORS-mode simple POST (no preflight) and a no-cors
 * one, whose answer it cannot see but which would still reset a mock that only relied on CORS.
 */
function attack(page: Page, mockUrl: string) {
  return page.evaluate(async (target) => {
    const read = await fetch(`${target}/__usermock/credentials`, { credentials: 'include' }).then(
      async (response) => `read ${response.status}: ${await response.text()}`,
      (error: Error) => `blocked: ${error.name}`,
    );
    const simple = await fetch(`${target}/__usermock/reset`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }).then(
      (response) => `answered ${response.status}`,
      (error: Error) => `blocked: ${error.name}`,
    );
    await fetch(`${target}/__usermock/reset`, { method: 'POST', mode: 'no-cors' });
    return { read, simple };
  }, mockUrl);
}

it('a page on another origin — another name — can neither read the credentials nor reset the state', async () => {
  const { url, mock } = await startMock();
  mock.addUser('hoop', { email: 'survivor@example.com' });
  const page = await pageAt(`http://${EVIL}:${attackerPort}/`);
  for (const target of [url, `http://localhost:${new URL(url).port}`]) {
    const { read, simple } = await attack(page, target);
    expect(read, target).toBe('blocked: TypeError');
    expect(simple, target).toBe('blocked: TypeError');
  }
  expect(mock.state('hoop').findByEmail('survivor@example.com'), 'the state was reset').toBeDefined();
  await page.context().close();
});

it('a page on another loopback port may drive it (a frontend’s dev server), unless a control token closes it', async () => {
  const elsewhere = `http://127.0.0.1:${attackerPort}/`;
  const open = await startMock();
  const frontend = await pageAt(elsewhere);
  expect((await attack(frontend, open.url)).read).toContain(open.mock.credentials().hoop.admin);

  const guarded = await startMock({ controlToken: TOKEN });
  guarded.mock.addUser('hoop', { email: 'survivor@example.com' });
  const { read, simple } = await attack(frontend, guarded.url);
  expect(read).toMatch(/^read 401: .*control token/);
  expect(simple).toBe('answered 401');
  expect(guarded.mock.state('hoop').findByEmail('survivor@example.com'), 'the state was reset').toBeDefined();
  await frontend.context().close();
});

it('a page whose name was rebound to the mock (DNS rebinding) is refused: its Host is not the mock’s', async () => {
  const { url, mock } = await startMock();
  mock.addUser('hoop', { email: 'survivor@example.com' });
  // The end state of a rebinding: the page's origin is evil.localtest:<the mock's port>, and its
  // "same-origin" requests reach the mock.
  const rebound = `http://${EVIL}:${new URL(url).port}`;
  const page = await pageAt(`${rebound}/elsewhere`);
  const { read, simple } = await attack(page, rebound);
  expect(read).toMatch(/^read 403: .*--allowed-hosts evil\.localtest/);
  expect(read).not.toContain(mock.credentials().hoop.admin);
  expect(simple).toBe('answered 403');
  expect(mock.state('hoop').findByEmail('survivor@example.com')).toBeDefined();
  await page.context().close();
});

it('the dashboard served by the mock works; with a control token, from its link', async () => {
  const { url } = await startMock();
  const open = await pageAt(`${url}/__usermock/`);
  await expect.poll(() => open.locator('#live').textContent()).toBe('live');
  await expect.poll(() => open.getByRole('table', { name: /^hoop users/ }).textContent()).toContain('jane@example.com');
  await open.context().close();

  const guarded = await startMock({ controlToken: TOKEN });
  // Without the token the page loads, and says what it needs.
  const outsider = await pageAt(`${guarded.url}/__usermock/`);
  await expect.poll(() => outsider.locator('#status').textContent()).toContain('control token');
  await outsider.context().close();

  const owner = await pageAt(`${guarded.url}/__usermock/?token=${TOKEN}`);
  expect(owner.url(), 'the token is out of the address bar').toBe(`${guarded.url}/__usermock/`);
  await expect.poll(() => owner.locator('#live').textContent()).toBe('live');
  await expect.poll(() => owner.getByRole('table', { name: /^hoop users/ }).textContent()).toContain('jane@example.com');
  guarded.mock.addUser('hoop', { email: 'added@example.com' });
  await owner.getByRole('button', { name: 'Reset all sessions' }).click();
  await expect.poll(() => guarded.mock.state('hoop').findByEmail('added@example.com')).toBeUndefined();
  const [cookie] = await owner.context().cookies();
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/__usermock/' });
  // No script reads it: HttpOnly.
  expect(await owner.evaluate(() => document.cookie)).toBe('');
  await owner.context().close();
});
