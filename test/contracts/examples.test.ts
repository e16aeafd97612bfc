// The specs' examples as contracts (`example_pairs`, contracts/drivers/examples.ts): every paired
// example is sent with the run's own data and passes against the mock and the independent servers;
// the five faults Specmatic's example tests caught and the other checks missed are caught by it.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiModule } from '../../mocks/index.ts';
import { runContract, type RunReport } from '../../contracts/index.ts';
import type { ApiName } from '../../specs/index.ts';
import { broken, bodyOf, json, type Mutation } from '../helpers/broken.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';
import { startIndependentAmani } from '../independent/amani.ts';
import { startIndependentHaplo } from '../independent/haplo.ts';
import { startIndependentHoop } from '../independent/hoop.ts';

const ONLY = { only: ['example_pairs'], modelRuns: 0, seed: 5 };
const resultOf = (report: RunReport) => report.results.find((result) => result.check === 'example_pairs')!;
const problems = (report: RunReport) => resultOf(report).failures.map((failure) => failure.message);

let running: RunningMock<ApiModule> | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function againstMock(api: ApiName, mutation: Mutation = (request, next) => next(request), mode = {}): Promise<RunReport> {
  running = await startMock<ApiModule>({ onError: () => {} }, broken(api, mutation));
  const { admin, standard } = running.mock.credentials()[api];
  return runContract({ api, baseUrl: running.url, auth: admin, authStandard: standard, ...ONLY, ...mode });
}

describe('example_pairs', () => {
  it.each(['hoop', 'amani', 'haplo'] as const)('passes against the %s mock, replaying its pairs with the run’s own data', async (api) => {
    const report = await againstMock(api);
    expect(problems(report)).toEqual([]);
    expect(resultOf(report).status).toBe('passed');
    expect(resultOf(report).judged).toBeGreaterThan(20);
  });

  const SERVERS = { hoop: startIndependentHoop, amani: startIndependentAmani, haplo: startIndependentHaplo };
  it.each(Object.entries(SERVERS))('passes against the independent %s server', async (api, start) => {
    const server = await start();
    try {
      const report = await runContract({
        api: api as ApiName,
        baseUrl: server.url,
        auth: server.admin,
        authStandard: server.standard,
        ...ONLY,
      });
      expect(problems(report)).toEqual([]);
      expect(resultOf(report).status).toBe('passed');
      expect(resultOf(report).judged).toBeGreaterThan(20);
    } finally {
      await server.close();
    }
  });

  it('leaves out what cannot be made safe, with why, and sends only GET pairs on a read-only run', async () => {
    const full = await againstMock('hoop');
    const notes = full.notes.join('\n');
    expect(notes).toMatch(/updateUser selfDeactivation → 422: it writes to the caller's own record/);
    expect(notes).toMatch(/deleteGroup adminGroup → 422: destructive/);
    expect(problems(full)).toEqual([]);
    await running!.close();
    const readOnly = await againstMock('haplo', undefined, { readOnly: true });
    expect(problems(readOnly)).toEqual([]);
    expect(resultOf(readOnly).judged).toBeGreaterThan(0);
    expect(readOnly.notes.join('\n')).toMatch(/a read-only run sends none/);
  });

  const FAULTS: Array<{ name: string; api: ApiName; expected: RegExp; mutation: Mutation }> = [
    {
      name: 'hoop looks a user up by email only (a read by id is 404)',
      api: 'hoop',
      expected: /getUser invitedUser .*expected 200, got 404/,
      mutation: async (request, next) =>
        request.method === 'GET' && /^\/api\/users\/[0-9a-f]{8}-[0-9a-f-]{27}$/.test(request.path)
          ? json(404, { message: 'user not found' })
          : next(request),
    },
    {
      name: 'Amani refuses the documented form login (415)',
      api: 'amani',
      expected: /login companyAdmin as application\/x-www-form-urlencoded .*expected 200, got 415/,
      mutation: async (request, next) =>
        request.path === '/api/v2/user/login' && request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
          ? json(415, { detail: 'Unsupported media type "application/x-www-form-urlencoded" in request.' })
          : next(request),
    },
    {
      name: 'Haplo leaves a default null (localeId on a minimal create)',
      api: 'haplo',
      expected: /createUser minimal .*localeId = "en"/,
      mutation: async (request, next) => {
        const response = await next(request);
        if (request.path !== '/api/v0-user/create' || response.status !== 200) return response;
        const answer = bodyOf(response);
        return json(200, { ...answer, user: { ...answer.user, localeId: null } });
      },
    },
    {
      name: 'Haplo takes id 0 for an id (404 instead of no-details-provided)',
      api: 'haplo',
      expected: /getUserById noDetailsProvided .*expected 400, got 404/,
      mutation: async (request, next) =>
        request.method === 'GET' && request.path === '/api/v0-user/id/0'
          ? json(404, { success: false, kind: 'haplo:api-v0:user:no-such-user', error: { message: 'User ID 0 does not exist' } })
          : next(request),
    },
    {
      name: "Haplo refuses an update to the user's own email",
      api: 'haplo',
      expected: /updateUserById unchanged .*expected 200, got 400/,
      mutation: async (request, next, { admin }) => {
        const match = /^\/api\/v0-user\/id\/(\d+)$/.exec(request.path);
        if (request.method !== 'POST' || !match) return next(request);
        const email = (JSON.parse(String(request.body ?? '{}')) as { email?: unknown }).email;
        const current = bodyOf(
          await next({ ...request, method: 'GET', body: undefined, headers: { ...request.headers, authorization: admin } }),
        );
        return email !== undefined && email === current.user?.email
          ? json(400, {
              success: false,
              kind: 'haplo:api-v0:user:update-failed',
              error: {
                message: `User ${match[1]} cannot be updated to have email ${String(email)} as another user already has that email`,
              },
            })
          : next(request);
      },
    },
  ];

  it.each(FAULTS)('catches: $name', async ({ api, expected, mutation }) => {
    const report = await againstMock(api, mutation);
    expect(resultOf(report).status).toBe('failed');
    expect(problems(report).join('\n')).toMatch(expected);
  });
});
