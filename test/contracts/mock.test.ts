import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContractChecks } from '../../contracts/index.ts';
import { formatFailure } from '../../contracts/failure.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

let running: RunningMock;
beforeAll(async () => {
  running = await startMock();
});
afterAll(() => running.close());

describe('usermock check against usermock serve', () => {
  it.each(['hoop'] as const)('%s passes every check', async (api) => {
    const { admin, standard } = running.mock.credentials()[api];
    const results = await runContractChecks({ api, baseUrl: running.url, auth: admin, authStandard: standard, seed: 7 });
    const failures = results.flatMap((result) => result.failures).map(formatFailure);
    expect(failures).toEqual([]);
    expect(results.filter((result) => result.status === 'passed').length).toBeGreaterThan(10);
  });
});
