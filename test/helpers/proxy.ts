// Small HTTP proxies in front of servers under test. startProxy can serve the API under a path
// prefix, and play the infrastructure's faults — connection resets, a gateway's 502, a 429, a hang;
// startRoundRobin spreads requests over replicas the way a load balancer does.
import { createServer, request as forward, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
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
  const handler: RequestListener = (request, response) => {
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
    pass(request, response, new URL(request.url!.slice(prefix.length) || '/', upstream));
  };
  return { ...(await serveOnLoopback(handler)), seen };
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
  const handler: RequestListener = (request, response) => {
    const index = next++ % upstreams.length;
    routed.push(index);
    pass(request, response, new URL(request.url!, upstreams[index]));
  };
  return { ...(await serveOnLoopback(handler)), routed };
}

/** Forwards a request (method, headers, body) to `target` and streams the answer back; an unreachable target destroys the socket. */
function pass(request: IncomingMessage, response: ServerResponse, target: URL): void {
  const upstreamRequest = forward(target, { method: request.method, headers: request.headers }, (answer) => {
    response.writeHead(answer.statusCode!, answer.headers);
    answer.pipe(response);
  });
  upstreamRequest.on('error', () => request.socket.destroy());
  request.pipe(upstreamRequest);
}

/** Serves `handler` on a free loopback port. */
async function serveOnLoopback(handler: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
