// A request that breaks the spec, through the MSW handlers with `onSpecViolation`: what is thrown or
// logged names the violation, and never the request's credential or a password in its body — a test
// runner prints a thrown error in full, every enumerable property of it too, and CI keeps the log.
import { getResponse } from 'msw';
import { setupServer } from 'msw/node';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMock } from '../../mocks/index.ts';
import { createHandlers } from '../../mocks/msw.ts';

const mock = createMock({ users: 3 });
const { hoop, amani, haplo } = mock.credentials();
const PASSWORD = 'usermock-Secret-Pa55word-4711';
/** What a credential gives away: the header's value, its token, and a Basic credential's decoded key. */
const secretsOf = (authorization: string) => {
  const [scheme, token] = authorization.split(' ') as [string, string];
  return [authorization, token, ...(scheme === 'Basic' ? [atob(token), atob(token).split(':')[1]!] : [])];
};

// Each request carries a credential and a password, and breaks its operation's spec.
const CASES = [
  {
    name: 'a hoop create with a status outside the enum',
    url: 'http://api.test/api/users',
    authorization: hoop.admin,
    body: { email: 'leak@example.com', password: PASSWORD, status: 'reviewing' },
  },
  {
    name: 'an Amani create without its email',
    url: 'http://api.test/api/v2/user',
    authorization: amani.admin,
    body: { password: PASSWORD, first_name: 'Leak' },
  },
  {
    name: 'a Haplo create without nameLast',
    url: 'http://api.test/api/v0-user/create',
    authorization: haplo.admin,
    body: { nameFirst: 'Leak', email: 'leak@example.com', tags: { password: PASSWORD } },
  },
];

const requestOf = ({ url, authorization, body }: (typeof CASES)[number]) =>
  new Request(url, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Every way a test runner or a log may show a value. */
const renderings = (value: unknown) => [
  String(value),
  value instanceof Error ? (value.stack ?? '') : '',
  JSON.stringify(value) ?? '',
  inspect(value, { depth: 10, showHidden: true }),
];

describe.each(CASES)('onSpecViolation and $name', (sent) => {
  const secrets = [...secretsOf(sent.authorization), PASSWORD];

  it('throw: the error names the violation, and no secret in its message, stack or properties', async () => {
    const thrown = await getResponse(createHandlers(mock, { onSpecViolation: 'throw' }), requestOf(sent)).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(/breaks the spec/);
    for (const shown of renderings(thrown)) for (const secret of secrets) expect(shown).not.toContain(secret);
  });

  describe('through setupServer', () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());

    it('throw: the 500 MSW answers, and what it logs, name the violation and no secret', async () => {
      server.use(...createHandlers(mock, { onSpecViolation: 'throw' }));
      // MSW logs the handler's exception besides answering 500 with it.
      const error = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const answer = await fetch(requestOf(sent));
        expect(answer.status).toBe(500);
        const shown = [await answer.text(), ...error.mock.calls.flat().flatMap(renderings)].join('\n');
        expect(shown).toMatch(/breaks the spec/);
        for (const secret of secrets) expect(shown).not.toContain(secret);
      } finally {
        error.mockRestore();
      }
    });

    it('warn: the log names the violation, and no secret', async () => {
      server.use(...createHandlers(mock, { onSpecViolation: 'warn' }));
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        await fetch(requestOf(sent));
        expect(warn).toHaveBeenCalled();
        const logged = warn.mock.calls.flat().flatMap(renderings).join('\n');
        expect(logged).toMatch(/breaks the spec/);
        for (const secret of secrets) expect(logged).not.toContain(secret);
      } finally {
        warn.mockRestore();
      }
    });
  });
});
