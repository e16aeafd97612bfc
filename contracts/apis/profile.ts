import type { ApiSpec } from '../../specs/spec.ts';
import type { CheckInfo, ResponseCheck } from '../checks/check.ts';
import type { CheckName } from '../checks/names.ts';
import type { DataFactory } from '../data.ts';
import type { RunContext } from '../drivers/context.ts';
import type { Auth, Call, Capture, Exchange, Expectation, ReceivedResponse } from '../exchange.ts';

/** A user the run created, as the later steps need it. */
export interface CreatedUser {
  /** The value the API's read, update and remove paths take for this user. */
  key: string;
  /** The body that created it. */
  sent: Record<string, unknown>;
  /** What a read of it must show now, as the profile presents a user (kept up to date by the run). */
  shows: Record<string, unknown>;
  /** The requests that made it what it is (its create, then its changes): what a failure on it replays. */
  history: Exchange[];
}

/** A change to a user: the call, and what a read shows afterwards (with why, for fields not sent). */
export interface Update {
  call: Call;
  /** What the user shows after the update, every field (changed and unchanged). */
  after: Record<string, unknown>;
  because?: Record<string, string>;
}

/** An operation that takes a body, for the negative and positive data drivers. */
export interface BodyTarget {
  operationId: string;
  /** The call with a given body (or raw text) in place. */
  call(body: { body?: unknown; raw?: string }): Call;
  /** A valid body for it. */
  valid(unicode: boolean): Record<string, unknown>;
  /** Whether a valid body must be accepted (false where a valid shape still fails, e.g. a login with made-up credentials). */
  acceptsValid: boolean;
}

/** A request built to get one documented status that no generic driver provokes. */
export interface Provocation {
  operationId: string;
  status: number;
  /** Why that status, in words ("deleting the admin group"). */
  purpose: string;
  /** Requests that make what the call needs (a group to delete), sent first. */
  setup?: Call[];
  call: Call;
  /**
   * A faulty server would obey it destructively (an admin deleting themself): sent only with
   * `--allow-destructive`, after everything else.
   */
  destructive?: boolean;
}

/** Who a credential is, as the server tells. */
export interface Identity {
  /** Whether the server accepts it; undefined when its answer was no documented acceptance or refusal (a wrong base URL …). */
  accepted: boolean | undefined;
  /** Whether the server lets it do what only an admin may; undefined when the run may not send such a request. */
  admin?: boolean;
  /** Whether the server says it belongs to an admin (hoop's `/api/userinfo`), where the API can say. */
  claimsAdmin?: boolean;
  /** The request that told, and its answer, in words. */
  evidence: string;
}

/**
 * What the generic drivers need to know of one API: how to create, read, list, update and remove
 * a user, who a credential is, a well-formed request for each operation, the statuses only a
 * vendor-specific request provokes — and the checks and scenarios only this API has. One file per
 * built-in API under `contracts/apis/` implements it (another API's profile is passed in the
 * options' `profiles`, most simply made by `defineContractProfile`); the generic drivers and
 * checks never name an API. Each member says when a run uses it.
 */
