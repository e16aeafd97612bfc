// Issue 20, a fair check on servers that are not ours: exit 2 only on documented evidence against a
// credential, failures only on facts the spec proves, reports that never show a credential, and a
// failure's excerpt that shows the element the check names. Each broken server is one realistic
// fault planted in the mock, as in mutations.test.ts.
import type { ApiModule, HaploState } from '../../mocks/index.ts';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CredentialError,
  exitCodeOf,
  renderFailure,
  renderReport,
  reportText,
  runContract,
  type ContractOptions,
  type RunReport,
} from '../../contracts/index.ts';
import type { ApiName } from '../../specs/index.ts';
import { broken, bodyOf, json, type Mutation } from '../helpers/broken.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

/** The options issue 20 adds, spelt out here so that these tests type-check before and after they land. */
type FairOptions = Omit<ContractOptions, 'api' | 'baseUrl'> & { strict?: boolean; allowDestructive?: boolean };

let running: RunningMock<ApiModule> | undefined;
let servers: Server[] = [];
afterEach(async () => {
  await running?.close();
  running = undefined;
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  servers = [];
});

/** A run of every check against the mock with one API broken, with the mock's own credentials. */
async function against(
  api: ApiName,
  mutation: Mutation = (request, next) => next(request),
  options: FairOptions = {},
  users = 8,
): Promise<RunReport> {
  await running?.close(); // a test's earlier run
  // A planted breakage may throw: the mock answers 500 and need not log it here.
  running = await startMock<ApiModule>({ users, onError: () => {} }, broken(api, mutation));
  const { admin, standard } = running.mock.credentials()[api];
  const run: ContractOptions & FairOptions = { api, baseUrl: running.url, auth: admin, authStandard: standard, seed: 20, ...options };
  return runContract(run);
}

/** hoop's answers without the charset its server names (`application/json` alone). */
const withoutCharset: Mutation = async (request, next) => {
  const response = await next(request);
  const type = response.headers['content-type'];
  return type?.startsWith('application/json')
    ? { ...response, headers: { ...response.headers, 'content-type': 'application/json' } }
    : response;
};

const failedChecks = (report: RunReport) => report.results.filter((result) => result.status === 'failed').map((result) => result.check);
const warningsOf = (report: RunReport, check: string) => report.results.find((result) => result.check === check)?.warnings ?? [];
const summary = (report: RunReport) =>
  JSON.stringify({
    notes: report.notes,
    results: report.results
      .filter((result) => result.status !== 'passed')
      .map((r) => [r.check, r.status, r.reason, r.failures.map((f) => f.message)]),
  });

