// What the model-based phase needs to know of one API, beyond its spec: how a step names the
// records of a sequence (symbolically, so that the server under test and the model each resolve
// it to their own ids), which operations make records and answer lists, and how the model's
// callers are made to match the server's.
import type * as fc from 'fast-check';
import type { ApiSpec } from '../../specs/index.ts';
import type { DataFactory } from '../data.ts';
import type { Auth, Call, ReceivedResponse } from '../exchange.ts';

/** Who a step calls as: the run's two credentials, none, or one no server issued. */
export type Who = 'admin' | 'standard' | 'none' | 'forged';

/**
 * A step of a sequence, symbolic: its path parameters, query and body are templates whose
 * placeholders each side resolves to its own values —
 *   ⟪email R⟫, ⟪id R⟫ (record R's email, its id on that side), ⟪group G⟫ (a group the sequence
 *   names), ⟪caller admin email⟫ / ⟪caller standard id⟫ (a caller as that side knows it) —
 * where R and G are `new` (the record or group this step makes), `@i` (the i-th made so far,
 * modulo their number) or a number once bound.
 */
export interface Step {
  operationId: string;
  who: Who;
  path?: Record<string, string>;
  query?: Record<string, string>;
  /** A JSON body (a template) … */
  body?: unknown;
  /** … or a raw one, with its media type. */
  raw?: string;
  contentType?: string;
  /** What the step is, in words (fast-check's counterexample and the report's sequence). */
  label: string;
  /** A flag of the abstract model the step needs (`slack:admin`). */
  needs?: string;
  /** A final read whose success means its record is alive, named by its path parameter as the API's list names it. */
  survives?: boolean;
  /** The step deletes the group its path names. */
  deletesGroup?: boolean;
  /** A credential the sequence obtained, instead of `who`'s: a template (Amani's `Bearer ⟪known access⟫`). */
  authorization?: string;
}

/** Symbols a sequence has made so far: fast-check's abstract model. */
export interface Abstract {
  records: number;
  groups: number;
  /** Groups of the sequence a step deleted: a user is never given one again (see `bind`). */
  deleted?: Set<number>;
  /** What the sequence may do besides (`slack:admin`: change the admin caller's slack id, which can be put back). */
  flags: ReadonlySet<string>;
}

/** What one side — the server under test, or the model — knows of the symbols. */
export class Side {
  /** Per record: the values this side gave it (its id …). */
  readonly records = new Map<number, Record<string, unknown>>();
  /** The callers as this side knows them. */
  readonly callers: Partial<Record<'admin' | 'standard', Record<string, unknown>>> = {};
  /** Concrete value (as JSON) → symbol: how answers are normalised before comparing. */
  readonly symbols = new Map<string, string>();
  /** Server-made values first seen per record and field: the same record must read back the same. */
  readonly seen = new Map<string, string>();
  /** Labels the sequence's records hold, as the last read since the last write showed them (see `noteHeld`). */
  readonly held = new Set<string>();
  /** Other values this side names by a word, set by the profile's `sync` (Haplo's shared groups, by code and id): `⟪known word⟫`. */
  readonly known = new Map<string, unknown>();

  constructor(
    readonly name: 'server' | 'vendor',
    /** The Authorization value of a caller on this side. */
    readonly credential: (who: 'admin' | 'standard') => string | undefined,
  ) {}

  /** Names a concrete value of this side by a symbol, so answers showing it compare alike. */
  learn(value: unknown, symbol: string): void {
    if (value === undefined || value === null || value === '') return;
    this.symbols.set(JSON.stringify(value), symbol);
  }
}

/** Data shared by both sides of one execution of a sequence: its unique token. */
export interface Execution {
  token: string;
}

/** A template value that resolves to nothing this side has: an id nobody has. */
export const NOBODY = '⟪nobody⟫';

