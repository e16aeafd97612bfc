// Judging a run's traffic: every check over the exchanges it concerns, one failure per root cause
// (an answer with the wrong status is judged no further; repeats are grouped with a count), and
// failures that match the spec's documented drift marked as such.
import type { ApiSpec, Drift, Provenance } from '../specs/index.ts';
import type { ApiProfile } from './apis/profile.ts';
import { NOT_JUDGED, type CheckInfo, type Problem } from './checks/check.ts';
import { unmetExpectation } from './checks/expectation.ts';
import { checksOf, isResponseCheck } from './checks/index.ts';
import type { RunMode } from './drivers/context.ts';
import type { Exchange } from './exchange.ts';
import { CHECK, type CheckName } from './checks/names.ts';

/** One thing a check found wrong — the first request that showed it, and how many more did. */
export interface Failure {
  check: string;
  message: string;
  detail?: string;
  /** The first exchange that showed it. */
  exchange: Exchange;
  /** Every operation it was seen on. */
  operations: string[];
  /** How many requests showed it. */
  count: number;
  /** Where the violated fact comes from in the spec. */
  provenance: Provenance;
  /** The documented drift it matches, if any. */
  drift?: Pick<Drift, 'id' | 'summary'>;
  /** Where in the answer's body the fault is (a JSON pointer), when the check names a place. */
  pointer?: string;
}

export interface CheckResult {
  check: string;
  meaning: string;
  status: 'passed' | 'failed' | 'skipped';
  failures: Failure[];
  /**
   * Disagreements that do not fail the run: on a fact the spec marks `inferred` (unless `strict`),
   * or matching documented drift (with `allowDrift`).
   */
  warnings: Failure[];
  /** Why it was skipped. */
  reason?: string;
  /** How many exchanges it judged. */
  judged: number;
}

export interface Verdict {
  /** Which checks run: all, or those named. */
  only?: readonly string[];
  mode: RunMode;
  allowDrift: boolean;
  /** Failures on facts the spec marks `inferred` fail too, instead of warning. */
  strict: boolean;
  /** Checks the drivers could not feed, with why. */
  blocked: ReadonlyMap<CheckName, string>;
}

/** Whether a check applies to a run of this mode, or why not. */
export function notApplicable(check: CheckInfo, mode: RunMode): string | undefined {
  if (mode.readOnly && check.writes) return 'read-only run';
  if (mode.stateless && check.stateful) return 'stateless target';
  return undefined;
}

export function judge(exchanges: readonly Exchange[], spec: ApiSpec, profile: ApiProfile, verdict: Verdict): CheckResult[] {
  const checks = checksOf(profile).filter((check) => !verdict.only || verdict.only.includes(check.name));
  const active = new Set(checks.filter((check) => !notApplicable(check, verdict.mode)).map((check) => check.name));
  const found = new Map<string, Array<{ problem: Problem; exchange: Exchange }>>();
  const judged = new Map<string, number>();
  const record = (check: string, problem: Problem | undefined, exchange: Exchange) => {
    judged.set(check, (judged.get(check) ?? 0) + 1);
    if (problem) found.set(check, [...(found.get(check) ?? []), { problem, exchange }]);
  };

  const responseChecks = checks.filter(isResponseCheck).filter((check) => active.has(check.name));
  for (const exchange of exchanges) {
    const expectation = exchange.intent.check;
    if (expectation && active.has(expectation)) {
      const unmet = unmetExpectation(exchange, spec, profile);
      if (unmet?.wrongAnswer) {
        // The root cause, reported once, by what kind of wrong it is: a server error, an
        // undocumented status, or a documented status that is not the one this request must get.
        record(ownerOf(exchange, spec, expectation, active), unmet.problem, exchange);
        continue;
      }
      record(expectation, unmet?.problem, exchange);
    }
    // Specific before generic: a body a more specific check already faulted is not faulted again by
    // the schema, and a body of the wrong media type is judged by nothing that reads it.
    const failed = new Set<string>();
    for (const check of responseChecks) {
      if (failed.has(CHECK.content_type_conformance) && check.name !== CHECK.no_secrets_in_answers) continue;
      if (failed.size && check.name === CHECK.response_schema_conformance) continue;
      if (failed.has(CHECK.not_a_server_error) && check.name === CHECK.status_code_conformance) continue;
      const problem = check.judge(exchange, spec);
      if (problem === NOT_JUDGED) continue;
      record(check.name, problem, exchange);
      if (problem) failed.add(check.name);
    }
  }

  return checks.map((check): CheckResult => {
    const base = { check: check.name, meaning: check.meaning, failures: [], warnings: [], judged: judged.get(check.name) ?? 0 };
    const inapplicable = notApplicable(check, verdict.mode);
    if (inapplicable) return { ...base, status: 'skipped', reason: inapplicable };
    const grouped = group(check.name, found.get(check.name) ?? [], spec);
    const warned = (failure: Failure) => (failure.drift && verdict.allowDrift) || (failure.provenance === 'inferred' && !verdict.strict);
    const failures = grouped.filter((failure) => !warned(failure));
    const warnings = grouped.filter(warned);
    if (failures.length) return { ...base, status: 'failed', failures, warnings };
    if (base.judged === 0) return { ...base, status: 'skipped', reason: verdict.blocked.get(check.name) ?? 'nothing to judge in this run' };
    return { ...base, status: 'passed', warnings };
  });
}

