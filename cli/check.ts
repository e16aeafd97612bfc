import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVitest } from 'vitest/node';
import { CHECKS, type ContractOptions } from '../contracts/runner.ts';
import { SummaryReporter } from '../contracts/summary-reporter.ts';
import { isApiName } from '../specs/index.ts';

export interface CheckCommandOptions {
  baseUrl: string;
  auth?: string;
  authStandard?: string;
  seed?: number;
  only?: string;
  readOnly?: boolean;
  stateless?: boolean;
  report: string[];
}

/** Exit codes: 0 every check passed, 1 a conformance failure, 2 a usage error or an unreachable server. */
const USAGE = 2;

function usage(message: string): never {
  console.error(`usermock check: ${message}`);
  process.exit(USAGE);
}

/** `usermock check <api>`: runs the conformance checks as a vitest suite against a live server. */
export async function check(api: string, options: CheckCommandOptions): Promise<void> {
  if (!isApiName(api)) usage(`unknown API "${api}" (expected hoop, amani or haplo)`);
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.baseUrl);
  } catch {
    usage(`--base-url "${options.baseUrl}" is not a URL`);
  }
  const only = options.only
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = only?.filter((name) => !CHECKS.some((check) => check.name === name));
  if (unknown?.length) usage(`unknown check(s) ${unknown.join(', ')}; checks: ${CHECKS.map((check) => check.name).join(', ')}`);
  const reporters = options.report.map(parseReport);

  const published = await usermockCredentials(baseUrl, api);
  const credentials = options.auth ? undefined : published;
  const contract: ContractOptions = {
    api,
    baseUrl: baseUrl.origin,
    auth: options.auth ?? credentials?.admin,
    authStandard: options.authStandard ?? (options.auth ? undefined : credentials?.standard),
    seed: options.seed,
    only,
    readOnly: options.readOnly,
    stateless: options.stateless,
  };
  if (credentials) console.log(`usermock check: no --auth given; using the credentials ${baseUrl.origin}/__usermock/credentials publishes`);
  if (!contract.auth) console.log('usermock check: no --auth given; checks that need a credential will find the server refusing them');

  process.env.USERMOCK_CHECK_OPTIONS = JSON.stringify(contract);
  const suite = fileURLToPath(new URL('./run.suite.js', import.meta.url));
  const vitest = await startVitest(
    'test',
    [],
    {
      root: dirname(suite),
      include: ['run.suite.js'],
      config: false,
      watch: false,
      reporters: ['default', new SummaryReporter(), ...reporters],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      fileParallelism: false,
    },
    { logLevel: 'error' },
  );
  const failed = vitest.state.getCountOfFailedTests() > 0 || vitest.state.getUnhandledErrors().length > 0;
  await vitest.close();
  process.exit(failed ? 1 : 0);
}

/** `junit=<file>` or `json=<file>` → a vitest reporter writing that file. */
function parseReport(value: string): [string, { outputFile: string }] {
  const match = /^(junit|json)=(.+)$/.exec(value);
  if (!match) usage(`--report takes junit=<file> or json=<file>, got "${value}"`);
  return [match[1]!, { outputFile: match[2]! }];
}

/**
 * Checks that the server answers at all (exit 2 if not) and, when it is a usermock, fetches the
 * credentials it publishes so `usermock check` works against `usermock serve` without flags.
 */
async function usermockCredentials(baseUrl: URL, api: string): Promise<{ admin?: string; standard?: string } | undefined> {
  let answer: Response;
  try {
    answer = await fetch(new URL('/__usermock/credentials', baseUrl), { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    usage(`cannot reach ${baseUrl.origin}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  if (!answer.ok) return undefined;
  try {
    return ((await answer.json()) as Record<string, { admin?: string; standard?: string }>)[api];
  } catch {
    return undefined;
  }
}
