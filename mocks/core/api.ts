import type { Faker } from '@faker-js/faker';
import type { ApiName } from '../../specs/index.ts';
import type { MockRequest, MockResponse } from './http.ts';

/** `Authorization` header values of the two kinds of caller every API has in the mock. */
export interface Credentials {
  /** May call every operation (hoop admin group, Amani Company Admin, Haplo API-group member). */
  admin: string;
  /** Authenticated but refused on admin-only operations. */
  standard: string;
}

/** What seeding an API's state needs: a seeded faker and how many users to make. */
export interface SeedOptions {
  faker: Faker;
  users: number;
}

/** An API's in-memory state; it serialises to plain JSON (state file, snapshots). */
export interface ApiState {
  toJSON(): unknown;
}

/**
 * One vendor API's behaviour: its state, its credentials and how it answers a request.
 * One file per API under `mocks/apis/` implements this; the core composes them.
 */
export interface ApiModule<S extends ApiState = ApiState> {
  name: ApiName;
  /** Whether a request path belongs to this API (its documented prefixes). */
  owns(path: string): boolean;
  seed(options: SeedOptions): S;
  restore(snapshot: unknown): S;
  credentials(state: S): Credentials;
  /** The operationId a method and path route to, if any (for `Prefer: code=`). */
  operationFor(method: string, path: string): string | undefined;
  handle(request: MockRequest, state: S): MockResponse | Promise<MockResponse>;
  /**
   * The answer a caller gets who may not call the operation a request routes to (no credential, a
   * bad one, or not the role), or undefined when they may. `Prefer: code=` is honoured only after
   * it, as Prism authenticates before it honours `Prefer`.
   */
  refuse(request: MockRequest, state: S): MockResponse | undefined;
}
