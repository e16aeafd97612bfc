import { readFile } from 'node:fs/promises';
import { Server, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockRequest, MockResponse } from './core/http.ts';
import { formatted, type Journal, type Recorded } from './core/journal.ts';
import type { Mock } from './core/mock.ts';
import { controlPlaneGuard, type ControlPlaneOptions } from './control-plane.ts';

/** Bodies larger than this are refused with 413 before they are read whole. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What the transport serves: a mock, or a replica of one (`--store`). */
export type Servable = Pick<Mock, 'respond' | 'journal'>;

/**
 * Serves a mock over node:http. The transport only translates: it reads the body (bounded),
 * hands a MockRequest to the core and writes the MockResponse back. It also serves the dashboard
 * (`/__usermock/`) and its event stream, which only `usermock serve` offers: they are not the core's.
 * The control endpoints and the dashboard answer only their owner (`control-plane.ts`; `options`
 * open them further); the APIs' own routes answer any client, as the core does.
 */
export function createHttpServer(mock: Servable, options: ControlPlaneOptions = {}): Server {
  const events = new EventStreams(mock.journal);
  const guard = controlPlaneGuard(options);
  const server = new MockServer((req, res) => {
    // The cheapest test first: it runs on every request, and the APIs' requests go on untouched.
    if (req.url?.startsWith('/__usermock') && (guard(req, res) || serveDashboard(req, res, events, server))) return;
    // The core answers every input itself, a bug in it included (its 500); `answer` covers the
    // transport's own code, so that nothing here leaves a client hanging or crashes the process.
    const answer = (request: MockRequest): void => {
      try {
        const answered: MockResponse | Promise<MockResponse> = mock.respond(request);
        if (answered instanceof Promise) answered.then((response) => write(res, response), destroy);
        else write(res, answered);
      } catch {
        destroy();
      }
    };
    const destroy = () => void res.destroy();
    // A request without a body (most are reads) goes to the core at once: no promise waits for its end.
    if (req.method === 'GET' || req.method === 'HEAD') {
      req.resume();
      answer(toMockRequest(req, undefined));
      return;
    }
    readBody(
      req,
      (body) => answer(body === TOO_LARGE ? { ...toMockRequest(req, undefined), bodyTooLarge: true } : toMockRequest(req, body)),
      destroy,
    );
  }, events);
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

/**
 * node:http's server, except that `close()` first ends the dashboards' event streams: they never
 * end by themselves, and `close()` waits for every open response.
 */
class MockServer extends Server {
  constructor(
    listener: RequestListener,
    private readonly events: EventStreams,
  ) {
    super(listener);
  }

  override close(callback?: (error?: Error) => void): this {
    this.events.endAll();
    return super.close(callback);
  }
}

const TOO_LARGE = Symbol('too large');

/**
 * Reads a body (bounded) and hands it on; past `MAX_BODY_BYTES` it hands on TOO_LARGE and drops
 * the rest. A client gone before the end of its body sent no request to answer: `failed`.
 */
function readBody(req: IncomingMessage, then: (body: string | undefined | typeof TOO_LARGE) => void, failed: () => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) {
      chunks.push(chunk);
      return;
    }
    done = true;
    req.removeListener('data', onData);
    req.resume();
    then(TOO_LARGE);
  };
  req.on('data', onData);
  req.on('end', () => {
    if (done) return;
    done = true;
    then(size === 0 ? undefined : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8'));
  });
  req.on('error', () => {
    if (done) return;
    done = true;
    failed();
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
  // A write after the client went away (a destroyed socket) is a no-op for node:http, never an error here.
  try {
    if (response.body !== undefined) response.headers['content-length'] = String(Buffer.byteLength(response.body));
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  } catch {
    res.destroy();
  }
}

// The dashboard: static files and the journal as Server-Sent Events.

/** The dashboard's files and their content types; nothing else in its folder is served. */
const DASHBOARD_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

/**
 * `mocks/dashboard/` beside this file when running from source, `dist/dashboard/` beside the
 * bundle (the build copies it there): the same place relative to the code in both layouts.
 */
const DASHBOARD_DIRECTORY = new URL('./dashboard/', import.meta.url);

const DASHBOARD_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  // The page runs only its own script and talks only to its own origin, whatever the data it shows holds.
  'content-security-policy': "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** Read on the first request for the dashboard, then kept: a server nobody opens the dashboard of never reads them. */
let dashboardFiles: Promise<Map<string, Buffer>> | undefined;

function loadDashboardFiles(): Promise<Map<string, Buffer>> {
  dashboardFiles ??= Promise.all(
    Object.keys(DASHBOARD_FILES).map(async (name) => [name, await readFile(new URL(name, DASHBOARD_DIRECTORY))] as const),
  ).then((files) => new Map(files));
  return dashboardFiles;
}

/** Answers the dashboard's own requests and says so; every other request is the core's. */
function serveDashboard(req: IncomingMessage, res: ServerResponse, events: EventStreams, server: Server): boolean {
  const path = req.url!.split('?', 1)[0]!;
  if (req.method === 'GET' && path === '/__usermock/events') {
    events.open(res, server.listening);
    return true;
  }
  const file = dashboardFile(path);
  if (file === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  req.resume();
  loadDashboardFiles().then(
    (files) => {
      const body = files.get(file)!;
      res.writeHead(200, { ...DASHBOARD_HEADERS, 'content-type': DASHBOARD_FILES[file]!, 'content-length': String(body.length) });
      res.end(body);
    },
    () => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`usermock: the dashboard's files are missing from ${DASHBOARD_DIRECTORY.pathname}\n`);
    },
  );
  return true;
}

const ASSETS_PREFIX = '/__usermock/dashboard/';

/** The dashboard file a path names: the page at `/__usermock/`, its assets under `/__usermock/dashboard/`. */
function dashboardFile(path: string): string | undefined {
  if (path === '/__usermock' || path === '/__usermock/') return 'index.html';
  const name = path.startsWith(ASSETS_PREFIX) ? path.slice(ASSETS_PREFIX.length) : '';
  return Object.hasOwn(DASHBOARD_FILES, name) ? name : undefined;
}

/** The keep-alive comment's period: proxies and browsers drop a stream that stays silent too long. */
const KEEP_ALIVE_MS = 15_000;
/** Entries wait this long to be sent together: one write per stream for a burst, not one per request. */
const BATCH_MS = 100;
/**
 * A stream whose client reads slower than the mock answers is cut past this much unsent data,
 * rather than held in memory without bound; EventSource reconnects and the page reloads the journal.
 */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/**
 * The most entries one batch sends: the page shows the latest few hundred, so a flood of requests
 * costs the mock the same few hundred entries' formatting per batch, not one per request.
 */
const MAX_BATCH_ENTRIES = 200;

/**
 * `GET /__usermock/events`: every journal entry (all sessions: the page filters) as an `event:
 * request`. Subscribed to the journal only while a dashboard is connected, so a mock nobody
 * watches pays nothing; entries are sent in batches (`BATCH_MS`), so a busy mock writes to each
 * stream a few times a second rather than once a request.
 */
class EventStreams {
  private readonly clients = new Set<ServerResponse>();
  private unsubscribe: (() => void) | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private pending: Recorded[] = [];
  private skipped = 0;

  constructor(private readonly journal: Journal) {}

  open(res: ServerResponse, serving: boolean): void {
    // 204 is how an event stream tells EventSource to stop reconnecting: the server is closing.
    if (!serving) {
      res.writeHead(204).end();
      return;
    }
    // `connection: close`, so that ending the stream also frees its socket and a closing server is not kept waiting.
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    res.write(': usermock journal\n\n');
    res.on('close', () => this.drop(res));
    this.clients.add(res);
    if (this.clients.size === 1) this.start();
  }

  /** Ends every stream (the server is closing). */
  endAll(): void {
    for (const client of this.clients) client.end();
  }

  private start(): void {
    this.unsubscribe = this.journal.subscribe(this.enqueue);
    this.keepAlive = setInterval(() => this.send(': keep-alive\n\n'), KEEP_ALIVE_MS).unref();
  }

  private drop(res: ServerResponse): void {
    if (!this.clients.delete(res) || this.clients.size > 0) return;
    this.unsubscribe?.();
    clearInterval(this.keepAlive);
    this.pending = [];
    this.skipped = 0;
  }

  private readonly enqueue = (entry: Recorded): void => {
    if (this.pending.length === 0) setTimeout(this.flush, BATCH_MS).unref();
    this.pending.push(entry);
    if (this.pending.length > 2 * MAX_BATCH_ENTRIES) this.skipped += this.pending.splice(0, MAX_BATCH_ENTRIES).length;
  };

  private readonly flush = (): void => {
    const entries = this.pending.slice(-MAX_BATCH_ENTRIES);
    const skipped = this.skipped + this.pending.length - entries.length;
    this.pending = [];
    this.skipped = 0;
    if (entries.length === 0) return;
    // A comment: EventSource ignores it; GET /__usermock/requests still lists the skipped entries.
    const note = skipped > 0 ? `: ${skipped} more requests in this batch not sent\n\n` : '';
    this.send(note + entries.map((entry) => `event: request\ndata: ${JSON.stringify(formatted(entry))}\n\n`).join(''));
  };

  private send(chunk: string): void {
    for (const client of this.clients) {
      if (client.writableLength > MAX_UNSENT_BYTES) client.destroy();
      else client.write(chunk);
    }
  }
}
