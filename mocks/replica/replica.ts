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
//
// The state belongs to one store: its epoch (`EPOCH`), checked by every append and every lease
// renewal, and each entry names the one before it, so a replica knows it applies the log without a
// gap. A store that is not the one the replica applied (restarted empty, flushed, or short of an
// entry the replica applied) makes the replica load the store's state again — its snapshot and the
// log after it — answering 503 meanwhile; it never serves, nor writes on top of, the state it had.
// Every `SNAPSHOT_EVERY` entries one replica stores a snapshot and trims the log behind it, so a
// joining replica loads the snapshot and replays only the tail.
import type { Redis } from 'ioredis';
import { deterministically } from '../core/entropy.ts';
import { text, type MockRequest, type MockResponse } from '../core/http.ts';
import type { Journal } from '../core/journal.ts';
import type { Mock } from '../core/mock.ts';
import { sessionOf } from '../core/context.ts';
import { sleep } from '../core/prefer.ts';
import {
  APPEND,
  compareIds,
  CONFIG,
  EPOCH,
  INIT,
  LOG,
  REPLICA,
  REPLICAS,
  SAVE_SNAPSHOT,
  SNAPSHOT,
  SNAPSHOT_LOCK,
  STATUS,
  type LoggedRequest,
} from './log.ts';

/** How long a replica's announcement lives in Redis unless renewed. */
const LEASE_MS = 2_000;
/** How often an idle replica renews it. */
const RENEW_MS = 500;
/** How much sooner than its key a replica's own lease ends: clocks run at slightly different rates. */
const LEASE_MARGIN_MS = 500;
/** A snapshot is stored once a replica, caught up, has applied this many entries since the last one. */
export const SNAPSHOT_EVERY = 10_000;
/** Log entries read (and applied) at once. */
const BATCH = 1_000;
/** How long a request waits for a replica loading the store's state before it answers 503. */
const LOAD_WAIT_MS = 10_000;

/**
 * The replicas announced in Redis and how far each has applied the log (nil: its announcement
 * expired — it answers no read from memory any more — so it is forgotten); false when the store is
 * no longer the epoch this replica applied.
 */
const ANNOUNCED = `
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return false end
local names = redis.call('SMEMBERS', KEYS[1])
local applied = {}
for i, name in ipairs(names) do
  applied[i] = redis.call('GET', ARGV[1] .. name)
  if not applied[i] then redis.call('SREM', KEYS[1], name) end
end
return {names, applied}`;

/** What a replica needs besides its mock (made with `deferDelays`): two connections (one blocks on the log), and where they go. */
export interface ReplicaOptions {
  /** For commands: appends, the log's tip, announcements. */
  commands: Redis;
  /** Blocks reading the log; loads and stores snapshots. */
  tail: Redis;
  /** The store's URL, as the 503s name it. */
  url: string;
  /** How the mock was made, as `join` recorded it (JSON): recorded again in a store found empty. */
  config: string;
  /** Entries between snapshots (`SNAPSHOT_EVERY`). */
  snapshotEvery?: number;
}

interface Barrier {
  id: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Why a replica answers 503: the end of the sentence "the store <url> …". */
class Unavailable extends Error {}

type Status = { generation: number } & ({ kind: 'ok'; tip: string } | { kind: 'epoch'; epoch: string } | { kind: 'lost' });

export class Replica {
  /** The highest log entry applied here (or the one the loaded snapshot covers). */
  private applied = '0-0';
  /** The store (its epoch) the state here belongs to; undefined until loaded. */
  private epoch: string | undefined;
  /** Counts the loads: an answer read from the store before the latest one is about another state. */
  private generation = 0;
  /** Why the replica must load the store's state before it answers (it starts so); undefined once loaded. */
  private reload: string | undefined = 'is being joined: this replica is loading its state';
  /** Settled when the state is loaded. */
  private loaded = deferred<void>();
  /** Until when (performance.now()) writes wait before they are answered, in an epoch just made (see `load`). */
  private settledAt = 0;
  /** This replica's writes waiting for their entry to be applied, by nonce. */
  private readonly owned = new Map<
    string,
    { request: MockRequest; resolve: (response: MockResponse) => void; reject: (error: Error) => void }
  >();
  private barriers: Barrier[] = [];
  private written = 0;
  private readonly name = crypto.randomUUID();
  /** The next check of the store, for every read that arrives before it is sent. */
  private queued: Deferred<Status> | undefined;
  private statusInFlight = false;
  private stopped = false;
  /** Until when (performance.now()) reads may be answered from memory. */
  private leaseUntil = 0;
  private renewal: NodeJS.Timeout | undefined;
  /** Writes applied here, waiting for every announced replica to have applied them too. */
  private unacknowledged: Barrier[] = [];
  private polling = false;
  /** Entries applied since the last snapshot; whether one is due now (after a reset of every session). */
  private sinceSnapshot = 0;
  private snapshotDue = false;

