import { amani } from './apis/amani/index.ts';
import { haplo } from './apis/haplo/index.ts';
import { hoop } from './apis/hoop/index.ts';
import { Mock, type MockOptions } from './core/mock.ts';

export {
  Mock,
  SESSION_HEADER,
  DEFAULT_SEED,
  DEFAULT_USERS,
  type MockOptions,
  type Snapshot,
  type World,
  type StateOf,
  type OperationIdOf,
  type NewUserOf,
  type OverrideAnswer,
} from './core/mock.ts';
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
// The building blocks of an API module of one's own (README: "Adding an API").
export { ApiSpec, type Operation, type Requirement } from '../specs/spec.ts';
export { authorize, type Gate, type Authentication } from './core/access.ts';
export { specRouter, type Handler, type Alias, type Params } from './core/router.ts';
export { Table } from './core/table.ts';
export { empty, isObject, json, parseJsonBody, text } from './core/http.ts';
export { now, randomBytes, uuid } from './core/entropy.ts';

/** One of the built-in API modules: hoop's, Amani's or Haplo's, each with its own state and operation types. */
export type BuiltInApi = typeof hoop | typeof amani | typeof haplo;

/** Every API the mock serves, in the order the core tries them. */
export const API_MODULES: readonly BuiltInApi[] = [hoop, amani, haplo];

/** A mock of all three APIs on one origin, seeded with deterministic faker data. */
export function createMock(options: MockOptions = {}): Mock<BuiltInApi> {
  return new Mock<BuiltInApi>(API_MODULES, options);
}
