// The model-based phase: fast-check generates sequences of steps over every operation the run may
// call; each step goes to the server under test (through the run's transport, so the response
// checks judge it and the clean-up removes what it made) and, in lockstep, to an in-process
// usermock of the same API — the vendor's executable model — through its public request
// interface. The first disagreement is shrunk by fast-check to the shortest sequence that shows
// it, replayed once more with fresh data, and recorded for `model_agreement`.
import * as fc from 'fast-check';
import { API_MODULES, Mock, type ApiModule } from '../../mocks/index.ts';
import { forgedCredential } from '../drivers/auth.ts';
import type { RunContext } from '../drivers/context.ts';
import { isSuccess, receivedResponse, type Call, type Exchange, type ReceivedResponse } from '../exchange.ts';
import { wireOf } from '../transport.ts';
import { MODEL_CHECKS } from './check.ts';
import { compare, inconsistencies, noteHeld } from './compare.ts';
import { amaniModel } from './amani.ts';
import { haploModel } from './haplo.ts';
import { hoopModel } from './hoop.ts';
import { applicable, bind, callOf, resolve, Side, type Abstract, type Execution, type ModelProfile, type Step } from './profile.ts';
import { CHECK } from '../checks/names.ts';

const MODELS: Record<string, () => ModelProfile> = { hoop: hoopModel, haplo: haploModel, amani: amaniModel };

/** A step the server and the model answered differently. */
class Disagreement extends Error {
  constructor(
    readonly exchange: Exchange,
    readonly vendor: ReceivedResponse,
    readonly differences: string[],
    readonly history: Exchange[],
    readonly step: Step,
  ) {
    super(`${step.label}: ${differences.join('; ')}`);
    this.name = 'Disagreement';
  }
}

/** The server under test and the model, side by side, for one execution of a sequence. */
class Pair {
  readonly history: Exchange[] = [];
  readonly succeeded: Step[] = [];

  constructor(
    readonly context: RunContext,
    readonly profile: ModelProfile,
    readonly mock: Mock,
    readonly execution: Execution,
    readonly server: Side,
    readonly vendor: Side,
    readonly forged: string,
  ) {}

  /** Runs a step on both sides and compares; a final read (`observation`) is not part of the history later steps show. */
  async execute(step: Step, observation = false): Promise<Exchange> {
    const { context, profile, execution, server, vendor } = this;
    const { spec } = context;
    for (const side of [server, vendor]) nameSymbols(step, side, execution);
    const exchange = await this.context.send(callOf(step, spec, server, execution, profile, this.forged), {
      purpose: human(step.label),
    });
    const answer = await vendorSend(this.mock, callOf(step, spec, vendor, execution, profile, this.forged), vendor);
    learn(step, server, exchange.response, profile, exchange);
    learn(step, vendor, answer, profile);
    profile.remember?.(step, exchange.response, server);
    profile.remember?.(step, answer, vendor);
    const differences = [
      ...compare(spec, profile, step.operationId, exchange.response, answer, { server, vendor }),
      ...inconsistencies(spec, profile, step.operationId, exchange.response, server),
    ];
    noteHeld(vendor, spec.operation(step.operationId).method, answer);
    if (differences.length) throw new Disagreement(exchange, answer, differences, [...this.history], step);
    // Judged by model_agreement: it agreed (a disagreement is recorded once, from the shortest sequence).
    exchange.intent = { ...exchange.intent, check: CHECK.model_agreement, expect: { agreement: { vendor: answer, differences: [] } } };
    if (observation) return exchange;
    this.history.push(exchange);
    if (isSuccess(exchange)) this.succeeded.push(step);
    return exchange;
  }
}

/** A step's label in words: `⟪email 0⟫` is record #0's email. */
const human = (label: string) =>
  label
    .replace(/⟪email (\d+)⟫/g, "user #$1's email")
    .replace(/⟪id (\d+)⟫/g, "user #$1's id")
    .replace(/⟪group (\d+)⟫/g, 'group #$1')
    .replace(/⟪label (\d+)⟫/g, 'label #$1')
    .replace(/⟪caller (\w+) (\w+)⟫/g, "the $1 caller's $2")
    .replace(/⟪token⟫/g, 'usermock-…')
    .replace(/⟪known ([^⟫]+)⟫/g, '$1')
    .replace(/⟪nobody⟫/g, 'an id nobody has');

