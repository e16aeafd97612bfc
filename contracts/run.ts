// One conformance run: credentials first, then the drivers send their traffic, the checks judge
// it, and the clean-up removes what the run created — also when it is stopped or the
// infrastructure fails it.
import type { ApiProfile } from './apis/profile.ts';
import { checksOf } from './checks/index.ts';
import { coverageOf, type Coverage } from './coverage.ts';
import { DataFactory } from './data.ts';
import { auth, AUTH_CHECKS } from './drivers/auth.ts';
import { RunContext, type RunMode } from './drivers/context.ts';
import { pathForms, provocations, samples } from './drivers/coverage.ts';
import { credentialSecrets, verifyCredentials, type CredentialLabels } from './drivers/credentials.ts';
import { bodies, DATA_CHECKS } from './drivers/data.ts';
import { EXAMPLE_CHECKS, examples } from './drivers/examples.ts';
import { lifecycle, LIFECYCLE_CHECKS } from './drivers/lifecycle.ts';
import { DEFAULT_MODEL_RUNS, MODEL_CHECKS } from './model/check.ts';
import { modelBased } from './model/engine.ts';
import { isSuccess, type Call, type SentRequest } from './exchange.ts';
import { profileOf, validateOptions, type ContractOptions } from './options.ts';
import { InfrastructureError, Transport } from './transport.ts';
import { masked } from './report/mask.ts';
import { judge, type CheckResult } from './verdict.ts';
import { CHECK, type CheckName } from './checks/names.ts';

/** Everything a run found, and what it left behind. */
export interface RunReport {
  api: ContractOptions['api'];
  baseUrl: string;
  seed: number;
  /** The token that makes this run's data unique. */
  nonce: string;
  mode: RunMode;
  results: CheckResult[];
  coverage: Coverage;
  /** What the run could not verify, in words. */
  notes: string[];
  cleanup: { removed: number; failed: string[]; leftovers: string[] };
  /** The infrastructure failure that ended the run early (nothing was judged). */
  error?: { message: string; request: Pick<SentRequest, 'method' | 'url'> };
  /** The run was stopped (Ctrl-C) before it judged anything. */
  interrupted?: boolean;
  /** Passwords the run gave its users, so that renderings can mask them. */
  secrets: string[];
}

interface Driver {
  name: string;
  feeds: CheckName[];
  writes?: boolean;
  stateful?: boolean;
  run(context: RunContext): Promise<void>;
}

function driversOf(profile: ApiProfile, modelRuns = DEFAULT_MODEL_RUNS): Driver[] {
  return [
    { name: 'lifecycle', feeds: LIFECYCLE_CHECKS, writes: true, stateful: true, run: lifecycle },
    ...profile.scenarios.map((scenario) => ({ ...scenario, stateful: true })),
    { name: 'request bodies', feeds: DATA_CHECKS, writes: true, run: bodies },
    { name: 'auth', feeds: AUTH_CHECKS, run: auth },
    { name: 'path forms', feeds: [CHECK.path_forms], run: pathForms },
    { name: 'paired examples', feeds: EXAMPLE_CHECKS, run: examples },
    { name: 'model-based sequences', feeds: MODEL_CHECKS, stateful: true, run: (context) => modelBased(context, modelRuns) },
    { name: 'documented statuses', feeds: [CHECK.provoked_status], run: provocations },
  ];
}

/**
 * Runs the checks of one API against a live server. Throws a UsageError or a CredentialError
 * (exit 2) before sending anything it should not; an infrastructure failure ends the run with
 * `report.error` (exit 3).
 */
