// `usermock serve --store redis://…` and `--workers N` (issue 13), as users run them: real
// `usermock serve` processes (replicas) against a real Redis of the test's own, on loopback.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { refuses, run, serve, type Served } from '../helpers/cli.ts';
import { startRoundRobin, type RoundRobin } from '../helpers/proxy.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { needs } from '../helpers/services.ts';

type Credentials = Record<'hoop' | 'amani' | 'haplo', { admin: string; standard: string }>;

interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: () => any;
}

/** One request over a fresh connection (so `--workers` spreads them); never reuses a socket. */
function call(
  base: string,
  path: string,
  options: { method?: string; auth?: string; session?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.auth) headers.authorization = options.auth;
  if (options.session) headers['x-usermock-session'] = options.session;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          contentType: String(res.headers['content-type'] ?? ''),
          text,
          json: () => JSON.parse(text),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${options.method ?? 'GET'} ${base}${path}: no answer within 15 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const credentialsOf = async (url: string): Promise<Credentials> => {
  const answer = await call(url, '/__usermock/credentials');
  expect(answer.status, answer.text).toBe(200);
  return answer.json();
};

const createUser = (url: string, admin: string, email: string, session?: string) =>
  call(url, '/api/users', { method: 'POST', auth: admin, session, body: { email, name: `Name of ${email}` } });

const readUser = (url: string, admin: string, idOrEmail: string, session?: string) =>
  call(url, `/api/users/${encodeURIComponent(idOrEmail)}`, { auth: admin, session });

const conflict = (email: string) => JSON.stringify({ message: `user already exists with email ${email}` });

/** Polls `probe` until it returns true, for at most `ms`; returns whether it did. */
async function eventually(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether a process with this pid still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of the live child processes of `pid`, read from Linux's /proc (not every machine has ps). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return []; // it has exited
  }
}

/** Runs the CLI to completion, SIGKILLed if it is still running after `ms` (its code is then null). */
async function runBounded(args: string[], ms = 20_000) {
  let timer: NodeJS.Timeout | undefined;
  const result = await run(args, {
    onStarted: (child) => (timer = setTimeout(() => child.kill('SIGKILL'), ms)),
  });
  clearTimeout(timer);
  return result;
}

// Everything a test starts, stopped after it whatever happened.
let redises: RedisServer[] = [];
let replicas: Served[] = [];
let proxies: RoundRobin[] = [];

async function redis(): Promise<RedisServer> {
  const started = await startRedis();
  redises.push(started);
  return started;
}

async function replica(store: RedisServer, args: string[] = []): Promise<Served> {
  const started = await serve(['--store', store.url, ...args]);
  replicas.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  // SIGKILL: a replica that hangs on a dead Redis must not hold the suite.
  await Promise.all(
    replicas.map((served) => {
      const { process: child } = served;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const workers = childrenOf(child.pid!);
      return served.stop('SIGKILL').then(() => workers.forEach((pid) => alive(pid) && process.kill(pid, 'SIGKILL')));
    }),
  );
  await Promise.all(redises.map((server) => server.dispose()));
  redises = [];
  replicas = [];
  proxies = [];
});

