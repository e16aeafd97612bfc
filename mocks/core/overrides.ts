// Standing answers that replace an operation's own (scenarios, the dashboard, `mock.override()`),
// and the one-shot `Prefer: code=`: one engine, so all of them answer alike — the caller
// authenticated first (as Prism does), in the API's wire conventions.
import type { ApiSpec, Operation } from '../../specs/spec.ts';
import { isObject } from '../../specs/json.ts';
import { empty, type MockResponse } from './http.ts';
import { MAX_DELAY_MS } from './prefer.ts';

/** The most answers one override may replace (`times`); absent, it replaces every one until cleared. */
export const MAX_TIMES = 10_000;

/** What an override makes an operation answer: a documented status, its success with the lists emptied, or a slow answer. */
export interface OverrideRequest {
  api: string;
  operationId: string;
  /** Answer this status, which the spec must document for the operation, with its example. */
  status?: number;
  /** Answer as the API does, with its lists emptied (operations answering a list). */
  empty?: boolean;
  /** Wait this many milliseconds before answering. */
  delay?: number;
  /** How many answers it replaces (absent: every one until cleared). */
  times?: number;
}

export interface Override extends Omit<OverrideRequest, 'times'> {
  id: string;
  /** Answers it will still replace; absent: every one until cleared. */
  remaining?: number;
}

/** Why an override cannot be made for the spec (an unknown operation, an undocumented status …), or nothing when it can. */
export function overrideProblem(spec: ApiSpec, request: OverrideRequest): string | undefined {
  const operation = spec.operations.find((candidate) => candidate.id === request.operationId);
  if (!operation) return `${spec.name} has no operation "${request.operationId}" (it has ${spec.operations.map((o) => o.id).join(', ')})`;
  if (request.status === undefined && !request.empty && request.delay === undefined) return 'say what to answer: status, empty or delay';
  if (request.status !== undefined && request.empty) return 'status and empty cannot go together';
  if (request.status !== undefined && !spec.documentsStatus(operation.id, request.status))
    return undocumented(spec, operation, request.status);
  if (request.empty && !answersList(spec, operation)) return `${spec.name}'s ${operation.id} answers no list to empty`;
  if (request.delay !== undefined && !(Number.isInteger(request.delay) && request.delay >= 0 && request.delay <= MAX_DELAY_MS)) {
    return `delay must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}`;
  }
  if (request.times !== undefined && !(Number.isInteger(request.times) && request.times >= 1 && request.times <= MAX_TIMES))
    return `times must be a whole number from 1 to ${MAX_TIMES} (leave it out for every answer until cleared)`;
  return undefined;
}

/** `overrideProblem` for the API the override names among `apis`, or that no such API is served. */
export function overrideProblemAmong(apis: ReadonlyArray<{ name: string; spec: ApiSpec }>, request: OverrideRequest): string | undefined {
  const api = apis.find((candidate) => candidate.name === request.api);
  return api
    ? overrideProblem(api.spec, request)
    : `no API ${request.api} here (the mock serves ${apis.map((one) => one.name).join(', ')})`;
}

/** The message for a status the operation does not document (as Prism's "Requested status code … is not defined in the document"). */
export function undocumented(spec: ApiSpec, operation: Operation, status: number): string {
  return `usermock: ${spec.name}'s spec documents no ${status} for ${operation.id} (it documents ${operation.statuses.join(', ')})`;
}

/**
 * Whether the operation reads a list to empty: a GET whose success answer is a JSON array, or an
 * envelope with a list of records at its top level (Haplo's `users` ids) — not a record's own
 * fields, such as hoop's `groups` names.
 */
export function answersList(spec: ApiSpec, operation: Operation): boolean {
  if (operation.method !== 'GET') return false;
  const success = operation.statuses.find((status) => status.startsWith('2'));
  const [example] = success ? spec.responseExamples(operation.id, Number(success)) : [];
  return example !== undefined && listsIn(example.value).length > 0;
}

/** An answer with its lists emptied: a JSON array body, or the lists of records at its top level (Haplo's envelope: `users`, `members`). */
export function emptied(response: MockResponse): MockResponse {
  if (response.status >= 300 || response.body === undefined) return response;
  let value: unknown;
  try {
    value = JSON.parse(response.body);
  } catch {
    return response;
  }
  if (Array.isArray(value)) return { ...response, body: '[]' };
  if (!isObject(value)) return response;
  const lists = listsIn(value);
  return { ...response, body: JSON.stringify({ ...value, ...Object.fromEntries(lists.map((key) => [key, []])) }) };
}

