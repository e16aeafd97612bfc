import type { ApiName } from '../../specs/index.ts';
import type { DataFactory } from '../data.ts';
import type { Client, Exchange, RequestSpec } from '../exchange.ts';

/** A request meant for one operation. */
export interface Call extends RequestSpec {
  operationId: string;
}

/** A user the suite created, as the later steps need it. */
export interface CreatedUser {
  /** The value the API's read, update and delete paths take for this user. */
  key: string;
  /** The body that created it. */
  sent: Record<string, unknown>;
}

/** An operation that takes a body, for the negative and positive data checks. */
export interface BodyTarget {
  operationId: string;
  /** The call with a given body (or raw text) in place. */
  call(body: { body?: unknown; raw?: string }): Call;
  /** A valid body for it. */
  valid(unicode: boolean): Record<string, unknown>;
  /** Whether a valid body must be accepted (false where a valid shape still fails, e.g. a login with made-up credentials). */
  acceptsValid: boolean;
}

/**
 * What the generic checks need to know of one API: how to create, read, list, update, remove a
 * user, which status a duplicate gets, and a sample request for each operation. One file per API
 * under `contracts/apis/` implements it; the checks never mention an API by name.
 */
export interface ApiProfile {
  api: ApiName;
  /** Learns what valid data needs from the server (existing role ids, the caller …). */
  prepare(client: Client): Promise<void>;
  newUser(data: DataFactory, unicode?: boolean): Record<string, unknown>;
  create(body: Record<string, unknown>): Call;
  /** The created user, from a successful create answer. */
  created(exchange: Exchange, sent: Record<string, unknown>): CreatedUser | undefined;
  /** A request that shows the user as stored. */
  read(user: CreatedUser): Call;
  /** The user object in an answer to read, create or update. */
  userIn(exchange: Exchange): Record<string, unknown> | undefined;
  /** What a read must show for a body that was sent (field by field). */
  expected(sent: Record<string, unknown>): Record<string, unknown>;
  /** A list that must include the user, when the API has one. */
  list?: { call(user: CreatedUser): Call; includes(exchange: Exchange, user: CreatedUser): boolean };
  /** A change to the user: the call and the fields a read must then show. */
  update(user: CreatedUser, data: DataFactory): { call: Call; changes: Record<string, unknown> };
  /** Deleting or blocking, when the API can: the call and how a later read shows it took effect. */
  remove?: { call(user: CreatedUser): Call; effective(read: Exchange): boolean; meaning: string };
  /** The status a second create with the same email gets. */
  duplicateStatus: number;
  /** The operations besides create that take a body (negative and positive data). */
  bodyTargets(user: CreatedUser, data: DataFactory): BodyTarget[];
  /** A well-formed request for an operation (auth checks, read-only sampling), if it can make one. */
  sample(operationId: string, user: CreatedUser | undefined, data: DataFactory): Call | undefined;
  /** The call that undoes what a successful exchange created, where the API allows (staging-safe runs). */
  cleanup(exchange: Exchange): Call | undefined;
}

/** Every operation of a profile that takes a body: creating a user first, then the profile's others. */
export function bodyTargetsOf(profile: ApiProfile, user: CreatedUser, data: DataFactory): BodyTarget[] {
  const create: BodyTarget = {
    operationId: profile.create({}).operationId,
    call: (body) => ({ ...profile.create({}), ...body }),
    valid: (unicode) => profile.newUser(data, unicode),
    acceptsValid: true,
  };
  return [create, ...profile.bodyTargets(user, data)];
}
