// A run as a person reads it: one line per check, the coverage table, each failure once with its
// request sequence and a reproduction, and what the clean-up did.
import type { Coverage } from '../coverage.ts';
import { mediaTypeOf } from '../exchange.ts';
import type { RunReport } from '../run.ts';
import type { CheckResult, Failure } from '../verdict.ts';
import { excerpt } from './excerpt.ts';
import { masked } from './mask.ts';
import { reproduction, sequenceOf } from './reproduce.ts';

export function renderReport(report: RunReport): string {
  const lines = [`usermock check ${report.api} against ${report.baseUrl} (seed ${report.seed}, data ${report.nonce})`, ''];
  for (const note of report.notes) lines.push(`  note: ${note}`);
  if (report.notes.length) lines.push('');
  if (report.error) {
    lines.push(`  infrastructure error: ${report.error.request.method} ${report.error.request.url}: ${report.error.message}`);
    lines.push('  the run ended here; nothing was judged (exit 3)');
  } else if (report.interrupted) {
    lines.push('  stopped before anything was judged');
  } else {
    lines.push(...resultTable(report.results), '', ...coverageTable(report.coverage));
    const failures = report.results.flatMap((result) => result.failures);
    const warnings = report.results.flatMap((result) => result.warnings);
    if (failures.length)
      lines.push(
        '',
        `Failures (${failures.length}):`,
        ...failures.flatMap((failure, index) => ['', ...renderFailure(failure, report, index + 1)]),
      );
    if (warnings.length)
      lines.push(
        '',
        `Warnings (${warnings.length}): facts the spec marks inferred (failures with --strict), and known drift allowed`,
        ...warnings.flatMap((warning, index) => ['', ...renderFailure(warning, report, index + 1)]),
      );
  }
  lines.push('', ...cleanupLines(report));
  return lines.join('\n');
}

function resultTable(results: CheckResult[]): string[] {
  const width = Math.max(5, ...results.map((result) => result.check.length));
  const rows = results.map((result) => {
    const detail =
      result.status === 'failed'
        ? `${result.failures.length} failure${result.failures.length > 1 ? 's' : ''}${result.failures.some((failure) => failure.drift) ? ' (known drift among them)' : ''}`
        : result.status === 'skipped'
          ? result.reason!
          : `${result.judged} judged${result.warnings.length ? `, ${result.warnings.length} warning${result.warnings.length > 1 ? 's' : ''}` : ''}`;
    return `  ${result.check.padEnd(width)}  ${result.status.padEnd(7)}  ${detail}`;
  });
  return [`  ${'check'.padEnd(width)}  ${'result'.padEnd(7)}  details`, ...rows];
}

/** Operation × documented status: what was judged, what was not provoked, and why some cannot be. */
export function coverageTable(coverage: Coverage): string[] {
  const percent = coverage.provokable ? Math.floor((100 * coverage.judgedCount) / coverage.provokable) : 100;
  const lines = [
    `Coverage: ${coverage.judgedCount} of ${coverage.provokable} documented (operation, status) pairs a client can provoke were judged (${percent}%)`,
  ];
  const operations = [...new Set(coverage.pairs.map((pair) => pair.operationId))];
  const width = Math.max(...operations.map((operation) => operation.length));
  for (const operation of operations) {
    const pairs = coverage.pairs.filter((pair) => pair.operationId === operation);
    const of = (state: string) => pairs.filter((pair) => pair.state === state).map((pair) => pair.status);
    const parts = [`judged ${of('judged').join(' ') || '—'}`];
    if (of('not provoked').length) parts.push(`not provoked ${of('not provoked').join(' ')}`);
    for (const pair of pairs.filter((candidate) => candidate.state === 'unprovokable'))
      parts.push(`cannot be provoked ${pair.status} (${pair.reason})`);
    for (const pair of pairs.filter((candidate) => candidate.state === 'not sought'))
      parts.push(`not sought ${pair.status} (${pair.reason})`);
    if (of('server error').length) parts.push(`not sought ${of('server error').join(' ')} (server errors)`);
    lines.push(`  ${operation.padEnd(width)}  ${parts.join(' · ')}`);
  }
  return lines;
}

/** One failure: what was wrong and where, how often, the request sequence, the answer and a reproduction. */
export function renderFailure(failure: Failure, report: Pick<RunReport, 'baseUrl' | 'nonce' | 'secrets'>, number?: number): string[] {
  const exchange = failure.exchange;
  const lines = [`${number ? `${number}. ` : ''}[${failure.check}] ${exchange.operationId}: ${failure.message}`];
  const indent = number ? '   ' : '  ';
  if (failure.detail) lines.push(`${indent}${failure.detail}`);
  const seen = failure.count > 1 ? `seen on ${failure.count} requests (${failure.operations.join(', ')})` : undefined;
  const facts = [
    seen,
    failure.provenance !== 'documented' ? `the spec marks this fact ${failure.provenance}` : undefined,
    failure.drift ? `known drift "${failure.drift.id}": ${failure.drift.summary}` : undefined,
  ];
  for (const fact of facts.filter(Boolean)) lines.push(`${indent}${fact}`);
  const sequence = sequenceOf(exchange);
  if (sequence.length > 1) {
    lines.push(`${indent}sequence:`);
    sequence.forEach((step, index) =>
      lines.push(`${indent}  ${index + 1}. ${step.request.method} ${step.request.url} → ${step.response.status}  (${step.intent.purpose})`),
    );
  } else {
    lines.push(`${indent}request:   ${exchange.request.method} ${exchange.request.url}`);
  }
  if (exchange.request.body !== undefined) lines.push(`${indent}body:      ${masked(exchange.request.body, report.secrets)}`);
  const { response } = exchange;
  lines.push(
    `${indent}response:  ${response.status} ${mediaTypeOf(response) || '(no content type)'} ${excerpt(response.text, response.json, failure.pointer, report.secrets)}`,
  );
  lines.push(
    `${indent}reproduce:`,
    ...reproduction(exchange, report.baseUrl, { nonce: report.nonce, passwords: report.secrets }).map((line) => `${indent}  ${line}`),
  );
  return lines;
}

function cleanupLines(report: RunReport): string[] {
  if (report.mode.readOnly) return ['Clean-up: nothing to remove (read-only run)'];
  const { removed, failed, leftovers } = report.cleanup;
  const lines = [`Clean-up: removed or restored ${removed} thing${removed === 1 ? '' : 's'} the run created or changed`];
  if (failed.length) lines.push(`  could not remove: ${failed.join('; ')}`);
  if (leftovers.length) lines.push(`  left behind (${leftovers.length}): ${leftovers.join('; ')}`);
  return lines;
}

/** The last line: the run in one sentence. */
export function summaryLine(report: RunReport, exitCode: number): string {
  if (report.error) return `usermock check ${report.api}: infrastructure error (exit ${exitCode})`;
  const count = (status: CheckResult['status']) => report.results.filter((result) => result.status === status).length;
  const failures = report.results.reduce((total, result) => total + result.failures.length, 0);
  return `usermock check ${report.api}: ${count('passed')} passed, ${count('failed')} failed (${failures} failure${failures === 1 ? '' : 's'}), ${count('skipped')} skipped (exit ${exitCode})`;
}
