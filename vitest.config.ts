import { defineConfig } from 'vitest/config';
import ServicesReporter from './test/helpers/services-reporter.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The JSON report lets CI print one plain "N passed, N failed" line; ServicesReporter names,
    // after the summary, the suites skipped for a missing system service.
    reporters: ['default', new ServicesReporter(), ['json', { outputFile: 'reports/tests.json' }]],
  },
});
