// A correct server that is not our mock — written separately from the vendor notes and the specs,
// differing only where the specs allow (wording, ordering, optional fields, id schemes) — passes
// every check with no failure and no warning: the suite's verdicts are about the contract, not
// about our mock's habits.
import { describe, expect, it } from 'vitest';
import { exitCodeOf, runContract } from '../../contracts/index.ts';
import { startIndependentAmani } from '../independent/amani.ts';
import { startIndependentHaplo } from '../independent/haplo.ts';
import { startIndependentHoop } from '../independent/hoop.ts';

const SERVERS = { hoop: startIndependentHoop, amani: startIndependentAmani, haplo: startIndependentHaplo };

describe.each(Object.entries(SERVERS))('an independent %s server', (api, start) => {
  it.each([
    ['a full run', {}],
    ['a read-only run', { readOnly: true }],
  ])('passes %s with no failure and no warning', async (_name, mode) => {
    const server = await start();
    try {
      for (const seed of [1, 1]) {
        const report = await runContract({
          api: api as keyof typeof SERVERS,
          baseUrl: server.url,
          auth: server.admin,
          authStandard: server.standard,
          seed,
          ...mode,
        });
        const problems = report.results
          .flatMap((result) => [...result.failures, ...result.warnings])
          .map((failure) => `[${failure.check}] ${failure.message}`);
        expect(problems).toEqual([]);
        expect(exitCodeOf(report)).toBe(0);
        if (!('readOnly' in mode)) expect(report.coverage.judgedCount / report.coverage.provokable).toBeGreaterThanOrEqual(0.9);
      }
    } finally {
      await server.close();
    }
  });
});
