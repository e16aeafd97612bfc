// The browser proof: examples/browser/ in Debian's Chromium, with `usermock/browser`'s service
// worker answering all three APIs at their documented paths with the documented statuses and bodies.
import { mkdir, readFile } from 'node:fs/promises';
import { API_MODULES, checkScenario, createMock } from '../../mocks/index.ts';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from './chromium.ts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveExample, type ExampleServer } from '../../examples/browser/serve.ts';

let server: ExampleServer;
let browser: Browser;
let page: Page;
const apiResponses: { path: string; fromServiceWorker: boolean }[] = [];

beforeAll(async () => {
  server = await serveExample();
  browser = await chromium.launch(CHROMIUM);
  page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  page.setDefaultTimeout(20_000);
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith('/api/'))
      apiResponses.push({ path: url.pathname + url.search, fromServiceWorker: response.fromServiceWorker() });
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('answers all three APIs from the service worker in Chromium', async () => {
  await page.goto(server.url);
  await page.waitForSelector('body[data-done="true"]');
  await mkdir('reports', { recursive: true });
  await page.screenshot({ path: 'reports/browser.png', fullPage: true });

  expect(await page.textContent('#summary')).toBe('12 calls done.');
  const results: { body: any }[] = await page.evaluate('window.__usermockResults');
  const [hoopCreated, , , , amaniCreated, , , , haploCreated] = results.map((result) => result.body);
  expect(results).toMatchObject([
    { api: 'hoop', operation: 'create', status: 201, body: { email: 'ada@example.com', name: 'Ada Lovelace', groups: ['sre'] } },
    { api: 'hoop', operation: 'read', status: 200, body: { id: hoopCreated.id, email: 'ada@example.com' } },
    { api: 'hoop', operation: 'list', status: 200, body: expect.arrayContaining([expect.objectContaining({ id: hoopCreated.id })]) },
    { api: 'hoop', operation: 'duplicate', status: 409, body: { message: 'user already exists with email ada@example.com' } },
    { api: 'amani', operation: 'create', status: 201, body: { email: 'ada@example.com', first_name: 'Ada', groups: [{ id: 1 }] } },
    {
      api: 'amani',
      operation: 'log in',
      status: 200,
      body: { id: amaniCreated.id, access: expect.any(String), refresh: expect.any(String) },
    },
    { api: 'amani', operation: 'list groups', status: 200, body: expect.arrayContaining([expect.objectContaining({ id: 1 })]) },
    { api: 'amani', operation: 'invalid email', status: 400, body: { email: ['Enter a valid email address.'] } },
    {
      api: 'haplo',
      operation: 'create',
      status: 200,
      body: { success: true, kind: 'haplo:api-v0:user:create', user: { email: 'ada@example.com', tags: { username: 'ada' } } },
    },
    {
      api: 'haplo',
      operation: 'read',
      status: 200,
      body: { success: true, kind: 'haplo:api-v0:user:details', user: { id: haploCreated.user.id } },
    },
    { api: 'haplo', operation: 'find by tag', status: 200, body: { success: true, users: [haploCreated.user.id] } },
    { api: 'haplo', operation: 'no credentials', status: 403, body: { success: false, kind: 'UNAUTHORISED' } },
  ]);

  // The static server has no /api/ routes; this shows the answers came from the worker, not it.
  expect(apiResponses).toHaveLength(12);
  expect(apiResponses.filter((response) => !response.fromServiceWorker)).toEqual([]);
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}mockServiceWorker.js`);
});

it('starts from a shipped scenario in the browser as in Node (the same users, the same roles)', async () => {
  const scenario = checkScenario(JSON.parse(await readFile('scenarios/admins-only.json', 'utf8')), API_MODULES);
  const inNode = createMock({ scenario });
  const listed = await inNode.handle({
    method: 'GET',
    path: '/api/users',
    query: new URLSearchParams(),
    headers: { authorization: inNode.credentials().hoop.admin },
    body: undefined,
  });
  const expected = (JSON.parse(listed.body!) as { email: string; role: string }[]).map(({ email, role }) => ({ email, role }));

  const context = await browser.newContext();
  try {
    const scenarioPage = await context.newPage();
    await scenarioPage.goto(`${server.url}?scenario=admins-only`);
    await scenarioPage.waitForSelector('body[data-done="true"]');
    expect(await scenarioPage.textContent('#summary')).toBe('admins-only: 5 hoop users.');
    expect(await scenarioPage.evaluate('window.__usermockScenario')).toEqual(expected);
    expect(expected.filter((user) => user.role === 'admin')).toHaveLength(4);
  } finally {
    await context.close();
  }
});
