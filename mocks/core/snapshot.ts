// A snapshot checked for meaning before anything is restored from it: a state file that parses but
// is damaged (a Haplo `nextId` of "abc", an Amani state without its signing secret, a user whose
// groups are not a list) would load and then misbehave far from its cause. Each API module states
// its snapshot's shape as a JSON Schema (`snapshotSchema`); this checks the whole file with them
// and names every problem by its place in the file.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ApiModule } from './api.ts';
import { isObject } from './http.ts';

/** The problems listed at most: a systematically damaged file would otherwise list one per record. */
const SHOWN = 10;

// `verbose`: a missing field's error carries the schema that requires it, which says what the field is.
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, verbose: true });
const validateEnvelope = ajv.compile({
  type: 'object',
  required: ['usermock', 'seed', 'users', 'sessions'],
  properties: {
    usermock: { const: 1 },
    seed: { type: 'integer' },
    users: { type: 'integer', minimum: 0 },
    sessions: { type: 'object', additionalProperties: { type: 'object' } },
  },
});
/** Each module's compiled schema, compiled once however many mocks restore from a snapshot. */
const compiled = new WeakMap<object, ValidateFunction>();

export class SnapshotError extends Error {
  /** The problems as an indented list, the first few of them. */
  readonly list: string;

  constructor(readonly problems: string[]) {
    const shown = problems.slice(0, SHOWN).map((problem) => `  - ${problem}`);
    if (problems.length > SHOWN) shown.push(`  - and ${problems.length - SHOWN} more`);
    super(`the snapshot is damaged:\n${shown.join('\n')}`);
    this.name = 'SnapshotError';
    this.list = shown.join('\n');
  }
}

/**
 * Throws a `SnapshotError` naming each place where `snapshot` is not what the mock and its APIs
 * restore from: `sessions.default.haplo.nextId: expected integer, found "abc"`. An API the snapshot
 * holds that the mock does not serve is left alone (it is not restored), as is an API module
 * without a `snapshotSchema`.
 */
export function checkSnapshot(snapshot: unknown, apis: readonly ApiModule[]): void {
  if (!validateEnvelope(snapshot)) throw new SnapshotError(problemsOf(validateEnvelope.errors, snapshot, []));
  const sessions = (snapshot as { sessions: Record<string, Record<string, unknown>> }).sessions;
  const problems = Object.entries(sessions).flatMap(([session, world]) =>
    apis.flatMap((api) => {
      if (api.snapshotSchema === undefined || world[api.name] === undefined) return [];
      const validate = validatorOf(api.snapshotSchema);
      return validate(world[api.name]) ? [] : problemsOf(validate.errors, world[api.name], ['sessions', session, api.name]);
    }),
  );
  if (problems.length > 0) throw new SnapshotError(problems);
}

function validatorOf(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  return validate;
}

/** ajv's errors in words, one per place: `<place>: expected <what>, found <value>` (`missing` for a field left out). */
function problemsOf(errors: ErrorObject[] | null | undefined, value: unknown, prefix: string[]): string[] {
  const byPlace = new Map<string, { at: string[]; expected: string[] }>();
  for (const error of errors ?? []) {
    const at = [...prefix, ...error.instancePath.split('/').slice(1).map(unescapePointer)];
    if (error.keyword === 'required') at.push(String(error.params.missingProperty));
    const key = JSON.stringify(at);
    const place = byPlace.get(key) ?? { at, expected: [] };
    byPlace.set(key, place);
    place.expected.push(...expectation(error));
  }
  return [...byPlace.values()].map(({ at, expected }) => {
    const found = valueAt(value, at.slice(prefix.length));
    return `${placeOf(value, at, prefix.length)}: expected ${expected.join(' or ')}, found ${shown(found)}`;
  });
}

/** What a failed rule expected: `integer`, `a non-empty string`, `at least 1`; the branches of a `string | null` each give theirs. */
function expectation(error: ErrorObject): string[] {
  switch (error.keyword) {
    case 'type':
      return [error.params.type as string | string[]].flat();
    case 'required': {
      const property = (error.parentSchema as { properties?: Record<string, { type?: string | string[] }> }).properties?.[
        error.params.missingProperty as string
      ];
      return [property?.type === undefined ? 'a value' : [property.type].flat().join(' or ')];
    }
    case 'minLength':
      return [error.params.limit === 1 ? 'a non-empty string' : `at least ${error.params.limit} characters`];
    case 'minimum':
      return [`at least ${error.params.limit}`];
    case 'const':
      return [JSON.stringify(error.params.allowedValue)];
    default:
      return [error.message ?? error.keyword];
  }
}

const unescapePointer = (segment: string) => segment.replaceAll('~1', '/').replaceAll('~0', '~');

function valueAt(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (current, key) => (isObject(current) || Array.isArray(current) ? (current as Record<string, unknown>)[key] : undefined),
    value,
  );
}

/**
 * `sessions.default.hoop.users[3].email`: the way to a value, as one would write it in JavaScript.
 * `at` starts with `prefix` keys (objects) above `value`, then goes down into it.
 */
function placeOf(value: unknown, at: readonly string[], prefix: number): string {
  if (at.length === 0) return 'the snapshot';
  return at
    .map((key, i) => {
      if (i >= prefix && Array.isArray(valueAt(value, at.slice(prefix, i)))) return `[${key}]`;
      if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `[${JSON.stringify(key)}]`;
      return i === 0 ? key : `.${key}`;
    })
    .join('');
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
}
