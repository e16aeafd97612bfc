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
      /--scenario package.json: the scenario is not valid \(\d+ problems\):\n {2}package\.json:2:3: name: unknown field: a scenario takes \$schema, description, users, apis, overrides\n/,
    ],
  ])('that cannot be used is a usage error (exit 2) naming why: %j', async (args, message) => {
    const { code, stderr } = await run(['serve', '--port', '0', ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('with users the vendor refuses is a usage error at start, with the vendor’s answer for each', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'usermock-scenario-'));
    const file = join(dir, 'twice.json');
    const twice = { email: 'twice@example.com' };
    await writeFile(file, JSON.stringify({ apis: { hoop: { users: [twice, twice, twice] } } }));
    const { code, stderr } = await run(['serve', '--port', '0', '--scenario', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /apis\.hoop\.users\[1\]: hoop refused it .* answered 409 .*\n {2}- apis\.hoop\.users\[2\]: hoop refused it .* answered 409/,
    );
  });

  it('is checked as a compiler would: every problem at once, each with file:line:column, its JSON path, what is wrong and what is allowed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'usermock-scenario-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'description: several bad users',
        'apis:',
        '  hoop:',
        '    users:',
        '      - { emial: lisa@example.com, role: admin }',
        '      - { email: grace@example.com, role: superuser }',
        '      - email: not-an-email',
        '        name: Ada',
        '  amani:',
        '    users: [{ email: ok@example.com, groups: [admins] }]',
        'overrides:',
        '  - { api: hoop, operationId: listUsers, status: 401, times: 0 }',
        '  - { api: hoop, operationId: listUsers, delay: 90000 }',
        '',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await run(['serve', '--port', '0', '--scenario', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      `usermock: --scenario ${file}: the scenario is not valid (6 problems):`,
      expect.stringMatching(
        new RegExp(
          `^ {2}${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:11: apis\\.hoop\\.users\\[0\\]\\.emial: unknown field \\(did you mean "email"\\?\\): hoop's createUser takes name, email, `,
        ),
      ),
      `  ${file}:6:37: apis.hoop.users[1].role: must be one of "admin", "standard" (found "superuser")`,
      `  ${file}:7:9: apis.hoop.users[2].email: must be a valid idn-email (found "not-an-email")`,
      `  ${file}:10:47: apis.amani.users[0].groups[0]: must be integer (found "admins")`,
      `  ${file}:12:55: overrides[0].times: must be >= 1 (found 0)`,
      `  ${file}:13:42: overrides[1].delay: must be <= 60000 (found 90000)`,
    ]);
  });

  it.each(['admins-only', 'empty', 'errors', 'large'])('shipped as %s passes the checks', async (name) => {
    const scenario = JSON.parse(readFileSync(`scenarios/${name}.json`, 'utf8'));
    expect(() => checkScenario(scenario, API_MODULES)).not.toThrow();
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
