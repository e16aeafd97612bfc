// What a run tells, beyond which check caught what: one failure per root cause, a reproduction
// that runs as is, no secret in any report, known drift, credentials first, and repeatable runs.
import type { ApiModule } from '../../mocks/index.ts';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialError, exitCodeOf, renderReport, reportText, runContract, type RunReport } from '../../contracts/index.ts';
import type { ApiName } from '../../specs/index.ts';
import { broken, bodyOf, json, type Mutation } from '../helpers/broken.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';
import { needs } from '../helpers/services.ts';

let running: RunningMock<ApiModule> | undefined;
let servers: Server[] = [];
afterEach(async () => {
  await running?.close();
  running = undefined;
  for (const server of servers) server.close();
  servers = [];
});

async function against(
  api: ApiName,
  mutation: Mutation = (request, next) => next(request),
  options: { allowDrift?: boolean; readOnly?: boolean; modelRuns?: number } = {},
) {
  running = await startMock<ApiModule>({ users: 8, onError: () => {} }, broken(api, mutation));
  const { admin, standard } = running.mock.credentials()[api];
  return runContract({ api, baseUrl: running.url, auth: admin, authStandard: standard, seed: 5, ...options });
}

const failures = (report: RunReport) => report.results.flatMap((result) => result.failures);

