// `usermock check <api>`: runs the conformance suite against a live server, with no test runner.
// Exit codes: 0 conformant, 1 contract failures, 2 usage or credential error (or nothing judged),
// 3 infrastructure error; 130/143 when stopped by SIGINT/SIGTERM (after cleaning up).
import { mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ApiProfile } from '../contracts/apis/profile.ts';
import { CredentialError } from '../contracts/drivers/credentials.ts';
import { profileOf, UsageError, type ContractOptions } from '../contracts/options.ts';
import { REPORT_FORMATS, reportText, type ReportFormat } from '../contracts/report/files.ts';
import { AUTH_VARIABLES } from '../contracts/report/mask.ts';
import { renderReport, summaryLine } from '../contracts/report/text.ts';
import { exitCodeOf, runContract } from '../contracts/run.ts';
import { loadPlugins } from './plugins.ts';

export interface CheckCommandOptions {
  baseUrl: string;
  auth?: string;
  authStandard?: string;
  seed?: number;
  only?: string;
  readOnly?: boolean;
  stateless?: boolean;
  allowDrift?: boolean;
  strict?: boolean;
  allowDestructive?: boolean;
  modelRuns?: number;
  timeout: number;
  report: string[];
  apis?: string;
}

const LABELS = { admin: '--auth', standard: '--auth-standard' };

function fail(code: 2 | 3, message: string): never {
  console.error(`usermock check: ${message}`);
  process.exit(code);
}

export async function check(api: string, options: CheckCommandOptions): Promise<void> {
  const profiles = await loadProfiles(options.apis);
  try {
    profileOf(api, profiles);
  } catch (error) {
    fail(2, (error as Error).message);
  }
  const reports = await openReports(options.report);
  const auth = options.auth ?? process.env[AUTH_VARIABLES.admin];
  const authStandard = options.authStandard ?? process.env[AUTH_VARIABLES.standard];
  const published = auth === undefined ? await usermockCredentials(options.baseUrl, api) : undefined;
  if (published)
    console.error(
      `usermock check: no --auth given; using the credentials ${options.baseUrl.replace(/\/$/, '')}/__usermock/credentials publishes`,
    );

  const stop = new AbortController();
  let stopping = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopping = signal === 'SIGINT' ? 130 : 143;
    console.error(`\nusermock check: ${signal}: stopping, removing what the run created (again to quit at once)`);
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  const contract: ContractOptions = {
    api,
    profiles,
    baseUrl: options.baseUrl,
    auth: auth ?? published?.admin,
    authStandard: authStandard ?? (auth === undefined ? published?.standard : undefined),
    seed: options.seed,
    only: options.only?.split(',').map((name) => name.trim()),
    readOnly: options.readOnly,
    stateless: options.stateless,
    allowDrift: options.allowDrift,
    strict: options.strict,
    allowDestructive: options.allowDestructive,
    modelRuns: options.modelRuns,
    timeoutMs: options.timeout * 1000,
    signal: stop.signal,
    onProgress: progressLine(api),
  };
  let report;
  try {
    report = await runContract(contract, LABELS);
  } catch (error) {
    if (error instanceof UsageError || error instanceof CredentialError) fail(2, error.message);
    throw error;
  } finally {
    progressDone();
  }
  const exitCode = stopping || exitCodeOf(report);
  console.log(renderReport(report));
  for (const [format, file] of reports) await writeFile(file, reportText(format, report, exitCode));
  if (exitCode === 2) console.log('\nnothing was judged: every selected check was skipped, so this run is not a pass');
  console.log(`\n${summaryLine(report, exitCode)}`);
  process.exit(exitCode);
}

/** The contract profiles a `--apis` file lists. */
async function loadProfiles(file: string | undefined): Promise<Array<() => ApiProfile>> {
  try {
    return (await loadPlugins(file)).flatMap((plugin) => plugin.profile ?? []);
  } catch (error) {
    fail(2, (error as Error).message);
  }
}

/**
 * `--report junit=F`, `json=F`, `coverage=F`: paths relative to the working directory, each
 * checked writable before any request is sent (exit 2 if not).
 */
async function openReports(values: string[]): Promise<Array<[ReportFormat, string]>> {
  const reports: Array<[ReportFormat, string]> = [];
  for (const value of values) {
    const match = /^([a-z]+)=(.+)$/.exec(value);
    if (!match || !REPORT_FORMATS.includes(match[1] as ReportFormat))
      fail(2, `--report takes ${REPORT_FORMATS.map((format) => `${format}=<file>`).join(', ')}; got "${value}"`);
    const file = resolve(process.cwd(), match[2]!);
    try {
      await mkdir(dirname(file), { recursive: true });
      await (await open(file, 'a')).close();
    } catch (error) {
      fail(2, `cannot write the ${match[1]} report to ${file}: ${(error as Error).message}`);
    }
    reports.push([match[1] as ReportFormat, file]);
  }
  return reports;
}

type Credentials = { admin?: string; standard?: string };

/**
 * When the server is a usermock, the credentials it publishes, so `usermock check` works against
 * `usermock serve` without flags. A server that cannot be reached at all is exit 3.
 */
async function usermockCredentials(baseUrl: string, api: string): Promise<Credentials | undefined> {
  let base: URL;
  try {
    base = new URL(`${baseUrl.replace(/\/$/, '')}/`);
  } catch {
    return undefined; // the option check names the bad URL
  }
  // At the base URL's path (a usermock behind a path prefix), then at the root (an API mounted under a prefix).
  for (const url of new Set([new URL('__usermock/credentials', base).href, new URL('/__usermock/credentials', base).href])) {
    let answer: Response;
    try {
      answer = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      fail(3, `cannot reach ${base.origin}: ${(error as Error).cause ?? (error as Error).message}`);
    }
    const published = answer.ok
      ? ((await answer.json().catch(() => undefined)) as Record<string, Credentials> | undefined)?.[api]
      : undefined;
    if (published) return published;
  }
  return undefined;
}

let progressShown = false;

/** A progress line on stderr: rewritten in place on a terminal, one line per phase otherwise. */
function progressLine(api: string) {
  let phase = '';
  return ({ phase: current, requests }: { phase: string; requests: number }) => {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r\x1b[Kusermock check ${api}: ${current} · ${requests} requests`);
      progressShown = true;
    } else if (current !== phase) {
      process.stderr.write(`usermock check ${api}: ${current} (${requests} requests so far)\n`);
    }
    phase = current;
  };
}

function progressDone(): void {
  if (progressShown) process.stderr.write('\r\x1b[K');
}
