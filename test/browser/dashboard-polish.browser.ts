// The dashboard's polish (issue 22 item 4) in Chromium: the status message follows the scenario it
// announced, a reset (its own or another client's) clears the selected record, every table column
// can be reached at 420, 1024 and 1400 px, and the scenario form shows only the fields that apply.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createMock } from '../../mocks/index.ts';
import { openDashboard, type OpenDashboard } from './open-dashboard.ts';

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

beforeEach(async () => {
  await fetch(`${url}/__usermock/reset`, { method: 'POST' });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${url}/__usermock/`);
  await eventually(() => page.locator('#live').textContent()).toBe('live');
  await eventually(() => hoopUsers().textContent()).toContain('jane@example.com');
});

const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });
const status = () => page.locator('#status').textContent();
const recordJson = () => page.locator('#record-json').textContent();
const hoopUsers = () => page.getByRole('table', { name: /^hoop users/ });
const listUsers = () => fetch(`${url}/api/users`, { headers: { authorization: admin } });

async function createUser(email: string): Promise<void> {
  const created = await fetch(`${url}/api/users`, {
    method: 'POST',
    headers: { authorization: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Someone New' }),
  });
  expect(created.status).toBe(201);
}

async function selectUser(email: string): Promise<void> {
  await eventually(() => hoopUsers().textContent()).toContain(email);
  await hoopUsers()
    .getByRole('row', { name: new RegExp(email.replace('.', '\\.')) })
    .click();
  expect(JSON.parse((await recordJson())!)).toMatchObject({ email });
}

it('the status message follows the scenario it announced: its answers left, gone once spent or cleared', async () => {
  await page.locator('#scenario-operation').selectOption('listUsers');
  await page.locator('#scenario-answer').selectOption('status:401');
  await page.locator('#scenario-times').fill('3');
  await page.getByRole('button', { name: 'Apply scenario' }).click();
  await eventually(status).toBe('Scenario on: hoop listUsers → 401 (3 more).');

  expect((await listUsers()).status).toBe(401);
  await eventually(status).toBe('Scenario on: hoop listUsers → 401 (2 more).');
  expect((await listUsers()).status).toBe(401);
  await eventually(status).toBe('Scenario on: hoop listUsers → 401 (1 more).');
  expect((await listUsers()).status).toBe(401);
  // Spent: the message goes with it.
  await eventually(status).toBe('');
  expect((await listUsers()).status).toBe(200);

  // Cleared by another client (not journalled: the page looks for itself).
  await page.locator('#scenario-times').fill('');
  await page.getByRole('button', { name: 'Apply scenario' }).click();
  await eventually(status).toBe('Scenario on: hoop listUsers → 401 (until cleared).');
  expect((await fetch(`${url}/__usermock/overrides`, { method: 'DELETE' })).status).toBe(204);
  await eventually(status).toBe('');
  await eventually(() => page.locator('#overrides').textContent()).toContain('None');

  // Another message is not touched by the looks.
  await page.getByRole('button', { name: 'Copy admin header' }).click();
  await eventually(status).toMatch(/Authorization/);
  await page.waitForTimeout(2500);
  expect(await status()).toMatch(/Authorization/);
  expect(consoleErrors).toEqual([]);
});

it('a reset clears the selected record: the dashboard’s own, and another client’s', async () => {
  await createUser('ada@example.com');
  await selectUser('ada@example.com');
  await page.getByRole('button', { name: /^Reset session/ }).click();
  await eventually(recordJson).toBe('Click a row to see its JSON.');
  expect(await page.locator('#record-title').textContent()).toBe('Selected record');
  expect(await hoopUsers().textContent()).not.toContain('ada@example.com');

  // Another client resets the mock: the record it removed is no longer shown either.
  await createUser('grace@example.com');
  await selectUser('grace@example.com');
  expect(await page.locator('tr[aria-current="true"]').textContent()).toContain('grace@example.com');
  expect((await fetch(`${url}/__usermock/reset`, { method: 'POST' })).status).toBe(204);
  await eventually(recordJson).toBe('Click a row to see its JSON.');
  await eventually(() => hoopUsers().textContent()).not.toContain('grace@example.com');
  expect(await page.locator('tr[aria-current="true"]').count()).toBe(0);

  // A record a reset keeps stays shown, as the seed has it again; the selection survives the tables' refreshes.
  await selectUser('jane@example.com');
  await createUser('alan@example.com');
  await eventually(() => hoopUsers().textContent()).toContain('alan@example.com');
  expect(JSON.parse((await recordJson())!)).toMatchObject({ email: 'jane@example.com' });
  expect(await page.locator('tr[aria-current="true"]').textContent()).toContain('jane@example.com');
  expect(consoleErrors).toEqual([]);
});

it('every table column can be reached at 420, 1024 and 1400 px: its box scrolls sideways or the table wraps, nothing cuts it', async () => {
  // Long journal entries too: a long path, and one that breaks the spec.
  await fetch(`${url}/api/users/7f3c2a1e-4b5d-4e6f-8a9b-0c1d2e3f4a5b/and/a/path/no/operation/has`, { headers: { authorization: admin } });
  await listUsers();
  await eventually(() => page.locator('#journal-table tbody').count()).toBe(2);
  for (const width of [420, 1024, 1400]) {
    await page.setViewportSize({ width, height: 900 });
    for (const api of ['hoop', 'amani', 'haplo']) {
      await page.getByRole('group', { name: 'API shown' }).getByRole('button', { name: api, exact: true }).click();
      await eventually(() => page.locator('table.records').first().textContent()).toContain(`${api} `);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
      const tables = await page.evaluate(columnsReached);
      expect(tables.length).toBeGreaterThanOrEqual(2);
      for (const table of tables) expect(table, `${table.name} at ${width} px`).toMatchObject({ problems: [] });
      // hoop's users at 1400 px: its last column, role, is reached (the box scrolls there).
      if (api === 'hoop') expect(tables.find(({ name }) => name.startsWith('hoop users'))!.last).toBe('role');
    }
    // The journal wraps its long cells rather than scroll, from 1024 px up.
    if (width >= 1024) {
      expect(
        await page.evaluate(() => {
          const box = document.querySelector('#journal-table')!.closest('.scroll')!;
          return box.scrollWidth <= box.clientWidth;
        }),
      ).toBe(true);
    }
  }

  // A box that scrolls takes focus, and the arrow keys scroll it: the keyboard reaches every column too.
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.getByRole('group', { name: 'API shown' }).getByRole('button', { name: 'hoop', exact: true }).click();
  const box = page.getByRole('region', { name: 'hoop users table' });
  await box.focus();
  expect(await box.evaluate((element) => element.scrollLeft)).toBe(0);
  await page.keyboard.press('End');
  for (let presses = 0; presses < 40; presses++) await page.keyboard.press('ArrowRight');
  expect(await box.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
  expect(consoleErrors).toEqual([]);
});

/**
 * Each table's headers as the page lays them out: each within its scroll box's scrollable width, none
 * clipped by an `overflow: hidden` (or `clip`) box between it and the page, none cut short itself,
 * the box scrolling sideways when the table is wider than it, and the last header in view once the
 * box is scrolled to its end. Runs in the page.
 */
function columnsReached() {
  return [...document.querySelectorAll('table')].map((table) => {
    const problems: string[] = [];
    const headers = [...table.querySelectorAll('thead th')] as HTMLElement[];
    const box = table.closest('.scroll') as HTMLElement | null;
    const name = table.caption?.textContent?.trim() ?? '';
    if (!box) return { name, last: undefined, problems: ['no scroll box'] };
    const overflowX = getComputedStyle(box).overflowX;
    if (box.scrollWidth > box.clientWidth && overflowX !== 'auto' && overflowX !== 'scroll')
      problems.push(`wider than its box, which does not scroll (${overflowX})`);
    for (let element = box.parentElement; element && element !== document.body; element = element.parentElement) {
      const { overflowX: ancestor } = getComputedStyle(element);
      if (ancestor === 'hidden' || ancestor === 'clip')
        problems.push(`${element.tagName}.${element.className} clips with overflow ${ancestor}`);
    }
    const boxRect = box.getBoundingClientRect();
    if (boxRect.left < 0 || boxRect.right > document.documentElement.clientWidth + 0.5) problems.push('its box is outside the window');
    for (const header of headers) {
      for (let element = header.parentElement; element && element !== box; element = element.parentElement) {
        const { overflowX: inner } = getComputedStyle(element);
        if (inner === 'hidden' || inner === 'clip') problems.push(`${header.textContent} clipped by ${element.tagName}`);
      }
      if (header.scrollWidth > header.clientWidth) problems.push(`${header.textContent} is cut short`);
      const left = header.getBoundingClientRect().left - boxRect.left - box.clientLeft + box.scrollLeft;
      if (left + header.offsetWidth > box.scrollWidth + 0.5) problems.push(`${header.textContent} lies past the scrollable width`);
    }
    const previous = box.scrollLeft;
    box.scrollLeft = box.scrollWidth;
    const last = headers.at(-1);
    if (last) {
      const rect = last.getBoundingClientRect();
      const right = boxRect.left + box.clientLeft + box.clientWidth;
      if (rect.right > right + 0.5 || rect.left < boxRect.left) problems.push(`${last.textContent} is not in view at the box's end`);
    }
    box.scrollLeft = previous;
    return { name, last: last?.textContent ?? undefined, problems };
  });
}

