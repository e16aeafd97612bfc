// Scenarios as data: the starting users each API holds and the operations that answer otherwise,
// in a small JSON/YAML file (its JSON Schema: scenarios/scenario.schema.json). The same object
// works in `usermock serve --scenario`, `createMock({ scenario })` and the MSW helpers, in Node and
// in the browser: this module reads no file.
import { Ajv, type ErrorObject } from 'ajv';
import type { Faker } from '@faker-js/faker';
import schema from '../../scenarios/scenario.schema.json' with { type: 'json' };
import type { ApiModule, ApiState } from './api.ts';
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

const ajv = new Ajv({ allErrors: true });
const validateShape = ajv.compile<Scenario>(schema);
/** Whether a value has an override's shape — the same rule as a scenario's `overrides` items (`POST /__usermock/overrides`). */
export const isOverrideRequest = ajv.compile<OverrideRequest>(schema.properties.overrides.items);

/**
 * The scenario in `value` if it is one the APIs can start from; otherwise an error listing every
 * problem (a field the schema refuses, an API the mock does not serve, an override the spec does
 * not allow). The users themselves are checked by the APIs when they are created.
 */
export function checkScenario(value: unknown, apis: readonly ApiModule[]): Scenario {
  if (!validateShape(value)) throw new ScenarioError(schemaProblems(validateShape.errors, 'the scenario'));
  const known = (name: string) => apis.find((api) => api.name === name);
  const problems = [
    ...Object.keys(value.apis ?? {})
      .filter((name) => !known(name))
      .map((name) => `apis.${name}: no such API (the mock serves ${apis.map((api) => api.name).join(', ')})`),
    ...(value.overrides ?? []).flatMap((override, i) => {
      const problem = overrideProblemAmong(apis, override);
      return problem ? [`overrides[${i}]: ${problem}`] : [];
    }),
  ];
  if (problems.length > 0) throw new ScenarioError(problems);
  return value;
}

/** Each schema error as `<where> <what>`: `/times must be >= 1`; `whole` names the value itself. */
export function schemaProblems(errors: ErrorObject[] | null | undefined, whole: string): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || whole} ${error.message}`);
}

export class ScenarioError extends Error {
  constructor(readonly problems: string[]) {
    super(`the scenario is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

/**
 * Adds users to a freshly seeded API state the way a client would: each through the API's own
 * create operation with the admin credential, so a scenario's user is stored exactly as the vendor
 * stores one (ids, defaults, normalisation) and a user the vendor would refuse fails loudly, with
 * the vendor's own message. Answers the API's bodies for them.
 */
export function createUsers<S extends ApiState>(
  api: ApiModule<S>,
  state: S,
  faker: Faker,
  users: readonly Record<string, unknown>[],
): unknown[] {
  const operation = api.spec.operation(api.newUser.operationId);
  return users.map((fields, i) => {
    const body = JSON.stringify(api.newUser.body(faker, fields));
    const answer = api.handle(
      {
        method: operation.method,
        path: operation.path,
        query: new URLSearchParams(),
        headers: { authorization: api.credentials(state).admin, 'content-type': 'application/json' },
        body,
      },
      state,
    );
    if (answer instanceof Promise) throw new Error(`${api.name}'s ${operation.id} answers later: users cannot be created while seeding`);
    if (answer.status >= 300)
      throw new ScenarioError([`${api.name} user ${i + 1} (${body}): ${api.name} answered ${answer.status} ${answer.body ?? ''}`]);
    return answer.body === undefined ? undefined : JSON.parse(answer.body);
  });
}
