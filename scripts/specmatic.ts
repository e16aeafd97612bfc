// `npm run test:specmatic [-- <api>…] [--base-url <url> --auth <Authorization value>]`: Specmatic's
// contract tests — requests built from each spec's examples, answers checked against the spec —
// against a fresh `usermock serve` (default seed), or against a server of your own. Needs Java.
// Fails unless Specmatic loads each spec without --lenient and every one of its tests passes.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { API_NAMES, apiSpec, isApiName, type ApiName } from '../specs/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const jar = join(dirname(createRequire(import.meta.url).resolve('specmatic/package.json')), 'specmatic.jar');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'base-url': { type: 'string' }, auth: { type: 'string' } },
});
const apis = positionals.length ? positionals : [...API_NAMES];
const unknown = apis.filter((api) => !isApiName(api));
if (unknown.length) {
  console.error(`test:specmatic: unknown API ${unknown.join(', ')} (expected ${API_NAMES.join(', ')})`);
  process.exit(2);
}
if (values['base-url'] && !values.auth) {
  console.error('test:specmatic: --base-url needs --auth, the Authorization header value of an admin');
  process.exit(2);
}

interface Outcome {
  api: string;
  run: number;
  failures: number;
  lenientOnly: boolean;
}

/** Starts `usermock serve` (from source) on a free port with the default seed, and waits for its URL. Specmatic sends bad requests on purpose: their spec violations are not logged. */
function serve(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/index.ts'), 'serve', '--port', '0', '--quiet'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /at (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ url, stop: () => child.kill() });
    });
    child.once('exit', (code) => reject(new Error(`usermock serve exited with ${code}`)));
  });
}

/** Specmatic reads a security scheme's credential from the environment variable named after it. */
function credentialEnv(api: ApiName, authorization: string): Record<string, string> {
  const schemes = apiSpec(api).document.components?.securitySchemes ?? {};
  return Object.fromEntries(
    Object.entries(schemes).map(([name, scheme]) => [
      name,
      scheme.scheme === 'bearer' ? authorization.replace(/^Bearer /, '') : authorization.replace(/^Basic /, ''),
    ]),
  );
}

async function test(api: ApiName, baseUrl: string, authorization: string): Promise<Outcome> {
  const reports = join(root, 'reports', 'specmatic', api);
  mkdirSync(reports, { recursive: true });
  const args = ['-jar', jar, 'test', join(root, 'specs', `${api}.openapi.yaml`), `--testBaseURL=${baseUrl}`, `--junitReportDir=${reports}`];
  const child = spawn('java', args, {
    cwd: reports,
    env: { ...process.env, ...credentialEnv(api, authorization) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const summary = /Tests run: (\d+), Successes: (\d+), Failures: (\d+), WIP: (\d+), Errors: (\d+)/.exec(output);
  const failed = [...output.matchAll(/^Scenario: (.*) has FAILED$/gm)].map((match) => match[1]);
  const lenientOnly = /--lenient/.test(output);
  const [run, failures] = summary ? [Number(summary[1]), Number(summary[3]) + Number(summary[5])] : [0, 1];
  if (failures || !summary) process.stdout.write(`${output}\n`);
  console.log(`specmatic ${api}: ${run} tests, ${failures} failed (exit ${code})${failed.length ? `\n  ${failed.join('\n  ')}` : ''}`);
  return { api, run, failures, lenientOnly };
}

const outcomes: Outcome[] = [];
for (const api of apis as ApiName[]) {
  if (values['base-url']) {
    outcomes.push(await test(api, values['base-url'], values.auth!));
    continue;
  }
  // A fresh server per API: the examples assume the default seeded state.
  const server = await serve();
  try {
    const credentials = (await (await fetch(`${server.url}/__usermock/credentials`)).json()) as Record<ApiName, { admin: string }>;
    outcomes.push(await test(api, server.url, credentials[api].admin));
  } finally {
    server.stop();
  }
}
const bad = outcomes.filter((outcome) => outcome.failures > 0 || outcome.run === 0);
for (const outcome of bad) {
  console.error(
    `test:specmatic: ${outcome.api}: ${outcome.lenientOnly ? 'Specmatic loads the spec only with --lenient' : `${outcome.failures} of ${outcome.run} tests failed`}`,
  );
}
process.exit(bad.length ? 1 : 0);