describe('exit 2 only on documented evidence against a credential', () => {
  // Odd answers met while the run asks who its credentials are: the server's faults, each judged by
  // the checks (exit 1) like any other answer, with a note that the credentials could not be verified
  // — not a CredentialError blaming the credential the user gave.
  const SERVER_FAULTS: Array<{ name: string; api: ApiName; caughtBy: string; mutation: Mutation; options?: FairOptions }> = [
    {
      // The standard credential's admin-only probe gets 401, though /api/userinfo accepts it.
      name: 'hoop swaps 401 and 403 everywhere',
      api: 'hoop',
      caughtBy: 'admin_required',
      mutation: async (request, next) => {
        const response = await next(request);
        if (response.status === 401) return { ...response, status: 403 };
        if (response.status === 403) return { ...response, status: 401 };
        return response;
      },
    },
    {
      name: "hoop's /api/userinfo answers the standard credential 403, which it does not document",
      api: 'hoop',
      caughtBy: 'status_code_conformance',
      mutation: async (request, next, { standard }) =>
        request.path === '/api/userinfo' && request.headers.authorization === standard
          ? json(403, { message: 'access denied' })
          : next(request),
    },
    {
      // `groups` is required: the caller's role cannot be read from this answer.
      name: "hoop's /api/userinfo leaves out the caller's groups",
      api: 'hoop',
      caughtBy: 'response_schema_conformance',
      mutation: async (request, next) => {
        const response = await next(request);
        if (request.path !== '/api/userinfo' || response.status !== 200) return response;
        const { groups: _groups, ...info } = bodyOf(response);
        return json(200, info);
      },
    },
    {
      name: 'Amani answers GET /api/v2/group with an undocumented 203 (same body)',
      api: 'amani',
      caughtBy: 'status_code_conformance',
      mutation: async (request, next) => {
        const response = await next(request);
        return request.method === 'GET' && request.path === '/api/v2/group' && response.status === 200
          ? { ...response, status: 203 }
          : response;
      },
    },
    {
      // A 401 on an operation that needs a permission is no refusal of the credential: GET /api/v2/group accepts it.
      name: 'Amani refuses a write the caller lacks the permission for with 401 instead of 403',
      api: 'amani',
      caughtBy: 'admin_required',
      // Amani's 403 for a missing permission is inferred (DRF's convention): only a strict run fails it.
      options: { strict: true },
      mutation: async (request, next) => {
        const response = await next(request);
        return response.status === 403 && request.method !== 'GET'
          ? { ...response, status: 401, headers: { ...response.headers, 'www-authenticate': 'Bearer realm="api"' } }
          : response;
      },
    },
    {
      name: "Amani's role list fails with a server error",
      api: 'amani',
      caughtBy: 'not_a_server_error',
      mutation: async (request, next) =>
        request.method === 'GET' && request.path === '/api/v2/group'
          ? json(500, { detail: 'A server error occurred.' }, 'application/json')
          : next(request),
    },
    {
      // `kind` moved into `error`: which refusal it is cannot be read.
      name: 'Haplo answers its 403s in the wrong error shape',
      api: 'haplo',
      caughtBy: 'haplo_envelope_consistency',
      mutation: async (request, next) => {
        const response = await next(request);
        if (response.status !== 403) return response;
        const { kind, error } = bodyOf(response);
        return json(403, { success: false, error: { kind, message: error?.message } });
      },
    },
    {
      name: 'Haplo answers its 403s as text/html',
      api: 'haplo',
      caughtBy: 'content_type_conformance',
      mutation: async (request, next) => {
        const response = await next(request);
        return response.status === 403
          ? {
              status: 403,
              headers: { 'content-type': 'text/html; charset=utf-8' },
              body: '<html><body><h1>403 Forbidden</h1></body></html>',
            }
          : response;
      },
    },
  ];

  it.each(SERVER_FAULTS)(
    '$name: exit 1 ($caughtBy), noted as not verified, no CredentialError',
    async ({ api, caughtBy, mutation, options }) => {
      // A CredentialError or UsageError thrown here fails the test with its message.
      const report = await against(api, mutation, options);
      expect(exitCodeOf(report), summary(report)).toBe(1);
      expect(failedChecks(report), summary(report)).toContain(caughtBy);
      expect(report.notes.join('\n'), summary(report)).toMatch(/could not be verified/);
    },
  );

  it('still refuses a base URL that is not the API at all (an HTML 404 page for everything), for every API', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><html><body><h1>Not Found</h1></body></html>');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const auth = { hoop: 'Bearer some-token', amani: 'Bearer some-token', haplo: `Basic ${btoa('haplo:some-api-key-0123456789')}` };
    for (const api of ['hoop', 'amani', 'haplo'] as const) {
      const run = runContract({ api, baseUrl, auth: auth[api], authStandard: auth[api], seed: 20 });
      await expect(run, api).rejects.toThrow(CredentialError);
      await expect(run, api).rejects.toThrow(/is the base URL the API's\?/);
    }
  });

  it('still refuses a credential the server gives its documented refusal (the mock, a made-up token), for every API', async () => {
    running = await startMock({ users: 5 });
    const madeUp = {
      hoop: 'Bearer usermock-made-up-token',
      amani: 'Bearer usermock.made.up',
      haplo: `Basic ${btoa('haplo:usermock-made-up-key-0000')}`,
    };
    for (const api of ['hoop', 'amani', 'haplo'] as const) {
      const { standard } = running.mock.credentials()[api];
      const run = runContract({ api, baseUrl: running.url, auth: madeUp[api], authStandard: standard, seed: 20 });
      await expect(run, api).rejects.toThrow(CredentialError);
      await expect(run, api).rejects.toThrow(/^auth is refused by the server/);
    }
  });

  it("still refuses a credential hoop's /api/userinfo refuses with its documented 401, whatever other operations answer", async () => {
    // Any valid credential may call /api/userinfo: its 401 is the documented refusal, the user's to fix.
    const refusingUserinfo: Mutation = async (request, next, { standard }) =>
      request.path === '/api/userinfo' && request.headers.authorization === standard
        ? json(401, { message: 'access denied' })
        : next(request);
    const run = against('hoop', refusingUserinfo);
    await expect(run).rejects.toThrow(CredentialError);
    await expect(run).rejects.toThrow(/^authStandard is refused by the server: GET \/api\/userinfo answered 401/);
  });
});