  constructor(
    private readonly mock: Mock,
    private readonly options: ReplicaOptions,
  ) {
    this.loaded.promise.catch(() => undefined);
    void this.follow();
    this.renewal = setInterval(() => void this.announce(), RENEW_MS).unref();
  }

  get journal(): Journal {
    return this.mock.journal;
  }

  /** Answers a request as the transport hands it over (`Servable`): writes through the shared log, reads from memory. */
  async respond(request: MockRequest): Promise<MockResponse> {
    const response = await this.answer(request);
    // Every delay (`--latency`, `Prefer: delay`, an override's) is waited here, never while the log is applied.
    if (response.delay) await sleep(response.delay);
    return response;
  }

  private async answer(request: MockRequest): Promise<MockResponse> {
    if (request.bodyTooLarge || !this.sharesState(request)) return this.mock.handle(request);
    try {
      if (this.reload) await this.whenLoaded();
      if (this.changes(request)) return await this.write(request);
      if (performance.now() >= this.leaseUntil) await this.caughtUp();
      if (this.reload) throw new Unavailable(this.reload);
      return await this.mock.handle(request);
    } catch (error) {
      if (error instanceof Unavailable) return this.unavailable(error.message);
      return this.unavailable(`is unreachable (${(error as Error).message}; connection ${this.options.commands.status})`);
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

  /** Waits (a while) for the state to be loaded; a 503 when Redis is away or it takes longer. */
  private async whenLoaded(): Promise<void> {
    if (this.options.commands.status !== 'ready') throw new Unavailable(`is unreachable (connection ${this.options.commands.status})`);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, LOAD_WAIT_MS)));
    await Promise.race([this.loaded.promise, late]);
    clearTimeout(timer);
    if (this.reload) throw new Unavailable(this.reload);
  }

  private async write(request: MockRequest): Promise<MockResponse> {
    const epoch = this.epoch!;
    const nonce = `${this.name}/${++this.written}`;
    const answered = new Promise<MockResponse>((resolve, reject) => this.owned.set(nonce, { request, resolve, reject }));
    answered.catch(() => undefined); // awaited below; it may fail (a reload) before that
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
    let others: number;
    try {
      [id, others] = (await this.options.commands.eval(
        APPEND,
        3,
        EPOCH,
        LOG,
        REPLICAS,
        epoch,
        JSON.stringify(entry),
        this.name,
        REPLICA,
      )) as [string, number];
    } catch (error) {
      // Not known to be logged: the client is told so (a 503), and if it was, it is applied like any other.
      this.owned.delete(nonce);
      if ((error as Error).message?.includes('USERMOCK_EPOCH')) throw new Unavailable(this.storeChanged());
      throw error;
    }
    const response = await answered;
    // Alone when it was logged, the write waits for no one (see APPEND): one round trip fewer.
    if (others > 0) await this.everywhere(id);
    const settling = this.settledAt - performance.now();
    if (settling > 0) await sleep(settling);
    return response;
  }

