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
  const commands = new Redis(url, options);
  const tail = new Redis(url, options);
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