export interface ModelProfile {
  api: string;
  /** Arbitraries of steps for every operation the run may call (`allows`), drawn from the spec. */
  steps(environment: { spec: ApiSpec; data: DataFactory; allows: (method: string) => boolean }): fc.Arbitrary<Step>[];
  /** Which operations make a record, and where its id is in their answer (a dotted path). */
  creates: Record<string, string>;
  /** Operations that answer a list of records, and where the list is (`''`: the whole answer, else a property). */
  lists: Record<string, string>;
  /** The fields of a record that identify it in an answer (hoop `email`, Haplo `id`). */
  identity: string[];
  /** Where a record is in a read's answer (`user` for Haplo's envelope), for the server-made values' consistency. */
  recordAt?: string;
  /** A concrete value for `⟪nobody⟫` in a path: an id no server has, of the right format. */
  nobody: string;
  /**
   * Makes the model's callers match the server's, through the model's own API, and learns who
   * the callers are on each side. `server` only reads (GET); `vendor` may write (it is the model).
   */
  sync?(
    server: (call: Call) => Promise<ReceivedResponse>,
    vendor: (call: Call) => Promise<ReceivedResponse>,
    sides: { server: Side; vendor: Side },
  ): Promise<Set<string>>;
  /**
   * Reads that end every sequence (as Jepsen ends a run with a final read): the list and each
   * record the sequence made, so a write whose effect only a later read shows is caught by the
   * shortest sequence that makes it, whatever the generated steps went on to read.
   */
  observe?(model: Readonly<Abstract>): Step[];
  /** Calls that put back what a sequence changed on records it did not make (a caller's slack id), given the steps that succeeded. */
  restore?(server: Side, succeeded: readonly Step[]): Call[];
  /** What a side keeps of its answer to a step, besides a made record's id: tokens it issued, as `side.known` (Amani). */
  remember?(step: Step, response: ReceivedResponse, side: Side): void;
}

const PLACEHOLDER = /⟪(email|id|group) (new|@\d+|\d+)⟫/g;

/** The step with `new` and `@i` bound to the symbols of this point of the sequence (and the abstract model advanced). */
export function bind(step: Step, model: Abstract): Step {
  const creates = /⟪(email|id) new⟫/.test(JSON.stringify(step));
  const makesGroup = /⟪group new⟫/.test(JSON.stringify(step));
  const record = model.records;
  const group = model.groups;
  // A user's groups may name a group of the sequence that exists: none before there is one, and
  // never one a step deleted — whether a group that only users hold outlives them is documented
  // nowhere, so no sequence makes one.
  const live = Array.from({ length: model.groups }, (_, k) => k).filter((k) => !model.deleted?.has(k));
  const named = JSON.stringify(step)
    .replace(/(?<=[[,])"⟪group @(\d+)⟫",?/g, (all, i: string) =>
      live.length ? all.replace(`@${i}`, String(live[Number(i) % live.length])) : '',
    )
    .replace(/,\]/g, ']');
  const text = named.replace(PLACEHOLDER, (_all, kind: string, which: string) => {
    const count = kind === 'group' ? model.groups : model.records;
    const fresh = kind === 'group' ? group : record;
    const index = which === 'new' ? fresh : which.startsWith('@') ? Number(which.slice(1)) % Math.max(count, 1) : Number(which);
    return `⟪${kind} ${index}⟫`;
  });
  if (creates) model.records++;
  if (makesGroup) model.groups++;
  const gone = step.deletesGroup ? /⟪group (\d+)⟫/.exec(text)?.[1] : undefined;
  if (gone !== undefined) (model.deleted ??= new Set()).add(Number(gone));
  // Two placeholders may bind to one group: a list names it once, as no spec says whether a
  // server keeps a name twice.
  return JSON.parse(text, (_key, value: unknown) =>
    Array.isArray(value) && value.every((item) => typeof item === 'string') ? [...new Set(value)] : value,
  ) as Step;
}

/** Whether a step can run at this point: the records and groups it names exist (as symbols). */
export function applicable(step: Step, model: Abstract): boolean {
  const text = JSON.stringify(step);
  if (/⟪(email|id) @\d+⟫/.test(text) && model.records === 0) return false;
  // A group of the sequence named outside a list of groups (a path) needs one; a list just names none.
  if (/:"⟪group @\d+⟫"/.test(text) && model.groups === 0) return false;
  return step.needs === undefined || model.flags.has(step.needs);
}

