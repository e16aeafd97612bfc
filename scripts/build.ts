// `npm run build` (also run by `npm ci` through `prepare`, and before `npm test`): derives what
// the specs generate, bundles the CLI and the library entry points into dist/ with esbuild, and
// emits their type declarations into dist/types/ with tsc.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { generateSpecs } from './generate-specs.ts';

await generateSpecs();
// A clean dist/: nothing a past build made (a removed entry point) is packed or imported.
rmSync('dist', { recursive: true, force: true });

const shared = { bundle: true, format: 'esm', packages: 'external', sourcemap: true, logLevel: 'warning' } as const;
await build({
  ...shared,
  platform: 'node',
  target: 'node20',
  entryPoints: {
    cli: 'cli/index.ts',
    msw: 'mocks/msw.ts',
    node: 'mocks/node.ts',
    index: 'index.ts',
    contracts: 'contracts/index.ts',
    'contracts-vitest': 'contracts/suite.ts',
  },
  outdir: 'dist',
  splitting: true,
});
await build({ ...shared, platform: 'browser', target: 'es2022', entryPoints: { browser: 'mocks/browser.ts' }, outdir: 'dist' });
// The dashboard is plain files, served as they are: mocks/server.ts finds them beside the bundle.
cpSync('mocks/dashboard', 'dist/dashboard', { recursive: true });
execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
