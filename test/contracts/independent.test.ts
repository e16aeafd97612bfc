// A correct server that is not our mock — written separately from the vendor notes and the specs,
// differing only where the specs allow (wording, ordering, optional fields, id schemes, data the
// vendor does not oblige a server to hold, defaults the spec only infers) — passes every check with
// no failure: the suite's verdicts are about the contract, not about our mock's habits. A warning is
// allowed only for a fact the spec marks `x-provenance: inferred` (the independent Amani's login
// answers its 401 without the inferred `WWW-Authenticate` challenge): what the vendor documents, or
// what its implementation does, must hold without even a warning.
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
  ])('passes %s with no failure, and no warning but on inferred facts', async (_name, mode) => {
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
          .flatMap((result) => [...result.failures, ...result.warnings.filter((warning) => warning.provenance !== 'inferred')])
          .map((failure) => `[${failure.check}] ${failure.message} (${failure.provenance})`);
        expect(problems).toEqual([]);
        expect(exitCodeOf(report)).toBe(0);
        if (!('readOnly' in mode)) expect(report.coverage.judgedCount / report.coverage.provokable).toBeGreaterThanOrEqual(0.9);
      }
    } finally {
      await server.close();
    }
  });
});
