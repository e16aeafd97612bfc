// The specs' examples as contracts: each named request example (its body, and the path and query
// parameter examples of the same name, under each media type the spec lists it) is sent and must
// get the status of the response example of its name — a request without one gets the bodiless
// 2xx — and, for a 2xx, show the fields of that answer which the request determined. What
// Specmatic's contract tests do, made safe for any target: values that would collide or name
// records the target need not hold are replaced by the run's own (fresh emails and tokens, users
// the run creates, what the target holds), with what the profile says its fields name
// (`ApiProfile.examples`); a pair that cannot be made safe is left out, with why, in the notes.
import { isJsonMediaType, type ApiSpec, type Operation, type ParameterObject } from '../../specs/spec.ts';
import type { Schema } from '../../specs/schema.ts';
import type { CreatedUser, ExampleKind, ExampleValues } from '../apis/profile.ts';
import type { Call, Exchange, Expectation } from '../exchange.ts';
import type { RunContext } from './context.ts';
import { CHECK } from '../checks/names.ts';

export const EXAMPLE_CHECKS = [CHECK.example_pairs];

/** One request example of the spec and the status of the answer paired with it by name. */
export interface ExamplePair {
  operation: Operation;
  name: string;
  status: number;
  /** The request body example of that name, and the media type it stands under. */
  body?: { mediaType: string; value: unknown };
  /** The path and query parameter examples of that name. */
  parameters: Array<{ parameter: ParameterObject; value: unknown }>;
}

/** Every paired example of a spec, in document order: one pair per request media type the example is listed under. */
export function examplePairs(spec: ApiSpec): ExamplePair[] {
  const pairs: ExamplePair[] = [];
  for (const operation of spec.operations) {
    const bodies = spec.requestExamples(operation.id);
    const names = new Set([
      ...bodies.map((example) => example.name),
      ...operation.parameters.flatMap((parameter) => Object.keys(parameter.examples ?? {})),
    ]);
    const bodiless = operation.statuses.find(
      (status) => status.startsWith('2') && spec.responseMediaTypes(operation.id, Number(status)).length === 0,
    );
    for (const name of names) {
      const statuses = operation.statuses
        .filter((status) => /^\d+$/.test(status) && spec.responseExamples(operation.id, Number(status)).some((e) => e.name === name))
        .map(Number);
      if (statuses.length === 0 && bodiless) statuses.push(Number(bodiless));
      const parameters = operation.parameters
        .filter((parameter) => (parameter.in === 'path' || parameter.in === 'query') && parameter.examples?.[name] !== undefined)
        .map((parameter) => ({ parameter, value: parameter.examples![name]!.value }));
      const named = bodies.filter((example) => example.name === name);
      for (const status of statuses) {
        if (named.length === 0) pairs.push({ operation, name, status, parameters });
        for (const body of named)
          pairs.push({ operation, name, status, parameters, body: { mediaType: body.mediaType, value: body.value } });
      }
    }
  }
  return pairs;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const keyOf = (value: unknown) => JSON.stringify(value);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonBlank = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** What the spec's seeded examples show the mock starting with: their values, and the users among them. */
interface Seeded {
  values: Set<string>;
  users: Array<Record<string, unknown>>;
  /** The seeded user an id, email or username belongs to (an index into `users`). */
  userOf: Map<string, number>;
}

const USER_ATTRIBUTES = ['id', 'email', 'username'] as const;

function seededOf(spec: ApiSpec): Seeded {
  const seeded: Seeded = { values: new Set(), users: [], userOf: new Map() };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isObject(value)) {
      if ((typeof value === 'string' && value !== '') || typeof value === 'number') seeded.values.add(keyOf(value));
      return;
    }
    Object.values(value).forEach(visit);
    const username = typeof value.username === 'string' ? value.username : isObject(value.tags) ? value.tags.username : undefined;
    if ((!('email' in value) && !('username' in value)) || value.isGroup === true) return;
    const record: Record<string, unknown> = { ...value, username };
    const known = USER_ATTRIBUTES.map((attribute) => record[attribute])
      .filter((attribute) => attribute !== undefined && attribute !== null)
      .map((attribute) => seeded.userOf.get(keyOf(attribute)))
      .find((index) => index !== undefined);
    const index = known ?? seeded.users.push({}) - 1;
    seeded.users[index] = { ...seeded.users[index], ...Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) };
    for (const attribute of USER_ATTRIBUTES) {
      const own = seeded.users[index]![attribute];
      if (own !== undefined && own !== null) seeded.userOf.set(keyOf(own), index);
    }
  };
  for (const example of spec.seededExamples()) visit(example.value);
  return seeded;
}

