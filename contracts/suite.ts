import { afterAll, beforeAll, describe, it } from 'vitest';
import { formatFailure } from './failure.ts';
import { ContractRun, type ContractOptions } from './runner.ts';

/**
 * Declares the conformance checks as vitest tests, one test per check, so any vitest run (and
 * its reporters: JUnit, JSON …) can include them:
 *
 * ```ts
 * // test/contract.test.ts in your project
 * import { defineContractSuite } from 'usermock/contracts';
 * defineContractSuite({ api: 'hoop', baseUrl: 'http://127.0.0.1:8080', auth: process.env.HOOP_ADMIN });
 * ```
 */
export function defineContractSuite(options: ContractOptions): void {
  const run = new ContractRun(options);
  describe(`${options.api} conformance of ${options.baseUrl} (seed ${run.seed})`, () => {
    beforeAll(() => run.prepare());
    afterAll(async () => {
      if (!options.readOnly) await run.cleanup();
    });
    for (const step of run.steps()) {
      it(`${step.info.name}: ${step.info.meaning}`, async (context) => {
        const result = await step.run();
        if (result.status === 'skipped') return context.skip(result.reason);
        if (result.failures.length) {
          throw new Error(`${result.failures.length} failure(s)\n\n${result.failures.map(formatFailure).join('\n\n')}`);
        }
      });
    }
  });
}
