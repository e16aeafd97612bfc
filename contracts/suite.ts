// `usermock/contracts/vitest`: the conformance checks as tests of a project's own vitest run.
import { beforeAll, describe, it } from 'vitest';
import { checksOf } from './checks/index.ts';
import { profileOf, validateOptions, type ContractOptions } from './options.ts';
import { renderFailure } from './report/text.ts';
import { runContract, type RunReport } from './run.ts';

/**
 * Declares one vitest test per check of an API, judged by one run against a live server, so any
 * vitest run (and its reporters: JUnit, JSON …) includes them:
 *
 * ```ts
 * // test/contract.test.ts in your project
 * import { defineContractSuite } from 'usermock/contracts/vitest';
 * defineContractSuite({ api: 'hoop', baseUrl: 'http://127.0.0.1:8080', auth: process.env.HOOP_ADMIN });
 * ```
 *
 * Options no run can be made of throw at once; a refused credential fails the suite's set-up
 * with one message naming it.
 */
export function defineContractSuite(options: ContractOptions & { timeout?: number }): void {
  validateOptions(options);
  if (options.auth === undefined) throw new Error('defineContractSuite: `auth` is required: the Authorization header value of an admin');
  const checks = checksOf(profileOf(options.api, options.profiles)).filter((check) => !options.only || options.only.includes(check.name));
  let report: RunReport;
  describe(`${options.api} conformance`, () => {
    beforeAll(async () => {
      report = await runContract(options);
      if (report.error)
        throw new Error(`infrastructure error: ${report.error.request.method} ${report.error.request.url}: ${report.error.message}`);
    }, options.timeout ?? 300_000);
    for (const check of checks) {
      it(check.name, (context) => {
        const result = report.results.find((candidate) => candidate.check === check.name)!;
        if (result.status === 'skipped') return context.skip(result.reason);
        if (result.status === 'failed') {
          const text = result.failures.flatMap((failure, index) => [...renderFailure(failure, report, index + 1), '']).join('\n');
          throw new Error(`${result.failures.length} failure(s)\n\n${text}`);
        }
      });
    }
  });
}
