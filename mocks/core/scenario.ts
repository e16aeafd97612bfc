// Scenarios as data: the starting users each API holds and the operations that answer otherwise,
// in a small JSON/YAML file (its JSON Schema: scenarios/scenario.schema.json). The same object
// works in `usermock serve --scenario`, `createMock({ scenario })` and the MSW helpers, in Node and
// in the browser: this module reads no file.
import { Ajv, type ErrorObject } from 'ajv';
import schema from '../../scenarios/scenario.schema.json' with { type: 'json' };
import { seededFaker } from '../../specs/faker.ts';
import { isObject } from '../../specs/json.ts';
import { bodyAsDocumented } from '../../specs/spec.ts';
import type { ApiModule } from './api.ts';
import { closest } from './spelling.ts';
import { overrideProblemAmong, type OverrideRequest } from './overrides.ts';

export interface Scenario {
  /** What the scenario is for, shown by `usermock serve`. */
  description?: string;
  /** Faker users per API, besides the users the credentials belong to and those listed (overrides `--users`). */
  users?: number;
  /** Per API, the users to start with: each the fields that matter to the scenario, faker for the rest. */
  apis?: Record<string, { users?: Record<string, unknown>[] }>;
  /** Operations that answer otherwise from the start: a documented status, an emptied list, or a delay. */
  overrides?: OverrideRequest[];
}

// verbose: each error carries its schema, so a message can say what is allowed.
const ajv = new Ajv({ allErrors: true, verbose: true });
const validateShape = ajv.compile<Scenario>(schema);
/** Whether a value has an override's shape — the same rule as a scenario's `overrides` items (`POST /__usermock/overrides`). */
export const isOverrideRequest = ajv.compile<OverrideRequest>(schema.properties.overrides.items);

/** Where a value is inside a scenario: object keys and array indexes from its root. */
export type ScenarioPath = ReadonlyArray<string | number>;

/** One problem of a scenario: where it is and what is wrong (and what is allowed). */
export interface ScenarioProblem {
  path: ScenarioPath;
  message: string;
}

/** The faker that fills in the users' other fields while they are checked (nothing is created with it). */
const checkingFaker = seededFaker(1);

/**
 * The scenario in `value` if it is one the APIs can start from; otherwise a `ScenarioError` listing
 * every problem at once, in the file's order, each with its place in the file: a field the
 * scenario's schema refuses, an API the mock does not serve, an override the spec does not allow,
 * and each user its API's create operation would refuse by its request schema (an unknown or
 * read-only field, a value outside an enum, a bad format) — all before anything is created.
 */
export function checkScenario(value: unknown, apis: readonly ApiModule[]): Scenario {
  const problems: ScenarioProblem[] = [];
  if (!validateShape(value)) problems.push(...(validateShape.errors ?? []).map(shapeProblem));
  if (isObject(value)) {
    for (const [name, entry] of Object.entries(isObject(value.apis) ? value.apis : {})) {
      const api = apis.find((candidate) => candidate.name === name);
      if (!api) {
        problems.push({ path: ['apis', name], message: `no such API (the mock serves ${apis.map((one) => one.name).join(', ')})` });
        continue;
      }
      const users = isObject(entry) && Array.isArray(entry.users) ? (entry.users as unknown[]) : [];
      users.forEach((user, i) => {
        if (isObject(user)) problems.push(...userProblems(api, user, ['apis', name, 'users', i]));
      });
    }
    (Array.isArray(value.overrides) ? (value.overrides as unknown[]) : []).forEach((override, i) => {
      // One the schema refused is listed already.
      const problem = isOverrideRequest(override) ? overrideProblemAmong(apis, override) : undefined;
      if (problem) problems.push({ path: ['overrides', i], message: problem.replace(/^usermock: /, '') });
    });
  }
  if (problems.length > 0) throw new ScenarioError(inFileOrder(value, problems));
  return value as Scenario;
}

/**
 * How one scenario user breaks its API's create operation: fields the operation does not take (or
 * that the server sets), shorthands out of their range, and the body it would be sent — the user's
 * fields with faker for the rest — against the spec's request schema.
 */
function userProblems(api: ApiModule, user: Record<string, unknown>, at: ScenarioPath): ScenarioProblem[] {
  const { operationId, shorthands = {} } = api.newUser;
  const schema = api.spec.requestSchema(operationId);
  if (!schema) return [];
  const properties = propertiesOf(schema);
  const takes = Object.keys(properties).filter((name) => properties[name]!.readOnly !== true);
  const allowed = `${api.name}'s ${operationId} takes ${takes.join(', ')}${
    Object.keys(shorthands).length > 0 ? `; a scenario also ${Object.keys(shorthands).join(', ')}` : ''
  }`;
  const problems: ScenarioProblem[] = [];
  for (const [field, fieldValue] of Object.entries(user)) {
    const shorthand = Object.hasOwn(shorthands, field) ? shorthands[field] : undefined;
    if (shorthand) {
      const validate = api.spec.validator(shorthand, 'request');
      if (!validate(fieldValue)) problems.push(...(validate.errors ?? []).map((error) => valueProblem(error, fieldValue, [...at, field])));
    } else if (!Object.hasOwn(properties, field)) {
      const near = closest(field, [...takes, ...Object.keys(shorthands)]);
      problems.push({ path: [...at, field], message: `unknown field${near ? ` (did you mean "${near}"?)` : ''}: ${allowed}` });
    } else if (properties[field]!.readOnly === true) {
      problems.push({ path: [...at, field], message: `read-only: ${api.name} sets it, a client cannot (${allowed})` });
    }
  }
  let body: unknown;
  try {
    body = api.newUser.body(checkingFaker, user);
  } catch (error) {
    return [...problems, { path: at, message: `cannot be made into ${api.name}'s ${operationId} body: ${(error as Error).message}` }];
  }
  body = bodyAsDocumented(api.spec.operation(operationId), body);
  const validate = api.spec.requestValidator(operationId)!;
  const named = new Set(problems.map((problem) => problem.path[at.length]));
  if (!validate(body)) {
    for (const error of validate.errors ?? []) {
      const path = pointerPath(error.instancePath);
      // Unknown and read-only fields are named above, once each.
      if ((error.keyword === 'additionalProperties' && path.length === 0) || named.has(path[0]!)) continue;
      problems.push(valueProblem(error, valueAt(body, path), [...at, ...path]));
    }
  }
  return problems;
}

