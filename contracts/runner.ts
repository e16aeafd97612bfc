import { apiSpec, type ApiName } from '../specs/index.ts';
import { amaniProfile } from './apis/amani.ts';
import { haploProfile } from './apis/haplo.ts';
import { hoopProfile } from './apis/hoop.ts';
import type { ApiProfile } from './apis/profile.ts';
import { adminRequired, authRequired, invalidCredentialsRefused } from './checks/auth.ts';
import { RunContext, isSuccess } from './checks/context.ts';
import { negativeDataRejection, positiveDataAcceptance } from './checks/input.ts';
import { RESPONSE_CHECKS } from './checks/response.ts';
import {
  createdListed,
  createReadBack,
  deleteEffective,
  duplicateConflict,
  updatePersisted,
  type ScenarioCheck,
} from './checks/stateful.ts';
import { DataFactory } from './data.ts';
import { Client } from './exchange.ts';
import type { Failure } from './failure.ts';

export interface ContractOptions {
  api: ApiName;
  /** The origin; the documented paths (`/api/users` …) are appended. */
  baseUrl: string;
  /** `Authorization` value of a caller allowed everything. */
  auth?: string;
  /** `Authorization` value of an authenticated non-admin caller. */
  authStandard?: string;
  /** Seed of the generated test data: the same seed sends the same requests. */
  seed?: number;
  /** Run only these checks (names as in CHECKS). */
  only?: string[];
  /** Send only safe (GET) requests: for production-like targets. */
  readOnly?: boolean;
  /** Leave out the checks that need state to persist between requests (stateless mocks such as Prism). */
  stateless?: boolean;
}

/** A check and its one-line meaning. */
export interface CheckInfo {
  name: string;
  meaning: string;
  kind: 'scenario' | 'response';
  /** Needs a server that keeps what it is sent and knows its users (skipped with `stateless`). */
  stateful?: boolean;
  /** Sends writes, so it does not run with `readOnly`. */
  writes?: boolean;
}

const SCENARIOS: Array<CheckInfo & { check(readOnly: boolean): ScenarioCheck }> = [
  {
    name: 'create_read_back',
    meaning: 'a created user reads back as sent',
    kind: 'scenario',
    stateful: true,
    writes: true,
    check: () => createReadBack,
  },
  {
    name: 'created_listed',
    meaning: 'a created user appears in the list',
    kind: 'scenario',
    stateful: true,
    writes: true,
    check: () => createdListed,
  },
  {
    name: 'duplicate_conflict',
    meaning: 'a duplicate email gets the documented conflict',
    kind: 'scenario',
    stateful: true,
    writes: true,
    check: () => duplicateConflict,
  },
  {
    name: 'update_persisted',
    meaning: 'an update is answered and persisted',
    kind: 'scenario',
    stateful: true,
    writes: true,
    check: () => updatePersisted,
  },
  {
    name: 'delete_effective',
    meaning: 'a deleted or blocked user stays so',
    kind: 'scenario',
    stateful: true,
    writes: true,
    check: () => deleteEffective,
  },
  {
    name: 'negative_data_rejection',
    meaning: 'bodies the schema forbids get a documented 4xx',
    kind: 'scenario',
    writes: true,
    check: () => negativeDataRejection,
  },
  {
    name: 'positive_data_acceptance',
    meaning: 'valid bodies, also non-ASCII, are accepted',
    kind: 'scenario',
    writes: true,
    check: () => positiveDataAcceptance,
  },
  { name: 'auth_required', meaning: 'a request without credentials gets 401/403', kind: 'scenario', check: authRequired },
  // The server must know which credentials it issued, and to whom: state, in Prism's terms.
  {
    name: 'invalid_credentials_refused',
    meaning: 'a credential no server issued gets 401/403',
    kind: 'scenario',
    stateful: true,
    check: invalidCredentialsRefused,
  },
  { name: 'admin_required', meaning: 'a non-admin gets 403 on admin operations', kind: 'scenario', stateful: true, check: adminRequired },
];

/** Every check, scenario checks first, with its meaning. */
export const CHECKS: readonly CheckInfo[] = [
  ...SCENARIOS.map(({ check: _check, ...info }) => info),
  ...Object.entries(RESPONSE_CHECKS).map(([name, { meaning }]) => ({ name, meaning, kind: 'response' as const })),
];

const PROFILES: Record<ApiName, () => ApiProfile> = { hoop: hoopProfile, amani: amaniProfile, haplo: haploProfile };

/** The result of one check. */
export interface CheckResult {
  check: string;
  meaning: string;
  status: 'passed' | 'failed' | 'skipped';
  failures: Failure[];
  reason?: string;
}

