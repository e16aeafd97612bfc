// `npm run bench`: usermock against its peers — Prism's and Scalar's mocks of the same spec — and
// a bare node:http server, measured in one run on one machine, printed as a table with ratios and
// the goals each ratio must meet. Every server runs in its own process; the load generator
// (autocannon) runs here.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type autocannon from 'autocannon';
import { startRedis } from '../test/helpers/redis.ts';
import { load as loadFor, median, root, start, type Load, type Server } from './harness.ts';
import { seedLog } from './replica-log.ts';
import { sameBytes, type Api } from './same-bytes.ts';

/** `--quick` (or BENCH_QUICK=1): only the side-by-side ratios (usermock vs the same bytes, MSW, --store creates), hoop only, 1-s loads. */
const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const DURATION = Number(process.env.BENCH_DURATION ?? (QUICK ? 1 : 3));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
/** The built CLI `usermock serve` runs from (BENCH_CLI: another build, e.g. a tree before a change). */
const CLI = process.env.BENCH_CLI ?? `${root}dist/cli.js`;
const DIST = CLI.replace(/\/cli\.js$/, '');

const node = (file: string, ...args: string[]) => [file, ...args];
const tsNode = (file: string, ...args: string[]) => ['--import', 'tsx', file, ...args];
const usermock = (extra: string[] = []) =>
  start(process.execPath, (port) => node(CLI, 'serve', '--port', String(port), '--quiet', ...extra), '/__usermock/credentials');
const prism = () =>
  start(
    `${root}node_modules/.bin/prism`,
    (port) => ['mock', '-h', '127.0.0.1', '-p', String(port), 'specs/hoop.openapi.yaml'],
    '/api/users',
  );
const scalar = () => start(process.execPath, (port) => tsNode('bench/scalar-server.ts', String(port)), '/api/users');
/** The old ceiling: node:http answering one constant JSON body (the peers' rows are still measured against it). */
const bare = () => start(process.execPath, (port) => tsNode('bench/bare-server.ts', String(port)));

const load = (url: string, request: autocannon.Request, duration = DURATION) => loadFor(url, request, duration, CONNECTIONS);

/** The median of three start-ups. */
async function startupOf(begin: () => Promise<Server>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const server = await begin();
    await server.stop();
    times.push(server.startupMs);
  }
  return median(times);
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function credentialsOf(url: string) {
  return ((await (await fetch(`${url}/__usermock/credentials`)).json()) as { hoop: { admin: string } }).hoop.admin;
}

async function aUserId(url: string, admin: string): Promise<string> {
  const users = (await (await fetch(`${url}/api/users`, { headers: { authorization: admin } })).json()) as Array<{ id: string }>;
  return users[1]!.id;
}

/** Wall time of a CLI run, and its exit code (a failing check run is reported, not hidden). */
async function wallTime(args: string[]): Promise<{ ms: number; code: number | null }> {
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' }).once('exit', resolve);
  });
  return { ms: performance.now() - started, code };
}

const rows: Array<{ measure: string; value: string; vsPeer?: string; vsBare?: string }> = [];
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number) => `${fmt(a / b, 2)}×`;
const loadRow = (result: Load) =>
  `${fmt(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms${result.non2xx ? `, ${result.non2xx} non-2xx` : ''}`;

console.log(
  `usermock bench: ${CONNECTIONS} connections, ${DURATION} s per load, ${ROUNDS} rounds${QUICK ? ', --quick' : ''}; node ${process.version}\n`,
);

const goal = (value: number, target: number) => `${fmt(value, 2)}× (goal ≥ ${target}×: ${value >= target ? 'met' : 'NOT met'})`;
const printTable = () => {
  const widths = [Math.max(...rows.map((row) => row.measure.length)), Math.max(...rows.map((row) => row.value.length)), 16, 9];
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(line(['measure', 'value', 'vs fastest peer', 'vs bare']));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line([row.measure, row.value, row.vsPeer ?? '', row.vsBare ?? '']));
};
const writeResults = (extra: Record<string, unknown>) =>
  writeFileSync(
    `${root}bench/results.json`,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        quick: QUICK,
        connections: CONNECTIONS,
        duration: DURATION,
        rounds: ROUNDS,
        rows,
        ...extra,
      },
      null,
      2,
    ),
  );

