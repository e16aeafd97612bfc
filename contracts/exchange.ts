/** Which credential a request carries: one of the two given, none, or a literal header value. */
export type Auth = 'admin' | 'standard' | 'none' | { header: string };

/** A request as the contract suite sent it. */
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

/** One request/response pair, with the operation the request was meant for. */
export interface Exchange {
  operationId: string;
  request: SentRequest;
  response: ReceivedResponse;
}

export interface RequestSpec {
  method: string;
  /** The path with parameters already filled in (percent-encoded where needed). */
  path: string;
  query?: Record<string, string>;
  auth: Auth;
  /** A value to send as JSON, or `{ raw }` to send text exactly as given (malformed JSON …). */
  body?: unknown;
  raw?: string;
}

/** The environment variable names a reproduction command uses instead of secrets. */
export const AUTH_VARIABLES = { admin: 'USERMOCK_AUTH', standard: 'USERMOCK_AUTH_STANDARD' } as const;

/**
 * Sends requests to the server under test and remembers every exchange, so response checks can
 * look at all of them afterwards. Uses the global `fetch` at call time, so MSW can intercept it.
 */
export class Client {
  readonly exchanges: Exchange[] = [];

  constructor(
    readonly baseUrl: string,
    private readonly credentials: { admin?: string; standard?: string },
  ) {}

  has(auth: 'admin' | 'standard'): boolean {
    return this.credentials[auth] !== undefined;
  }

  async send(operationId: string, spec: RequestSpec): Promise<Exchange> {
    const url = new URL(spec.path, this.baseUrl);
    for (const [name, value] of Object.entries(spec.query ?? {})) url.searchParams.append(name, value);
    const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9' };
    const authorization = this.authorization(spec.auth);
    if (authorization !== undefined) headers.authorization = authorization;
    const body = spec.raw ?? (spec.body === undefined ? undefined : JSON.stringify(spec.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const request: SentRequest = { method: spec.method, url: url.toString(), headers, body, auth: spec.auth };
    const answer = await fetch(request.url, { method: request.method, headers, body, redirect: 'manual' });
    const response = receivedResponse(answer.status, Object.fromEntries(answer.headers), await answer.text());
    const exchange = { operationId, request, response };
    this.exchanges.push(exchange);
    return exchange;
  }

  private authorization(auth: Auth): string | undefined {
    if (typeof auth === 'object') return auth.header;
    return auth === 'none' ? undefined : this.credentials[auth];
  }
}

/** A response as the checks see it: `json` is set when a JSON-typed body parses. */
export function receivedResponse(status: number, headers: Record<string, string>, text: string): ReceivedResponse {
  const response: ReceivedResponse = { status, headers, text };
  if (text !== '' && /json/i.test(headers['content-type'] ?? '')) {
    try {
      response.json = JSON.parse(text);
    } catch {
      // left unset: the checks report a JSON content type whose body is not JSON
    }
  }
  return response;
}

/** A `curl` command that sends the same request; credentials come from environment variables. */
export function curlOf(request: SentRequest): string {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const parts = ['curl', '-i', '-X', request.method, quote(request.url)];
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'accept') continue;
    if (name === 'authorization' && typeof request.auth === 'string') {
      parts.push('-H', `"Authorization: $${AUTH_VARIABLES[request.auth as 'admin' | 'standard']}"`);
    } else {
      parts.push('-H', quote(`${name}: ${value}`));
    }
  }
  if (request.body !== undefined)
    parts.push('--data-raw', quote(request.body.length > 2000 ? `${request.body.slice(0, 2000)}…` : request.body));
  return parts.join(' ');
}