/** The symbols a step names whose values both sides share (emails and group names the sequence chose). */
function nameSymbols(step: Step, side: Side, execution: Execution): void {
  const text = JSON.stringify(step);
  for (const [, k] of text.matchAll(/⟪email (\d+)⟫/g)) side.learn(`${execution.token}-r${k}@example.com`, `⟨record ${k}.email⟩`);
  for (const [, k] of text.matchAll(/⟪group (\d+)⟫/g)) side.learn(`${execution.token}-g${k}`, `⟨group ${k}⟩`);
  for (const [, k] of text.matchAll(/⟪label (\d+)⟫/g)) side.learn(`${execution.token}-l${k}`, `⟨label ${k}⟩`);
}

/** What a side learns from its answer: the id it gave a record the step made. */
function learn(step: Step, side: Side, response: ReceivedResponse, profile: ModelProfile, exchange?: Exchange): void {
  const at = profile.creates[step.operationId];
  if (at === undefined || response.status >= 300) return;
  const k = /⟪(?:email|id) (\d+)⟫/.exec(JSON.stringify(step.body ?? step.query ?? {}))?.[1];
  if (k === undefined) return;
  // A record made again (its email after a delete) is a new record: its server-made values start afresh.
  if (side.records.has(Number(k))) for (const key of [...side.seen.keys()]) if (key.startsWith(`⟨record ${k}⟩ `)) side.seen.delete(key);
  const id = at
    .split('.')
    .reduce<unknown>(
      (value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
      response.json,
    );
  if (id === undefined) return;
  side.records.set(Number(k), { id });
  side.learn(id, `⟨record ${k}.id⟩`);
  if (exchange && (typeof id === 'string' || typeof id === 'number')) exchange.intent.captures = [{ value: String(id), path: at }];
}

/** The model's answer to a call, through the mock's public request interface. */
async function vendorSend(mock: Mock, call: Call, side: Side): Promise<ReceivedResponse> {
  const authorization = typeof call.auth === 'object' ? call.auth.header : call.auth === 'none' ? undefined : side.credential(call.auth);
  const { headers, body } = wireOf(call, authorization);
  const url = new URL(call.path, 'http://model.invalid');
  for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.append(name, value);
  const answer = await mock.handle({ method: call.method, path: url.pathname, query: url.searchParams, headers, body });
  const lower = Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]));
  return receivedResponse(answer.status, lower, answer.body ?? '');
}

class StepCommand implements fc.AsyncCommand<Abstract, Pair> {
  private bound: Step | undefined;

  constructor(readonly step: Step) {}

  check(model: Readonly<Abstract>): boolean {
    return applicable(this.step, model);
  }

  async run(model: Abstract, pair: Pair): Promise<void> {
    this.bound = bind(this.step, model);
    await pair.execute(this.bound);
  }

  toString(): string {
    return this.bound?.label ?? this.step.label;
  }
}

/**
 * One list at the end of the phase must show every record the sequences left alive: a list that
 * leaves out all but the newest few, which no single short sequence outgrows.
 */
async function listedAtLast(context: RunContext, survivors: string[]): Promise<void> {
  const list = context.profile.list;
  if (!list || list.scope !== 'all' || survivors.length === 0 || !context.allows('GET')) return;
  const anyone = { key: survivors[0]!, sent: {}, shows: {}, history: [] };
  await context.send(list.call(anyone), {
    purpose: `finally: listing the users, which must show the ${survivors.length} the model-based sequences left`,
    check: CHECK.model_agreement,
    expect: { status: 'success', includes: survivors },
  });
}