/** A bound template's concrete value on one side. */
export function resolve(template: unknown, side: Side, execution: Execution, profile: ModelProfile): unknown {
  if (typeof template === 'string') {
    const whole = /^⟪id (\d+)⟫$/.exec(template);
    if (whole) return side.records.get(Number(whole[1]))?.id ?? profile.nobody;
    // A whole known value keeps its type (Amani's role ids are numbers).
    const known = /^⟪known ([^⟫]+)⟫$/.exec(template);
    if (known) return side.known.has(known[1]!) ? side.known.get(known[1]!) : profile.nobody;
    return template
      .replace(/⟪email (\d+)⟫/g, (_all, k: string) => `${execution.token}-r${k}@example.com`)
      .replace(/⟪id (\d+)⟫/g, (_all, k: string) => String(side.records.get(Number(k))?.id ?? profile.nobody))
      .replace(/⟪group (\d+)⟫/g, (_all, k: string) => `${execution.token}-g${k}`)
      .replace(/⟪label (\d+)⟫/g, (_all, k: string) => `${execution.token}-l${k}`)
      .replace(/⟪token⟫/g, execution.token)
      .replace(/⟪caller (admin|standard) (\w+)⟫/g, (_all, who: 'admin' | 'standard', field: string) =>
        String(side.callers[who]?.[field] ?? profile.nobody),
      )
      .replace(/⟪known ([^⟫]+)⟫/g, (_all, word: string) => String(side.known.get(word) ?? profile.nobody))
      .replace(NOBODY, profile.nobody);
  }
  if (Array.isArray(template)) return template.map((item) => resolve(item, side, execution, profile));
  if (template && typeof template === 'object')
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, resolve(value, side, execution, profile)]));
  return template;
}

/** The call a bound step makes on one side. */
export function callOf(step: Step, spec: ApiSpec, side: Side, execution: Execution, profile: ModelProfile, forged: string): Call {
  const operation = spec.operation(step.operationId);
  const path = operation.path.replace(/\{([^}]+)\}/g, (_all, name: string) =>
    encodeURIComponent(String(resolve(step.path?.[name] ?? NOBODY, side, execution, profile))),
  );
  const query = step.query
    ? Object.fromEntries(Object.entries(step.query).map(([name, value]) => [name, String(resolve(value, side, execution, profile))]))
    : undefined;
  const auth: Auth =
    step.authorization !== undefined
      ? { header: String(resolve(step.authorization, side, execution, profile)) }
      : step.who === 'forged'
        ? { header: forged }
        : step.who;
  const call: Call = { operationId: step.operationId, method: operation.method, path, auth };
  if (query) call.query = query;
  if (step.raw !== undefined) call.raw = String(resolve(step.raw, side, execution, profile));
  else if (step.body !== undefined) {
    const body = resolve(step.body, side, execution, profile);
    if (step.contentType && !/json/.test(step.contentType)) call.raw = encoded(body, step.contentType);
    else call.body = body;
  }
  if (step.contentType) call.contentType = step.contentType;
  return call;
}

const BOUNDARY = 'usermock-model-boundary';

/** A body in a documented non-JSON media type: form-urlencoded or multipart (arrays as repeated fields). */
function encoded(body: unknown, contentType: string): string {
  const entries = Object.entries(body && typeof body === 'object' ? body : {}).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((item) => [name, typeof item === 'string' ? item : JSON.stringify(item)] as const),
  );
  if (contentType.startsWith('multipart/'))
    return `${entries.map(([name, value]) => `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('')}--${BOUNDARY}--\r\n`;
  return new URLSearchParams(entries as Array<[string, string]>).toString();
}

/** The Content-Type header of a documented media type (multipart with its boundary). */
export const contentTypeHeader = (mediaType: string) =>
  mediaType.startsWith('multipart/') ? `${mediaType}; boundary=${BOUNDARY}` : mediaType;