export interface ApiProfile {
  /** The API's name, as `usermock check <api>` takes it: the run picks the profile by it. */
  api: string;
  /** The spec every request is judged against, by every check. */
  spec: ApiSpec;
  /** Checks only this API has, with their metadata: listed by `usermock checks`, selected by `--only`, judged after the run. */
  checks: Array<CheckInfo | ResponseCheck>;
  /**
   * Sequences only this API has (login and refresh, the caller's own record …), feeding its
   * checks: each runs once, after the lifecycle, unless the run selects none of the checks it
   * feeds (or it writes on a read-only run, or the target is stateless).
   */
  scenarios: Array<{ name: string; writes: boolean; feeds: CheckName[]; run(context: RunContext): Promise<void> }>;
  /**
   * Finds out who a credential is, before anything else (with GET requests only on a read-only
   * run): for the admin's, then the standard caller's when given. Not on a stateless target.
   */
  identify(context: RunContext, auth: 'admin' | 'standard'): Promise<Identity>;
  /** A non-admin credential the run can make itself (a user it created, logged in): by `admin_required` when no standard one is given. */
  obtainStandard?(context: RunContext): Promise<Auth | undefined>;
  /** Learns what valid data needs from the server (existing role ids, a known user …): once, after the credentials. */
  prepare(context: RunContext): Promise<void>;
  /** A valid body creating a user of this run: whenever the run creates one, and as the valid create body of the data checks. */
  newUser(data: DataFactory, unicode?: boolean): Record<string, unknown>;
  /** The create of a user with `body`: every create (also the duplicate's); `create({})` names the create operation. */
  create(body: Record<string, unknown>): Call;
  /** The key of the user a successful create answer made, and the values a reproduction captures from it: after each create. */
  created(exchange: Exchange): { key: string; captures?: Capture[] } | undefined;
  /** What a create's answer shows for a body sent, and what a read shows afterwards: at each create. */
  shows(sent: Record<string, unknown>): { answer: Record<string, unknown>; read: Record<string, unknown> };
  /** A read of a user the run made: after its create, its update and its removal (lifecycle). */
  read(user: CreatedUser): Call;
  /** The user in an answer to a read, create or update, presented as `shows` presents it: whenever an expectation names fields. */
  userIn(response: ReceivedResponse): Record<string, unknown> | undefined;
  /**
   * A list that must include the users the run created (all of them, or the one it asks for),
   * when the API has one: sent twice by the lifecycle, and at the end of the model-based phase.
   */
  list?: { call(user: CreatedUser): Call; keysIn(response: ReceivedResponse): string[] | undefined; scope: 'all' | 'user' };
  /** A change to a user of the run, and what a read shows after it: once, by the lifecycle. */
  update(user: CreatedUser, data: DataFactory): Update;
  /** Deleting or blocking, when the API can: the call, and what a later read of the user answers (lifecycle). */
  remove?: { call(user: CreatedUser): Call; afterwards: Expectation; meaning: string };
  /** The status a second create with the same `uniqueKey` gets (lifecycle's `duplicate_conflict`). */
  duplicateStatus: number;
  /** The request field no two users may share (`email`, SCIM's `userName`), as the reports name it; `email` when absent. */
  uniqueKey?: string;
  /** No two users may have unique keys that differ only in case (SCIM's `userName`, RFC 7643 §4.1.1): the duplicate is also sent in capitals. */
  uniqueIgnoresCase?: boolean;
  /** Requests naming a user that does not exist, each of which must get the documented 404: once, by the lifecycle. */
  unknownUser(data: DataFactory): Call[];
  /** The operations besides create that take a body: by the data checks, with a user the run made. */
  bodyTargets(user: CreatedUser, data: DataFactory): BodyTarget[];
  /**
   * A well-formed request for an operation, on `user` (or on nobody, for writes) when given: for
   * `operation_success` (safe operations, without a user first) and for the auth checks (every
   * operation, sent with no, a forged or a non-admin credential). Undefined leaves it out.
   */
  sample(operationId: string, user: CreatedUser | undefined, data: DataFactory): Call | undefined;
  /** Requests for the documented statuses the generic drivers do not reach: at the end, for those no request got yet. */
  provocations(context: RunContext, user: CreatedUser | undefined): Promise<Provocation[]>;
  /** Documented (operation, status) pairs no request can provoke, with why (`"getGroup 404"`: "…"): in the coverage. */
  unprovokable: Record<string, string>;
  /** The calls that undo what a successful exchange created, where the API allows it: at the clean-up, newest first. */
  cleanup(exchange: Exchange): Call[];
  /** What a successful exchange created that cannot be removed (Amani users), in words: at the clean-up. */
  leftover?(exchange: Exchange): string | undefined;
  /** What the values of the spec's examples name, so that `example_pairs` can send them safely (contracts/drivers/examples.ts). */
  examples?: ExampleValues;
}

/**
 * What an example's value names: a `user` (a path key: id or email), an `email`, a `username`, a
 * `password`, a free-form `name` a request may make (hoop's groups), or a `reference` to something
 * the target must already hold (group codes, role ids, refresh tokens, Haplo refs).
 */
export type ExampleKind = 'user' | 'email' | 'username' | 'password' | 'name' | 'reference';

/** A value of an example: what it names, the field (or parameter) it is in, the example's value. */
export interface ExampleValue {
  kind: ExampleKind;
  field: string;
  original: unknown;
}

/**
 * How `example_pairs` replaces the values of the spec's examples by the run's own: which fields
 * name what, the values a user of the run shows, and what the target holds.
 */
export interface ExampleValues {
  /** Body fields (dotted: `tags.username`; `<operationId>.<field>` for one operation only) and parameters, by what they name. */
  fields: Record<string, ExampleKind>;
  /** A run user's values standing for a seeded user's, by attribute (`id`, `email`, `username`, `password`). */
  user(user: CreatedUser): Record<string, unknown>;
  /** Whether a seeded user is the caller the examples are sent as: a write naming it in its path is not sent. */
  isCaller?(record: Record<string, unknown>): boolean;
  /** A value the target holds standing for `original` (the `index`th distinct one of the field), or undefined when none is known. */
  held?(wanted: ExampleValue & { index: number }, context: RunContext): Promise<unknown>;
  /** A value nobody has standing for `original` (an id beyond any), or undefined to send `original`. */
  nobody?(wanted: ExampleValue): unknown;
  /** Values sent as the example gives them (hoop's `admin` group): a write naming one in its path is destructive. */
  builtIn?: unknown[];
  /** Why an operation's examples cannot be sent in this run (a caller's setting that could not be put back). */
  unsafe?(operationId: string): string | undefined;
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