describe('usermock serve --store redis://… (replicas sharing one state)', needs('redis-server'), () => {
  it('reads on one replica what another has just created, by id and by email', async () => {
    const store = await redis();
    const [one, two] = await Promise.all([replica(store), replica(store)]);
    expect(one.url).not.toBe(two.url);
    const { admin } = (await credentialsOf(one.url)).hoop;
    expect((await credentialsOf(two.url)).hoop.admin).toBe(admin);

    const created = await createUser(one.url, admin, 'shared@example.com');
    expect(created.status, created.text).toBe(201);
    const user = created.json();
    expect(user).toMatchObject({ email: 'shared@example.com', name: 'Name of shared@example.com' });

    const byId = await readUser(two.url, admin, user.id);
    expect(byId.status, byId.text).toBe(200);
    expect(byId.json()).toEqual(user);
    const byEmail = await readUser(two.url, admin, 'shared@example.com');
    expect(byEmail.status, byEmail.text).toBe(200);
    expect(byEmail.json()).toEqual(user);

    // And the other way round.
    const back = await createUser(two.url, admin, 'back@example.com');
    expect(back.status, back.text).toBe(201);
    const read = await readUser(one.url, admin, back.json().id);
    expect(read.status, read.text).toBe(200);
    expect(read.json()).toEqual(back.json());
    // A duplicate of a user created on the other replica is refused.
    const duplicate = await createUser(one.url, admin, 'back@example.com');
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).toBe(conflict('back@example.com'));
  }, 60_000);

  it('answers reads from memory with no round trip to Redis while nothing changes, and every read after a write sees it', async () => {
    const store = await redis();
    const [first, second] = [await replica(store), await replica(store)];
    const { hoop } = await credentialsOf(first.url);
    const created = await createUser(first.url, hoop.admin, 'counted@example.com');
    expect(created.status).toBe(201);
    // What Redis was asked, by command, from the moment the writes stopped.
    const client = new Redis(store.url);
    try {
      const calls = async () => {
        const stats = await client.info('commandstats');
        return Object.fromEntries([...stats.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map(([, name, count]) => [name!, Number(count)]));
      };
      await readUser(second.url, hoop.admin, 'counted@example.com');
      const before = await calls();
      for (let i = 0; i < 50; i++) expect((await readUser(second.url, hoop.admin, created.json().id)).status).toBe(200);
      const after = await calls();
      // The replicas renew their leases (a few SETs a second) and block on the log; no read asked for its tip.
      expect(after.xrevrange ?? 0).toBe(before.xrevrange ?? 0);
      // A write on one replica is answered once the other has applied it: its next read, from memory, sees it.
      for (let i = 0; i < 5; i++) {
        const email = `next-${i}@example.com`;
        expect((await createUser(first.url, hoop.admin, email)).status).toBe(201);
        expect((await readUser(second.url, hoop.admin, email)).status).toBe(200);
      }
    } finally {
      client.disconnect();
    }
  });

  it('waits a slow override at the edge: other writes go on meanwhile, on every replica', async () => {
    const store = await redis();
    const [first, second] = [await replica(store), await replica(store)];
    const { hoop } = await credentialsOf(first.url);
    const slow = await call(first.url, '/__usermock/overrides', {
      method: 'POST',
      body: { api: 'hoop', operationId: 'listUsers', delay: 3000, times: 1 },
    });
    expect(slow.status).toBe(201);
    const finished: string[] = [];
    const listing = call(first.url, '/api/users', { auth: hoop.admin }).then((answer) => (finished.push('slow list'), answer));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const created = await createUser(second.url, hoop.admin, 'meanwhile@example.com').then((answer) => (finished.push('create'), answer));
    expect(created.status).toBe(201);
    expect((await listing).status).toBe(200);
    // Had the delay been waited while the log was applied, the create would have waited behind it.
    expect(finished).toEqual(['create', 'slow list']);
  });

  it('gives exactly one 201 to a 40-way create race of one email split across two replicas', async () => {
    const store = await redis();
    const pair = await Promise.all([replica(store), replica(store)]);
    const { admin } = (await credentialsOf(pair[0].url)).hoop;

    for (const round of [0, 1, 2]) {
      const email = `race-${round}@example.com`;
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => createUser(pair[i % 2]!.url, admin, email)));
      const statuses = answers.map((answer) => answer.status);
      expect(
        statuses.filter((status) => status === 201),
        `round ${round}: ${statuses.join(' ')}`,
      ).toHaveLength(1);
      expect(
        statuses.filter((status) => status === 409),
        `round ${round}: ${statuses.join(' ')}`,
      ).toHaveLength(39);
      for (const answer of answers.filter((answer) => answer.status === 409)) expect(answer.text).toBe(conflict(email));

      const winner = answers.find((answer) => answer.status === 201)!.json();
      for (const { url } of pair) {
        const read = await readUser(url, admin, email);
        expect(read.status, read.text).toBe(200);
        expect(read.json()).toEqual(winner);
        const list = await call(url, '/api/users', { auth: admin });
        expect(list.status).toBe(200);
        expect((list.json() as { email: string }[]).filter((user) => user.email === email)).toHaveLength(1);
      }
    }
  }, 60_000);

  it('keeps sessions apart across replicas, and a session reset on one replica is seen on the other', async () => {
    const store = await redis();
    const [one, two] = await Promise.all([replica(store), replica(store)]);
    const { admin } = (await credentialsOf(one.url)).hoop;

    const inDefault = await createUser(one.url, admin, 'default-only@example.com');
    expect(inDefault.status, inDefault.text).toBe(201);
    const inA = await createUser(one.url, admin, 'session-a@example.com', 'a');
    expect(inA.status, inA.text).toBe(201);
    const user = inA.json();

    const seenInA = await readUser(two.url, admin, 'session-a@example.com', 'a');
    expect(seenInA.status, seenInA.text).toBe(200);
    expect(seenInA.json()).toEqual(user);
    expect((await readUser(two.url, admin, user.id, 'a')).status).toBe(200);
    expect((await readUser(two.url, admin, 'session-a@example.com', 'b')).status).toBe(404);
    expect((await readUser(two.url, admin, 'session-a@example.com')).status).toBe(404);
    expect((await readUser(one.url, admin, 'session-a@example.com', 'b')).status).toBe(404);
    expect((await readUser(one.url, admin, 'session-a@example.com')).status).toBe(404);
    expect((await readUser(two.url, admin, 'default-only@example.com', 'a')).status).toBe(404);
    // The same email can be created in another session: its own state.
    const inB = await createUser(two.url, admin, 'session-a@example.com', 'b');
    expect(inB.status, inB.text).toBe(201);

    const reset = await call(two.url, '/__usermock/reset', { method: 'POST', session: 'a' });
    expect(reset.status, reset.text).toBeLessThan(300);
    expect((await readUser(one.url, admin, 'session-a@example.com', 'a')).status).toBe(404);
    expect((await readUser(two.url, admin, 'session-a@example.com', 'a')).status).toBe(404);
    // Only session a was reset.
    expect((await readUser(one.url, admin, 'session-a@example.com', 'b')).status).toBe(200);
    expect((await readUser(one.url, admin, 'default-only@example.com')).status).toBe(200);

    const state = await call(one.url, '/__usermock/state');
    expect(state.status).toBe(200);
    const emails = (session: string) =>
      ((state.json().sessions[session]?.hoop?.users ?? []) as { email: string }[]).map((entry) => entry.email);
    expect(emails('b')).toContain('session-a@example.com');
    expect(emails('default')).toContain('default-only@example.com');
    expect(emails('default')).not.toContain('session-a@example.com');
    expect(emails('a')).not.toContain('session-a@example.com');
  }, 60_000);

  it('loses nothing when a replica is killed -9 right after its 201: the other serves it, a restarted one too', async () => {
    const store = await redis();
    const [victim, survivor] = await Promise.all([replica(store), replica(store)]);
    const { admin } = (await credentialsOf(victim.url)).hoop;

    const created = await createUser(victim.url, admin, 'survives@example.com');
    expect(created.status, created.text).toBe(201);
    await victim.stop('SIGKILL');
    const user = created.json();

    const read = await readUser(survivor.url, admin, user.id);
    expect(read.status, read.text).toBe(200);
    expect(read.json()).toEqual(user);

    const restarted = await replica(store);
    const again = await readUser(restarted.url, admin, 'survives@example.com');
    expect(again.status, again.text).toBe(200);
    expect(again.json()).toEqual(user);
    const duplicate = await createUser(restarted.url, admin, 'survives@example.com');
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).toBe(conflict('survives@example.com'));
  }, 60_000);

  it('joins a Redis that already holds state (never re-seeds over it); a different --seed or --users exits 2', async () => {
    const store = await redis();
    const first = await replica(store, ['--seed', '4242', '--users', '3']);
    const { admin } = (await credentialsOf(first.url)).hoop;
    const created = await createUser(first.url, admin, 'before@example.com');
    expect(created.status, created.text).toBe(201);
    const listBefore = await call(first.url, '/api/users', { auth: admin });
    expect(listBefore.status).toBe(200);
    // No replica left: the state is in Redis alone.
    await first.stop();

    const joined = await replica(store, ['--seed', '4242', '--users', '3']);
    expect((await credentialsOf(joined.url)).hoop.admin).toBe(admin);
    const read = await readUser(joined.url, admin, 'before@example.com');
    expect(read.status, read.text).toBe(200);
    expect(read.json()).toEqual(created.json());
    const listAfter = await call(joined.url, '/api/users', { auth: admin });
    expect(listAfter.json()).toEqual(listBefore.json());
    const state = await call(joined.url, '/__usermock/state');
    expect(state.status).toBe(200);
    const snapshot = state.json();
    expect(snapshot).toMatchObject({ usermock: 1, seed: 4242, users: 3 });
    expect((snapshot.sessions.default.hoop.users as { email: string }[]).map((user) => user.email)).toContain('before@example.com');

    const otherSeed = await runBounded(['serve', '--port', '0', '--store', store.url, '--seed', '4343', '--users', '3']);
    expect(otherSeed.code, otherSeed.stdout + otherSeed.stderr).toBe(2);
    expect(otherSeed.stderr).toMatch(/\b4242\b/);
    expect(otherSeed.stderr).toMatch(/\b4343\b/);
    const otherUsers = await runBounded(['serve', '--port', '0', '--store', store.url, '--seed', '4242', '--users', '11']);
    expect(otherUsers.code, otherUsers.stdout + otherUsers.stderr).toBe(2);
    expect(otherUsers.stderr).toMatch(/\b3\b/);
    expect(otherUsers.stderr).toMatch(/\b11\b/);

    // The refused replicas changed nothing.
    const stillThere = await readUser(joined.url, admin, 'before@example.com');
    expect(stillThere.status).toBe(200);
    expect((await call(joined.url, '/api/users', { auth: admin })).json()).toEqual(listBefore.json());
  }, 90_000);

  it('answers 503 text/plain while Redis is down, and recovers by itself with nothing acknowledged lost', async () => {
    const store = await redis();
    const pair = await Promise.all([replica(store), replica(store)]);
    const { admin } = (await credentialsOf(pair[0].url)).hoop;
    const acknowledged: Record<string, unknown>[] = [];
    for (let i = 0; i < 6; i++) {
      const created = await createUser(pair[i % 2]!.url, admin, `kept-${i}@example.com`);
      expect(created.status, created.text).toBe(201);
      acknowledged.push(created.json());
    }

    await store.stop();
    const unavailable = (answer: Answer) => {
      expect(answer.status, answer.text).toBe(503);
      expect(answer.contentType).toBe('text/plain; charset=utf-8');
      expect(answer.text.startsWith(`usermock: the store ${store.url}`), answer.text).toBe(true);
      expect(answer.text).toMatch(/unreachable/);
    };
    for (const { url } of pair) {
      // The replica learns of the lost connection within moments; from then on every request is a 503.
      expect(await eventually(async () => (await readUser(url, admin, 'kept-0@example.com')).status === 503, 5_000)).toBe(true);
      unavailable(await readUser(url, admin, 'kept-0@example.com'));
      unavailable(await call(url, '/api/users', { auth: admin }));
      unavailable(await createUser(url, admin, 'during-outage@example.com'));
      unavailable(await call(url, '/__usermock/state'));
      unavailable(await call(url, '/__usermock/credentials'));
      unavailable(await call(url, '/__usermock/reset', { method: 'POST' }));
    }

    await store.start();
    for (const { url } of pair) {
      expect(await eventually(async () => (await readUser(url, admin, 'kept-0@example.com')).status === 200, 10_000)).toBe(true);
    }
    for (const { url } of pair) {
      for (const user of acknowledged) {
        const read = await readUser(url, admin, user.id as string);
        expect(read.status, read.text).toBe(200);
        expect(read.json()).toEqual(user);
      }
    }
    // The write refused with 503 was not applied: a client's retry creates it.
    expect((await readUser(pair[1]!.url, admin, 'during-outage@example.com')).status).toBe(404);
    const retried = await createUser(pair[0]!.url, admin, 'during-outage@example.com');
    expect(retried.status, retried.text).toBe(201);
    const seen = await readUser(pair[1]!.url, admin, 'during-outage@example.com');
    expect(seen.status, seen.text).toBe(200);
    expect(seen.json()).toEqual(retried.json());
  }, 60_000);

  it('passes the contract suite (usermock check) for all three APIs behind a round-robin proxy over two replicas', async () => {
    const store = await redis();
    const pair = await Promise.all([replica(store), replica(store)]);
    const proxy = await startRoundRobin(pair.map((served) => served.url));
    proxies.push(proxy);
    const credentials = await credentialsOf(proxy.url);
    for (const api of ['hoop', 'amani', 'haplo'] as const) {
      const { admin, standard } = credentials[api];
      const before = proxy.routed.length;
      const result = await run(['check', api, '--base-url', proxy.url, '--auth', admin, '--auth-standard', standard]);
      expect(result.code, `usermock check ${api}:\n${result.stdout}\n${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`usermock check ${api}: \\d+ passed, 0 failed`));
      // Both replicas took part.
      const routed = proxy.routed.slice(before);
      expect(routed).toContain(0);
      expect(routed).toContain(1);
    }
  }, 120_000);

  it('refuses --store together with --state-file (exit 2)', async () => {
    const store = await redis();
    const result = await runBounded(['serve', '--port', '0', '--store', store.url, '--state-file', '/tmp/usermock-never.json']);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(/--store/);
    expect(result.stderr).toMatch(/--state-file/);
  }, 60_000);
});

describe('usermock serve --workers N', () => {
  it('refuses --workers 2 without --store (exit 2, says so)', async () => {
    const result = await runBounded(['serve', '--port', '0', '--workers', '2']);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain('--workers 2 needs --store');
  }, 60_000);

  it(
    'serves one port from 2 workers sharing the state; SIGTERM stops it and its workers',
    needs('redis-server', { timeout: 60_000 }),
    async () => {
      const store = await redis();
      const served = await replica(store, ['--workers', '2']);
      const pid = served.process.pid!;
      const { admin } = (await credentialsOf(served.url)).hoop;

      const created = await createUser(served.url, admin, 'worker@example.com');
      expect(created.status, created.text).toBe(201);
      const user = created.json();
      // Each read on a connection of its own, so the cluster hands them to both workers.
      for (let i = 0; i < 10; i++) {
        const read = await readUser(served.url, admin, i % 2 ? user.id : 'worker@example.com');
        expect(read.status, read.text).toBe(200);
        expect(read.json()).toEqual(user);
      }
      const duplicates = await Promise.all(Array.from({ length: 6 }, () => createUser(served.url, admin, 'worker@example.com')));
      expect(duplicates.map((answer) => answer.status)).toEqual([409, 409, 409, 409, 409, 409]);
      const state = await call(served.url, '/__usermock/state');
      expect(state.status).toBe(200);
      expect(
        (state.json().sessions.default.hoop.users as { email: string }[]).filter((entry) => entry.email === 'worker@example.com'),
      ).toHaveLength(1);

      const workers = childrenOf(pid);
      expect(workers, 'worker processes of the serve process').toHaveLength(2);
      expect(served.output().match(/at http:\/\//g), served.output()).toHaveLength(1);

      const code = await served.stop('SIGTERM');
      expect(code).toBe(143);
      expect(await eventually(async () => workers.every((worker) => !alive(worker)), 5_000), `workers ${workers} still alive`).toBe(true);
      expect(await refuses(served.url)).toBe(true);
    },
  );
});
