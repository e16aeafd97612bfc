// The dashboard's server side (mocks/server.ts): its files, from source and from the built CLI,
// and its event stream — subscribed to the journal only while someone watches, never holding up close().
import type { Server } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMock } from '../../mocks/index.ts';
import { createHttpServer, listen } from '../../mocks/server.ts';
import { serve } from '../helpers/cli.ts';

let server: Server | undefined;

afterEach(async () => {
  // All connections, as test/helpers/server.ts does: undici opens a spare one after an aborted fetch, which close() would wait out.
  server?.closeAllConnections();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

async function start(mock = createMock({ users: 3 })): Promise<string> {
  server = createHttpServer(mock);
  return listen(server, 0, '127.0.0.1');
}

/** An event stream read as text: `next` waits for what matches, past what earlier calls took. */
function eventStream(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    async next(pattern: RegExp): Promise<RegExpExecArray> {
      for (;;) {
        const match = pattern.exec(text);
        if (match) {
          text = text.slice(match.index + match[0].length);
          return match;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    },
    async ended(): Promise<boolean> {
      return (await reader.read()).done;
    },
  };
}

describe('the dashboard', () => {
  it('is served at /__usermock/ with its assets, each with its content type', async () => {
    const url = await start();
    for (const [path, type] of [
      ['/__usermock/', 'text/html; charset=utf-8'],
      ['/__usermock', 'text/html; charset=utf-8'],
      ['/__usermock/dashboard/dashboard.js', 'text/javascript; charset=utf-8'],
      ['/__usermock/dashboard/dashboard.css', 'text/css; charset=utf-8'],
    ]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(type);
      expect((await response.text()).length, path).toBeGreaterThan(100);
    }
  });

  it('leaves every other path to the core, as before', async () => {
    const url = await start();
    const unknownAsset = await fetch(`${url}/__usermock/dashboard/server.ts`);
    expect(unknownAsset.status).toBe(404);
    expect(await unknownAsset.json()).toEqual({ message: 'no control endpoint GET /__usermock/dashboard/server.ts' });
    const posted = await fetch(`${url}/__usermock/`, { method: 'POST' });
    expect(posted.status).toBe(404);
  });

  it('streams every journal entry, subscribed to the journal only while a client is connected', async () => {
    const mock = createMock({ users: 3 });
    let subscribed = 0;
    const subscribe = mock.journal.subscribe.bind(mock.journal);
    vi.spyOn(mock.journal, 'subscribe').mockImplementation((listener) => {
      subscribed++;
      const unsubscribe = subscribe(listener);
      return () => {
        subscribed--;
        unsubscribe();
      };
    });
    const url = await start(mock);
    await fetch(`${url}/api/users`);
    expect(subscribed).toBe(0);

    const watching = new AbortController();
    const response = await fetch(`${url}/__usermock/events`, { signal: watching.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const stream = eventStream(response);
    await stream.next(/: usermock journal\n\n/);
    expect(subscribed).toBe(1);

    await fetch(`${url}/api/users`, { headers: { 'x-usermock-session': 'tab-1' } });
    const [, data] = await stream.next(/event: request\ndata: (.*)\n\n/);
    expect(JSON.parse(data!)).toMatchObject({ session: 'tab-1', method: 'GET', path: '/api/users', status: 401, api: 'hoop' });

    watching.abort();
    await vi.waitFor(() => expect(subscribed).toBe(0));
  });

  it('does not keep close() waiting for an open stream', async () => {
    const url = await start();
    const stream = eventStream(await fetch(`${url}/__usermock/events`));
    await stream.next(/: usermock journal\n\n/);
    const closing = Date.now();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    expect(Date.now() - closing).toBeLessThan(1000);
    expect(await stream.ended()).toBe(true);
  });

  it('is served by the built CLI from dist/', async () => {
    const served = await serve(['--users', '3']);
    try {
      const page = await fetch(`${served.url}/__usermock/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('/__usermock/dashboard/dashboard.js');
      const script = await fetch(`${served.url}/__usermock/dashboard/dashboard.js`);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    } finally {
      await served.stop();
    }
  });
});
