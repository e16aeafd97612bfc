// The shared log in Redis: its keys, its entries, and joining it.
import type { Redis, RedisOptions } from 'ioredis';
import { sleep } from '../core/prefer.ts';

/** The Stream of every write, in the order every replica applies them. */
export const LOG = 'usermock:log';
/** The names of the replicas that have announced how far they have applied the log. */
export const REPLICAS = 'usermock:replicas';
/** The prefix of each replica's announcement: the last log entry it applied, expiring unless renewed. */
export const REPLICA = 'usermock:replica:';
/** How the mock whose log this is was made (seed, users, scenario…): every replica must make it alike. */
export const CONFIG = 'usermock:config';
/**
 * Which store this is: a random id set with the log's first use, and again by the first replica to
 * find it missing (Redis restarted empty, the database flushed). A replica's state belongs to one
 * epoch: every append and every lease renewal checks it, and a replica that finds another one
 * loads the store's state (its snapshot and the log after it) before it answers again.
 */
export const EPOCH = 'usermock:epoch';
/** The latest snapshot of the state (a hash: `epoch`, `id` — the last log entry it covers — and `state`); the log before it is trimmed. */
export const SNAPSHOT = 'usermock:snapshot';
/** Held (with an expiry) by the replica writing a snapshot, so that one at a time does. */
export const SNAPSHOT_LOCK = 'usermock:snapshot:lock';

/** Lua: whether Stream id `a` is before `b`. */
const BEFORE = `
local function before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end`;

/**
 * Joins the store's epoch, making one if there is none (a new store, or one restarted empty: its
 * config is recorded again too; a snapshot it still holds — only its epoch key was lost — is the
 * new epoch's). KEYS: config, epoch, snapshot; ARGV: this mock's config, a fresh epoch
 * (`<random>@<ms>`). Answers {1, epoch}, or {0, the config the store holds} when it is another mock's.
 */
export const INIT = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local held = redis.call('GET', KEYS[1])
if held ~= ARGV[1] then return {0, held} end
if redis.call('SET', KEYS[2], ARGV[2], 'NX') and redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('HSET', KEYS[3], 'epoch', ARGV[2])
end
return {1, redis.call('GET', KEYS[2])}`;

/**
 * Appends a write to the log if the store is still the epoch the replica applied, with the id of
 * the entry before it (`prev`), so that a replica can tell it applies the log without a gap; and
 * counts, at that same moment, the other replicas with a live announcement. With none, the writer
 * need not wait for anyone to apply the entry: a replica that announces itself later catches up
 * with the log's tip (this entry included) before it answers a read from memory.
 * KEYS: epoch, log, replicas; ARGV: epoch, entry, the writer's name, the announcements' prefix.
 * Answers {id, other replicas announced}.
 */
export const APPEND = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('USERMOCK_EPOCH the store is not the one this replica applied') end
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local id = redis.call('XADD', KEYS[2], '*', 'entry', ARGV[2], 'prev', last[1] and last[1][1] or '0-0')
local others = 0
for _, name in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if name ~= ARGV[3] and redis.call('EXISTS', ARGV[4] .. name) == 1 then others = others + 1 end
end
return {id, others}`;

/**
 * A replica's check of the store, read at one moment: whether it is still the epoch the replica
 * applied and still holds the last entry the replica applied (else the store lost or trimmed what
 * this replica holds: it must load the store's state again) and, if so, the log's last id —
 * after renewing the replica's announcement when asked to.
 * KEYS: epoch, log, replicas, the replica's key; ARGV: epoch, applied, name, lease ms, announce (1/0).
 * Answers {'ok', tip}, {'epoch', the store's epoch or ''} or {'lost', ''}.
 */
export const STATUS = `
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[1] then return {'epoch', epoch or ''} end
if ARGV[2] ~= '0-0' and #redis.call('XRANGE', KEYS[2], ARGV[2], ARGV[2]) == 0 then return {'lost', ''} end
if ARGV[5] == '1' then
  redis.call('SADD', KEYS[3], ARGV[3])
  redis.call('SET', KEYS[4], ARGV[2], 'PX', ARGV[4])
end
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
return {'ok', last[1] and last[1][1] or '0-0'}`;