// 1. usermock serve against a bare node:http server sending the very same bytes (bench/same-bytes.ts),
// interleaved over the rounds; and `--store` creates beside them.
const GOALS: Record<string, number> = { read: 0.8, list: 0.8, create: 0.7 };
const sideRedis = await startRedis();
const side = await sameBytes({
  cli: CLI,
  apis: QUICK ? ['hoop'] : (['hoop', 'amani', 'haplo'] satisfies Api[]),
  duration: DURATION,
  rounds: ROUNDS,
  connections: CONNECTIONS,
  store: `${sideRedis.url}/3`,
});
await sideRedis.dispose();
const cpuNote = (ratio: number | undefined) => (ratio === undefined ? '' : `, CPU per answer ${fmt(ratio, 2)}× bare's`);
for (const [key, result] of Object.entries(side.workloads)) {
  const kind = key.split(' ')[1]!;
  rows.push({
    measure: `${key}: usermock serve vs the same ${fmt(result.bytes)}-byte answer from bare node:http`,
    value: `${fmt(median(result.usermock.map((l) => l.rps)))} vs ${fmt(median(result.bare.map((l) => l.rps)))} req/s${cpuNote(result.cpuRatio)}`,
    vsBare: goal(result.ratio, GOALS[kind]!),
  });
  if (result.store) {
    rows.push({
      measure: `${key}: usermock serve --store (one replica, Redis fsync always)`,
      value: `${fmt(median(result.store.map((l) => l.rps)))} req/s, ${fmt(result.storeVsMemory!, 2)}× in-memory`,
      vsBare: `${fmt(result.storeRatio!, 2)}×`,
    });
  }
}

// 2. The MSW path, in-process (bench/msw-inprocess.ts): usermock's handlers vs one hand-written handler.
const msw = JSON.parse(
  execFileSync(process.execPath, ['--import', 'tsx', 'bench/msw-inprocess.ts', DIST, String(DURATION), String(ROUNDS), '10'], {
    cwd: root,
    encoding: 'utf8',
  }),
) as Record<'read' | 'list', Record<'usermock' | 'hand', number[]>>;
const mswRatios = Object.fromEntries(
  Object.entries(msw).map(([workload, { usermock: mine, hand }]) => [workload, median(mine.map((rps, i) => rps / hand[i]!))]),
);
for (const [workload, { usermock: mine, hand }] of Object.entries(msw)) {
  rows.push({
    measure: `MSW in-process (setupServer + fetch), hoop ${workload}: usermock's handlers vs a hand-written http.get(…) returning the same JSON`,
    value: `${fmt(median(mine))} vs ${fmt(median(hand))} req/s`,
    vsBare: goal(mswRatios[workload]!, 1),
  });
}
if (QUICK) {
  printTable();
  writeResults({ sameBytes: side.workloads, msw: { runs: msw, ratios: mswRatios } });
  process.exit(0);
}

/** The three workloads on hoop's users, as a server with this credential and this user id answers them. */
function workloads(authorization: string, id: string): Record<Workload, autocannon.Request> {
  const headers = { authorization, 'content-type': 'application/json' };
  let counter = 0;
  return {
    read: { method: 'GET', path: `/api/users/${id}`, headers },
    list: { method: 'GET', path: '/api/users', headers },
    create: {
      method: 'POST',
      path: '/api/users',
      headers,
      setupRequest: (request: autocannon.Request) => ({
        ...request,
        body: JSON.stringify({ email: `bench-${++counter}@example.com`, name: 'Bench User', groups: ['bench'] }),
      }),
    },
  };
}
type Workload = 'read' | 'list' | 'create';
const WORKLOADS: Workload[] = ['read', 'list', 'create'];