/** A value of an example at a place whose kind the profile names. */
interface Leaf {
  where: 'path' | 'query' | 'body';
  /** The field's dotted name (array items are their array's), or the parameter's name. */
  field: string;
  kind: ExampleKind;
  value: unknown;
}

function kindOf(values: ExampleValues, operationId: string, field: string): ExampleKind | undefined {
  return values.fields[`${operationId}.${field}`] ?? values.fields[field];
}

/** The scalar values of a JSON value with their dotted field names (array items named as their array). */
function leavesOf(value: unknown, visit: (field: string, leaf: unknown) => unknown, field = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => leavesOf(item, visit, field));
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, leavesOf(item, visit, field ? `${field}.${name}` : name)]),
    );
  return field ? visit(field, value) : value;
}

/** Why a pair is not sent. */
class Skip extends Error {}

/**
 * Sends every paired example the run may send: on a stateless target the successful ones as they
 * are (it answers from the examples, not from state); otherwise each with the run's own values,
 * a read-only run only the GET pairs that need nothing created.
 */
export async function examples(context: RunContext): Promise<void> {
  const { spec, profile, mode } = context;
  const values = profile.examples;
  const pairs = examplePairs(spec);
  if (pairs.length === 0) return context.block(CHECK.example_pairs, 'the spec pairs no request example with a response example');
  if (!values && !mode.stateless)
    return context.block(CHECK.example_pairs, `the ${profile.api} profile says nothing of what its examples' values name`);
  const left: string[] = [];
  const leave = (pair: ExamplePair, reason: string) => left.push(`${pair.operation.id} ${pair.name} → ${pair.status}: ${reason}`);
  const replay = new Replay(context, values!, seededOf(spec));
  for (const pair of pairs) {
    const { operation } = pair;
    if (!context.allows(operation.method)) continue;
    if (`${operation.id} ${pair.status}` in profile.unprovokable) {
      leave(pair, profile.unprovokable[`${operation.id} ${pair.status}`]!);
      continue;
    }
    if (mode.stateless) {
      if (pair.status >= 300) leave(pair, 'a stateless target answers from its examples, not from what it holds');
      else await replay.send(pair, { status: [pair.status] }, callOf(context, pair, new Map()), []);
      continue;
    }
    try {
      await replay.run(pair);
    } catch (error) {
      if (!(error instanceof Skip)) throw error;
      leave(pair, error.message);
    }
  }
  if (mode.readOnly) left.push('pairs of other methods than GET: a read-only run sends none');
  if (left.length) context.notes.push(`example_pairs: not sent —\n    ${left.join('\n    ')}`);
}

/** The replacements of one pair: original value (as JSON) → the value sent. */
type Replacements = Map<string, unknown>;

class Replay {
  /** What the target holds standing for a referenced value, across pairs (the same original, the same stand-in). */
  private readonly held = new Map<string, Promise<unknown>>();
  private readonly heldCount = new Map<string, number>();
  private readonly removing: Set<string>;

  constructor(
    private readonly context: RunContext,
    private readonly values: ExampleValues,
    private readonly seeded: Seeded,
  ) {
    const remove = context.profile.remove?.call({ key: '0', sent: {}, shows: {}, history: [] }).operationId;
    this.removing = new Set(
      context.spec.operations
        .filter((operation) => operation.method === 'DELETE' || operation.id === remove)
        .map((operation) => operation.id),
    );
  }

