// A replica of a mock whose state lives in Redis, shared by any number of replicas (`usermock serve
// --store`): a replicated state machine. Every write is appended to one Redis Stream, the log; each
// replica applies the log in order to its own in-memory mock (`mocks/core`, unchanged), with the
// ids and the time the log entry fixes (`deterministically`), so every replica holds the same
// state. A write is answered once its own entry is applied here; a read once this replica has
// applied everything the log held when the read arrived — one round trip shared by every read
// waiting at that moment, never one each.
import type { Redis } from 'ioredis';
import { deterministically } from '../core/entropy.ts';
import { text, type MockRequest, type MockResponse } from '../core/http.ts';
import type { Journal } from '../core/journal.ts';
import type { Mock } from '../core/mock.ts';
import { sessionOf } from '../core/middlewares.ts';
import { parsePrefer, pickLatency, sleep, type Latency } from '../core/prefer.ts';
import { compareIds, LOG, type LoggedRequest } from './log.ts';

/** What a replica needs besides its mock: two connections (one blocks on the log), where they go, and the edge's latency. */
export interface ReplicaOptions {
  /** For commands: appends, the log's tip, trimming. */
  commands: Redis;
  /** Blocks reading the log. */
  tail: Redis;
  /** The store's URL, as the 503s name it. */
  url: string;
  /** `--latency`: waited at the edge, never while applying the log. */
  latency?: Latency;
}

interface Barrier {
  id: string;
  resolve: () => void;
}

export class Replica {
  /** The highest log entry applied here. */
  private applied = '0-0';
  /** This replica's writes waiting for their entry to be applied, by nonce. */
  private readonly owned = new Map<string, { request: MockRequest; resolve: (response: MockResponse) => void }>();
  private readonly barriers: Barrier[] = [];
  private written = 0;
  private readonly name = crypto.randomUUID();
  /** The next read of the log's tip, for every read that arrives before it is sent. */
  private queued: Deferred<string> | undefined;
  private tipInFlight = false;
  private stopped = false;
  /** Why the store cannot be trusted any more (it lost entries this replica applied), if it cannot. */
  private lost: string | undefined;

  constructor(
    private readonly mock: Mock,
    private readonly options: ReplicaOptions,
  ) {
    void this.follow();
  }

  get journal(): Journal {
    return this.mock.journal;
  }

  async handle(arrived: MockRequest): Promise<MockResponse> {
    const request = await this.atTheEdge(arrived);
    if (request.bodyTooLarge || !this.sharesState(request)) return this.mock.handle(request);
    if (this.lost) return this.unavailable(this.lost);
    try {
      return this.changes(request) ? await this.write(request) : (await this.caughtUp(), await this.mock.handle(request));
    } catch {
      return this.unavailable(`is unreachable (connection ${this.options.commands.status})`);
    }
  }

  /** Stops following the log and closes both connections. */
  async close(): Promise<void> {
    this.stopped = true;
    this.options.tail.disconnect();
    await this.options.commands.quit().catch(() => undefined);
  }

  /** `Prefer: delay` and `--latency` are waited here, before anything: the log is applied one entry at a time and must never wait. */
  private async atTheEdge(request: MockRequest): Promise<MockRequest> {
    const prefer = request.headers.prefer;
    const delay = (parsePrefer(prefer).delay ?? 0) + (this.options.latency ? pickLatency(this.options.latency) : 0);
    if (delay > 0) await sleep(delay);
    if (!prefer || !/delay/i.test(prefer)) return request;
    const kept = prefer
      .split(/[,;]/)
      .filter((part) => !/^\s*delay\s*=/i.test(part))
      .join(',');
    return { ...request, headers: { ...request.headers, prefer: kept } };
  }

  /** Requests the state answers: an API's paths and the control endpoints (a path no API owns is answered here, alone). */
  private sharesState(request: MockRequest): boolean {
    return this.mock.serves(request.path);
  }

  /** Whether answering a request changes the state: writes, control changes, and reads an override answers (it counts them down). */
  private changes(request: MockRequest): boolean {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return true;
    return !request.path.startsWith('/__usermock/') && this.mock.steered(sessionOf(request));
  }

