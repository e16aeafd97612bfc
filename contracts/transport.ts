// Sending requests to the server under test. Infrastructure is not the contract: a connection
// error, a gateway's 502/503/504, a 429 or a hang is retried where a repeat cannot change the
// answer, and otherwise ends the run as an infrastructure error, never as a contract failure.
import { receivedResponse, type Auth, type Call, type Exchange, type Intent, type ReceivedResponse, type SentRequest } from './exchange.ts';

/**
 * A request that could not get an answer from the server itself; the run ends on it (exit 3). It
 * keeps the request without its credential and body (a password), as anything printed must.
 */
export class InfrastructureError extends Error {
  readonly request: SentRequest;

  constructor(message: string, request: SentRequest) {
    super(message);
    this.name = 'InfrastructureError';
    const { authorization: _secret, ...headers } = request.headers;
    this.request = { method: request.method, url: request.url, headers, auth: request.auth };
  }
}

export interface TransportOptions {
  /** The server; its path, if any, is put before every documented path. */
  baseUrl: string;
  credentials: { admin?: string; standard?: string };
  /** Milliseconds one attempt may take, answer body included. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** Longest wait before a retry (a longer `Retry-After` gives up). */
  maxDelayMs: number;
  /**
   * Stops the run (Ctrl-C): no request is sent after it fires. A request in flight is let finish,
   * so that what it created is known to the clean-up.
   */
  signal?: AbortSignal;
}

/** Methods whose repeat gets the same answer as the first attempt would have. */
const REPEATABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT']);
/** Answers that come from the infrastructure in front of a server, not from the API. */
const GATEWAY = new Set([502, 503, 504]);

/**
 * Sends the calls of a run and keeps every exchange for the checks. Uses the global `fetch` at
 * call time, so MSW can intercept it.
 */
export class Transport {
  readonly exchanges: Exchange[] = [];
  private readonly base: URL;

  constructor(private readonly options: TransportOptions) {
    this.base = new URL(options.baseUrl);
  }

  has(auth: 'admin' | 'standard'): boolean {
    return this.options.credentials[auth] !== undefined;
  }

  /** The Authorization value the run was given for a role. */
  credential(auth: 'admin' | 'standard'): string | undefined {
    return this.options.credentials[auth];
  }

  /** The URL of a documented path on the server under test (its base path kept). */
  url(path: string, query: Record<string, string> = {}): URL {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base.origin);
    for (const [name, value] of Object.entries(query)) url.searchParams.append(name, value);
    return url;
  }

  async send(call: Call, intent: Intent): Promise<Exchange> {
    this.options.signal?.throwIfAborted();
    const request = this.requestOf(call);
    const response = await this.attempt(request);
    const exchange: Exchange = { id: this.exchanges.length + 1, operationId: call.operationId, call, request, response, intent };
    this.exchanges.push(exchange);
    return exchange;
  }

  private requestOf(call: Call): SentRequest {
    const { headers, body } = wireOf(call, this.authorization(call.auth));
    return { method: call.method, url: this.url(call.path, call.query).toString(), headers, body, auth: call.auth };
  }

  private authorization(auth: Auth): string | undefined {
    if (typeof auth === 'object') return auth.header;
    return auth === 'none' ? undefined : this.options.credentials[auth];
  }

  /** One request with its retries: the server's answer, or an InfrastructureError. */
  private async attempt(request: SentRequest): Promise<ReceivedResponse> {
    const { retries, timeoutMs } = this.options;
    for (let attempt = 0; ; attempt++) {
      let outcome: ReceivedResponse | { failure: string; refused: boolean };
      try {
        outcome = await this.fetchOnce(request);
      } catch (error) {
        outcome = failureOf(error, timeoutMs);
      }
      const last = attempt >= retries;
      if ('status' in outcome) {
        if (outcome.status !== 429 && !GATEWAY.has(outcome.status)) return outcome;
        const what = `${outcome.status} ${outcome.status === 429 ? 'Too Many Requests' : 'from the infrastructure in front of the API'}`;
        if (outcome.status !== 429 && !REPEATABLE.has(request.method)) {
          throw new InfrastructureError(`${what}; not retried, as a ${request.method} may have been applied`, request);
        }
        const wait = retryDelay(outcome.headers['retry-after'], attempt);
        if (last) throw new InfrastructureError(`${what}, still after ${retries} retries`, request);
        if (wait > this.options.maxDelayMs)
          throw new InfrastructureError(`${what} with Retry-After longer than ${this.options.maxDelayMs} ms`, request);
        await sleep(wait, this.options.signal);
        continue;
      }
      // A refused connection never reached the server: any request may be sent again.
      if (!(outcome.refused || REPEATABLE.has(request.method))) {
        throw new InfrastructureError(`${outcome.failure}; not retried, as a ${request.method} may have been applied`, request);
      }
      if (last) throw new InfrastructureError(`${outcome.failure}, still after ${retries} retries`, request);
      await sleep(retryDelay(undefined, attempt), this.options.signal);
    }
  }

  private async fetchOnce(request: SentRequest): Promise<ReceivedResponse> {
    const answer = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    return receivedResponse(answer.status, Object.fromEntries(answer.headers), await answer.text());
  }
}

/** A call's headers and body as sent, whoever answers it (a server over HTTP, the model in-process). */
export function wireOf(call: Call, authorization: string | undefined): { headers: Record<string, string>; body?: string } {
  const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9' };
  if (authorization !== undefined) headers.authorization = authorization;
  const body = call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  if (body !== undefined) headers['content-type'] = call.contentType ?? 'application/json';
  return { headers, body };
}

function failureOf(error: unknown, timeoutMs: number): { failure: string; refused: boolean } {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return { failure: `no answer within ${timeoutMs / 1000} s (--timeout)`, refused: false };
  const code = cause?.code ?? (error as { code?: string }).code;
  return { failure: `connection failed: ${code ?? cause?.message ?? (error as Error).message}`, refused: code === 'ECONNREFUSED' };
}

/** `Retry-After` (seconds or an HTTP date) when given, else an exponential back-off from 200 ms. */
function retryDelay(retryAfter: string | undefined, attempt: number): number {
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  return 200 * 2 ** attempt;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}
