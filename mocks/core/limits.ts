// How much one mock holds at most — named sessions, records per API per session, overrides per
// session — so that a client (or a runaway test) cannot grow it without bound: past a limit the
// answer is a 429 saying which limit and how to free room.
import type { ApiModule } from './api.ts';
import type { RequestContext } from './context.ts';
import { text, type MockResponse } from './http.ts';
import type { Middleware } from './middlewares.ts';
import type { Scenario } from './scenario.ts';
import type { Sessions } from './sessions.ts';

export const DEFAULT_MAX_SESSIONS = 1_000;
export const DEFAULT_MAX_USERS = 100_000;
export const DEFAULT_MAX_OVERRIDES = 100;

export interface Limits {
  maxSessions: number;
  maxUsers: number;
  maxOverrides: number;
}

/** What `GET /__usermock/limits` shows: each limit and how much of it is in use. */
export interface LimitsReport {
  sessions: { max: number; used: number };
  /** Per session, per API, per kind of record (users, groups). */
  users: { max: number; used: Record<string, Record<string, Record<string, number>>> };
  /** Per session. */
  overrides: { max: number; used: Record<string, number> };
}

/** The limits given, or their defaults; a RangeError for one that is not a whole number of at least 1. */
export function limitsOf(given: Partial<Limits>): Limits {
  const limits = {
    maxSessions: given.maxSessions ?? DEFAULT_MAX_SESSIONS,
    maxUsers: given.maxUsers ?? DEFAULT_MAX_USERS,
    maxOverrides: given.maxOverrides ?? DEFAULT_MAX_OVERRIDES,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1, got ${value}`);
  }
  return limits;
}

/**
 * Why a start is more than the limits allow — more seeded users than `maxUsers`, more users for an
 * API in a scenario (its listed users and `users` faker ones), or more overrides than
 * `maxOverrides` — or nothing when it fits.
 */
export function startPastLimits(scenario: Scenario | undefined, users: number, limits: Limits): string | undefined {
  if (users > limits.maxUsers) return `${users} users per API is more than maxUsers allows (${limits.maxUsers})`;
  for (const [api, { users: listed = [] } = {}] of Object.entries(scenario?.apis ?? {})) {
    if (users + listed.length > limits.maxUsers) {
      return (
        `the scenario asks ${users + listed.length} users of ${api} (${listed.length} listed and ${users} faker users), ` +
        `more than maxUsers (--max-users) allows: ${limits.maxUsers} per API per session`
      );
    }
  }
  const overrides = scenario?.overrides?.length ?? 0;
  return overrides > limits.maxOverrides
    ? `the scenario has ${overrides} overrides, more than maxOverrides (--max-overrides) allows: ${limits.maxOverrides} per session`
    : undefined;
}

/** An operation that adds a record (a user, a hoop group) is refused with 429 once the API holds `maxUsers` of that kind in the session. */
export const recordLimit =
  (sessions: Sessions, maxUsers: number): Middleware =>
  (context, next) => {
    const { api, route } = context;
    if (context.sent.method === 'GET' || !api || !route.operation) return next(context);
    const records = api.records.find((kind) => kind.addedBy.includes(route.operation!.id));
    if (!records || records.count(sessions.peek(context.session)[api.name]!) < maxUsers) return next(context);
    return apiFull(context, records.kind, maxUsers);
  };

/** Each API's records, by kind, in each of the sessions. */
export function recordsUsed(apis: readonly ApiModule[], sessions: Sessions): LimitsReport['users']['used'] {
  return Object.fromEntries(
    sessions
      .names()
      .map((session) => [
        session,
        Object.fromEntries(
          apis.map((api) => [
            api.name,
            Object.fromEntries(api.records.map((records) => [records.kind, records.count(sessions.peek(session)[api.name]!)])),
          ]),
        ),
      ]),
  );
}

export function overridesFull(session: string, maxOverrides: number): MockResponse {
  return text(
    429,
    `usermock: override limit reached: session "${session}" holds ${maxOverrides} overrides, the most --max-overrides allows. ` +
      `Free room by clearing them (DELETE /__usermock/overrides, or one with DELETE /__usermock/overrides/{id}, with the session's x-usermock-session header), ` +
      `with POST /__usermock/reset, or start usermock with a higher --max-overrides.\n`,
  );
}

function apiFull({ api, session }: RequestContext, kind: string, maxUsers: number): MockResponse {
  return text(
    429,
    `usermock: user limit reached: ${api!.name} holds ${maxUsers} ${kind} in session "${session}", the most --max-users allows. ` +
      `Free room by deleting some, with POST /__usermock/reset (with the session's x-usermock-session header for that session only), or start usermock with a higher --max-users.\n`,
  );
}