export async function runContract(options: ContractOptions, labels?: CredentialLabels): Promise<RunReport> {
  validateOptions(options);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const mode: RunMode = {
    readOnly: options.readOnly ?? false,
    stateless: options.stateless ?? false,
    destructive: options.allowDestructive ?? false,
  };
  const credentials = { admin: options.auth, standard: options.authStandard };
  const timeoutMs = options.timeoutMs ?? 15_000;
  const transport = new Transport({
    baseUrl: options.baseUrl,
    credentials,
    timeoutMs,
    retries: options.retries ?? 3,
    maxDelayMs: 10_000,
    signal: options.signal,
  });
  const profile = profileOf(options.api, options.profiles);
  const { spec } = profile;
  const data = new DataFactory(seed);
  const context = new RunContext(transport, profile, spec, data, mode, selection(options.only, profile), options.onProgress);
  const report: RunReport = {
    api: options.api,
    baseUrl: options.baseUrl,
    seed,
    nonce: data.nonce,
    mode,
    results: [],
    coverage: coverageOf(spec, profile, [], context.notSought),
    notes: [],
    cleanup: { removed: 0, failed: [], leftovers: [] },
    secrets: data.passwords,
  };
  // A server may echo a credential back: reports mask it as they mask the run's passwords.
  data.passwords.push(...credentialSecrets(credentials));

  try {
    report.notes = await verifyCredentials(context, labels ?? { admin: 'auth', standard: 'authStandard' });
    context.startPhase('preparing');
    await profile.prepare(context);
    context.startPhase('sampling');
    await samples(context);
    for (const driver of driversOf(profile, options.modelRuns)) {
      if ((driver.writes && mode.readOnly) || (driver.stateful && mode.stateless) || !driver.feeds.some(context.selects)) continue;
      context.startPhase(driver.name);
      await driver.run(context);
    }
  } catch (error) {
    if (error instanceof InfrastructureError)
      report.error = { message: error.message, request: { method: error.request.method, url: error.request.url } };
    else if (options.signal?.aborted) report.interrupted = true;
    else throw error;
  } finally {
    context.startPhase('cleaning up');
    if (!mode.readOnly) report.cleanup = await cleanup(context, options, timeoutMs);
  }
  report.notes.push(...context.notes);
  if (report.error || report.interrupted) return report;
  report.coverage = coverageOf(spec, profile, transport.exchanges, context.notSought);
  report.results = judge(transport.exchanges, spec, profile, {
    only: options.only,
    mode,
    allowDrift: options.allowDrift ?? false,
    strict: options.strict ?? false,
    blocked: context.blocked,
  });
  // A failure's words may quote an answer, and an answer may echo a secret.
  for (const failure of report.results.flatMap((result) => [...result.failures, ...result.warnings])) {
    failure.message = masked(failure.message, report.secrets, Infinity);
    if (failure.detail) failure.detail = masked(failure.detail, report.secrets, Infinity);
  }
  return report;
}

/**
 * Which checks' traffic a run needs: every check's, or those `only` names — and all traffic when
 * it names only response checks, which judge whatever was sent.
 */
function selection(only: readonly string[] | undefined, profile: ApiProfile): (check: CheckName) => boolean {
  if (!only) return () => true;
  const expectations = checksOf(profile).filter((check) => check.kind === 'expectation' && only.includes(check.name));
  return expectations.length === 0 ? () => true : (check) => only.includes(check);
}

/**
 * Removes what the run created, newest first, where the API allows it, and puts back what it
 * changed; what the API cannot remove is listed. Uses a transport of its own: a stopped run's
 * signal must not stop its clean-up.
 */
async function cleanup(context: RunContext, options: ContractOptions, timeoutMs: number): Promise<RunReport['cleanup']> {
  const { profile } = context;
  const transport = new Transport({
    baseUrl: options.baseUrl,
    credentials: { admin: options.auth, standard: options.authStandard },
    timeoutMs: Math.min(timeoutMs, 5_000),
    retries: 1,
    maxDelayMs: 2_000,
  });
  const calls = new Map<string, Call>();
  const leftovers: string[] = [];
  for (const exchange of [...context.transport.exchanges].reverse()) {
    if (!isSuccess(exchange)) continue;
    for (const call of profile.cleanup(exchange)) calls.set(`${call.method} ${call.path} ${JSON.stringify(call.query ?? {})}`, call);
    const leftover = profile.leftover?.(exchange);
    if (leftover) leftovers.push(leftover);
  }
  // One undo per call and credential: the admin's and the standard caller's own records share a path.
  for (const call of context.undo) calls.set(`${call.method} ${call.path} undo ${JSON.stringify(call.auth)}`, call);
  let removed = 0;
  const failed: string[] = [];
  for (const call of calls.values()) {
    try {
      const answer = await transport.send(call, { purpose: 'clean-up' });
      if (isSuccess(answer) || answer.response.status === 404) removed++;
      else failed.push(`${call.method} ${call.path}: ${answer.response.status}`);
    } catch (error) {
      failed.push(`${call.method} ${call.path}: ${(error as Error).message}`);
    }
  }
  return { removed, failed, leftovers };
}

/**
 * Runs every selected check and returns one result per check (the programmatic form of
 * `usermock check`). Throws on a usage, credential or infrastructure error.
 */
export async function runContractChecks(options: ContractOptions): Promise<CheckResult[]> {
  const report = await runContract(options);
  if (report.error) throw new InfrastructureError(report.error.message, { ...report.error.request, headers: {}, auth: 'none' });
  return report.results;
}

/** The exit code of a run: 0 conformant, 1 contract failures, 2 nothing judged, 3 infrastructure error. */
export function exitCodeOf(report: RunReport): 0 | 1 | 2 | 3 {
  if (report.error) return 3;
  if (report.results.some((result) => result.status === 'failed')) return 1;
  if (report.results.every((result) => result.status === 'skipped')) return 2;
  return 0;
}
