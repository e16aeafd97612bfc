/** A request as the behaviour core sees it, whatever transport carried it (node:http or MSW). */
export interface MockRequest {
  method: string;
  /** The path as sent, still percent-encoded, without the query string. */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** The raw body text; undefined when the request had none. */
  body: string | undefined;
  /** The transport did not read the body: it was over its size limit (the core answers 413). */
  bodyTooLarge?: boolean;
  /** A write another replica answered, applied here from the shared log: it changes the state but is not this replica's traffic (no journal entry). */
  replayed?: boolean;
}

/** A response with its body already serialised, ready for any transport to write. */
export interface MockResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
  /** With `deferDelays`: milliseconds the transport (a replica) waits before sending it (latency, `Prefer: delay`, an override's). */
  delay?: number;
}

/** Marks a Refusal whichever copy of usermock made it (an API module built on the package, run by a core from source). */
const REFUSAL = Symbol.for('usermock.refusal');

/**
 * An answer thrown from deep inside the core (a limit reached while seeding a session, a body an
 * operation refuses), as Hono's `HTTPException`: the 500 boundary answers it as it is.
 */
export class Refusal extends Error {
  readonly [REFUSAL] = true;

  constructor(readonly response: MockResponse) {
    super(response.body);
    this.name = 'Refusal';
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && REFUSAL in value;
  }
}

/** A JSON response with the given content type (vendors differ on the charset parameter). */
export function json(status: number, value: unknown, contentType = 'application/json'): MockResponse {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(value) };
}

/** A plain-text response. */
export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): MockResponse {
  return { status, headers: { 'content-type': contentType }, body };
}

/** A response without a body (204, preflight). */
export function empty(status: number, headers: Record<string, string> = {}): MockResponse {
  return { status, headers };
}

/** The result of parsing a JSON body: the value, or the parser's own message. */
export type ParsedBody = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses a request body as JSON; an absent or blank body is reported as such, not thrown. */
export function parseJsonBody(body: string | undefined): ParsedBody {
  if (body === undefined || body.trim() === '') return { ok: false, error: 'empty body' };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export { isObject } from '../../specs/json.ts';
