// The machine-readable reports, all from one RunReport: JUnit (a test per check, the API as
// class name, so CI keeps a stable history), JSON, and the coverage table as JSON.
import junitReportBuilder from 'junit-report-builder';
import { mediaTypeOf } from '../exchange.ts';
import type { RunReport } from '../run.ts';
import type { Failure } from '../verdict.ts';
import { excerpt } from './excerpt.ts';
import { reproduction, sequenceOf } from './reproduce.ts';
import { renderFailure } from './text.ts';

// junit-report-builder is CommonJS: Node's interop gives its exports (the builder at `.default`),
// a bundler's gives the builder itself.
const junit: typeof junitReportBuilder.default = junitReportBuilder.default ?? junitReportBuilder;

export type ReportFormat = 'junit' | 'json' | 'coverage';
export const REPORT_FORMATS: readonly ReportFormat[] = ['junit', 'json', 'coverage'];

export function reportText(format: ReportFormat, report: RunReport, exitCode: number): string {
  if (format === 'junit') return junitOf(report);
  if (format === 'coverage') return `${JSON.stringify(coverageJson(report), null, 2)}\n`;
  return `${JSON.stringify(jsonOf(report, exitCode), null, 2)}\n`;
}

function junitOf(report: RunReport): string {
  const builder = junit.newBuilder();
  const suite = builder
    .testSuite()
    .name(`usermock check ${report.api}`)
    .property('seed', String(report.seed))
    .property('baseUrl', report.baseUrl);
  if (report.error || report.interrupted) {
    const message = report.error
      ? `${report.error.request.method} ${report.error.request.url}: ${report.error.message}`
      : 'the run was stopped';
    suite
      .testCase()
      .className(report.api)
      .name('run')
      .error(message, report.error ? 'InfrastructureError' : 'Interrupted');
    return builder.build();
  }
  for (const result of report.results) {
    const test = suite.testCase().className(report.api).name(result.check);
    const text = (failures: Failure[]) =>
      failures.flatMap((failure, index) => [...renderFailure(failure, report, index + 1), '']).join('\n');
    if (result.status === 'failed') test.failure(result.failures[0]!.message, result.check).standardOutput(text(result.failures));
    else if (result.status === 'skipped') test.skipped().standardOutput(`skipped: ${result.reason}`);
    else if (result.warnings.length) test.standardOutput(`warnings (inferred facts, known drift allowed):\n${text(result.warnings)}`);
  }
  return builder.build();
}

function failureJson(failure: Failure, report: RunReport) {
  const exchange = failure.exchange;
  return {
    message: failure.message,
    detail: failure.detail,
    operationId: exchange.operationId,
    operations: failure.operations,
    count: failure.count,
    provenance: failure.provenance,
    drift: failure.drift,
    sequence: sequenceOf(exchange).map((step) => ({
      method: step.request.method,
      url: step.request.url,
      status: step.response.status,
      purpose: step.intent.purpose,
    })),
    response: {
      status: exchange.response.status,
      contentType: mediaTypeOf(exchange.response),
      body: excerpt(exchange.response.text, exchange.response.json, failure.pointer, report.secrets),
    },
    reproduce: reproduction(exchange, report.baseUrl, { nonce: report.nonce, passwords: report.secrets }).join('\n'),
  };
}

function jsonOf(report: RunReport, exitCode: number) {
  return {
    api: report.api,
    baseUrl: report.baseUrl,
    seed: report.seed,
    exitCode,
    error: report.error,
    interrupted: report.interrupted,
    notes: report.notes,
    summary: {
      passed: report.results.filter((result) => result.status === 'passed').length,
      failed: report.results.filter((result) => result.status === 'failed').length,
      skipped: report.results.filter((result) => result.status === 'skipped').length,
      failures: report.results.reduce((total, result) => total + result.failures.length, 0),
    },
    checks: report.results.map((result) => ({
      name: result.check,
      meaning: result.meaning,
      status: result.status,
      reason: result.reason,
      judged: result.judged,
      failures: result.failures.map((failure) => failureJson(failure, report)),
      warnings: result.warnings.map((warning) => failureJson(warning, report)),
    })),
    coverage: coverageJson(report),
    cleanup: report.cleanup,
  };
}

function coverageJson(report: RunReport) {
  const { coverage } = report;
  return { api: report.api, provokable: coverage.provokable, judged: coverage.judgedCount, pairs: coverage.pairs };
}