/**
 * Stores a snapshot if the store is still its epoch and it is newer than the one held, then trims
 * the log before it — and before the last entry any replica with a live announcement applied, so
 * that none of them finds a gap. KEYS: epoch, snapshot, log, replicas; ARGV: epoch, id, state,
 * the announcements' prefix. Answers 1 when stored.
 */
export const SAVE_SNAPSHOT = `${BEFORE}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local held = redis.call('HMGET', KEYS[2], 'epoch', 'id')
if held[1] == ARGV[1] and held[2] and not before(held[2], ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], 'epoch', ARGV[1], 'id', ARGV[2], 'state', ARGV[3])
local oldest = ARGV[2]
for _, name in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local applied = redis.call('GET', ARGV[4] .. name)
  if applied and before(applied, oldest) then oldest = applied end
end
redis.call('XTRIM', KEYS[3], 'MINID', oldest)
return 1`;

/** A write as logged: what the state can depend on, with a nonce telling the replica that took it its own. */
export interface LoggedRequest {
  nonce: string;
  /** When the replica took it, in ms: the time every replica applies it at. */
  time: number;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: string;
}

/** Orders two Stream ids (`<ms>-<seq>`). */
export function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(Number) as [number, number];
  const [bMs, bSeq] = b.split('-').map(Number) as [number, number];
  return aMs - bMs || aSeq - bSeq;
}

/** A store URL as it may be shown: without a password. */
export function shown(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString().replace(/\/$/, '');
}

/**
 * Two connections to the store: one for commands, one that blocks reading the log. Commands fail
 * at once while Redis is away (no offline queue: a replica answers 503 rather than wait), and the
 * client reconnects by itself.
 */
/** How long a replica waits for Redis to answer a command before it answers 503. */
export const COMMAND_TIMEOUT_MS = 3_000;

export async function connect(url: string): Promise<{ commands: Redis; tail: Redis }> {
  if (!/^rediss?:\/\//.test(url)) throw new Error(`--store takes redis://HOST:PORT[/DB], got "${url}"`);
  const { Redis } = await import('ioredis').catch(() => {
    throw new Error('--store needs the Redis client: npm install --save-dev ioredis@^6');
  });
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    lazyConnect: true,
  };
  // A command unanswered for this long (Redis stalled) is a 503, not a request left hanging.
  const commands = new Redis(url, { ...options, commandTimeout: COMMAND_TIMEOUT_MS });
  // The tail blocks on the log and moves snapshots: a longer bound.
  const tail = new Redis(url, { ...options, commandTimeout: 30_000 });
  // Errors are answered as 503s where they matter; the client's own event would only print them.
  for (const client of [commands, tail]) client.on('error', () => undefined);
  await Promise.all([commands.connect(), tail.connect()]).catch((error: Error) => {
    commands.disconnect();
    tail.disconnect();
    throw new Error(`cannot reach the store ${shown(url)}: ${error.message}`);
  });
  return { commands, tail };
}

/**
 * Joins the mock the store holds, or makes it: the first replica records how it made its mock;
 * a later one made otherwise (another seed, other users) is refused, naming both, as it would
 * apply the log to another state.
 */
export async function join(commands: Redis, config: Record<string, unknown>, url: string): Promise<void> {
  const mine = JSON.stringify(config);
  for (let attempt = 0; ; attempt++) {
    try {
      await commands.set(CONFIG, mine, 'NX');
      const held = await commands.get(CONFIG);
      if (held !== mine) {
        throw new ConfigMismatch(
          `the store ${shown(url)} holds a mock made with ${describe(held)}; this one is made with ${describe(mine)}. ` +
            'Start it with the same options, or use another Redis database (redis://HOST:PORT/DB).',
        );
      }
      return;
    } catch (error) {
      if (error instanceof ConfigMismatch || attempt >= 50) throw error;
      await sleep(100);
    }
  }
}

export class ConfigMismatch extends Error {}

function describe(config: string | null): string {
  const parsed = JSON.parse(config ?? '{}') as Record<string, unknown>;
  return Object.entries(parsed)
    .map(([name, value]) => `${name} ${JSON.stringify(value)}`)
    .join(', ');
}
