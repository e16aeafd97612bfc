// Replicas under faults, Jepsen-style (issue 21): concurrent writers (creates across the three
// APIs, each with an email of its own) over three `usermock serve --store` processes while a
// seeded schedule pauses Redis (SIGSTOP/SIGCONT), kills it (SIGKILL) and starts it again — with
// its append-only file fsynced on every write, and with no persistence (it comes back empty) — and
// kills replicas and starts new ones. After each round: every replica answers again within a
// bound, their states are equal, a replica joining then (from the store's snapshot and log) holds
// that state too, every acknowledged write is there (all of them when Redis keeps its data; those
// made after Redis last came back when it does not), and no answer was a 5xx but the documented 503.
// FAULT_SEED=<n> replays one schedule.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { serve, type Served } from '../helpers/cli.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { needs } from '../helpers/services.ts';

const ROUNDS = 3;
/** Every replica answers again within this long once Redis is back and the faults are over. */
const RECOVERY_MS = 10_000;
/** Snapshots every 50 entries, so that rounds load snapshots and trim the log too. */
const ENV = { ...process.env, USERMOCK_SNAPSHOT_EVERY: '50' };
const WRITERS = 6;

interface Answer {
  status: number;
  text: string;
}

function call(base: string, path: string, options: { method?: string; auth?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.auth) headers.authorization = options.auth;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${options.method ?? 'GET'} ${base}${path}: no answer within 15 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: the fault schedule from a seed. */
function prng(seed: number): { next: () => number; int: (lo: number, hi: number) => number } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

type Credentials = Record<'hoop' | 'amani' | 'haplo', { admin: string }>;
const APIS = ['hoop', 'amani', 'haplo'] as const;

/** Creates a user with this email in one of the three APIs, as its seeded admin. */
function create(url: string, api: (typeof APIS)[number], email: string, credentials: Credentials): Promise<Answer> {
  const auth = credentials[api].admin;
  if (api === 'hoop') return call(url, '/api/users', { method: 'POST', auth, body: { email, name: 'Fault Test' } });
  if (api === 'amani') return call(url, '/api/v2/user', { method: 'POST', auth, body: { email, password: 'Gx7!pQ2v-Fault' } });
  return call(url, '/api/v0-user/create', { method: 'POST', auth, body: { nameFirst: 'Fault', nameLast: 'Test', email } });
}

interface Write {
  email: string;
  url: string;
  started: number;
  status: number; // 0: no answer (the replica was killed, or refused the connection)
  text: string;
}

const isDocumented503 = (answer: Answer) => answer.status === 503 && answer.text.startsWith('usermock: the store redis://');

// Everything a test starts, stopped after it whatever happened.
let redises: RedisServer[] = [];
let started: Served[] = [];

afterEach(async () => {
  await Promise.all(
    started.map((served) => (served.process.exitCode === null && served.process.signalCode === null ? served.stop('SIGKILL') : undefined)),
  );
  await Promise.all(redises.map((server) => server.dispose()));
  redises = [];
  started = [];
});

async function replicaOf(store: RedisServer): Promise<Served> {
  const served = await serve(['--store', store.url, '--quiet'], ENV);
  started.push(served);
  return served;
}

/** How long until the replica answers a read of the whole state (200), at most `ms`; Infinity if it does not. */
async function recovery(url: string, ms: number): Promise<number> {
  const from = Date.now();
  while (Date.now() - from < ms) {
    const answer = await call(url, '/__usermock/state').catch(() => undefined);
    if (answer?.status === 200) return Date.now() - from;
    await sleep(50);
  }
  return Infinity;
}

async function stateOf(url: string): Promise<string> {
  const answer = await call(url, '/__usermock/state');
  expect(answer.status, `${url}: ${answer.text.slice(0, 300)}`).toBe(200);
  return JSON.stringify(JSON.parse(answer.text).sessions);
}

describe('replicas under faults: Redis paused, killed and restarted, replicas killed', needs('redis-server'), () => {
  it.each([
    ['aof', 'with appendfsync always: every acknowledged write survives'],
    ['none', 'without persistence: the replicas follow the store, emptied or not'],
  ] as const)(
    'Redis %s — %s',
    async (persistence, _what) => {
      const store = await startRedis({ persistence });
      redises.push(store);
      const replicas = await Promise.all([replicaOf(store), replicaOf(store), replicaOf(store)]);
      const credentials = JSON.parse((await call(replicas[0]!.url, '/__usermock/credentials')).text) as Credentials;
      const base = Number(process.env.FAULT_SEED ?? 2100) + (persistence === 'aof' ? 0 : 100);
      const report: string[] = [];

      for (let round = 0; round < ROUNDS; round++) {
        const seed = base + round;
        const random = prng(seed);
        const history: Write[] = [];
        const log: string[] = [];
        /** When Redis last came back from a kill (for `none`: writes before it went with the store). */
        let redisBack = 0;
        let writing = true;
        const writers = Array.from({ length: WRITERS }, async (_, w) => {
          for (let n = 0; writing; n++) {
            const live = replicas.filter((served) => served.process.exitCode === null && served.process.signalCode === null);
            const url = live[(w + n) % live.length]!.url;
            const email = `r${seed}-w${w}-${n}@example.com`;
            const write: Write = { email, url, started: Date.now(), status: 0, text: '' };
            try {
              Object.assign(write, await create(url, APIS[n % 3]!, email, credentials));
            } catch (error) {
              write.text = (error as Error).message;
              await sleep(20);
            }
            history.push(write);
          }
        });

        const faults = ['pause', 'kill-redis', 'kill-replica', 'pause', 'kill-redis', 'kill-replica'] as const;
        for (let f = 0; f < 3; f++) {
          await sleep(random.int(300, 900));
          const fault = faults[random.int(0, faults.length - 1)]!;
          const ms = random.int(fault === 'pause' ? 1_000 : 200, fault === 'pause' ? 3_000 : 800);
          log.push(`${fault} ${ms} ms`);
          if (fault === 'pause') {
            store.pause();
            await sleep(ms);
            store.resume();
          } else if (fault === 'kill-redis') {
            await store.kill();
            await sleep(ms);
            await store.start();
            redisBack = Date.now();
          } else {
            const victim = random.int(0, replicas.length - 1);
            await replicas[victim]!.stop('SIGKILL');
            await sleep(ms);
            replicas[victim] = await replicaOf(store);
          }
        }
        await sleep(500);
        const faultsOver = Date.now();
        const recoveries = await Promise.all(replicas.map((served) => recovery(served.url, RECOVERY_MS)));
        writing = false;
        await Promise.all(writers);
        const context = `round ${round} (seed ${seed}, Redis ${persistence}): ${log.join(', ')}`;
        expect(
          recoveries.every((ms) => ms <= RECOVERY_MS),
          `${context}: recoveries ${recoveries.join(', ')} ms`,
        ).toBe(true);

        // No answer but 2xx and the documented 503.
        const unexpected = history.filter(
          (write) => write.status !== 0 && !(write.status >= 200 && write.status < 300) && !isDocumented503(write),
        );
        expect(
          unexpected.map((write) => `${write.status} ${write.text.slice(0, 200)}`),
          context,
        ).toEqual([]);

        // The replicas agree, and a replica joining now (the store's snapshot and log) agrees with them.
        const joiner = await replicaOf(store);
        const states = await Promise.all([...replicas, joiner].map((served) => stateOf(served.url)));
        for (let i = 1; i < states.length; i++)
          expect(states[i] === states[0], `${context}: replica ${i} differs from replica 0`).toBe(true);
        await joiner.stop('SIGKILL');

        // Every acknowledged write is there — for Redis without persistence, those since it last came back.
        const acknowledged = history.filter((write) => write.status >= 200 && write.status < 300);
        const mustHold = persistence === 'aof' ? acknowledged : acknowledged.filter((write) => write.started > redisBack);
        const missing = mustHold.filter((write) => !states[0]!.includes(`"${write.email}"`));
        expect(
          missing.map((write) => write.email),
          `${context}: acknowledged writes missing`,
        ).toEqual([]);
        // And nothing refused is there, but what a 503 or a lost connection left undecided.
        const refused = history.filter((write) => write.status >= 400 && write.status !== 503);
        expect(refused.filter((write) => states[0]!.includes(`"${write.email}"`))).toEqual([]);

        const count = (test: (write: Write) => boolean) => history.filter(test).length;
        report.push(
          `${context} — ${history.length} writes: ${acknowledged.length} acknowledged (${mustHold.length} checked), ` +
            `${count(isDocumented503)} documented 503, ${count((write) => write.status === 0)} without answer; ` +
            `recovered within ${Math.max(...recoveries)} ms of the last fault (${Date.now() - faultsOver} ms to check)`,
        );
      }
      console.log(report.join('\n'));
    },
    75_000,
  );
});