it('the scenario form shows only the fields the chosen answer takes', async () => {
  const delay = page.getByLabel('Delay (ms)');
  const times = page.getByLabel('For the next N answers');
  const answer = page.locator('#scenario-answer');
  await page.locator('#scenario-operation').selectOption('listUsers');
  // An error answer: no delay (it is answered at once); the number of answers applies to every answer.
  await answer.selectOption('status:401');
  await expect.poll(() => delay.isVisible()).toBe(false);
  expect(await times.isVisible()).toBe(true);
  // An empty list: offered only where the operation answers a list; no delay either.
  await answer.selectOption('empty');
  expect(await delay.isVisible()).toBe(false);
  // A slow answer: the delay, required.
  await answer.selectOption('slow');
  expect(await delay.isVisible()).toBe(true);
  expect(await delay.evaluate((input: HTMLInputElement) => input.required && !input.disabled)).toBe(true);
  // A hidden field is out of the tab order: Tab from the answer goes to the next field that applies.
  await answer.selectOption('status:401');
  await answer.focus();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('scenario-times');
  await answer.selectOption('slow');
  await answer.focus();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('scenario-delay');

  // getUser answers no list: no "empty list" to choose.
  await page.locator('#scenario-operation').selectOption('getUser');
  const answers = await answer.locator('option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
  expect(answers).not.toContain('empty');
  expect(answers).toContain('slow');

  // What the form sends is what the shown fields say: a slow answer with its delay, an error without one.
  await page.locator('#scenario-operation').selectOption('listUsers');
  await answer.selectOption('slow');
  await delay.fill('5');
  await page.getByRole('button', { name: 'Apply scenario' }).click();
  await eventually(status).toBe('Scenario on: hoop listUsers → 5 ms late (until cleared).');
  await answer.selectOption('status:401');
  await page.getByRole('button', { name: 'Apply scenario' }).click();
  await eventually(status).toBe('Scenario on: hoop listUsers → 401 (until cleared).');
  const overrides = await (await fetch(`${url}/__usermock/overrides`)).json();
  expect(overrides).toEqual([
    expect.objectContaining({ operationId: 'listUsers', delay: 5 }),
    expect.not.objectContaining({ delay: expect.anything() }),
  ]);
  expect(consoleErrors).toEqual([]);
});