// Throughput: every server up at once (an idle one costs nothing) and the loads interleaved over
// rounds, so that a slow moment of this shared machine falls on every server alike. Each figure is
// the median of its rounds; each ratio the median of the ratios within a round.
// The shared-sandbox shapes: one replica on a Redis store, and two workers on another database of it.
const redis = await startRedis();
const servers = {
  bare: await bare(),
  Prism: await prism(),
  Scalar: await scalar(),
  usermock: await usermock(),
  store: await usermock(['--store', `${redis.url}/1`]),
  workers: await usermock(['--store', `${redis.url}/2`, '--workers', '2']),
};
const idleRss = rssMb(servers.usermock.process.pid!);
const admin = await credentialsOf(servers.usermock.url);
const resetOf = (server: Server) => async () => void (await fetch(`${server.url}/__usermock/reset`, { method: 'POST' }));
const reset = resetOf(servers.usermock);
const STORED = ['store', 'workers'] as const;
const PEERS = ['Prism', 'Scalar'] as const;
// Any bearer token and any id will do for the peers.
const peerRequests = workloads('Bearer x', '3c90c3cc-0d44-4b50-8888-8dd25736052a');
const mine = workloads(admin, await aUserId(servers.usermock.url, admin));
/** A dashboard watching: one client on the event stream, reading every entry as the page would, until closed. */
let dashboard: AbortController | undefined;
async function openDashboard(): Promise<void> {
  await reset();
  dashboard = new AbortController();
  const stream = await fetch(`${servers.usermock.url}/__usermock/events`, { signal: dashboard.signal });
  const reader = stream.body!.getReader();
  void (async () => {
    for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return;
  })();
}
const closeDashboard = async () => dashboard?.abort();
const plan: Array<{ key: string; url: string; request: autocannon.Request; before?: () => Promise<void>; after?: () => Promise<void> }> = [
  { key: 'bare read', url: servers.bare.url, request: { method: 'GET', path: '/api/users/x' } },
  ...PEERS.flatMap((peer) =>
    WORKLOADS.map((workload) => ({ key: `${peer} ${workload}`, url: servers[peer].url, request: peerRequests[workload] })),
  ),
  // From the seeded state each time: the list stays the seeded 30 users.
  ...WORKLOADS.map((workload) => ({ key: `usermock ${workload}`, url: servers.usermock.url, request: mine[workload], before: reset })),
  { key: 'usermock read, dashboard open', url: servers.usermock.url, request: mine.read, before: openDashboard, after: closeDashboard },
  // The same seed gives the same credentials and users, so the in-memory mock's requests serve.
  ...STORED.flatMap((kind) =>
    (['read', 'create'] as const).map((workload) => ({
      key: `${kind} ${workload}`,
      url: servers[kind].url,
      request: mine[workload],
      before: resetOf(servers[kind]),
    })),
  ),
];
const rounds = new Map<string, Load[]>(plan.map((step) => [step.key, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const step of plan) {
    await step.before?.();
    rounds.get(step.key)!.push(await load(step.url, step.request));
    await step.after?.();
  }
}
const result = (key: string): Load => {
  const loads = rounds.get(key)!;
  return {
    rps: median(loads.map((l) => l.rps)),
    p50: median(loads.map((l) => l.p50)),
    p99: median(loads.map((l) => l.p99)),
    non2xx: loads.reduce((n, l) => n + l.non2xx, 0),
  };
};
const ratioOf = (key: string, baseline: string) => median(rounds.get(key)!.map((load, i) => load.rps / rounds.get(baseline)![i]!.rps));
/** The fastest peer for a workload (by median throughput). */
const fastestPeer = (workload: Workload) => [...PEERS].sort((a, b) => result(`${b} ${workload}`).rps - result(`${a} ${workload}`).rps)[0]!;

const checks: Record<string, { ms: number; code: number | null }> = {};
for (const api of ['hoop', 'amani', 'haplo']) {
  await reset();
  checks[api] = await wallTime(['check', api, '--base-url', servers.usermock.url, '--seed', '1']);
}
await Promise.all(Object.values(servers).map((server) => server.stop()));
await redis.dispose();
const bareRead = result('bare read');

// 100,000 users in the store (all three APIs), then 100,000 per API.
const store = await usermock(['--users', '33334']);
const storeRss = rssMb(store.process.pid!);
await store.stop();
const big = await usermock(['--users', '100000']);
const bigRss = rssMb(big.process.pid!);
const bigAdmin = await credentialsOf(big.url);
const bigRead = await load(big.url, {
  method: 'GET',
  path: `/api/users/${await aUserId(big.url, bigAdmin)}`,
  headers: { authorization: bigAdmin },
});
const bigFind = await load(
  big.url,
  { method: 'GET', path: '/api/users/usermock-nobody@example.com', headers: { authorization: bigAdmin } },
  2,
);
const haploAdmin = ((await (await fetch(`${big.url}/__usermock/credentials`)).json()) as { haplo: { admin: string } }).haplo.admin;
const bigTag = await load(
  big.url,
  { method: 'GET', path: '/api/v0-user/find-by-tag?tag:username=nobody', headers: { authorization: haploAdmin } },
  2,
);
await big.stop();

// 1,000 sessions (the default --max-sessions), each seeded by its first request, then freed by a reset.
const sessions = await usermock();
const beforeSessions = rssMb(sessions.process.pid!);
const seedingStarted = performance.now();
for (let i = 0; i < 1000; i++) await fetch(`${sessions.url}/__usermock/credentials`, { headers: { 'x-usermock-session': `bench-${i}` } });
const seedingMs = (performance.now() - seedingStarted) / 1000;
const sessionsRss = rssMb(sessions.process.pid!);
const refused = await fetch(`${sessions.url}/__usermock/credentials`, { headers: { 'x-usermock-session': 'one-too-many' } });
await fetch(`${sessions.url}/__usermock/reset`, { method: 'POST' });
// A few requests let the collector return what the reset freed, as it would in use.
for (let i = 0; i < 200; i++) await fetch(`${sessions.url}/__usermock/credentials`);
const afterResetRss = rssMb(sessions.process.pid!);
await sessions.stop();

// 30 new sessions under `--scenario large` (10,000 users per API), each reading a user, creating one
// and reading it back, against one such session; then 30 unauthenticated requests with new session
// names. In a process of its own, every figure after a full collection (--expose-gc).
interface Memory {
  rss: number;
  heap: number;
}
const NEW_SESSIONS = 30;
const largeSessions = JSON.parse(
  execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/session-memory.ts', String(NEW_SESSIONS)], {
    cwd: root,
    encoding: 'utf8',
  }),
) as { none: Memory; one: Memory; many: Memory; strangers: Memory; held: number };
const manyMoreThanOne = Math.max(largeSessions.many.rss - largeSessions.one.rss, largeSessions.many.heap - largeSessions.one.heap);

