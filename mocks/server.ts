import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockRequest, MockResponse } from './core/http.ts';
import type { Mock } from './core/mock.ts';

/** Bodies larger than this are refused with 413 before they are read whole. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Serves a mock over node:http. The transport only translates: it reads the body (bounded),
 * hands a MockRequest to the core and writes the MockResponse back.
 */
export function createHttpServer(mock: Mock): Server {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => mock.handle(body === TOO_LARGE ? { ...toMockRequest(req, undefined), bodyTooLarge: true } : toMockRequest(req, body)))
      .then((response) => write(res, response))
      // The core answers every input itself, a bug in it included (its 500); this covers the
      // transport's own code, so that nothing here leaves a client hanging or crashes the process.
      .catch(() => res.destroy());
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

/** Starts serving and resolves with the origin, e.g. `http://127.0.0.1:4010`. */
export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shown}:${address.port}`);
    });
  });
}

const TOO_LARGE = Symbol('too large');

function readBody(req: IncomingMessage): Promise<string | undefined | typeof TOO_LARGE> {
  if (req.method === 'GET' || req.method === 'HEAD') {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(TOO_LARGE);
        req.removeAllListeners('data');
        req.resume();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(size === 0 ? undefined : Buffer.concat(chunks).toString('utf8')));
    // A client gone before the end of its body sent no request to answer: nothing is handled.
    req.on('error', reject);
  });
}

function toMockRequest(req: IncomingMessage, body: string | undefined): MockRequest {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: queryStart === -1 ? url : url.slice(0, queryStart),
    query: new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1)),
    headers: req.headers as Record<string, string | undefined>,
    body,
  };
}

function write(res: ServerResponse, response: MockResponse): void {
  if (response.body !== undefined) response.headers['content-length'] = String(Buffer.byteLength(response.body));
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}