describe('only proven facts fail', () => {
  const loginWithoutChallenge: Mutation = async (request, next) => {
    const response = await next(request);
    if (request.path !== '/api/v2/user/login' || response.status !== 401) return response;
    const { 'www-authenticate': _challenge, ...headers } = response.headers;
    return { ...response, headers };
  };

  it('hoop JSON without the charset hoop names is a warning (exit 0), and a failure with strict', async () => {
    // RFC 8259 gives JSON no charset parameter: leaving out the one hoop's server names breaks no client.
    const lenient = await against('hoop', withoutCharset);
    expect(failedChecks(lenient), summary(lenient)).toEqual([]);
    expect(exitCodeOf(lenient)).toBe(0);
    expect(warningsOf(lenient, 'header_conformance').map((warning) => warning.message)).toEqual([expect.stringMatching(/charset/)]);

    const strict = await against('hoop', withoutCharset, { strict: true });
    expect(failedChecks(strict)).toEqual(['header_conformance']);
    expect(strict.results.find((result) => result.check === 'header_conformance')!.failures[0]!.message).toMatch(/charset/);
    expect(exitCodeOf(strict)).toBe(1);
  });

  it("Amani's login 401 without WWW-Authenticate (an inferred fact) is a warning, and a failure with strict", async () => {
    const lenient = await against('amani', loginWithoutChallenge);
    expect(failedChecks(lenient), summary(lenient)).toEqual([]);
    expect(exitCodeOf(lenient)).toBe(0);
    const warnings = warningsOf(lenient, 'header_conformance');
    expect(warnings.map((warning) => [warning.exchange.operationId, warning.provenance])).toEqual([['login', 'inferred']]);
    expect(warnings[0]!.message).toMatch(/www-authenticate/i);

    const strict = await against('amani', loginWithoutChallenge, { strict: true });
    expect(failedChecks(strict)).toEqual(['header_conformance']);
    expect(exitCodeOf(strict)).toBe(1);
  });

  it.each([
    ['a full run', {}],
    ['a read-only run', { readOnly: true }],
  ])("needs no tag on Haplo's existing users: %s of a server whose users carry none passes", async (_name, mode) => {
    // Tags are optional (`{}` when none): a request that finds an existing user by tag relies on data
    // the server is not obliged to hold. Only the run's own users are known to have a tag of their own.
    running = await startMock<ApiModule>({ users: 8 });
    const haplo = running.mock.state('haplo') as HaploState;
    for (const principal of haplo.principals()) haplo.put({ ...principal, tags: {} });
    const { admin, standard } = running.mock.credentials().haplo;
    const report = await runContract({ api: 'haplo', baseUrl: running.url, auth: admin, authStandard: standard, seed: 20, ...mode });
    expect(failedChecks(report), summary(report)).toEqual([]);
    expect(report.results.flatMap((result) => result.warnings)).toEqual([]);
    expect(exitCodeOf(report)).toBe(0);
    // A full run still finds by tag: the users it created.
    if (!('readOnly' in mode))
      for (const operation of ['getUserByTag', 'findByTag']) expect(report.coverage.judged(operation, 200)).toBe(true);
  });
});

