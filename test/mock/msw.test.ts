// The MSW handlers behave as MSW users expect: a path no API owns is unhandled (so
// `onUnhandledRequest: 'error'` reports it), handlers added with `server.use()` win, and MSW's log
// names the operation that answered.
import { http, HttpResponse, type HttpHandler } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMockServer } from '../../mocks/node.ts';
import { apiSpec, API_NAMES } from '../../specs/index.ts';

const ORIGIN = 'http://frontend.test';
const { server, mock } = createMockServer({ users: 5 }, { origin: ORIGIN });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('usermock MSW handlers', () => {
  it("leave a path no API owns unhandled, so onUnhandledRequest: 'error' reports it", async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await expect(fetch(`${ORIGIN}/api/orders`)).rejects.toThrow();
      await expect(fetch('http://elsewhere.test/api/users')).rejects.toThrow();
      expect(error.mock.calls.flat().join(' ')).toMatch(
        /intercepted a request without a matching request handler:[\s\S]*GET http:\/\/frontend\.test\/api\/orders/,
      );
    } finally {
      error.mockRestore();
    }
  });

  it("answer a path under an API's prefix that no operation has with the vendor's own 404", async () => {
    const answer = await fetch(`${ORIGIN}/api/users/self/unknown`, { headers: { authorization: mock.credentials().hoop.admin } });
    expect([answer.status, await answer.text()]).toEqual([404, '404 page not found']);
  });

  it('let handlers added with server.use() win', async () => {
    server.use(http.get(`${ORIGIN}/api/users`, () => HttpResponse.json([{ email: 'override@example.com' }])));
    const answer = await fetch(`${ORIGIN}/api/users`, { headers: { authorization: mock.credentials().hoop.admin } });
    expect(await answer.json()).toEqual([{ email: 'override@example.com' }]);
  });

  it('name each operation in the handler MSW logs, and answer it', async () => {
    const headers = server.listHandlers().map((handler) => (handler as HttpHandler).info.header);
    for (const api of API_NAMES) {
      for (const operation of apiSpec(api).operations) {
        expect(headers).toContain(`${operation.method} ${ORIGIN}${operation.path.replace(/\{([^}]+)\}/g, ':$1')}`);
      }
    }
    const groups = await fetch(`${ORIGIN}/api/users/groups`, { headers: { authorization: mock.credentials().hoop.admin } });
    expect(Array.isArray(await groups.json())).toBe(true);
  });
});