  private async write(request: MockRequest): Promise<MockResponse> {
    const nonce = `${this.name}/${++this.written}`;
    const answered = new Promise<MockResponse>((resolve) => this.owned.set(nonce, { request, resolve }));
    const entry: LoggedRequest = {
      nonce,
      time: Date.now(),
      method: request.method,
      path: request.path,
      query: request.query.toString(),
      headers: loggedHeaders(request),
      ...(request.body === undefined ? {} : { body: request.body }),
    };
    try {
      await this.options.commands.xadd(LOG, '*', 'entry', JSON.stringify(entry));
    } catch (error) {
      // Not known to be logged: the client is told so (a 503), and if it was, it is applied like any other.
      this.owned.delete(nonce);
      throw error;
    }
    return answered;
  }

  /** Resolves once this replica has applied every entry the log held when it was called. */
  private async caughtUp(): Promise<void> {
    const tip = await this.nextTip();
    if (compareIds(tip, this.applied) < 0) {
      this.lost = `lost log entries this replica applied (its log ends at ${tip}, this replica applied up to ${this.applied}): was it restarted without persistence? Restart the replicas`;
      throw new Error(this.lost);
    }
    if (compareIds(tip, this.applied) === 0) return;
    await new Promise<void>((resolve) => this.barriers.push({ id: tip, resolve }));
  }

  /** The log's last id, read by a round trip that starts after this call — shared by every call made before it starts. */
  private nextTip(): Promise<string> {
    this.queued ??= deferred<string>();
    const tip = this.queued.promise;
    if (!this.tipInFlight) this.readTip();
    return tip;
  }

  private readTip(): void {
    const waiting = this.queued!;
    this.queued = undefined;
    this.tipInFlight = true;
    this.options.commands.xrevrange(LOG, '+', '-', 'COUNT', 1).then(
      (entries) => this.tipRead(() => waiting.resolve(entries[0]?.[0] ?? '0-0')),
      (error: Error) => this.tipRead(() => waiting.reject(error)),
    );
  }

  private tipRead(settle: () => void): void {
    this.tipInFlight = false;
    settle();
    if (this.queued) this.readTip();
  }

  /** Applies the log, in order, as it grows; waits and goes on where it stopped whenever Redis is away. */
  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        const read = await this.options.tail.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', LOG, this.applied);
        for (const [id, fields] of read?.[0]?.[1] ?? []) await this.apply(id, JSON.parse(fields[1]!) as LoggedRequest);
      } catch {
        if (!this.stopped) await sleep(100);
      }
    }
  }

  private async apply(id: string, entry: LoggedRequest): Promise<void> {
    const own = this.owned.get(entry.nonce);
    this.owned.delete(entry.nonce);
    const request: MockRequest = own?.request ?? {
      method: entry.method,
      path: entry.path,
      query: new URLSearchParams(entry.query),
      headers: entry.headers,
      body: entry.body,
      replayed: true,
    };
    const response = await deterministically(id, entry.time, () => this.mock.handle(request));
    this.applied = id;
    own?.resolve(response);
    // After a reset of every session nothing before it matters: a replica joining later starts there.
    if (own && entry.method === 'POST' && entry.path === '/__usermock/reset' && !entry.headers['x-usermock-session']) {
      this.options.commands.xtrim(LOG, 'MINID', id).catch(() => undefined);
    }
    for (let i = this.barriers.length - 1; i >= 0; i--) {
      if (compareIds(this.barriers[i]!.id, id) <= 0) this.barriers.splice(i, 1)[0]!.resolve();
    }
  }

  private unavailable(why: string): MockResponse {
    return text(
      503,
      `usermock: the store ${this.options.url} ${why}. This replica answers nothing from a state it cannot check; it reconnects by itself.\n`,
    );
  }
}

/** The headers the state can depend on: who calls, the session, how the body is encoded, `Prefer: code=`, and the host (Haplo's welcome URLs). */
function loggedHeaders(request: MockRequest): Record<string, string> {
  const names = ['authorization', 'content-type', 'prefer', 'x-usermock-session', 'host'];
  return Object.fromEntries(names.flatMap((name) => (request.headers[name] === undefined ? [] : [[name, request.headers[name]!]])));
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}
