// The browser proof runs apart from `npm test` (it needs Chromium): `npm run test:browser`.
// Its file is named *.browser.ts so the main config's test/**/*.test.ts never picks it up.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'reports/browser-tests.json' }]],
  },
});