  async run(pair: ExamplePair): Promise<void> {
    const { context, values, seeded } = this;
    const { operation } = pair;
    const unsafe = values.unsafe?.(operation.id);
    if (unsafe) throw new Skip(unsafe);
    const leaves = this.leavesOf(pair);
    const write = operation.method !== 'GET';
    // The seeded users the pair names, in order: the first stands for the record it acts on.
    const slots: number[] = [];
    for (const leaf of leaves) {
      if (leaf.kind !== 'user' && leaf.kind !== 'email' && leaf.kind !== 'username') continue;
      const index = seeded.userOf.get(keyOf(leaf.value));
      if (index === undefined) {
        if (leaf.kind === 'user' && seeded.values.has(keyOf(leaf.value)))
          throw new Skip(`${leaf.field} ${JSON.stringify(leaf.value)} names a record (no user) the target is not obliged to hold`);
        continue;
      }
      if (write && leaf.where !== 'body' && values.isCaller?.(seeded.users[index]!))
        throw new Skip("it writes to the caller's own record, which the run leaves alone");
      if (!slots.includes(index)) slots.push(index);
    }
    const builtIn = leaves.find(
      (leaf) => write && leaf.where === 'path' && values.builtIn?.some((value) => keyOf(value) === keyOf(leaf.value)),
    );
    if (builtIn && !context.mode.destructive)
      throw new Skip(`destructive: a faulty server would obey it on ${JSON.stringify(builtIn.value)}; sent with --allow-destructive`);
    if (slots.length && context.mode.readOnly) throw new Skip('it needs a user of this run, and a read-only run creates none');

    const users: CreatedUser[] = [];
    for (const [slot] of slots.entries()) {
      const purpose =
        slot > 0 ? 'examples: another user' : this.removing.has(operation.id) ? `examples: ${operation.id} ${pair.name}` : 'examples';
      const user = await context.user(purpose);
      if (!user) throw new Skip(context.noUserReason);
      users.push(user);
    }

    // What the seeded users show stands for what the run's users show, in the request and in the answer.
    const replacements: Replacements = new Map();
    slots.forEach((index, slot) => {
      const own = values.user(users[slot]!);
      for (const attribute of USER_ATTRIBUTES) {
        const seededValue = seeded.users[index]![attribute];
        if (seededValue !== undefined && seededValue !== null && own[attribute] !== undefined)
          replacements.set(keyOf(seededValue), own[attribute]);
      }
    });
    for (const leaf of leaves) {
      if (!replacements.has(keyOf(leaf.value))) replacements.set(keyOf(leaf.value), await this.replacement(pair, leaf, slots, users));
    }
    // Two values the example tells apart must stay apart (two groups of a membership list).
    for (const leaf of leaves) {
      const twin = leaves.find(
        (other) =>
          other.field === leaf.field &&
          keyOf(other.value) !== keyOf(leaf.value) &&
          keyOf(replacements.get(keyOf(other.value))) === keyOf(replacements.get(keyOf(leaf.value))),
      );
      if (twin)
        throw new Skip(`${leaf.field} ${JSON.stringify(leaf.value)} and ${JSON.stringify(twin.value)} would stand for the same value`);
    }
    const call = callOf(context, pair, replacements);
    await this.send(
      pair,
      this.expectation(pair, call, replacements),
      call,
      users.flatMap((user) => user.history),
    );
  }

  async send(pair: ExamplePair, expect: Expectation, call: Call, after: Exchange[]): Promise<Exchange> {
    // Named where the operation takes more than its JSON media type (a form too).
    const media =
      pair.body && pair.body.mediaType !== this.context.spec.requestMediaType(pair.operation.id) ? ` as ${pair.body.mediaType}` : '';
    return this.context.send(call, {
      purpose: `the example ${pair.operation.id} ${pair.name}${media} (paired with ${pair.status})`,
      check: CHECK.example_pairs,
      expect,
      after,
    });
  }

