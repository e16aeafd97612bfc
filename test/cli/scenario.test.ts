// `usermock serve --scenario` and `--quiet`, and the same scenario in an MSW Node test: the same
// users with the same roles (the browser example checks the page gives them too).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { describe, expect, it } from 'vitest';
import { API_MODULES, checkScenario, createMock } from '../../mocks/index.ts';
import { createHandlers } from '../../mocks/msw.ts';
import { readFileSync } from 'node:fs';
import { run, serve } from '../helpers/cli.ts';

const adminsOnly = checkScenario(JSON.parse(readFileSync('scenarios/admins-only.json', 'utf8')), API_MODULES);

/** hoop's users (email and role) as `GET /api/users` lists them at `origin`. */
async function hoopUsers(origin: string, authorization: string): Promise<{ email: string; role: string }[]> {
  const answer = await fetch(`${origin}/api/users`, { headers: { authorization } });
  return ((await answer.json()) as { email: string; role: string }[]).map(({ email, role }) => ({ email, role }));
}

describe('a scenario', () => {
  it('gives the same users in usermock serve and in an MSW Node test', async () => {
    const served = await serve(['--scenario', 'admins-only']);
    let fromServe;
    try {
      const credentials = (await (await fetch(`${served.url}/__usermock/credentials`)).json()) as { hoop: { admin: string } };
      fromServe = await hoopUsers(served.url, credentials.hoop.admin);
      expect(served.output()).toContain('scenario admins-only');
      expect(served.output()).toContain('Three admins per API');
    } finally {
      await served.stop();
    }

    const mock = createMock({ scenario: adminsOnly });
    const server = setupServer(...createHandlers(mock));
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const fromMsw = await hoopUsers('http://app.test', mock.credentials().hoop.admin);
      expect(fromMsw).toEqual(fromServe);
      expect(fromMsw.filter((user) => user.role === 'admin')).toHaveLength(4);
    } finally {
      server.close();
    }
  });

  it('loads from a YAML file of one’s own, overrides and all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'usermock-scenario-'));
    const file = join(dir, 'signed-out.yaml');
    await writeFile(
      file,
      ['description: the list says the session expired', 'overrides:', '  - { api: hoop, operationId: listUsers, status: 401 }', ''].join(
        '\n',
      ),
    );
    const served = await serve(['--scenario', file]);
    try {
      const credentials = (await (await fetch(`${served.url}/__usermock/credentials`)).json()) as { hoop: { admin: string } };
      expect((await fetch(`${served.url}/api/users`, { headers: { authorization: credentials.hoop.admin } })).status).toBe(401);
    } finally {
      await served.stop();
    }
  });

  it.each([
    [['--scenario', 'nope'], /--scenario nope: no such file, and no scenario of that name \(shipped: admins-only, empty, errors, large\)/],
    [
      ['--scenario', 'package.json'],
      /--scenario package.json: the scenario is not valid:\n {2}- the scenario must NOT have additional properties/,
    ],
  ])('that cannot be used is a usage error (exit 2) naming why: %j', async (args, message) => {
    const { code, stderr } = await run(['serve', '--port', '0', ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('with a user the vendor refuses is a usage error at start, with the vendor’s answer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'usermock-scenario-'));
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ apis: { hoop: { users: [{ email: 'not-an-email' }] } } }));
    const { code, stderr } = await run(['serve', '--port', '0', '--scenario', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/hoop user 1 .* answered 422/);
  });
});

describe('spec violations in serve’s log', () => {
  it('are one line per request breaking the spec, and none with --quiet', async () => {
    for (const quiet of [false, true]) {
      const served = await serve(quiet ? ['--quiet'] : []);
      try {
        await fetch(`${served.url}/api/users`);
        await fetch(`${served.url}/__usermock/credentials`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const lines = served
          .output()
          .split('\n')
          .filter((line) => line.includes('breaks'));
        expect(lines).toEqual(
          quiet
            ? []
            : [
                "usermock: GET /api/users → 401: breaks hoop's spec: listUsers needs credentials and the request has no Authorization header",
              ],
        );
      } finally {
        await served.stop();
      }
    }
  });
});
