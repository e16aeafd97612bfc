// How an API's state is made: from the mock's seed (one faker stream per API), then a scenario's
// users added through the API's own create operation.
import type { Faker } from '@faker-js/faker';
import { seededFaker } from '../../specs/faker.ts';
import type { ApiModule, ApiState } from './api.ts';
import type { Answer } from './compose.ts';
import { Refusal } from './http.ts';
import { deterministically } from './entropy.ts';
import { ScenarioError, type Scenario, type ScenarioProblem } from './scenario.ts';

/** When a scenario's users are made, whenever the mock starts: the same moment everywhere. */
const SCENARIO_TIME = Date.UTC(2025, 0, 1);

/** An API's seeded state: `users` faker users from the mock's seed, then the scenario's own users. */
export function seedApi(api: ApiModule, seed: number, users: number, scenario: Scenario | undefined): ApiState {
  // Each API's stream comes from its name, so adding, removing or reordering APIs — or adding
  // users to one — never changes another's data or credentials.
  const faker = seededFaker(streamSeed(seed, api.name));
  const state = api.seed({ faker, users });
  // A scenario's users get the same ids wherever the mock is made (replicas sharing a store too).
  const listed = scenario?.apis?.[api.name]?.users ?? [];
  deterministically(`${seed}/${api.name}`, SCENARIO_TIME, () => createUsers(api, state, faker, listed));
  return state;
}

/**
 * Adds users to a freshly seeded API state the way a client would: each through the API's own
 * create operation with the admin credential, so a scenario's user is stored exactly as the vendor
 * stores one (ids, defaults, normalisation) and the users the vendor refuses (a duplicate email)
 * fail loudly, each with the vendor's own answer. Answers the API's bodies for them.
 */
export function createUsers<S extends ApiState>(
  api: ApiModule<S>,
  state: S,
  faker: Faker,
  users: readonly Record<string, unknown>[],
): unknown[] {
  const operation = api.spec.operation(api.newUser.operationId);
  const refused: ScenarioProblem[] = [];
  const answers = users.map((fields, i) => {
    const body = JSON.stringify(api.newUser.body(faker, fields));
    const answer = answerOrRefusal(() =>
      api.handle(
        {
          method: operation.method,
          path: operation.path,
          query: new URLSearchParams(),
          headers: {
            authorization: api.credentials(state).admin,
            'content-type': api.spec.requestMediaType(operation.id) ?? 'application/json',
          },
          body,
        },
        state,
        api.route(operation.method, operation.path),
      ),
    );
    if (answer instanceof Promise) throw new Error(`${api.name}'s ${operation.id} answers later: users cannot be created while seeding`);
    if (answer.status >= 300) {
      refused.push({
        path: ['apis', api.name, 'users', i],
        message: `${api.name} refused it (${operation.id} ${body}): ${api.name} answered ${answer.status} ${answer.body ?? ''}`.trimEnd(),
      });
      return undefined;
    }
    return answer.body === undefined ? undefined : JSON.parse(answer.body);
  });
  // Every user the vendor refuses, not only the first.
  if (refused.length > 0) throw new ScenarioError(refused);
  return answers;
}

/** An answer, a `Refusal` thrown on the way included (the core's 500 boundary would answer it so). */
function answerOrRefusal(answer: () => Answer): Answer {
  try {
    return answer();
  } catch (error) {
    if (error instanceof Refusal) return error.response;
    throw error;
  }
}

/** The seed of one API's faker stream: FNV-1a of the mock's seed and the API's name. */
function streamSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5;
  for (const character of `${seed}/${name}`) hash = Math.imul(hash ^ character.codePointAt(0)!, 0x01000193) >>> 0;
  return hash;
}