/** Which check reports an answer with the wrong status: a 5xx is a server error, an undocumented status the status check's. */
function ownerOf(exchange: Exchange, spec: ApiSpec, expectation: string, active: ReadonlySet<string>): string {
  const { status } = exchange.response;
  if (status >= 500 && active.has(CHECK.not_a_server_error)) return CHECK.not_a_server_error;
  if (!spec.documentsStatus(exchange.operationId, status) && active.has(CHECK.status_code_conformance))
    return CHECK.status_code_conformance;
  return expectation;
}

/** Findings of one check grouped by what they say (and the drift they match), first occurrence kept. */
function group(check: string, findings: Array<{ problem: Problem; exchange: Exchange }>, spec: ApiSpec): Failure[] {
  const groups = new Map<string, Failure>();
  for (const { problem, exchange } of findings) {
    const drift = driftOf(spec, check, problem, exchange);
    const key = `${problem.message}\u0000${drift?.id ?? ''}`;
    const existing = groups.get(key);
    if (existing) {
      existing.count++;
      if (!existing.operations.includes(exchange.operationId)) existing.operations.push(exchange.operationId);
      continue;
    }
    groups.set(key, {
      check,
      message: problem.message,
      detail: problem.detail,
      exchange,
      operations: [exchange.operationId],
      count: 1,
      provenance: problem.provenance ?? exchange.intent.provenance ?? factProvenance(spec, check, exchange),
      drift: drift && { id: drift.id, summary: drift.summary },
      pointer: problem.schemaErrors?.[0]?.pointer,
    });
  }
  return [...groups.values()];
}

/**
 * Where the fact a failure is about comes from. A spec may infer a status code (DRF answers 201)
 * while documenting what the call does: an answer of the expected kind with another code breaks
 * the inferred code, an answer of another kind (a refusal where success is due) breaks the
 * operation's documented meaning. What an error answer looks like is as sure as its status; what a
 * success answer holds is the operation's word; a 5xx is never right.
 */
function factProvenance(spec: ApiSpec, check: string, exchange: Exchange): Provenance {
  const { operationId, response } = exchange;
  const operation = spec.provenance(operationId);
  if (check === CHECK.not_a_server_error) return 'documented';
  if (check === CHECK.status_code_conformance) return operation;
  const expected = exchange.intent.expect?.status;
  // The status due: the one expected, or the vendor model's answer.
  const wanted = Array.isArray(expected) && expected.length === 1 ? expected[0]! : exchange.intent.expect?.agreement?.vendor.status;
  const kind = (status: number) => Math.floor(status / 100);
  if (wanted !== undefined && wanted !== response.status)
    return kind(wanted) === kind(response.status) ? spec.provenance(operationId, wanted) : operation;
  return response.status >= 400 && spec.documentsStatus(operationId, response.status)
    ? spec.provenance(operationId, response.status)
    : operation;
}

/**
 * The spec's documented drift a failure matches: the same check and operation, and the same status
 * — or, for a schema failure, every error explained by some drift entry (a body can show two).
 */
export function driftOf(spec: ApiSpec, check: string, problem: Problem, exchange: Exchange): Pick<Drift, 'id' | 'summary'> | undefined {
  const candidates = spec.drift.filter(
    (drift) => drift.check === check && (!drift.operations || drift.operations.includes(exchange.operationId)),
  );
  if (problem.schemaErrors?.length) {
    const explaining = problem.schemaErrors.map((error) =>
      candidates.find(
        (drift) => drift.field !== undefined && error.pointer.endsWith(drift.field) && (!drift.keyword || error.keyword === drift.keyword),
      ),
    );
    if (!explaining.every(Boolean)) return undefined;
    const unique = [...new Set(explaining as Drift[])];
    return { id: unique.map((drift) => drift.id).join(' + '), summary: unique.map((drift) => drift.summary).join('; ') };
  }
  return candidates.find((drift) => drift.field === undefined && drift.status !== undefined && drift.status === problem.status);
}