/** A server that answers every request with the same thing. */
async function answeringEverything(status: number, contentType: string, body: string): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('one failure per root cause', () => {
  it('reports a create the server refuses once; what needs a user is skipped with why', async () => {
    // Without the model-based phase, whose generated creates would meet the same 500 again.
    const report = await against(
      'hoop',
      async (request, next) =>
        request.method === 'POST' && request.path === '/api/users' ? json(500, { message: 'database down' }) : next(request),
      { modelRuns: 0 },
    );
    const serverErrors = report.results.find((result) => result.check === 'not_a_server_error')!;
    expect(serverErrors.failures[0]!.message).toBe('creating a user: expected a documented 2xx (201), got 500');
    for (const check of ['create_read_back', 'created_listed', 'duplicate_conflict', 'update_persisted', 'negative_data_rejection']) {
      expect(report.results.find((result) => result.check === check)).toMatchObject({
        status: 'skipped',
        reason: expect.stringMatching(/^precondition failed/),
      });
    }
    // The others are about other requests: a 500 even to callers without credentials, and the
    // spec's example creates, each a request of its own.
    const messages = serverErrors.failures.map((failure) => failure.message);
    expect(messages.slice(0, 4)).toEqual([
      'creating a user: expected a documented 2xx (201), got 500',
      'a request without credentials: expected 401, got 500',
      'a credential no server issued: expected 401, got 500',
      'a non-admin credential: expected 403, got 500',
    ]);
    expect(
      messages.slice(4).every((message) => /^the example createUser \w+ \(paired with \d+\): expected \d+, got 500$/.test(message)),
    ).toBe(true);
    expect(failures(report)).toHaveLength(messages.length);
  });

  it('groups the same fault on many requests into one failure with a count', async () => {
    const report = await against('hoop', async (request, next) => {
      const response = await next(request);
      return {
        ...response,
        headers: { ...response.headers, 'content-type': (response.headers['content-type'] ?? '').replace('; charset=utf-8', '') },
      };
    });
    // RFC 8259 gives JSON no charset: leaving out the one hoop names is a warning, a failure with strict.
    const header = report.results.find((result) => result.check === 'header_conformance')!;
    expect(header.failures).toEqual([]);
    expect(header.warnings).toHaveLength(1);
    expect(header.warnings[0]!.count).toBeGreaterThan(20);
    expect(renderReport(report)).toMatch(/seen on \d+ requests \(/);
  });

  it("does not judge a server that answers nothing in the API's shapes: the base URL is not the API (exit 2)", async () => {
    const url = await answeringEverything(200, 'text/html', '<html>hello</html>');
    const run = runContract({ api: 'hoop', baseUrl: url, auth: 'Bearer x', seed: 1 });
    await expect(run).rejects.toThrow(CredentialError);
    await expect(run).rejects.toThrow(/is the base URL the API's\?/);
  });

  it('judges an API that answers HTML everywhere but in saying who the caller is (exit 1)', async () => {
    const report = await against('hoop', async (request, next) => {
      const response = await next(request);
      return request.path === '/api/userinfo'
        ? response
        : { status: response.status, headers: { 'content-type': 'text/html' }, body: '<html>hello</html>' };
    });
    expect(report.results.find((result) => result.check === 'content_type_conformance')!.status).toBe('failed');
    expect(exitCodeOf(report)).toBe(1);
    expect(failures(report).length).toBeLessThan(40);
  });

  it('says what is undocumented instead of contradicting itself', async () => {
    const report = await against('haplo', async (request, next) => {
      const response = await next(request);
      return request.headers.authorization === undefined && response.status === 403 ? { ...response, status: 401 } : response;
    });
    const message = report.results.find((result) => result.check === 'status_code_conformance')!.failures[0]!;
    expect(message.message).toBe('a request without credentials: expected 403, got 401');
    expect(message.detail).toMatch(/^401 is not documented for \w+; documented: 200, 400, 403/);
  });
});

describe('a reproduction', needs('curl'), () => {
  const run = promisify(execFile);
  const replay = (report: RunReport, check: string, admin: string) => {
    const failure = report.results.find((result) => result.check === check)!.failures[0]!;
    const script = renderReport(report).split('\n');
    const start = script.findIndex(
      (line) => line.trim() === 'reproduce:' && script.slice(0, script.indexOf(line)).some((l) => l.includes(`[${check}]`)),
    );
    const lines = [];
    for (const line of script.slice(start + 1)) {
      if (!/^ {5}\S/.test(line)) break;
      lines.push(line.trim());
    }
    return { failure, output: run('bash', ['-c', lines.join('\n')], { env: { ...process.env, USERMOCK_AUTH: admin } }) };
  };

  it('replays the whole sequence of a stateful failure and shows it again (hoop)', async () => {
    const report = await against('hoop', async (request, next) => {
      if (request.method !== 'PUT') return next(request);
      const current = await next({ ...request, method: 'GET', body: undefined });
      return current.status === 200
        ? json(200, { ...bodyOf(current), ...JSON.parse(request.body ?? '{}'), role: 'standard' })
        : next(request);
    });
    const { failure, output } = replay(report, 'update_persisted', running!.mock.credentials().hoop.admin);
    expect(failure.message).toMatch(/^reading the user after the update: expected/);
    const { stdout } = await output;
    expect(stdout).toMatch(/^POST 201$/m);
    expect(stdout).toMatch(/^PUT 200$/m);
    expect(stdout).toMatch(/HTTP\/1.1 200[\s\S]*"status":"active"/); // the update's status never stored, again
  });

  it('captures the ids the server assigns (Haplo)', async () => {
    const report = await against('haplo', async (request, next) => {
      if (request.method === 'POST' && /^\/api\/v0-user\/id\/\d+$/.test(request.path)) {
        const current = await next({ ...request, method: 'GET', body: undefined });
        if (current.status === 200) return json(200, { ...bodyOf(current), kind: 'haplo:api-v0:user:update' });
      }
      return next(request);
    });
    const { stdout } = await replay(report, 'update_persisted', running!.mock.credentials().haplo.admin).output;
    // The id the create assigned was captured: the update found the user (not 404) and answered without the change, again.
    expect(stdout).toMatch(/HTTP\/1.1 200[\s\S]*"kind":"haplo:api-v0:user:update"/);
  });
});

describe('reports hold no secret', () => {
  it('masks passwords and tokens in the text, JSON and JUnit reports', async () => {
    const report = await against('amani', async (request, next) => {
      const response = await next(request);
      return request.path === '/api/v2/user/login' && response.status === 200
        ? json(200, { ...bodyOf(response), first_name: 'Changed' }, 'application/json')
        : response;
    });
    expect(report.results.find((result) => result.check === 'create_read_back' || result.check === 'token_lifecycle')!.status).toBe(
      'failed',
    );
    const { admin, standard } = running!.mock.credentials().amani;
    const token = (header: string) => header.replace('Bearer ', '');
    for (const text of [renderReport(report), reportText('json', report, 1), reportText('junit', report, 1)]) {
      expect(report.secrets.length).toBeGreaterThan(0);
      for (const secret of [...report.secrets, token(admin), token(standard)]) expect(text).not.toContain(secret);
      expect(text).toContain('•••');
    }
  });
});

describe('known drift', () => {
  const notPermitted401: Mutation = async (request, next) => {
    const response = await next(request);
    return response.body?.includes('haplo:api-v0:generic:not-permitted') ? { ...response, status: 401 } : response;
  };

  it('fails a server that answers documented drift, marked as such', async () => {
    const report = await against('haplo', notPermitted401);
    const found = report.results.find((result) => result.check === 'status_code_conformance')!.failures;
    expect(found.map((failure) => failure.message)).toContain('a non-admin credential: expected 403, got 401');
    expect(found.map((failure) => failure.drift?.id)).toEqual(found.map(() => 'not-permitted-401'));
    expect(exitCodeOf(report)).toBe(1);
  });

  it('reports it as a warning with allowDrift, and stays green', async () => {
    const report = await against('haplo', notPermitted401, { allowDrift: true });
    expect(failures(report)).toEqual([]);
    expect(report.results.find((result) => result.check === 'status_code_conformance')!.warnings.length).toBeGreaterThan(0);
    expect(exitCodeOf(report)).toBe(0);
  });
});

describe('credentials first', () => {
  type Credentials = { admin: string; standard: string };
  it.each([
    {
      name: 'a credential the server refuses',
      api: 'hoop',
      given: (c: Credentials) => ({ auth: 'Bearer wrong', authStandard: c.standard }),
      message: /^auth is refused by the server: GET \/api\/userinfo answered 401/,
      modes: [false, true],
    },
    {
      name: 'a non-admin as the admin',
      api: 'hoop',
      given: (c: Credentials) => ({ auth: c.standard }),
      message: /^auth is not an admin's credential/,
      modes: [false, true],
    },
    {
      name: 'a refused key',
      api: 'haplo',
      given: (c: Credentials) => ({ auth: c.admin, authStandard: `Basic ${btoa('haplo:usermock-wrong-key-0000000')}` }),
      message: /^authStandard is refused by the server: .* INVALID-API-KEY/,
      modes: [false, true],
    },
    {
      name: 'an admin as the non-admin, as the server itself says',
      api: 'hoop',
      given: (c: Credentials) => ({ auth: c.admin, authStandard: c.admin }),
      message: /^authStandard is an admin's credential/,
      modes: [false, true],
    },
  ] as const)('stops the run before any check on $name, naming it', async ({ api, given, message, modes }) => {
    running = await startMock({ users: 5 });
    for (const readOnly of modes) {
      const run = runContract({ api, baseUrl: running.url, ...given(running.mock.credentials()[api]), readOnly });
      await expect(run).rejects.toThrow(CredentialError);
      await expect(run).rejects.toThrow(message);
    }
  });
});

describe('credentials: only documented evidence stops a run', () => {
  it("judges an Amani non-admin credential that may do an admin's work: the server's fault, not the user's (exit 1)", async () => {
    // Amani cannot say who a credential is; a server letting one through is what admin_required reports.
    running = await startMock({ users: 5 });
    const { admin } = running.mock.credentials().amani;
    const report = await runContract({ api: 'amani', baseUrl: running.url, auth: admin, authStandard: admin, seed: 2 });
    expect(report.notes.join('\n')).toMatch(/authStandard was let do what only an admin may/);
    expect(report.results.find((result) => result.check === 'admin_required')!.status).toBe('failed');
    expect(exitCodeOf(report)).toBe(1);
  });
});

describe('repeatable runs', () => {
  it('passes the same seed twice against the same server: every run has its own data', async () => {
    running = await startMock({ users: 5 });
    for (const api of ['hoop', 'amani', 'haplo'] as const) {
      const { admin, standard } = running.mock.credentials()[api];
      const first = await runContract({ api, baseUrl: running.url, auth: admin, authStandard: standard, seed: 42 });
      const second = await runContract({ api, baseUrl: running.url, auth: admin, authStandard: standard, seed: 42 });
      expect([exitCodeOf(first), exitCodeOf(second)], api).toEqual([0, 0]);
      expect(first.nonce).not.toBe(second.nonce);
    }
  });
});