  /** The values of a pair's request whose kind the profile names. */
  private leavesOf(pair: ExamplePair): Leaf[] {
    const leaves: Leaf[] = [];
    const id = pair.operation.id;
    for (const { parameter, value } of pair.parameters) {
      const kind = kindOf(this.values, id, parameter.name);
      if (kind) leaves.push({ where: parameter.in as 'path' | 'query', field: parameter.name, kind, value });
    }
    if (pair.body && typeof pair.body.value !== 'string')
      leavesOf(pair.body.value, (field, value) => {
        const kind = kindOf(this.values, id, field);
        if (kind && value !== null && typeof value !== 'boolean') leaves.push({ where: 'body', field, kind, value });
        return value;
      });
    return leaves;
  }

  /** The value sent for one of the example's. */
  private async replacement(pair: ExamplePair, leaf: Leaf, slots: number[], users: CreatedUser[]): Promise<unknown> {
    const { context, values, seeded } = this;
    const { kind, value } = leaf;
    if (values.builtIn?.some((builtIn) => keyOf(builtIn) === keyOf(value))) return value;
    const isSeeded = seeded.values.has(keyOf(value));
    const wanted = { kind, field: leaf.field, original: value };
    const fresh = () => values.nobody?.(wanted) ?? (nonBlank(value) ? context.data.token() : value);
    switch (kind) {
      case 'user':
      case 'email':
      case 'username': {
        const index = seeded.userOf.get(keyOf(value));
        if (index !== undefined) {
          const record = seeded.users[index]!;
          const attribute = USER_ATTRIBUTES.find((name) => keyOf(record[name]) === keyOf(value))!;
          const own = values.user(users[slots.indexOf(index)]!)[attribute];
          if (own === undefined) throw new Skip(`it names a user by ${attribute}, which a user of this run does not show`);
          return own;
        }
        if (typeof value === 'string' && EMAIL.test(value)) return context.data.email();
        return kind === 'username' ? fresh() : (values.nobody?.(wanted) ?? value);
      }
      case 'password': {
        if (isSeeded && users[0]) {
          const own = values.user(users[0]).password;
          if (own === undefined) throw new Skip('it needs the password of a user of this run');
          return own;
        }
        return nonBlank(value) ? context.data.password() : value;
      }
      case 'name':
        return isSeeded ? this.heldFor(leaf) : nonBlank(value) ? context.data.token() : value;
      case 'reference':
        return isSeeded || pair.status < 300 ? this.heldFor(leaf) : fresh();
    }
  }

  /** What the target holds standing for a value an example names; the pair is left out when it holds nothing known. */
  private async heldFor(leaf: Leaf): Promise<unknown> {
    const key = `${leaf.field} ${keyOf(leaf.value)}`;
    let held = this.held.get(key);
    if (!held) {
      const index = this.heldCount.get(leaf.field) ?? 0;
      this.heldCount.set(leaf.field, index + 1);
      const wanted = { kind: leaf.kind, field: leaf.field, original: leaf.value, index };
      held = this.values.held?.(wanted, this.context) ?? Promise.resolve(undefined);
      this.held.set(key, held);
    }
    const value = await held;
    if (value === undefined) throw new Skip(`${leaf.field} ${JSON.stringify(leaf.value)} needs one the target is known to hold`);
    return value;
  }