describe('reports and errors never show a credential', () => {
  it('masks the admin credential a server echoes in a failing answer, in the text, JSON and JUnit reports', async () => {
    // A server quoting the request's Authorization in an error: the answer is shown, the credential never.
    const echoing: Mutation = async (request, next) => {
      const response = await next(request);
      return request.method === 'GET' && request.path.startsWith('/api/users/') && response.status === 404
        ? json(400, { message: `no such user (caller ${request.headers.authorization})` })
        : response;
    };
    const report = await against('hoop', echoing);
    expect(exitCodeOf(report)).toBe(1);
    const token = running!.mock.credentials().hoop.admin.replace(/^Bearer /, '');
    for (const [format, text] of [
      ['text', renderReport(report)],
      ['json', reportText('json', report, 1)],
      ['junit', reportText('junit', report, 1)],
    ]) {
      expect(text, format).toMatch(/no such user \(caller/);
      expect(text, format).not.toContain(token);
    }
  });

  it('does not repeat a refused credential in the CredentialError, whatever the server echoes', async () => {
    // A refused credential may still be a real one (production's token given to staging).
    const secret = 'usermock-refused-but-real-0123456789';
    const echoing: Mutation = async (request, next) => {
      const response = await next(request);
      return response.status === 401 ? json(401, { message: `access denied for ${request.headers.authorization}` }) : response;
    };
    running = await startMock<ApiModule>({ users: 5, onError: () => {} }, broken('hoop', echoing));
    const error = await runContract({ api: 'hoop', baseUrl: running.url, auth: `Bearer ${secret}`, seed: 20 }).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(CredentialError);
    for (const shown of [String(error), (error as Error).stack ?? '', inspect(error, { depth: 10 }), JSON.stringify(error)])
      expect(shown).not.toContain(secret);
  });
});

describe('a failure shows the fault', () => {
  it('shows the broken element deep in a long list, and says what it left out', async () => {
    // 150 users: a body far past any excerpt, with one user's `groups` a string at index 120.
    const BROKEN_AT = 120;
    const oneBrokenUser: Mutation = async (request, next) => {
      const response = await next(request);
      if (request.method !== 'GET' || request.path !== '/api/users' || response.status !== 200) return response;
      const users = bodyOf(response);
      users[BROKEN_AT] = { ...users[BROKEN_AT], groups: 'sre,dba' };
      return json(200, users);
    };
    const report = await against('hoop', oneBrokenUser, { only: ['response_schema_conformance'] }, 150);
    const failure = report.results
      .find((result) => result.check === 'response_schema_conformance')!
      .failures.find((candidate) => candidate.message.includes(`/${BROKEN_AT}/groups`));
    expect(failure, summary(report)).toBeDefined();
    expect(failure!.exchange.response.text.length).toBeGreaterThan(20_000);
    const response = renderFailure(failure!, report).find((line) => line.trim().startsWith('response:'))!;
    expect(response).toContain('"sre,dba"');
    expect(response).toMatch(/left out|omitted|not shown/i);
    // The whole report shows it too (the value appears nowhere else in it).
    expect(renderReport(report)).toContain('"sre,dba"');
  });
});

describe('the command line', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  /** `usermock check` from the sources (no build needed): its exit code and output. */
  const check = (args: string[]) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', 'cli/index.ts', 'check', ...args],
        { cwd: root },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, output: stdout + stderr }),
      );
    });

  it('takes --strict and --allow-destructive to the run', async () => {
    // hoop without the charset it names: a warning, unless --strict.
    running = await startMock<ApiModule>({ users: 8, onError: () => {} }, broken('hoop', withoutCharset));
    const { admin, standard } = running.mock.credentials().hoop;
    const base = ['hoop', '--base-url', running.url, '--auth', admin, '--auth-standard', standard, '--seed', '20'];
    // Every request, as it is answered: the journal keeps only the newest thousand.
    const seen: string[] = [];
    running.mock.journal.subscribe(({ method, path }) => seen.push(`${method} ${path}`));
    const deletesAdminGroup = () => seen.includes('DELETE /api/users/groups/admin');

    const lenient = await check(base);
    expect(lenient.code, lenient.output).toBe(0);
    expect(deletesAdminGroup()).toBe(false);

    const strict = await check([...base, '--strict', '--allow-destructive']);
    expect(strict.code, strict.output).toBe(1);
    expect(strict.output).toMatch(/header_conformance\s+failed/);
    expect(deletesAdminGroup()).toBe(true);
  });
});
