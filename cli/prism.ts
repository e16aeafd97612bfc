import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isApiName } from '../specs/spec.ts';

/**
 * Prism's own CLI, from @stoplight/prism-cli — an optional peer dependency (a frontend that only
 * uses the mock does not install it): without it, say how to install it (exit 2).
 */
function prismBin(): string {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('@stoplight/prism-cli/package.json');
  } catch {
    console.error(
      'usermock: Prism is not installed; it is an optional peer dependency: npm install --save-dev @stoplight/prism-cli@5.14.2',
    );
    process.exit(2);
  }
  return join(dirname(manifest), 'dist', 'index.js');
}

const specFile = (api: string) => fileURLToPath(new URL(`../specs/${api}.openapi.yaml`, import.meta.url));

/** Runs Prism with the given arguments in the foreground, passing signals on and its exit code back. */
function runPrism(args: string[]): void {
  const child = spawn(process.execPath, [prismBin(), ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function checkApi(api: string): void {
  if (!isApiName(api)) {
    console.error(`usermock: unknown API "${api}" (expected hoop, amani or haplo)`);
    process.exit(2);
  }
}

/** `usermock prism <api>`: Prism's stateless mock of that API's spec (examples, or generated with --dynamic). */
export function prismMock(api: string, options: { port: number; host: string; dynamic?: boolean; seed?: string }): void {
  checkApi(api);
  const args = ['mock', specFile(api), '--port', String(options.port), '--host', options.host];
  if (options.dynamic) args.push('--dynamic');
  if (options.seed !== undefined) args.push('--seed', options.seed);
  runPrism(args);
}

/** `usermock proxy <api>`: Prism's validating proxy in front of a live server. */
export function prismProxy(api: string, options: { upstream: string; port: number; host: string; errors?: boolean }): void {
  checkApi(api);
  const args = ['proxy', specFile(api), options.upstream, '--port', String(options.port), '--host', options.host];
  if (options.errors) args.push('--errors');
  runPrism(args);
}