/** A schema's properties, those of its `allOf` parts included. */
function propertiesOf(schema: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const parts = Array.isArray(schema.allOf) ? (schema.allOf as Record<string, unknown>[]) : [];
  return Object.assign({}, ...parts.map(propertiesOf), isObject(schema.properties) ? schema.properties : {});
}

/** One failure of the scenario's own schema as a problem at its place. */
function shapeProblem(error: ErrorObject): ScenarioProblem {
  const path = pointerPath(error.instancePath);
  if (error.keyword === 'additionalProperties') {
    const field = String(error.params.additionalProperty);
    const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
    const near = closest(field, known);
    return {
      path: [...path, field],
      message: `unknown field${near ? ` (did you mean "${near}"?)` : ''}: ${path.length === 0 ? 'a scenario' : 'here one'} takes ${known.join(', ')}`,
    };
  }
  return valueProblem(error, error.data, path);
}

/** A value a schema refused: what is wrong, what is allowed, what was found. */
function valueProblem(error: ErrorObject, found: unknown, path: ScenarioPath): ScenarioProblem {
  const shown = found === undefined ? '' : ` (found ${JSON.stringify(found)})`;
  switch (error.keyword) {
    case 'required':
      return { path, message: `missing field "${String(error.params.missingProperty)}"` };
    case 'enum':
      return {
        path,
        message: `must be one of ${(error.params.allowedValues as unknown[]).map((allowed) => JSON.stringify(allowed)).join(', ')}${shown}`,
      };
    case 'format':
      return { path, message: `must be a valid ${String(error.params.format)}${shown}` };
    case 'additionalProperties':
      return { path: [...path, String(error.params.additionalProperty)], message: 'unknown field' };
    default:
      return { path, message: `${error.message ?? 'is not valid'}${shown}` };
  }
}

/** `/apis/hoop/users/0` as `['apis', 'hoop', 'users', 0]`. */
function pointerPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((segment) => (/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment));
}

function valueAt(value: unknown, path: ScenarioPath): unknown {
  let node = value;
  for (const segment of path) node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
  return node;
}

/** Problems in the order their places come in the scenario (keys in the file's order, then indexes). */
function inFileOrder(value: unknown, problems: ScenarioProblem[]): ScenarioProblem[] {
  const rank = (path: ScenarioPath): number[] => {
    const ranks: number[] = [];
    let node = value;
    for (const segment of path) {
      if (Array.isArray(node) && typeof segment === 'number') ranks.push(segment);
      else if (isObject(node)) {
        const index = Object.keys(node).indexOf(String(segment));
        ranks.push(index === -1 ? Number.MAX_SAFE_INTEGER : index);
      } else ranks.push(Number.MAX_SAFE_INTEGER);
      node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
    }
    return ranks;
  };
  const compare = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  };
  return problems
    .map((problem) => ({ problem, rank: rank(problem.path) }))
    .sort((a, b) => compare(a.rank, b.rank))
    .map(({ problem }) => problem);
}

/** A place in a scenario as a JSON path: `apis.hoop.users[0].email`; `the scenario` for the whole. */
export function formatPath(path: ScenarioPath): string {
  if (path.length === 0) return 'the scenario';
  return path
    .map((segment, i) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : /^[A-Za-z_$][\w$-]*$/.test(segment)
          ? `${i === 0 ? '' : '.'}${segment}`
          : `[${JSON.stringify(segment)}]`,
    )
    .join('');
}

/** Each schema error as `<where> <what>`: `/times must be >= 1`; `whole` names the value itself. */
export function schemaProblems(errors: ErrorObject[] | null | undefined, whole: string): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || whole} ${error.message}`);
}

/**
 * A scenario the APIs cannot start from: `problems` lists every problem as `<JSON path>: <what is
 * wrong>` (`apis.hoop.users[0].emial: unknown field (did you mean "email"?): …`); `details` has each
 * one's path as keys and indexes, for a tool that points into the file.
 */
export class ScenarioError extends Error {
  readonly problems: string[];
  readonly details: ScenarioProblem[];

  constructor(problems: ReadonlyArray<string | ScenarioProblem>) {
    const details = problems.map((problem) => (typeof problem === 'string' ? { path: [], message: problem } : problem));
    const lines = problems.map((problem) => (typeof problem === 'string' ? problem : `${formatPath(problem.path)}: ${problem.message}`));
    super(
      `the scenario is not valid (${lines.length} ${lines.length === 1 ? 'problem' : 'problems'}):\n${lines.map((line) => `  - ${line}`).join('\n')}`,
    );
    this.name = 'ScenarioError';
    this.problems = lines;
    this.details = details;
  }
}
