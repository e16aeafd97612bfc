// Infrastructure is not the contract: resets, a gateway's 502/503, 429s and hangs in front of a
// correct server end a run green after retries, or with an infrastructure error — never with a
// contract failure.
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeOf, reportText, runContract } from '../../contracts/index.ts';
import { startProxy, type Fault, type Proxy } from '../helpers/proxy.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

let running: RunningMock | undefined;
let proxy: Proxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await running?.close();
  proxy = running = undefined;
});

async function behind(
  fault: (method: string, path: string, index: number) => Fault,
  options: { timeoutMs?: number; retries?: number } = {},
) {
  running = await startMock({ users: 5 });
  proxy = await startProxy(running.url, { fault: (request, index) => fault(request.method!, request.url!, index) });
  const { admin, standard } = running.mock.credentials().hoop;
  // A short model-based phase: its sequences meet the faults too, but each retry waits.
  return runContract({
    api: 'hoop',
    baseUrl: proxy.url,
    auth: admin,
    authStandard: standard,
    seed: 3,
    timeoutMs: 400,
    modelRuns: 10,
    ...options,
  });
}

const FAULTS: Fault[] = ['reset', 502, 429, 'hang', 503];

describe('faults in front of a correct server', () => {
  it('recovers from every kind of fault on requests a repeat cannot change (GET, PUT) and on 429s', async () => {
    const report = await behind((method, _path, index) =>
      index % 4 === 1 && (method === 'GET' || method === 'PUT') ? FAULTS[index % FAULTS.length]! : index % 9 === 2 ? 429 : 'pass',
    );
    expect(report.error).toBeUndefined();
    expect(report.results.flatMap((result) => result.failures)).toEqual([]);
    expect(exitCodeOf(report)).toBe(0);
  });

  it.each(FAULTS)('ends with exit 0 or 3, never 1, when any request may meet a %s', async (kind) => {
    const report = await behind((_method, _path, index) => (index % 5 === 3 ? kind : 'pass'));
    expect([0, 3]).toContain(exitCodeOf(report));
    if (report.error) expect(report.error.request.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\//);
  });

  it('names the request a hung endpoint never answered, and ends the run with exit 3', async () => {
    const report = await behind((method, path) => (method === 'GET' && path === '/api/users' ? 'hang' : 'pass'), { retries: 1 });
    expect(exitCodeOf(report)).toBe(3);
    expect(report.error).toMatchObject({
      request: { method: 'GET', url: expect.stringMatching(/\/api\/users$/) },
      message: expect.stringContaining('no answer within 0.4 s'),
    });
    expect(reportText('junit', report, 3)).toMatch(/<error message="GET http:\/\/127\.0\.0\.1:\d+\/api\/users: no answer/);
    expect(JSON.parse(reportText('json', report, 3))).toMatchObject({ exitCode: 3, error: { request: { method: 'GET' } } });
  });

  it('does not retry a POST the gateway may have applied: exit 3, naming it', async () => {
    const report = await behind((method, path) => (method === 'POST' && path === '/api/users' ? 502 : 'pass'));
    expect(exitCodeOf(report)).toBe(3);
    expect(report.error?.message).toMatch(/^502 from the infrastructure in front of the API/);
  });

  it('ends with exit 3 when the server resets every connection from the start', async () => {
    const report = await behind(() => 'reset', { retries: 2 });
    expect(exitCodeOf(report)).toBe(3);
    expect(report.error?.message).toMatch(/^connection failed: .*still after 2 retries$/);
  });
});