  /** Resolves once every replica holding a lease has applied the entry `id`: then any of them may answer a read from memory. */
  private everywhere(id: string): Promise<void> {
    const applied = new Promise<void>((resolve, reject) => this.unacknowledged.push({ id, resolve, reject }));
    if (!this.polling) void this.poll();
    return applied;
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      while (this.unacknowledged.length > 0) {
        const generation = this.generation;
        const announced = (await this.options.commands.eval(ANNOUNCED, 2, REPLICAS, EPOCH, REPLICA, this.epoch ?? '')) as
          [string[], (string | null)[]] | null;
        if (generation !== this.generation) continue;
        if (!announced) {
          this.mustReload(this.storeChanged());
          break;
        }
        const [names, applied] = announced;
        // This replica's own announcement lags what it has applied (it is renewed after each batch
        // of the log): its writes were applied here before they wait, so only the others count.
        const everyone = names.reduce(
          (lowest, name, i) => (name !== this.name && applied[i] && compareIds(applied[i]!, lowest) < 0 ? applied[i]! : lowest),
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
   * Tells Redis how far this replica has applied the log, renewing its announcement, once the
   * store is checked to be the one it applied; the lease runs from when it was sent. A replica
   * without a lease (just loaded, or its lease lapsed — its key may have expired, and writers since
   * then did not wait for it) first catches up with the log's tip, read after its key exists again.
   */
  private async announce(): Promise<void> {
    if (this.reload || this.stopped) return;
    const sent = performance.now();
    const lapsed = sent >= this.leaseUntil;
    try {
      const status = await this.status(true);
      if (status.generation !== this.generation) return;
      if (status.kind !== 'ok') return this.mustReload(this.diverged(status));
      if (lapsed) await this.reach(status.tip);
      this.leaseUntil = Math.max(this.leaseUntil, sent + LEASE_MS - LEASE_MARGIN_MS);
    } catch {
      // The lease runs out by itself: reads then check the log, and get a 503 while Redis is away.
    }
  }

  /** Resolves once this replica has applied every entry the log held when it was called (the store checked to be its own). */
  private async caughtUp(): Promise<void> {
    const generation = this.generation;
    const status = await this.nextStatus();
    if (this.reload) throw new Unavailable(this.reload);
    if (status.generation !== generation || generation !== this.generation) throw new Unavailable(`was reloaded meanwhile; ask again`);
    if (status.kind !== 'ok') {
      this.mustReload(this.diverged(status));
      throw new Unavailable(this.reload!);
    }
    await this.reach(status.tip);
  }

  /**
   * Waits until the entry `tip` is applied here. The tip was read at one moment with the check that
   * the store still holds what this replica applied: a tip before what is applied now is only an
   * answer that arrived after the log was read further (on the other connection), never a loss.
   */
  private reach(tip: string): Promise<void> {
    if (compareIds(tip, this.applied) <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.barriers.push({ id: tip, resolve, reject }));
  }

  /** The store checked against what this replica applied (`STATUS`), by a round trip that starts after this call — shared by every call made before it starts. */
  private nextStatus(): Promise<Status> {
    this.queued ??= deferred<Status>();
    const status = this.queued.promise;
    if (!this.statusInFlight) this.sendStatus();
    return status;
  }

  private sendStatus(): void {
    const waiting = this.queued!;
    this.queued = undefined;
    this.statusInFlight = true;
    this.status(false).then(
      (status) => this.statusRead(() => waiting.resolve(status)),
      (error: Error) => this.statusRead(() => waiting.reject(error)),
    );
  }

  private statusRead(settle: () => void): void {
    this.statusInFlight = false;
    settle();
    if (this.queued) this.sendStatus();
  }

  /** One `STATUS` round trip: the store checked against this replica's epoch and last applied entry, and the log's tip. */
  private async status(announce: boolean): Promise<Status> {
    const generation = this.generation;
    if (!this.epoch) throw new Unavailable(this.reload ?? 'is loading');
    const keys = [EPOCH, LOG, REPLICAS, `${REPLICA}${this.name}`];
    const args = [this.epoch, this.applied, this.name, LEASE_MS, announce ? 1 : 0];
    const [kind, value] = (await this.options.commands.eval(STATUS, keys.length, ...keys, ...args)) as [string, string];
    if (kind === 'ok') return { generation, kind, tip: value };
    return kind === 'epoch' ? { generation, kind, epoch: value } : { generation, kind: 'lost' };
  }

  /** The 503's words for a store found to hold another state than this replica applied. */
  private diverged(status: Status): string {
    return status.kind === 'lost'
      ? `no longer holds log entry ${this.applied}, which this replica applied (it lost entries — restarted with less than it had? — or trimmed them past this replica); this replica is loading the store's state`
      : this.storeChanged();
  }

  private storeChanged(): string {
    return "is not the store this replica applied (its epoch changed: restarted empty, or flushed?); this replica is loading the store's state";
  }

  /** Stops answering from the state held here; the log follower loads the store's state (`load`). */
  private mustReload(why: string): void {
    if (this.reload) return;
    this.reload = why;
    this.leaseUntil = 0;
    this.loaded = deferred<void>();
    this.loaded.promise.catch(() => undefined);
  }

  /**
   * Loads the store's state: its epoch (made if the store has none: a new store, or one restarted
   * empty, whose config is recorded again), its snapshot if it has one of that epoch (else the
   * seeded state), from which the log is then applied. Everything waiting on the state held
   * before is answered 503 (a write's outcome is then unknown to its client, as with any 503).
   */
  private async load(): Promise<void> {
    const why = this.reload!;
    this.generation++;
    const failed = new Unavailable(why);
    for (const { reject } of this.owned.values()) reject(failed);
    this.owned.clear();
    for (const waiting of [...this.barriers, ...this.unacknowledged]) waiting.reject(failed);
    this.barriers = [];
    this.unacknowledged = [];
    const { tail } = this.options;
    const results = await tail
      .multi()
      // Writers need not wait for this replica while it loads.
      .srem(REPLICAS, this.name)
      .del(`${REPLICA}${this.name}`)
      .eval(INIT, 3, CONFIG, EPOCH, SNAPSHOT, this.options.config, `${crypto.randomUUID()}@${Date.now()}`)
      .hgetall(SNAPSHOT)
      .exec();
    const failure = results?.find(([error]) => error)?.[0];
    if (!results || failure) throw failure ?? new Error('the load was aborted');
    const [made, held] = results[2]![1] as [number, string];
    if (made !== 1) {
      this.reload = `holds another mock (made with ${held}, this replica with ${this.options.config}): start the replicas with the same options, or use another database`;
      await sleep(1_000);
      return;
    }
    const snapshot = results[3]![1] as Record<string, string>;
    const current = snapshot.epoch === held && snapshot.state !== undefined && snapshot.id !== undefined;
    this.mock.loadReplicaState(current ? snapshot.state : undefined);
    this.applied = current ? snapshot.id! : '0-0';
    this.epoch = held;
    // A replica of the store this one replaced may still answer reads from memory for the rest of
    // its lease: writes in an epoch younger than a lease are answered once that lease has run out.
    const created = Number(held.split('@')[1]);
    const settling = Number.isFinite(created) ? Math.min(LEASE_MS, Math.max(0, created + LEASE_MS - Date.now())) : 0;
    this.settledAt = performance.now() + settling;
    this.sinceSnapshot = 0;
    this.snapshotDue = false;
    this.reload = undefined;
    this.leaseUntil = 0;
    this.loaded.resolve();
    void this.announce();
  }

  /** Applies the log, in order, as it grows; waits and goes on where it stopped whenever Redis is away; loads the store's state when asked. */
  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.reload) {
          await this.load();
          continue;
        }
        const generation = this.generation;
        const read = await this.options.tail.xread('COUNT', BATCH, 'BLOCK', 1000, 'STREAMS', LOG, this.applied);
        if (this.reload || generation !== this.generation) continue;
        const entries = read?.[0]?.[1] ?? [];
        for (const [id, fields] of entries) {
          const { entry, prev } = fieldsOf(fields);
          if (prev !== undefined && prev !== this.applied) {
            this.mustReload(
              `lost or trimmed log entries this replica had not applied (entry ${id} follows ${prev}, this replica applied up to ${this.applied}); this replica is loading the store's state`,
            );
            break;
          }
          await this.apply(id, JSON.parse(entry!) as LoggedRequest);
          if (this.reload) break;
        }
        if (this.reload) continue;
        // Writers wait for every replica to say it has applied their entry.
        if (entries.length > 0) void this.announce();
        const every = this.options.snapshotEvery ?? SNAPSHOT_EVERY;
        if (entries.length < BATCH && (this.snapshotDue || this.sinceSnapshot >= every)) await this.saveSnapshot();
      } catch {
        if (!this.stopped) await sleep(100);
      }
    }
  }

  /**
   * Stores the state as it is now (the log applied up to `applied`), unless another replica is
   * storing one, and trims the log behind it: a replica joining later loads it and applies the rest.
   */
  private async saveSnapshot(): Promise<void> {
    this.snapshotDue = false;
    this.sinceSnapshot = 0;
    const { tail } = this.options;
    if (!(await tail.set(SNAPSHOT_LOCK, this.name, 'PX', 60_000, 'NX'))) return;
    try {
      const keys = [EPOCH, SNAPSHOT, LOG, REPLICAS];
      await tail.eval(SAVE_SNAPSHOT, keys.length, ...keys, this.epoch!, this.applied, this.mock.replicaState(), REPLICA);
    } finally {
      await tail.del(SNAPSHOT_LOCK).catch(() => undefined);
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
    this.sinceSnapshot++;
    own?.resolve(response);
    // After a reset of every session nothing before it matters: a snapshot of it lets the log be trimmed there.
    if (own && entry.method === 'POST' && entry.path === '/__usermock/reset' && !entry.headers['x-usermock-session']) {
      this.snapshotDue = true;
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

/** An entry's fields (`entry`, and `prev`: the id of the entry before it, in logs written since epochs). */
function fieldsOf(fields: string[]): { entry?: string; prev?: string } {
  const found: { entry?: string; prev?: string } = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'entry') found.entry = fields[i + 1];
    else if (fields[i] === 'prev') found.prev = fields[i + 1];
  }
  return found;
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
