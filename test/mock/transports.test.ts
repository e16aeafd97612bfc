// The MSW handlers and the HTTP server share one behaviour core: the same scenario through both
// gives the same answers, and the contract suite passes in-process through MSW.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContractChecks } from '../../contracts/index.ts';
import { createMockServer } from '../../mocks/node.ts';
import { API_NAMES } from '../../specs/index.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

const MSW_ORIGIN = 'http://usermock.test';

interface Step {
  method: string;
  path: string;
  auth?: 'admin' | 'standard';
  api: 'hoop' | 'amani' | 'haplo';
  body?: unknown;
}

/** A scenario across all three APIs: creates, reads, conflicts, errors, auth failures. */
const SCENARIO: Step[] = [
  { api: 'hoop', method: 'GET', path: '/api/users', auth: 'standard' },
  {
    api: 'hoop',
    method: 'POST',
    path: '/api/users',
    auth: 'admin',
    body: { email: 'same@example.com', name: 'Same Person', groups: ['sre'] },
  },
  { api: 'hoop', method: 'GET', path: '/api/users/same@example.com', auth: 'admin' },
  { api: 'hoop', method: 'POST', path: '/api/users', auth: 'admin', body: { email: 'same@example.com' } },
  { api: 'hoop', method: 'POST', path: '/api/users', auth: 'standard', body: { email: 'other@example.com' } },
  { api: 'hoop', method: 'GET', path: '/api/userinfo' },
  { api: 'amani', method: 'GET', path: '/api/v2/group', auth: 'admin' },
  {
    api: 'amani',
    method: 'POST',
    path: '/api/v2/user',
    auth: 'admin',
    body: { email: 'same@example.com', password: 'pa55word!', first_name: 'Same', groups: [1] },
  },
  { api: 'amani', method: 'POST', path: '/api/v2/user', auth: 'admin', body: { email: 'not-an-email' } },
  {
    api: 'haplo',
    method: 'POST',
    path: '/api/v0-user/create',
    auth: 'admin',
    body: { nameFirst: 'Same', nameLast: 'Person', email: 'same@example.com', tags: { username: 'same' } },
  },
  { api: 'haplo', method: 'GET', path: '/api/v0-user/find-by-tag?tag:username=same', auth: 'admin' },
  {
    api: 'haplo',
    method: 'POST',
    path: '/api/v0-user/create',
    auth: 'admin',
    body: { nameFirst: 'Same', nameLast: 'Person', email: 'SAME@example.com' },
  },
  { api: 'haplo', method: 'GET', path: '/api/v0-user/id/not-a-number', auth: 'admin' },
  { api: 'haplo', method: 'GET', path: '/api/v0-user/find-by-tag?tag:username=same', auth: 'standard' },
];

/** What a transport answered, without what legitimately differs (generated ids, dates). */
async function play(origin: string, credentials: Record<string, { admin: string; standard: string }>) {
  const answers = [];
  for (const step of SCENARIO) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (step.auth) headers.authorization = credentials[step.api]![step.auth];
    const response = await fetch(origin + step.path, {
      method: step.method,
      headers,
      body: step.body === undefined ? undefined : JSON.stringify(step.body),
    });
    const text = (await response.text())
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>');
    answers.push({ step: `${step.method} ${step.path}`, status: response.status, contentType: response.headers.get('content-type'), text });
  }
  return answers;
}

describe('MSW and the HTTP server', () => {
  let running: RunningMock;
  const msw = createMockServer({ users: 10 }, { origin: MSW_ORIGIN });
  beforeAll(async () => {
    running = await startMock({ users: 10 });
    msw.server.listen({ onUnhandledRequest: 'bypass' });
  });
  afterAll(async () => {
    msw.server.close();
    await running.close();
  });

  it('answer the same scenario identically', async () => {
    const overHttp = await play(running.url, running.mock.credentials());
    const overMsw = await play(MSW_ORIGIN, msw.mock.credentials());
    expect(overHttp.map((answer) => answer.status)).toEqual([200, 201, 200, 409, 403, 401, 200, 201, 400, 200, 200, 400, 400, 403]);
    expect(overMsw).toEqual(overHttp);
  });

  it.each(API_NAMES)('pass the %s contract suite in-process through MSW', async (api) => {
    msw.mock.reset();
    const { admin, standard } = msw.mock.credentials()[api];
    const results = await runContractChecks({ api, baseUrl: MSW_ORIGIN, auth: admin, authStandard: standard, seed: 3 });
    expect(
      results.filter((result) => result.status === 'failed').flatMap((result) => result.failures.map((failure) => failure.message)),
    ).toEqual([]);
  });
});