/** The keys of a value's lists: `[""]` for an array itself, else its top-level arrays of records (objects or ids, not names). */
function listsIn(value: unknown): string[] {
  if (Array.isArray(value)) return [''];
  if (!isObject(value)) return [];
  return Object.keys(value).filter((key) => {
    const field = value[key];
    return Array.isArray(field) && field.length > 0 && typeof field[0] !== 'string';
  });
}

/** The spec's first example for a status the operation documents, in the API's wire format. */
export function documentedAnswer(spec: ApiSpec, operationId: string, status: number): MockResponse {
  // The API's wire conventions too: the charset it names, the headers the spec requires (Amani's challenge).
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(spec.response(operationId, status)?.headers ?? {})) {
    if (header.required && typeof header.example === 'string') headers[name.toLowerCase()] = header.example;
  }
  const [example] = spec.responseExamples(operationId, status);
  if (!example) return empty(status, headers);
  const body = typeof example.value === 'string' ? example.value : JSON.stringify(example.value);
  const charset = spec.document['x-response-charset'];
  const contentType = charset && example.mediaType.endsWith('json') ? `${example.mediaType}; charset=${charset}` : example.mediaType;
  return { status, headers: { ...headers, 'content-type': contentType }, body };
}

/**
 * The overrides of each session, in the order made; a session's list starts as `initial` (a
 * scenario's) on first use and again after a reset.
 */
/** The overrides as a replica's snapshot holds them. */
export interface SavedOverrides {
  made: number;
  sessions: Record<string, Override[]>;
}

export class Overrides {
  private readonly bySession = new Map<string, Override[]>();
  private made = 0;

  constructor(private readonly initial: readonly OverrideRequest[] = []) {}

  list(session: string): Override[] {
    let overrides = this.bySession.get(session);
    if (!overrides) {
      overrides = this.initial.map((request) => this.make(request));
      this.bySession.set(session, overrides);
    }
    return overrides;
  }

  add(session: string, request: OverrideRequest): Override {
    const override = this.make(request);
    this.list(session).push(override);
    return override;
  }

  /** How many overrides the session has (the scenario's, until it first changes them). */
  count(session: string): number {
    return (this.bySession.get(session) ?? this.initial).length;
  }

  /** Whether the session may have an override at all: the check every request pays, kept to a map lookup. */
  any(session: string): boolean {
    return this.initial.length > 0 || (this.bySession.get(session)?.length ?? 0) > 0;
  }

  /** The first override for an operation in the session, if any. */
  find(session: string, api: string, operationId: string): Override | undefined {
    return this.list(session).find((override) => override.api === api && override.operationId === operationId);
  }

  /** Counts one answer an override gave; one with no answers left is gone. */
  use(session: string, override: Override): void {
    if (override.remaining === undefined) return;
    override.remaining -= 1;
    if (override.remaining === 0) this.remove(session, override.id);
  }

  remove(session: string, id: string): boolean {
    const overrides = this.list(session);
    const index = overrides.findIndex((override) => override.id === id);
    if (index !== -1) overrides.splice(index, 1);
    return index !== -1;
  }

  /** Back to the scenario's overrides: every session's, or one's. */
  reset(session?: string): void {
    if (session === undefined) this.bySession.clear();
    else this.bySession.delete(session);
  }

  /** Clears a session's overrides, the scenario's included, until the next reset. */
  clear(session: string): void {
    this.bySession.set(session, []);
  }

  /** Every session's overrides, with what they have left, and how many were made: what `restore` takes. */
  toJSON(): SavedOverrides {
    return { made: this.made, sessions: Object.fromEntries(this.bySession) };
  }

  /** Back to what `toJSON()` gave (without it, to none made yet): a replica loading the shared state. */
  restore(saved?: SavedOverrides): void {
    this.bySession.clear();
    this.made = saved?.made ?? 0;
    for (const [session, overrides] of Object.entries(saved?.sessions ?? {})) this.bySession.set(session, overrides);
  }

  private make({ times, ...request }: OverrideRequest): Override {
    return { id: `o${++this.made}`, ...request, ...(times === undefined ? {} : { remaining: times }) };
  }
}
