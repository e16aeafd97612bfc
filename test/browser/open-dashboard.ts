// The dashboard of a mock, served over HTTP on a loopback port and open in Debian's Chromium, with
// the page's console errors collected: what every dashboard test starts from.
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Mock } from '../../mocks/index.ts';
import { createHttpServer, listen } from '../../mocks/server.ts';
import { CHROMIUM } from './chromium.ts';

export interface OpenDashboard {
  url: string;
  page: Page;
  /** Console errors and uncaught exceptions of the page, as they come. */
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function openDashboard(mock: Mock): Promise<OpenDashboard> {
  const server: Server = createHttpServer(mock);
  const url = await listen(server, 0, '127.0.0.1');
  const browser: Browser = await chromium.launch(CHROMIUM);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(10_000);
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return {
    url,
    page,
    consoleErrors,
    async close() {
      // The browser first: its event stream would otherwise try to reconnect to a closed server.
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
