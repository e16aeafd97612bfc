// A replica of a mock whose state lives in Redis, shared by any number of replicas (`usermock serve
// --store`): a replicated state machine. Every write is appended to one Redis Stream, the log; each
// replica applies the log in order to its own in-memory mock (`mocks/core`, unchanged), with the
// ids and the time the log entry fixes (`deterministically`), so every replica holds the same
// state.
//
// Reads are answered from memory, with no round trip, under a lease: every replica announces in
// Redis how far it has applied the log, in a key that expires unless renewed, and a write is
// answered only once every replica with a live key has applied it. So a replica whose lease holds
// has every acknowledged write; one whose lease has lapsed (Redis unreachable, or itself too slow)
// first catches up with the log's tip — one round trip shared by every read waiting — or answers
// 503. A lost replica holds writes up for at most a lease (its key expires).
import type { Redis } from 'ioredis';
import { deterministically } from '../core/entropy.ts';
import { text, type MockRequest, type MockResponse } from '../core/http.ts';
import type { Journal } from '../core/journal.ts';
import type { Mock } from '../core/mock.ts';
import { sessionOf } from '../core/middlewares.ts';
import { sleep } from '../core/prefer.ts';
import { compareIds, LOG, REPLICA, REPLICAS, type LoggedRequest } from './log.ts';

/** How long a replica's announcement lives in Redis unless renewed. */
const LEASE_MS = 2_000;
/** How often an idle replica renews it. */
const RENEW_MS = 500;
/** How much sooner than its key a replica's own lease ends: clocks run at slightly different rates. */
const LEASE_MARGIN_MS = 500;

/**
 * The replicas announced in Redis and how far each has applied the log (nil: its announcement
 * expired — it answers no read from memory any more — so it is forgotten).
 */
const ANNOUNCED = `
local names = redis.call('SMEMBERS', KEYS[1])
local applied = {}
for i, name in ipairs(names) do
  applied[i] = redis.call('GET', ARGV[1] .. name)
  if not applied[i] then redis.call('SREM', KEYS[1], name) end
end
return {names, applied}`;

/** What a replica needs besides its mock (made with `deferDelays`): two connections (one blocks on the log), and where they go. */
export interface ReplicaOptions {
  /** For commands: appends, the log's tip, trimming. */
  commands: Redis;
  /** Blocks reading the log. */
  tail: Redis;
  /** The store's URL, as the 503s name it. */
  url: string;
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
  /** Until when (performance.now()) reads may be answered from memory. */
  private leaseUntil = 0;
  private renewal: NodeJS.Timeout | undefined;
  /** Writes applied here, waiting for every announced replica to have applied them too. */
  private readonly unacknowledged: Barrier[] = [];
  private polling = false;
  /** Why the store cannot be trusted any more (it lost entries this replica applied), if it cannot. */
  private lost: string | undefined;

  constructor(
    private readonly mock: Mock,
    private readonly options: ReplicaOptions,
  ) {
    void this.follow();
    this.renewal = setInterval(() => void this.announce(), RENEW_MS).unref();
    void this.announce();
  }

  get journal(): Journal {
    return this.mock.journal;
  }

  async handle(request: MockRequest): Promise<MockResponse> {
    const response = await this.answer(request);
    // Every delay (`--latency`, `Prefer: delay`, an override's) is waited here, never while the log is applied.
    if (response.delay) await sleep(response.delay);
    return response;
  }

  private async answer(request: MockRequest): Promise<MockResponse> {
    if (request.bodyTooLarge || !this.sharesState(request)) return this.mock.handle(request);
    if (this.lost) return this.unavailable(this.lost);
    try {
      if (this.changes(request)) return await this.write(request);
      if (performance.now() >= this.leaseUntil) await this.caughtUp();
      return await this.mock.handle(request);
    } catch {
      return this.unavailable(`is unreachable (connection ${this.options.commands.status})`);
    }
  }

  /** Stops following the log and closes both connections. */
  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewal);
    // Writers need not wait for this replica's key to expire.
    await Promise.all([this.options.commands.del(`${REPLICA}${this.name}`), this.options.commands.srem(REPLICAS, this.name)]).catch(
      () => undefined,
    );
    this.options.tail.disconnect();
    await this.options.commands.quit().catch(() => undefined);
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
    let id: string;
    try {
      id = (await this.options.commands.xadd(LOG, '*', 'entry', JSON.stringify(entry)))!;
    } catch (error) {
      // Not known to be logged: the client is told so (a 503), and if it was, it is applied like any other.
      this.owned.delete(nonce);
      throw error;
    }
    const response = await answered;
    await this.everywhere(id);
    return response;
  }

  /** Resolves once every replica holding a lease has applied the entry `id`: then any of them may answer a read from memory. */
  private everywhere(id: string): Promise<void> {
    const applied = new Promise<void>((resolve) => this.unacknowledged.push({ id, resolve }));
    if (!this.polling) void this.poll();
    return applied;
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      while (this.unacknowledged.length > 0) {
        const [names, applied] = (await this.options.commands.eval(ANNOUNCED, 1, REPLICAS, REPLICA)) as [string[], (string | null)[]];
        const everyone = names.reduce(
          (lowest, _name, i) => (applied[i] && compareIds(applied[i]!, lowest) < 0 ? applied[i]! : lowest),
          this.applied,
        );
        release(this.unacknowledged, everyone);
        if (this.unacknowledged.length > 0) await sleep(1);
      }
    } catch {
      // Redis went away: the writes are logged and applied here; they are acknowledged once it is back.
      await sleep(100);
      this.polling = false;
      if (this.unacknowledged.length > 0) void this.poll();
      return;
    }
    this.polling = false;
  }

  /**
   * Tells Redis how far this replica has applied the log, renewing its announcement; the lease
   * runs from when it was sent. A replica without a lease (just started, or its lease lapsed —
   * its key may have expired, and writers since then did not wait for it) first catches up with
   * the log's tip, read after its key exists again, before it takes one.
   */
  private async announce(): Promise<void> {
    const sent = performance.now();
    const lapsed = sent >= this.leaseUntil;
    try {
      await this.options.commands.multi().sadd(REPLICAS, this.name).set(`${REPLICA}${this.name}`, this.applied, 'PX', LEASE_MS).exec();
      if (lapsed) await this.caughtUp();
      this.leaseUntil = Math.max(this.leaseUntil, sent + LEASE_MS - LEASE_MARGIN_MS);
    } catch {
      // The lease runs out by itself: reads then check the log, and get a 503 while Redis is away.
    }
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
        const entries = read?.[0]?.[1] ?? [];
        for (const [id, fields] of entries) await this.apply(id, JSON.parse(fields[1]!) as LoggedRequest);
        // Writers wait for every replica to say it has applied their entry.
        if (entries.length > 0) void this.announce();
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
    release(this.barriers, id);
  }

  private unavailable(why: string): MockResponse {
    return text(
      503,
      `usermock: the store ${this.options.url} ${why}. This replica answers nothing from a state it cannot check; it reconnects by itself.\n`,
    );
  }
}

/** Resolves, and takes out, the waits for an entry at or before `upTo`. */
function release(waiting: Barrier[], upTo: string): void {
  for (let i = waiting.length - 1; i >= 0; i--) {
    if (compareIds(waiting[i]!.id, upTo) <= 0) waiting.splice(i, 1)[0]!.resolve();
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
