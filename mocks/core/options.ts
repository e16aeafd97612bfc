import type { ApiModule, ApiState } from './api.ts';
import type { OverrideRequest } from './overrides.ts';
import type { Latency } from './prefer.ts';
import type { Scenario } from './scenario.ts';
import type { Snapshot } from './sessions.ts';

export const DEFAULT_SEED = 1;
export const DEFAULT_USERS = 30;

export interface MockOptions {
  /** The faker seed: the same seed gives the same users, groups and credentials. */
  seed?: number;
  /** Users seeded per API. */
  users?: number;
  /** Delay every answer by a fixed or random number of milliseconds. */
  latency?: Latency;
  /**
   * Leave every delay (`latency`, `Prefer: delay`, an override's) to the transport
   * (`MockResponse.delay`) instead of waiting it here: a replica applying a shared log one entry at
   * a time must never wait inside it.
   */
  deferDelays?: boolean;
  /** State to start from instead of the seed (a snapshot from `--state-file` or `/__usermock/state`). */
  snapshot?: Snapshot;
  /** Called with the serialised state whenever a request changed it, before the answer is sent. */
  persist?: (snapshot: string) => Promise<void>;
  /** Told of an exception the mock turned into a 500 (a bug in the mock); logs it by default. */
  onError?: (error: unknown) => void;
  /** Named sessions held at once (the default session is always there); a new one past it is refused with 429. */
  maxSessions?: number;
  /** Records (users, hoop's groups) per API per session; a create past it is refused with 429, a scenario asking more is refused at start. */
  maxUsers?: number;
  /** Overrides per session; one more is refused with 429. */
  maxOverrides?: number;
  /**
   * Starting data and standing overrides (a scenario file's content): every session starts from it,
   * and goes back to it on reset. Its `users` count wins over `users`.
   */
  scenario?: Scenario;
}

type Named<M, N> = Extract<M, { name: N }>;
/** The state type of the API named N among the modules M (`HoopState` for `'hoop'`). */
export type StateOf<M, N> = Named<M, N> extends ApiModule<infer S, string, string, object> ? S : ApiState;
/** The operation ids of the API named N's spec (spelled out as a union, so that a tsc error on a wrong one lists them). */
export type OperationIdOf<M, N> = Named<M, N> extends ApiModule<ApiState, string, infer Op, object> ? { [K in Op]: K }[Op] : string;
/** The body of the API named N's create-user operation. */
export type NewUserOf<M, N> = Named<M, N> extends ApiModule<ApiState, string, string, infer U> ? U : Record<string, unknown>;
/** What an override answers: a documented status, or more (`{ empty: true }`, `{ delay: 2000, times: 1 }`). */
export type OverrideAnswer = number | Omit<OverrideRequest, 'api' | 'operationId'>;
