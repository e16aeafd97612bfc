import { amani } from './apis/amani/index.ts';
import { haplo } from './apis/haplo/index.ts';
import { hoop } from './apis/hoop/index.ts';
import { API_NAMES, type ApiName } from '../specs/spec.ts';
import type { ApiModule } from './core/api.ts';
import { Mock } from './core/mock.ts';
import type { MockOptions } from './core/options.ts';

export { Mock } from './core/mock.ts';
export { SESSION_HEADER } from './core/context.ts';
export {
  DEFAULT_SEED,
  DEFAULT_USERS,
  type MockOptions,
  type StateOf,
  type OperationIdOf,
  type NewUserOf,
  type OverrideAnswer,
} from './core/options.ts';
export type { Snapshot, World } from './core/sessions.ts';
export type { Override, OverrideRequest } from './core/overrides.ts';
export type { JournalEntry } from './core/journal.ts';
export { checkScenario, ScenarioError, type Scenario } from './core/scenario.ts';
export { SnapshotError } from './core/snapshot.ts';
export { hoop, amani, haplo } from './factories.ts';
// What each API stores (`mock.state(api)`'s rows) and what its create operation takes.
export type { HoopState, HoopRecord, HoopNewUser } from './apis/hoop/index.ts';
export type { AmaniState, AmaniRecord, AmaniNewUser } from './apis/amani/index.ts';
export type { HaploState, HaploRecord, HaploNewUser } from './apis/haplo/index.ts';
// What each API answers, derived from the specs' generated types.
export type {
  HoopUser,
  HoopUserInfo,
  HoopGroup,
  HoopGroupNames,
  HoopStatus,
  HoopError,
  AmaniUser,
  AmaniRole,
  AmaniLogin,
  AmaniError,
  HaploUser,
  HaploGroup,
  HaploGroupDetails,
  HaploUserDetails,
} from './types.ts';
export type { Credentials, ApiModule, ApiState, SeedOptions } from './core/api.ts';
export type { MockRequest, MockResponse } from './core/http.ts';
export type { RequestContext } from './core/context.ts';
export type { Answer } from './core/compose.ts';
// An API of one's own (README: "Adding an API"): its spec, `defineApiModule`, and the building blocks.
export { ApiSpec, isJsonMediaType, type Operation, type Requirement } from '../specs/spec.ts';
export { loadSpec, type LoadSpecOptions } from '../specs/load.ts';
export {
  defineApiModule,
  type ApiDefinition,
  type OperationContext,
  type OperationTypes,
  type PathParamsOf,
  type BodyOf,
} from './core/module.ts';
export { authorize, type Gate, type Authentication } from './core/access.ts';
export { specRouter, type Handler, type Alias, type Params, type Match } from './core/router.ts';
export { Table } from './core/table.ts';
export { empty, isObject, json, parseJsonBody, text } from './core/http.ts';
export { now, randomBytes, uuid } from './core/entropy.ts';

/** One of the built-in API modules: hoop's, Amani's or Haplo's, each with its own state and operation types. */
export type BuiltInApi = (typeof BUILT_IN)[ApiName];

/** The module of each built-in API: the specs' `API_NAMES` say which there are, so a name without its module does not compile. */
const BUILT_IN = { hoop, amani, haplo } satisfies Record<ApiName, ApiModule>;

/** Every API the mock serves, in the order the core tries them. */
export const API_MODULES: readonly BuiltInApi[] = API_NAMES.map((name) => BUILT_IN[name]);

/** What the `create…` functions take: the mock's options, and the APIs it serves (the three built-in ones by default). */
export interface CreateMockOptions<A extends ApiModule = BuiltInApi> extends MockOptions {
  /** The API modules to serve on one origin, in the order the core tries them: `[scim]`, or `[...API_MODULES, scim]`. */
  apis?: readonly A[];
}

/** A mock of the APIs given (all three built-in ones by default) on one origin, seeded with deterministic faker data. */
export function createMock<A extends ApiModule = BuiltInApi>({ apis, ...options }: CreateMockOptions<A> = {}): Mock<A> {
  return new Mock<A>(apis ?? (API_MODULES as readonly ApiModule[] as readonly A[]), options);
}