/** A step of a run: one check, run when its turn comes. */
export interface Step {
  info: CheckInfo;
  run(): Promise<CheckResult>;
}

/**
 * One conformance run against one API of a live server. The steps are the checks in order —
 * scenarios that send requests first, then the response checks over every exchange so far —
 * so a test runner can report each as its own test.
 */
export class ContractRun {
  readonly client: Client;
  readonly seed: number;
  private readonly context: RunContext;

  constructor(readonly options: ContractOptions) {
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.client = new Client(options.baseUrl, { admin: options.auth, standard: options.authStandard });
    this.context = new RunContext(this.client, PROFILES[options.api](), apiSpec(options.api), new DataFactory(this.seed));
  }

  /** Learns what the data needs from the server, then samples every safe operation once. */
  async prepare(): Promise<void> {
    const { profile, data } = this.context;
    await profile.prepare(this.client);
    for (const operation of this.context.spec.operations.filter((operation) => operation.method === 'GET')) {
      const call = profile.sample(operation.id, undefined, data);
      if (call) await this.context.send(call);
    }
  }

  steps(): Step[] {
    const responses = Object.entries(RESPONSE_CHECKS).filter(([name]) => this.reports(name));
    return [
      ...SCENARIOS.filter((scenario) => this.runs(scenario)).map((scenario) => this.scenarioStep(scenario)),
      ...responses.map((entry) => this.responseStep(...entry)),
    ];
  }

  /** Whether a check's findings are reported: every check, or those `only` names. */
  private reports(name: string): boolean {
    return !this.options.only || this.options.only.includes(name);
  }

  /**
   * Whether a scenario runs: when reported, and also when `only` names response checks alone —
   * then every scenario runs for the traffic those checks judge.
   */
  private runs(scenario: CheckInfo): boolean {
    const only = this.options.only;
    return this.reports(scenario.name) || (only !== undefined && !SCENARIOS.some((candidate) => only.includes(candidate.name)));
  }

  private scenarioStep({ check, ...info }: (typeof SCENARIOS)[number]): Step {
    const readOnly = this.options.readOnly ?? false;
    return {
      info,
      run: async () => {
        if (readOnly && info.writes) return skipped(info, 'read-only run');
        if (this.options.stateless && info.stateful) return skipped(info, 'stateless target');
        const outcome = await check(readOnly)(this.context);
        if (outcome.skipped) return skipped(info, outcome.skipped);
        if (!this.reports(info.name)) return skipped(info, 'not selected (run for its traffic)');
        return result(
          info,
          outcome.findings.map((finding) => ({ check: info.name, ...finding })),
        );
      },
    };
  }

  private responseStep(name: string, { check, meaning, apis }: (typeof RESPONSE_CHECKS)[string]): Step {
    const info: CheckInfo = { name, meaning, kind: 'response' };
    return {
      info,
      run: async () => {
        if (apis && !apis.includes(this.options.api)) return skipped(info, `applies to ${apis.join(', ')} only`);
        const failures = this.client.exchanges.flatMap((exchange) => {
          const message = check(exchange, this.context.spec);
          return message ? [{ check: name, message, exchange }] : [];
        });
        return result(info, failures);
      },
    };
  }

  /** Undoes what the run created where the API allows it; returns how many things it removed. */
  async cleanup(): Promise<number> {
    let removed = 0;
    for (const exchange of [...this.client.exchanges].reverse()) {
      if (!isSuccess(exchange)) continue;
      const call = this.context.profile.cleanup(exchange);
      if (!call) continue;
      // Cleaning up is best effort: a server that fails it has already been judged by the checks.
      const answer = await this.client.send(call.operationId, call).catch(() => undefined);
      if (answer && isSuccess(answer)) removed++;
    }
    return removed;
  }
}

function result(info: CheckInfo, failures: Failure[]): CheckResult {
  return { check: info.name, meaning: info.meaning, status: failures.length ? 'failed' : 'passed', failures };
}

function skipped(info: CheckInfo, reason: string): CheckResult {
  return { check: info.name, meaning: info.meaning, status: 'skipped', failures: [], reason };
}

/** Runs every selected check against a server and cleans up after itself. */
export async function runContractChecks(options: ContractOptions): Promise<CheckResult[]> {
  const run = new ContractRun(options);
  await run.prepare();
  const results: CheckResult[] = [];
  try {
    for (const step of run.steps()) results.push(await step.run());
  } finally {
    if (!options.readOnly) await run.cleanup();
  }
  return results;
}