  /**
   * The paired status, and for a 2xx the fields of the paired answer that the request determined:
   * those it sent, those naming what its path or query named, and — for a create or a PUT, which
   * set the whole record — the defaults and computed fields the answer shows; never a value the
   * server makes (`x-server-made`).
   */
  private expectation(pair: ExamplePair, call: Call, replacements: Replacements): Expectation {
    const { spec, profile } = this.context;
    const { operation, status, name } = pair;
    const example = spec.responseExamples(operation.id, status).find((candidate) => candidate.name === name);
    const expect: Expectation = { status: [status] };
    if (!example) return expect;
    expect.mediaType = example.mediaType;
    if (status >= 300 || !isJsonMediaType(example.mediaType)) return expect;
    const text = JSON.stringify(example.value);
    const user = profile.userIn({ status, headers: { 'content-type': example.mediaType }, text, json: example.value });
    if (!user) return expect;
    const presented = leavesOf(user, (field, value) => {
      const kind = kindOf(this.values, operation.id, field);
      return kind && replacements.has(keyOf(value)) ? replacements.get(keyOf(value)) : value;
    }) as Record<string, unknown>;
    const serverMade = spec.serverMade(operation.id, status, example.mediaType);
    const schema = spec.response(operation.id, status)?.content?.[example.mediaType]?.schema;
    const readOnly = markedFields(schema, 'readOnly');
    const computed = markedFields(schema, 'x-computed');
    const creates = operation.id === profile.create({}).operationId;
    const whole = creates || operation.method === 'PUT';
    const sent = isObject(call.body) ? call.body : {};
    const named = pair.parameters
      .filter(({ parameter }) => kindOf(this.values, operation.id, parameter.name))
      .map(({ value }) => (replacements.has(keyOf(value)) ? replacements.get(keyOf(value)) : value))
      .filter((value) => value !== '')
      .map(String);
    const shows: Record<string, unknown> = {};
    const because: Record<string, string> = {};
    for (const [field, value] of Object.entries(presented)) {
      if (serverMade.has(field)) continue;
      if (field in sent) because[field] = `sent in the example's request, answered so in ${name}`;
      else if (typeof value !== 'object' && named.includes(String(value))) because[field] = 'named by the request';
      else if (whole && computed.has(field)) because[field] = `computed from what the request set, as ${name} shows`;
      else if (creates && !readOnly.has(field)) because[field] = `left out of the request: the default ${name} shows`;
      else continue;
      shows[field] = value;
    }
    if (Object.keys(shows).length) Object.assign(expect, { shows, because });
    return expect;
  }
}

/** The call a pair makes, with the replacements in place of the example's values. */
function callOf(context: RunContext, pair: ExamplePair, replacements: Replacements): Call {
  const { operation } = pair;
  const replaced = (value: unknown) => (replacements.has(keyOf(value)) ? replacements.get(keyOf(value)) : value);
  const kindOfField = (field: string) => (context.profile.examples ? kindOf(context.profile.examples, operation.id, field) : undefined);
  let path = operation.path;
  const query: Record<string, string> = {};
  for (const { parameter, value } of pair.parameters) {
    const sent = kindOfField(parameter.name) ? replaced(value) : value;
    if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(sent)));
    else query[parameter.name] = String(sent);
  }
  const call: Call = {
    operationId: operation.id,
    method: operation.method,
    path,
    auth: operation.requirement.role === 'none' ? 'none' : 'admin',
    ...(Object.keys(query).length ? { query } : {}),
  };
  if (!pair.body) return call;
  const { mediaType, value } = pair.body;
  // A string example is sent as it is (malformed JSON on purpose), as Specmatic sends it.
  if (typeof value === 'string') return { ...call, raw: value, contentType: mediaType };
  const body = leavesOf(value, (field, leaf) => (kindOfField(field) ? replaced(leaf) : leaf));
  if (isJsonMediaType(mediaType)) return { ...call, body, contentType: mediaType };
  const fields = Object.entries(isObject(body) ? body : {}).map(([name, item]) => [
    name,
    typeof item === 'string' ? item : JSON.stringify(item),
  ]);
  if (mediaType === 'application/x-www-form-urlencoded')
    return { ...call, raw: new URLSearchParams(fields).toString(), contentType: mediaType };
  if (mediaType === 'multipart/form-data') {
    const boundary = `usermock-${context.data.nonce}`;
    const parts = fields.map(([name, item]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${item}\r\n`);
    return { ...call, raw: `${parts.join('')}--${boundary}--\r\n`, contentType: `${mediaType}; boundary=${boundary}` };
  }
  return { ...call, raw: typeof body === 'string' ? body : JSON.stringify(body), contentType: mediaType };
}

/** The names of the properties a schema marks with `extension: true`, anywhere in it. */
function markedFields(schema: Schema | undefined, extension: string): Set<string> {
  const found = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    for (const [name, property] of Object.entries(((node as Schema).properties as Record<string, Schema> | undefined) ?? {}))
      if (property?.[extension] === true) found.add(name);
    Object.values(node).forEach(visit);
  };
  visit(schema);
  return found;
}
