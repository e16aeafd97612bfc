// A bare HTTP client for hostile requests: it sends bytes, methods and headers that fetch refuses
// to, and fails on a hang instead of waiting for the test's timeout.
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { MockRequest } from '../../../mocks/index.ts';
import { definedHeaders, type Answer } from '../../helpers/conformance.ts';
import type { Target } from './calls.ts';

export interface HttpRequest {
  method: string;
  /** Path and query, sent exactly as given. */
  target: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** How long an answer may take before the request counts as hung. */
const ANSWER_WITHIN_MS = 10_000;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** The same request over HTTP as a MockRequest describes it. */
export function httpRequestOf(request: MockRequest): HttpRequest {
  const query = request.query.toString();
  return {
    method: request.method,
    target: query ? `${request.path}?${query}` : request.path,
    headers: definedHeaders(request.headers),
    body: request.body,
  };
}

/** A target that sends requests over HTTP to a usermock, with the credentials it publishes. */
export async function httpTarget(origin: string): Promise<Target> {
  const credentials = JSON.parse((await send(origin, { method: 'GET', target: '/__usermock/credentials' })).text) as ReturnType<
    Target['credentials']
  >;
  return {
    // Every session is seeded alike, so the credentials are the same in each.
    credentials: () => credentials,
    async handle(request) {
      const { status, headers, text } = await send(origin, httpRequestOf(request));
      return { status, headers: definedHeaders(headers), body: text };
    },
  };
}

/** Sends a request and resolves with the answer; rejects when none comes (a hang) or the connection breaks. */
export function send(origin: string, request: HttpRequest): Promise<Answer> {
  const { hostname, port } = new URL(origin);
  // Framed by its length whatever the method: Node sends a GET's body unframed otherwise.
  const headers =
    request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ agent, host: hostname, port, method: request.method, path: request.target, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const headers = Object.fromEntries(
          Object.entries(incoming.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
        );
        resolve({ status: incoming.statusCode!, headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    outgoing.setTimeout(ANSWER_WITHIN_MS, () => outgoing.destroy(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/**
 * Writes raw bytes on a fresh connection and resolves with the status of the answer, or undefined
 * when the server closed the connection without one (Node's parser does that for some input).
 */
export function sendRaw(origin: string, bytes: Buffer): Promise<number | undefined> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setTimeout(ANSWER_WITHIN_MS, () => socket.destroy(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      // One answer is all this needs; the server may keep the connection open after it.
      if (received.includes('\r\n\r\n')) socket.end();
    });
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(received)?.[1];
      resolve(status === undefined ? undefined : Number(status));
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}
