// The dashboard (`/__usermock/`, served by `usermock serve`'s transport) in Debian's Chromium: the
// seeded data, a user created through the API appearing live, a scenario answering the next call,
// a reset, no console errors, a narrow window and the keyboard. It also takes the README's screenshot.
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { openDashboard, type OpenDashboard } from './open-dashboard.ts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMock } from '../../mocks/index.ts';

const mock = createMock();
const admin = mock.credentials().hoop.admin;
let url: string;
let page: Page;
let consoleErrors: string[];
let dashboard: OpenDashboard | undefined;

beforeAll(async () => {
  dashboard = await openDashboard(mock);
  ({ url, page, consoleErrors } = dashboard);
});

afterAll(() => dashboard?.close());

/** Polls until the page catches up: the stream, the refresh after a write and the frame it renders in take a moment. */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });

const listUsers = () => fetch(`${url}/api/users`, { headers: { authorization: admin } });

const hoopUsers = () => page.getByRole('table', { name: /^hoop users/ });
/** The journal's entries, newest first: one row group each. */
const journal = () => page.locator('#journal-table tbody');

it('shows the mock live, steers it with scenarios and resets it, in Chromium', async () => {
  await page.goto(`${url}/__usermock/`);
  await eventually(() => page.locator('#live').textContent()).toBe('live');
  await eventually(() => hoopUsers().textContent()).toContain('jane@example.com');
  expect(await hoopUsers().textContent()).toContain('John Smith');

  // A user created through the API shows up in the table and the journal without a reload.
  const created = await fetch(`${url}/api/users`, {
    method: 'POST',
    headers: { authorization: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ada@example.com', name: 'Ada Lovelace' }),
  });
  expect(created.status).toBe(201);
  await eventually(() => hoopUsers().textContent()).toContain('ada@example.com');
  await eventually(() => journal().first().textContent()).toContain('POST /api/users');
  expect(await journal().first().textContent()).toContain('201');

  // Its JSON on click.
  await hoopUsers()
    .getByRole('row', { name: /ada@example\.com/ })
    .click();
  expect(JSON.parse((await page.locator('#record-json').textContent())!)).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });

  // hoop's listUsers documents 401 as its only error: the next answer is that, then the API's own again.
  await applyScenario('listUsers', '401', '1');
  await eventually(() => page.locator('#overrides').textContent()).toContain('hoop listUsers → 401 (1 more)');
  expect((await listUsers()).status).toBe(401);
  await eventually(() => journal().first().textContent()).toMatch(/401.*GET \/api\/users.*scenario/);
  await eventually(() => page.locator('#overrides').textContent()).not.toContain('listUsers');
  expect((await listUsers()).status).toBe(200);

  // Until cleared, then cleared from the list.
  await applyScenario('listUsers', '401', '');
  await eventually(() => page.locator('#overrides').textContent()).toContain('hoop listUsers → 401 (until cleared)');
  expect((await listUsers()).status).toBe(401);
  await eventually(() => journal().first().textContent()).toMatch(/401.*GET \/api\/users.*scenario/);

  // A request that breaks the spec is answered as the vendor does, and marked in the journal in plain words.
  const malformed = await fetch(`${url}/api/users`, {
    method: 'POST',
    headers: { authorization: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 42, name: 'Grace Hopper' }),
  });
  expect(malformed.status).toBe(400);
  const violated = page.locator('#journal-table tbody.violated').first();
  await eventually(() => violated.textContent()).toContain('breaks the spec');
  expect(await violated.textContent()).toContain('email');

  await mkdir('docs', { recursive: true });
  await page.screenshot({ path: 'docs/dashboard.png' });

  await page.getByRole('button', { name: /^Clear hoop listUsers/ }).click();
  await eventually(() => page.locator('#overrides').textContent()).not.toContain('listUsers');
  expect((await listUsers()).status).toBe(200);

  // The reset button is reached with Tab and works from the keyboard: the created user is gone.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let presses = 0; presses < 10 && (await focusedId()) !== 'reset-session'; presses++) await page.keyboard.press('Tab');
  expect(await focusedId()).toBe('reset-session');
  await page.keyboard.press('Enter');
  await eventually(() => hoopUsers().textContent()).not.toContain('ada@example.com');
  expect(await hoopUsers().textContent()).toContain('jane@example.com');

  // A narrow window stacks the panels, and nothing scrolls the page sideways.
  await page.setViewportSize({ width: 420, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  const data = (await page.locator('section[aria-labelledby="data-title"]').boundingBox())!;
  const scenarios = (await page.locator('section[aria-labelledby="scenarios-title"]').boundingBox())!;
  expect(scenarios.y).toBeGreaterThanOrEqual(data.y + data.height);

  expect(consoleErrors).toEqual([]);
});

async function applyScenario(operation: string, status: string, times: string): Promise<void> {
  await page.locator('#scenario-api').selectOption('hoop');
  await page.locator('#scenario-operation').selectOption(operation);
  await page.locator('#scenario-answer').selectOption(`status:${status}`);
  await page.locator('#scenario-times').fill(times);
  await page.getByRole('button', { name: 'Apply scenario' }).click();
}

function focusedId(): Promise<string | undefined> {
  return page.evaluate(() => document.activeElement?.id);
}
