// Issue 19: the contract suite against SEMANTIC faults — servers whose answers are well-formed,
// documented and schema-valid, but which do the wrong thing. Each broken server of the catalogue
// (test/helpers/semantic-faults.ts) is first shown to differ from the mock by a few raw requests
// (so the catalogue itself is tested), then checked: the run must fail (exit 1), whichever check
// catches it; when `model_agreement` does, its reproduction must be short (at most 5 requests).
// Many of these are expected to fail until the model-based phase exists.
import type { ApiModule } from '../../mocks/index.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeOf, runContract, type RunReport } from '../../contracts/index.ts';
import { DEFAULT_MODEL_RUNS } from '../../contracts/model/index.ts';
import { sequenceOf } from '../../contracts/report/reproduce.ts';
import type { ApiName } from '../../specs/index.ts';
import { brokenWithState, SEMANTIC_FAULTS, type StatefulMutation, type Target } from '../helpers/semantic-faults.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

/** Generated command sequences the model phase runs per case: the default budget, as a user's run has it. */
const MODEL_RUNS = DEFAULT_MODEL_RUNS;
/** The contract run's seed (data shapes and choices; every run's data is unique anyway). */
const SEED = 11;
/** The most requests a model_agreement reproduction may take. */
const MAX_STEPS = 5;
/** The probed mocks' seed and size: this seed has inactive Amani users (the probe of "login accepts an inactive user" needs one). */
const PROBED = { seed: 5, users: 12 };
/** The checked mocks: as mutations.test.ts starts them (the mock's default seed). */
const CHECKED = { users: 8 };

const identity: StatefulMutation<unknown> = (request, next) => next(request);

interface Started extends Target {
  close(): Promise<void>;
}

async function serve(api: ApiName, mutation: StatefulMutation<any>, options: { seed?: number; users: number } = PROBED): Promise<Started> {
  let last: unknown;
  // A planted fault may throw: the mock answers 500 and need not log it here.
  const running: RunningMock<ApiModule> = await startMock<ApiModule>(
    { ...options, onError: () => {} },
    brokenWithState(api, mutation, (state) => (last = state)),
  );
  const { admin, standard } = running.mock.credentials()[api];
  return { url: running.url, admin, standard, state: () => last, close: () => running.close() };
}

async function check(api: ApiName, target: Target): Promise<RunReport> {
  return runContract({ api, baseUrl: target.url, auth: target.admin, authStandard: target.standard, seed: SEED, modelRuns: MODEL_RUNS });
}

interface Outcome {
  api: ApiName;
  name: string;
  kind: string;
  exit: number;
  failedBy: string[];
  warnedBy: string[];
  modelSteps?: number;
  modelMessage?: string;
}
const outcomes: Outcome[] = [];

const failedChecks = (report: RunReport) => report.results.filter((result) => result.status === 'failed').map((result) => result.check);
const warnedChecks = (report: RunReport) =>
  report.results.filter((result) => result.status !== 'failed' && result.warnings.length > 0).map((result) => result.check);
const described = (report: RunReport) =>
  JSON.stringify(
    report.results
      .filter((result) => result.failures.length || result.warnings.length)
      .map((result) => [result.check, result.status, [...result.failures, ...result.warnings].map((failure) => failure.message)]),
  );

for (const fault of SEMANTIC_FAULTS) {
  describe(`${fault.api} · ${fault.kind} · ${fault.name}`, () => {
    it('differs observably from the mock (raw probe)', async () => {
      const correct = await serve(fault.api, identity);
      const faulty = await serve(fault.api, fault.make());
      try {
        const expected = await fault.probe(correct);
        const observed = await fault.probe(faulty);
        if (process.env.SEMANTIC_FAULTS_DEBUG)
          console.log(`${fault.name}: mock ${JSON.stringify(expected)}, faulty ${JSON.stringify(observed)}`);
        expect(observed, `${fault.fact}; the mock answers ${JSON.stringify(expected)}`).not.toEqual(expected);
      } finally {
        await correct.close();
        await faulty.close();
      }
    });

    it('fails the contract run', { timeout: 60_000 }, async () => {
      const faulty = await serve(fault.api, fault.make(), CHECKED);
      let report: RunReport;
      try {
        report = await check(fault.api, faulty);
      } finally {
        await faulty.close();
      }
      const model = report.results.find((result) => result.check === 'model_agreement');
      const modelFailure = model?.status === 'failed' ? model.failures[0] : undefined;
      const modelSteps = modelFailure ? sequenceOf(modelFailure.exchange).length : undefined;
      const failedBy = failedChecks(report);
      outcomes.push({
        api: fault.api,
        name: fault.name,
        kind: fault.kind,
        exit: exitCodeOf(report),
        failedBy,
        warnedBy: warnedChecks(report),
        modelSteps,
        modelMessage: modelFailure?.message.slice(0, 160),
      });
      // A fault out of a client's reach is documented with why: the run must say nothing false about it.
      if (fault.limit?.kind === 'unreachable') return expect(exitCodeOf(report), fault.limit.why).toBe(0);
      if (fault.limit?.kind === 'inferred') return expect(warnedChecks(report), fault.limit.why).not.toEqual([]);
      expect(exitCodeOf(report), `caught by: ${failedBy.join(', ') || 'nothing'}; ${described(report)}`).toBe(1);
      if (modelSteps !== undefined) expect(modelSteps, 'the model_agreement reproduction').toBeLessThanOrEqual(MAX_STEPS);
    });
  });
}

describe('control', () => {
  it.each(['hoop', 'amani', 'haplo'] as const)('the correct %s mock passes with the same options', { timeout: 60_000 }, async (api) => {
    const correct = await serve(api, identity, CHECKED);
    try {
      const report = await check(api, correct);
      expect(failedChecks(report), described(report)).toEqual([]);
      expect(exitCodeOf(report)).toBe(0);
    } finally {
      await correct.close();
    }
  });
});

afterAll(() => {
  if (outcomes.length === 0) return;
  const caught = outcomes.filter((outcome) => outcome.exit === 1);
  const byCheck = new Map<string, number>();
  for (const outcome of caught) for (const name of outcome.failedBy) byCheck.set(name, (byCheck.get(name) ?? 0) + 1);
  const lines = [
    `Semantic faults: ${caught.length} of ${outcomes.length} caught (exit 1), model runs ${MODEL_RUNS}, seed ${SEED}`,
    ...[...byCheck].sort((a, b) => b[1] - a[1]).map(([name, count]) => `  ${name}: ${count}`),
    ...outcomes.map((outcome) => {
      const verdict = outcome.exit === 1 ? `caught by ${outcome.failedBy.join(', ')}` : `NOT caught (exit ${outcome.exit})`;
      const warned = outcome.warnedBy.length ? `; warnings from ${outcome.warnedBy.join(', ')}` : '';
      const steps = outcome.modelSteps === undefined ? '' : `; model sequence ${outcome.modelSteps} steps (${outcome.modelMessage})`;
      return `  [${outcome.api}] ${outcome.name}: ${verdict}${warned}${steps}`;
    }),
  ];
  console.log(lines.join('\n'));
});