// A replica started against a store whose log holds 200,000 writes (creates across the three APIs,
// seeded by pipelined XADDs in the replicas' own format): the first replica replays them all (there
// is no snapshot yet) and then stores one; a replica joining after it loads that snapshot and the
// log's tail. Each from process start to its first 200 (a read waits until the replica has caught up).
const LOG_ENTRIES = Number(process.env.BENCH_LOG_ENTRIES ?? 200_000);
const logStore = await startRedis();
const seedingLogStarted = performance.now();
await seedLog(logStore.url, LOG_ENTRIES);
const logSeedingS = (performance.now() - seedingLogStarted) / 1000;
async function replicaStartup(): Promise<{ server: Server; seconds: number }> {
  const started = performance.now();
  const server = await usermock(['--store', logStore.url]);
  while ((await fetch(`${server.url}/__usermock/credentials`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
  return { server, seconds: (performance.now() - started) / 1000 };
}
const replaying = await replicaStartup();
const { Redis } = await import('ioredis');
const logClient = new Redis(logStore.url);
while (!(await logClient.exists('usermock:snapshot'))) await new Promise((resolve) => setTimeout(resolve, 100));
const snapshotMb = (await logClient.hstrlen('usermock:snapshot', 'state')) / 1e6;
const joining = await replicaStartup();
const logLeft = await logClient.xlen('usermock:log');
logClient.disconnect();
await Promise.all([replaying.server.stop(), joining.server.stop()]);
await logStore.dispose();

const mockStartup = await startupOf(() => usermock());
const prismStartup = await startupOf(prism);

rows.push(
  { measure: "read GET /api/users/{id}: bare node:http, one constant body (the peers' baseline)", value: loadRow(bareRead) },
  ...PEERS.flatMap((peer) =>
    WORKLOADS.map((workload) => ({
      measure: `${workload}: ${peer} (hoop spec)`,
      value: loadRow(result(`${peer} ${workload}`)),
      vsBare: ratio(ratioOf(`${peer} ${workload}`, 'bare read'), 1),
    })),
  ),
  ...WORKLOADS.map((workload) => ({
    measure: `${workload}: usermock serve`,
    value: loadRow(result(`usermock ${workload}`)),
    vsPeer: `${ratio(ratioOf(`usermock ${workload}`, `${fastestPeer(workload)} ${workload}`), 1)} ${fastestPeer(workload)}`,
    vsBare: ratio(ratioOf(`usermock ${workload}`, 'bare read'), 1),
  })),
  ...STORED.flatMap((kind) =>
    (['read', 'create'] as const).map((workload) => ({
      measure: `${workload}: usermock serve ${kind === 'store' ? '--store redis (one replica)' : '--store redis --workers 2'}`,
      value: loadRow(result(`${kind} ${workload}`)),
      vsPeer: `${ratio(ratioOf(`${kind} ${workload}`, `usermock ${workload}`), 1)} in-memory`,
      vsBare: ratio(ratioOf(`${kind} ${workload}`, 'bare read'), 1),
    })),
  ),
  {
    measure: 'read: usermock serve, one dashboard open (SSE)',
    value: loadRow(result('usermock read, dashboard open')),
    vsBare: ratio(ratioOf('usermock read, dashboard open', 'bare read'), 1),
  },
  { measure: 'read with 100,000 users per API', value: loadRow(bigRead), vsBare: ratio(bigRead.rps, bareRead.rps) },
  { measure: 'hoop miss (404) with 100,000 users per API', value: loadRow(bigFind), vsBare: ratio(bigFind.rps, bareRead.rps) },
  { measure: 'Haplo find-by-tag with 100,000 users per API', value: loadRow(bigTag), vsBare: ratio(bigTag.rps, bareRead.rps) },
  {
    measure: 'start-up, process → first answer: usermock',
    value: `${fmt(mockStartup)} ms`,
    vsPeer: `${ratio(prismStartup, mockStartup)} faster than Prism`,
  },
  { measure: 'start-up: Prism', value: `${fmt(prismStartup)} ms` },
  {
    measure: `start-up of a replica joining a ${fmt(LOG_ENTRIES)}-entry log (snapshot + tail) (goal < 5 s)`,
    value: `${fmt(joining.seconds, 2)} s (snapshot ${fmt(snapshotMb, 1)} MB, ${fmt(logLeft)} entries left in the log)`,
    vsPeer: `${ratio(replaying.seconds, joining.seconds)} faster than replaying`,
  },
  {
    measure: `start-up of the first replica on it: replays all ${fmt(LOG_ENTRIES)} entries, no snapshot yet`,
    value: `${fmt(replaying.seconds, 1)} s (the log seeded in ${fmt(logSeedingS, 1)} s)`,
  },
  {
    measure: 'start-up incl. seeding 3 × 100,000 users',
    value: `${fmt(big.startupMs)} ms (seeding ≈ ${fmt(big.startupMs - mockStartup)} ms)`,
  },
  { measure: 'RSS idle (30 users per API)', value: `${fmt(idleRss)} MB` },
  { measure: 'RSS with 100,000 users in the store (33,334 per API)', value: `${fmt(storeRss)} MB` },
  { measure: 'RSS with 100,000 users per API (300,000 in all)', value: `${fmt(bigRss)} MB` },
  { measure: 'RSS with 1,000 sessions (the default --max-sessions)', value: `${fmt(sessionsRss)} MB (${fmt(beforeSessions)} MB before)` },
  { measure: 'one more session past the limit', value: `${refused.status}` },
  { measure: 'RSS after POST /__usermock/reset', value: `${fmt(afterResetRss)} MB` },
  {
    measure: `RSS of ${NEW_SESSIONS} new sessions under \`large\` (10,000 users per API; each reads, creates, reads back)`,
    value:
      `${fmt(largeSessions.many.rss)} MB: +${fmt(largeSessions.many.rss - largeSessions.one.rss, 1)} MB RSS, ` +
      `+${fmt(largeSessions.many.heap - largeSessions.one.heap, 1)} MB heap over one session (${fmt(largeSessions.one.rss)} MB)`,
    vsPeer: `${ratio(largeSessions.many.rss, largeSessions.one.rss)} one session`,
  },
  {
    measure: 'one new session under `large` (reads, creates, reads back)',
    value:
      `+${fmt(largeSessions.one.rss - largeSessions.none.rss, 1)} MB RSS, ` +
      `+${fmt(largeSessions.one.heap - largeSessions.none.heap, 1)} MB heap over none`,
  },
  {
    measure: `${NEW_SESSIONS} unauthenticated requests with new session names under \`large\``,
    value:
      `+${fmt(largeSessions.strangers.rss - largeSessions.many.rss, 1)} MB RSS, ` +
      `+${fmt(largeSessions.strangers.heap - largeSessions.many.heap, 1)} MB heap, ` +
      `${largeSessions.held - (NEW_SESSIONS + 1)} sessions held for them`,
  },
  {
    measure: 'one session: seeding time and memory (30 users per API)',
    value: `${fmt(seedingMs, 1)} ms, ${fmt(((sessionsRss - beforeSessions) * 1024) / 1000)} KB`,
  },
  ...Object.entries(checks).map(([api, { ms, code }]) => ({
    measure: `usermock check ${api} against usermock serve (goal < 5 s)`,
    value: `${fmt(ms)} ms wall, exit ${code}`,
  })),
  {
    measure: `goal: ${NEW_SESSIONS} new sessions under \`large\` cost < 50 MB more than one`,
    value: `${fmt(manyMoreThanOne, 1)} MB (RSS or heap, the larger: ${manyMoreThanOne < 50 ? 'met' : 'NOT met'})`,
  },
  ...WORKLOADS.map((workload) => ({
    measure: `goal: ${workload} vs the fastest peer (${fastestPeer(workload)})`,
    value: goal(ratioOf(`usermock ${workload}`, `${fastestPeer(workload)} ${workload}`), 5),
  })),
  { measure: 'goal: read with --store vs in-memory', value: goal(ratioOf('store read', 'usermock read'), 0.7) },
  { measure: 'goal: create with --store vs in-memory', value: goal(ratioOf('store create', 'usermock create'), 0.2) },
  {
    measure: 'goal: read with one dashboard open (SSE) vs closed',
    value: goal(ratioOf('usermock read, dashboard open', 'usermock read'), 0.9),
  },
);

printTable();
writeResults({ sameBytes: side.workloads, msw: { runs: msw, ratios: mswRatios } });
