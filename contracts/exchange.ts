// What the drivers send and what comes back, with the intent each request was sent with: the
// traffic the checks judge afterwards, apart from the drivers that made it.
import { mediaTypeEssence, type Provenance, type SpecCall } from '../specs/index.ts';
import type { CheckName } from './checks/names.ts';

/**
 * Which credential a request carries: one of the two given, none, or another — a forged one, or
 * a token the run obtained (with the requests that issued it, which a reproduction replays).
 */
export type Auth = 'admin' | 'standard' | 'none' | { header: string; issuedBy?: Exchange[] };

/**
 * A request meant for one operation of the spec: what `spec.call(operationId, …)` builds (its
 * documented method, path and JSON media type), with a `body` sent as JSON — or `raw` text sent
 * exactly as given (malformed JSON …) — and `contentType` defaulting to `application/json`.
 */
export interface Call extends SpecCall<Auth> {
  raw?: string;
}

/** A request as the suite sent it. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  auth: Auth;
}

/** A response as it came back; `json` is set when the body parsed as JSON. */
export interface ReceivedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json?: unknown;
}

/** What the driver that sent a request expects of its answer. Each part is judged separately. */
export interface Expectation {
  /** The documented statuses the answer must have, or any documented 2xx. */
  status?: number[] | 'success';
  /** The media type the answer must have (where the spec ties a defect to one). */
  mediaType?: string;
  /** Fields the user in the answer must show, as the API's profile presents a user. */
  shows?: Record<string, unknown>;
  /** Why a shown field has its expected value, per field ("not sent, so unchanged" …). */
  because?: Record<string, string>;
  /** Keys of users the list in the answer must include. */
  includes?: string[];
  /** The list in the answer must not name a user twice. */
  unique?: boolean;
  /** The answer must agree with the vendor's executable model (the mock): its answer to the same request, and what differs. */
  agreement?: { vendor: ReceivedResponse; differences: string[] };
}

/** A value of an answer that later requests of the run use (a server-assigned id, a token). */
export interface Capture {
  value: string;
  /** Where it is in the answer's JSON, as a dotted path (`user.id`). */
  path: string;
}

/** Why a request was sent: its purpose in words, the check that judges it, what it expects. */
export interface Intent {
  purpose: string;
  /** The check that judges the expectation (none for a request only the response checks judge). */
  check?: CheckName;
  expect?: Expectation;
  /** Where the expected fact comes from, when it is not the response's own provenance. */
  provenance?: Provenance;
  /** The earlier requests this one depends on, in order: a stateful failure shows them all. */
  after?: Exchange[];
  captures?: Capture[];
}

/** One request and its answer, with the operation it was meant for and why it was sent. */
export interface Exchange {
  id: number;
  operationId: string;
  /** The call as the driver made it (documented path, credential by name). */
  call: Call;
  request: SentRequest;
  response: ReceivedResponse;
  intent: Intent;
}

/** A response as the checks see it: `json` is set when a JSON-typed body parses. */
export function receivedResponse(status: number, headers: Record<string, string>, text: string): ReceivedResponse {
  const response: ReceivedResponse = { status, headers, text };
  // Any type naming JSON (`application/json`, `application/scim+json`, a mislabelled `text/json`): the checks judge the label apart.
  if (text !== '' && /json/i.test(headers['content-type'] ?? '')) {
    try {
      response.json = JSON.parse(text);
    } catch {
      // left unset: the checks report a JSON content type whose body is not JSON
    }
  }
  return response;
}

/** The media type of an answer, without parameters, in lower case. */
export const mediaTypeOf = (response: ReceivedResponse): string => mediaTypeEssence(response.headers['content-type'] ?? '');

export const isSuccess = (exchange: Exchange): boolean => exchange.response.status >= 200 && exchange.response.status < 300;