/** The model-based phase of a run: `runs` generated sequences (none: skipped), deterministic for the run's seed. */
export async function modelBased(context: RunContext, runs: number): Promise<void> {
  if (runs <= 0) return context.block(MODEL_CHECKS, 'the model-based phase is turned off (--model-runs 0)');
  const make = MODELS[context.profile.api];
  const module = (API_MODULES as readonly ApiModule[]).find((candidate) => candidate.name === context.profile.api);
  if (!make || !module) return context.block(MODEL_CHECKS, `usermock has no executable model of ${context.profile.api}`);
  const profile = make();
  const { spec } = context;
  const forged = forgedCredential(context);

  // The server's callers are read once (GET only); the model is made to match them per sequence.
  const reads = new Map<string, Promise<ReceivedResponse>>();
  const serverRead = (call: Call) => {
    const key = `${call.method} ${call.path} ${JSON.stringify(call.auth)}`;
    if (call.method !== 'GET') throw new Error(`the model's synchronisation may only read the server (${call.method} ${call.path})`);
    if (!reads.has(key))
      reads.set(
        key,
        context.send(call, { purpose: 'reading the caller for the model' }).then((exchange) => exchange.response),
      );
    return reads.get(key)!;
  };

  let current: Pair | undefined;
  let abstract: Abstract | undefined;
  /** Records of every sequence that its final reads found alive, by the key the API's list shows them by. */
  const survivors = new Set<string>();
  /** The final reads of a sequence, on both sides (read-only ones only, as every step). */
  const observe = async () => {
    if (!current || !abstract) return;
    const pair = current;
    for (const step of profile.observe?.(abstract) ?? []) {
      if (!allows(spec.operation(step.operationId).method) || !callable(step)) continue;
      const exchange = await pair.execute(step, true);
      if (step.survives && isSuccess(exchange))
        survivors.add(String(resolve(Object.values(step.path ?? {})[0], pair.server, pair.execution, profile)));
    }
  };
  const setup = async (): Promise<{ model: Abstract; real: Pair }> => {
    const mock = new Mock([module], { users: 0, onError: () => {} });
    const credentials = mock.credentials()[module.name] as { admin: string; standard: string };
    const server = new Side('server', (who) => context.transport.credential(who));
    const vendor = new Side('vendor', (who) => credentials[who]);
    const vendorCall = (call: Call) => vendorSend(mock, call, vendor);
    const flags = (await profile.sync?.(serverRead, vendorCall, { server, vendor })) ?? new Set<string>();
    if (!context.transport.has('standard')) flags.add('no-standard');
    current = new Pair(context, profile, mock, { token: context.data.token() }, server, vendor, forged);
    abstract = { records: 0, groups: 0, flags };
    return { model: abstract, real: current };
  };
  const finish = async () => {
    const pair = current;
    current = undefined;
    if (!pair || context.mode.readOnly) return;
    for (const call of profile.restore?.(pair.server, pair.succeeded) ?? [])
      await context.send(call, { purpose: 'putting back what the model-based sequence changed' });
  };

  const allows = (method: string) => context.allows(method);
  /**
   * A step the run can send alike to both sides: without a standard caller's credential, none sent
   * as that caller or naming it (`⟪caller standard id⟫`), which the server side could not resolve.
   */
  const callable = (step: Step) =>
    context.transport.has('standard') ||
    (step.who !== 'standard' &&
      !JSON.stringify([step.path, step.query, step.body, step.raw, step.authorization]).includes('⟪caller standard'));
  // Each arbitrary is of one operation: those the run may not call (a read-only run's writes) are left out.
  const steps = profile
    .steps({ spec, data: context.data, allows })
    .filter((arbitrary) => allows(spec.operation(fc.sample(arbitrary, { numRuns: 1, seed: 0 })[0]!.operationId).method))
    .map((arbitrary) => arbitrary.filter(callable).map((step) => new StepCommand(step)));
  let last: Disagreement | undefined;
  const property = fc.asyncProperty(fc.commands(steps, { maxCommands: 16, size: 'max' }), async (commands) => {
    try {
      await fc.asyncModelRun(setup, commands);
      await observe();
    } catch (error) {
      if (error instanceof Disagreement) last = error;
      throw error;
    } finally {
      await finish();
    }
  });
  const details = await fc.check(property, {
    seed: context.data.seed,
    numRuns: runs,
    interruptAfterTimeLimit: 60_000,
    markInterruptAsFailure: false,
  });
  if (!details.failed) return listedAtLast(context, [...survivors]);
  if (!last) throw details.errorInstance instanceof Error ? details.errorInstance : new Error('the model-based phase failed');

  // The shortest sequence, once more with fresh data: its steps are the failure's sequence.
  const shrunk = [...(details.counterexample?.[0] ?? [])].map((wrapper) => (wrapper as unknown as { cmd: StepCommand }).cmd ?? wrapper);
  let shown = last;
  const { model, real } = await setup();
  try {
    for (const command of shrunk as StepCommand[]) {
      if (!command.check(model)) continue;
      await command.run(model, real);
    }
    await observe();
  } catch (error) {
    if (!(error instanceof Disagreement)) throw error;
    shown = error;
  } finally {
    await finish();
  }
  const { exchange, vendor, differences, history } = shown;
  exchange.intent = {
    ...exchange.intent,
    purpose: human(shown.step.label),
    check: CHECK.model_agreement,
    expect: { agreement: { vendor, differences } },
    after: history,
  };
}
