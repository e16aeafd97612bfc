// Small HTTP proxies in front of servers under test. startProxy can serve the API under a path
// prefix, and play the infrastructure's faults — connection resets, a gateway's 502, a 429, a hang;
// startRoundRobin spreads requests over replicas the way a load balancer does.
import { createServer, request as forward, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: pass it on, or fail it the way infrastructure does. */
export type Fault = 'pass' | 'reset' | 'hang' | 502 | 503 | 429;

export interface Proxy {
  url: string;
  /** Requests seen, as `METHOD /path` in order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startProxy(
  upstream: string,
  options: { prefix?: string; fault?: (request: IncomingMessage, index: number) => Fault } = {},
): Promise<Proxy> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    const index = seen.push(`${request.method} ${request.url}`) - 1;
    const fault = options.fault?.(request, index) ?? 'pass';
    if (fault === 'hang') return;
    if (fault === 'reset') return request.socket.destroy();
    if (typeof fault === 'number') {
      response.writeHead(fault, { 'content-type': 'text/html', ...(fault === 429 ? { 'retry-after': '0' } : {}) });
      return response.end(`<html><body>${fault} from the proxy</body></html>`);
    }
    const prefix = options.prefix ?? '';
    if (!request.url!.startsWith(prefix)) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      return response.end('not under the prefix');
    }
    const target = new URL(request.url!.slice(prefix.length) || '/', upstream);
    const upstreamRequest = forward(target, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(response);
    });
    upstreamRequest.on('error', () => request.socket.destroy());
    request.pipe(upstreamRequest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RoundRobin {
  url: string;
  /** For each request, in order, the index of the upstream it went to. */
  routed: number[];
  close(): Promise<void>;
}

/**
 * A load balancer in front of replicas: each request goes to the next upstream in turn (method,
 * path, headers and body forwarded; the answer streamed back). An upstream that cannot be reached
 * gets the request's socket destroyed, as a dead backend does.
 */
export async function startRoundRobin(upstreams: string[]): Promise<RoundRobin> {
  if (upstreams.length === 0) throw new Error('startRoundRobin needs at least one upstream');
  const routed: number[] = [];
  let next = 0;
  const server = createServer((request, response) => {
    const index = next++ % upstreams.length;
    routed.push(index);
    const target = new URL(request.url!, upstreams[index]);
    const upstreamRequest = forward(target, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(response);
    });
    upstreamRequest.on('error', () => request.socket.destroy());
    request.pipe(upstreamRequest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routed,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
