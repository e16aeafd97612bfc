// `npm run bench`: usermock against its peers — Prism's and Scalar's mocks of the same spec — and
// a bare node:http server, measured in one run on one machine, printed as a table with ratios and
// the goals each ratio must meet. Every server runs in its own process; the load generator
// (autocannon) runs here.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = `${root}dist/cli.js`;

interface Server {
  url: string;
  startupMs: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a server process and measures process start → first HTTP answer on `probePath`. */
async function start(command: string, args: (port: number) => string[], probePath = '/'): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(command, args(port), { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (;;) {
    try {
      await fetch(url + probePath);
      break;
    } catch {
      if (child.exitCode !== null) throw new Error(`${command} ${args(port).join(' ')} exited early`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return {
    url,
    startupMs: performance.now() - started,
    process: child,
    stop: async () => {
      child.kill();
      await exited;
    },
  };
}

const node = (file: string, ...args: string[]) => [file, ...args];
const tsNode = (file: string, ...args: string[]) => ['--import', 'tsx', file, ...args];
const usermock = (extra: string[] = []) =>
  start(process.execPath, (port) => node(CLI, 'serve', '--port', String(port), ...extra), '/__usermock/credentials');
const prism = () =>
  start(
    `${root}node_modules/.bin/prism`,
    (port) => ['mock', '-h', '127.0.0.1', '-p', String(port), 'specs/hoop.openapi.yaml'],
    '/api/users',
  );
const scalar = () => start(process.execPath, (port) => tsNode('bench/scalar-server.ts', String(port)), '/api/users');
const bare = () => start(process.execPath, (port) => tsNode('bench/bare-server.ts', String(port)));
const mswServer = () => start(process.execPath, (port) => tsNode('bench/msw-server.ts', String(port)), '/__usermock/credentials');

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function load(url: string, request: autocannon.Request, duration = DURATION): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration, requests: [request] });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx + result.errors };
}

async function median(times: number, measure: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < times; i++) values.push(await measure());
  return values.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

async function startupOf(begin: () => Promise<Server>): Promise<number> {
  return median(3, async () => {
    const server = await begin();
    await server.stop();
    return server.startupMs;
  });
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

console.log(`usermock bench: ${CONNECTIONS} connections, ${DURATION} s per load; node ${process.version}\n`);

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

async function loads(url: string, requests: Record<Workload, autocannon.Request>): Promise<Record<Workload, Load>> {
  const results = {} as Record<Workload, Load>;
  for (const workload of WORKLOADS) results[workload] = await load(url, requests[workload]);
  return results;
}

// Ceiling.
const bareServer = await bare();
const bareRead = await load(bareServer.url, { method: 'GET', path: '/api/users/x' });
await bareServer.stop();

// The peers, on the same spec: any bearer token and any id will do for them.
const peers: Record<string, Record<Workload, Load>> = {};
for (const [name, begin] of [
  ['Prism', prism],
  ['Scalar', scalar],
] as const) {
  const server = await begin();
  peers[name] = await loads(server.url, workloads('Bearer x', '3c90c3cc-0d44-4b50-8888-8dd25736052a'));
  await server.stop();
}
/** The fastest peer's figure for a workload, and its name. */
const fastestPeer = (workload: Workload) =>
  Object.entries(peers)
    .map(([name, results]) => ({ name, rps: results[workload].rps }))
    .sort((a, b) => b.rps - a.rps)[0]!;

// usermock serve.
const mock = await usermock();
const idleRss = rssMb(mock.process.pid!);
const admin = await credentialsOf(mock.url);
const mine = await loads(mock.url, workloads(admin, await aUserId(mock.url, admin)));
const read = mine.read;
const checks: Record<string, { ms: number; code: number | null }> = {};
for (const api of ['hoop', 'amani', 'haplo']) {
  await fetch(`${mock.url}/__usermock/reset`, { method: 'POST' });
  checks[api] = await wallTime(['check', api, '--base-url', mock.url, '--seed', '1']);
}
await mock.stop();

// The MSW path (getResponse) on node:http.
const msw = await mswServer();
const mswAdmin = await credentialsOf(msw.url);
const mswRead = await load(msw.url, {
  method: 'GET',
  path: `/api/users/${await aUserId(msw.url, mswAdmin)}`,
  headers: { authorization: mswAdmin },
});
await msw.stop();

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

const mockStartup = await startupOf(() => usermock());
const prismStartup = await startupOf(prism);

const goal = (value: number, target: number) => `${fmt(value, 2)}× (goal ≥ ${target}×: ${value >= target ? 'met' : 'NOT met'})`;
rows.push(
  { measure: 'read GET /api/users/{id}: bare node:http', value: loadRow(bareRead) },
  ...Object.entries(peers).flatMap(([name, results]) =>
    WORKLOADS.map((workload) => ({
      measure: `${workload}: ${name} (hoop spec)`,
      value: loadRow(results[workload]),
      vsBare: ratio(results[workload].rps, bareRead.rps),
    })),
  ),
  ...WORKLOADS.map((workload) => ({
    measure: `${workload}: usermock serve`,
    value: loadRow(mine[workload]),
    vsPeer: `${ratio(mine[workload].rps, fastestPeer(workload).rps)} ${fastestPeer(workload).name}`,
    vsBare: ratio(mine[workload].rps, bareRead.rps),
  })),
  { measure: 'read: usermock via MSW getResponse', value: loadRow(mswRead), vsBare: ratio(mswRead.rps, bareRead.rps) },
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
    measure: 'start-up incl. seeding 3 × 100,000 users',
    value: `${fmt(big.startupMs)} ms (seeding ≈ ${fmt(big.startupMs - mockStartup)} ms)`,
  },
  { measure: 'RSS idle (30 users per API)', value: `${fmt(idleRss)} MB` },
  { measure: 'RSS with 100,000 users in the store (33,334 per API)', value: `${fmt(storeRss)} MB` },
  { measure: 'RSS with 100,000 users per API (300,000 in all)', value: `${fmt(bigRss)} MB` },
  ...Object.entries(checks).map(([api, { ms, code }]) => ({
    measure: `usermock check ${api} against usermock serve (goal < 5 s)`,
    value: `${fmt(ms)} ms wall, exit ${code}`,
  })),
  { measure: 'goal: read vs bare node:http', value: goal(read.rps / bareRead.rps, 0.8) },
  ...WORKLOADS.map((workload) => ({
    measure: `goal: ${workload} vs the fastest peer (${fastestPeer(workload).name})`,
    value: goal(mine[workload].rps / fastestPeer(workload).rps, 5),
  })),
  { measure: 'goal: MSW path vs direct HTTP (read)', value: goal(mswRead.rps / read.rps, 0.3) },
);

const widths = [Math.max(...rows.map((row) => row.measure.length)), Math.max(...rows.map((row) => row.value.length)), 16, 9];
const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
console.log(line(['measure', 'value', 'vs fastest peer', 'vs bare']));
console.log(widths.map((width) => '-'.repeat(width)).join('  '));
for (const row of rows) console.log(line([row.measure, row.value, row.vsPeer ?? '', row.vsBare ?? '']));
writeFileSync(
  `${root}bench/results.json`,
  JSON.stringify({ date: new Date().toISOString(), node: process.version, connections: CONNECTIONS, duration: DURATION, rows }, null, 2),
);
