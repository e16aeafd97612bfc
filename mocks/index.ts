import { amani } from './apis/amani/index.ts';
import { haplo } from './apis/haplo/index.ts';
import { hoop } from './apis/hoop/index.ts';
import type { ApiName } from '../specs/index.ts';
import type { ApiModule, ApiState } from './core/api.ts';
import { Mock, type MockOptions } from './core/mock.ts';

export { Mock, SESSION_HEADER, DEFAULT_SEED, DEFAULT_USERS, type MockOptions, type Snapshot, type World } from './core/mock.ts';
export type { Credentials, ApiModule, ApiState, SeedOptions } from './core/api.ts';
export type { MockRequest, MockResponse } from './core/http.ts';
// The building blocks of an API module of one's own (README: "Adding an API").
export { ApiSpec, type Operation, type Requirement } from '../specs/spec.ts';
export { authorize, type Gate, type Authentication } from './core/access.ts';
export { specRouter, type Handler, type Alias, type Params } from './core/router.ts';
export { Table } from './core/table.ts';
export { empty, isObject, json, parseJsonBody, text } from './core/http.ts';

/** Every API the mock serves, in the order the core tries them. */
export const API_MODULES: readonly BuiltInApi[] = [hoop, amani, haplo];

/** One of the built-in API modules, its state seen from outside. */
export type BuiltInApi = ApiModule<ApiState, ApiName>;

/** A mock of all three APIs on one origin, seeded with deterministic faker data. */
export function createMock(options: MockOptions = {}): Mock<BuiltInApi> {
  return new Mock<BuiltInApi>(API_MODULES, options);
}
