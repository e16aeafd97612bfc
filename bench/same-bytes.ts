// usermock against the physical limit for a mock: a bare node:http server sending the very same
// bytes (`bench/bare-server.ts`). For each workload, usermock's answer is captured first (status,
// headers in order, body); the bare server then answers that request with those bytes and does
// nothing else. Both run in processes of their own, and their loads alternate within every round
// (the order flipping each round), so a slow moment of this shared machine falls on both alike;
// each ratio is the median of the per-round ratios. Creates run in a session of their own
// (`x-usermock-session`), reset before every load, so the list keeps its size; the bare server
// answers the captured 201. With `store`, `usermock serve --store` (one replica on a Redis of its
// own) is measured beside them.
import { request as httpRequest } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import type { Captured } from './bare-server.ts';
import { load, median, start, type Load, type Server } from './harness.ts';

export type Api = 'hoop' | 'amani' | 'haplo';
export type Kind = 'read' | 'list' | 'create';

export interface SameBytesOptions {
  /** The built CLI (`dist/cli.js`) `usermock serve` runs from. */
  cli: string;
  apis: readonly Api[];
  duration: number;
  rounds: number;
  connections: number;
  /** Also `usermock serve --store` on this Redis URL (a database of its own). */
  store?: string;
  log?: (line: string) => void;
}

export interface Workload {
  api: Api;
  kind: Kind;
  request: autocannon.Request;
}

export interface SameBytesResult {
  /** Per workload (`hoop read`): each server's req/s per round and the median ratio to bare. */
  workloads: Record<
    string,
    {
      usermock: Load[];
      bare: Load[];
      ratio: number;
      /** Bare CPU µs per answer ÷ usermock's (Linux). */
      cpuRatio?: number;
      bytes: number;
      store?: Load[];
      storeRatio?: number;
      storeVsMemory?: number;
    }
  >;
}

/** The session creates run in: reset before every load, so the default session's list keeps its size. */
export const CREATE_SESSION = 'bench-create';

const usermockServer = (cli: string, extra: string[] = []) =>
  start(process.execPath, (port) => [cli, 'serve', '--port', String(port), '--quiet', ...extra], '/__usermock/credentials');

/** One request, its answer as bytes: the status, every header in order, the body. */
export function capture(url: string, request: autocannon.Request, body?: string): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const target = new URL(request.path!, url);
    const outgoing = httpRequest(target, { method: request.method, headers: request.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        // Node writes these three itself, for usermock and the bare server alike.
        const own = new Set(['date', 'connection', 'keep-alive']);
        const headers: string[] = [];
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          if (!own.has(response.rawHeaders[i]!.toLowerCase())) headers.push(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
        }
        resolve({
          method: request.method!,
          url: request.path!,
          status: response.statusCode!,
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

/** Resets the create session on a server (its state and overrides; the default session untouched). */
export const resetCreates = async (url: string) =>
  void (await fetch(`${url}/__usermock/reset`, { method: 'POST', headers: { 'x-usermock-session': CREATE_SESSION } }));

/** The workloads of each API, as usermock at `url` (seeded) answers them: ids and credentials read from it. */
export async function workloadsOf(url: string, apis: readonly Api[]): Promise<Workload[]> {
  const credentials = await getJson<Record<Api, { admin: string }>>(`${url}/__usermock/credentials`);
  const records = await getJson<{
    hoop: { users: Array<{ id: string }> };
    haplo: { principals: Array<{ id: number; isGroup: boolean; isActive: boolean; code: string | null }> };
  }>(`${url}/__usermock/records`);
  const json = (api: Api) => ({ authorization: credentials[api].admin, 'content-type': 'application/json' });
  const creating = (api: Api) => ({ ...json(api), 'x-usermock-session': CREATE_SESSION });
  /** A create whose body is new for every request (unique emails), as `setupRequest` makes it. */
  const create = (api: Api, path: string, body: (n: number) => object): autocannon.Request => {
    let counter = 0;
    return {
      method: 'POST',
      path,
      headers: creating(api),
      body: JSON.stringify(body(0)),
      setupRequest: (request: autocannon.Request) => ({ ...request, body: JSON.stringify(body(++counter)) }),
    };
  };
  const haploUser = records.haplo.principals.find((p) => !p.isGroup && p.isActive)!;
  const haploGroup = records.haplo.principals.find((p) => p.isGroup && p.code)!;
  const all: Workload[] = [
    { api: 'hoop', kind: 'read', request: { method: 'GET', path: `/api/users/${records.hoop.users[1]!.id}`, headers: json('hoop') } },
    { api: 'hoop', kind: 'list', request: { method: 'GET', path: '/api/users', headers: json('hoop') } },
    {
      api: 'hoop',
      kind: 'create',
      request: create('hoop', '/api/users', (n) => ({ email: `bench-${n}@example.com`, name: 'Bench User', groups: ['bench'] })),
    },
    { api: 'amani', kind: 'list', request: { method: 'GET', path: '/api/v2/group', headers: json('amani') } },
    {
      api: 'amani',
      kind: 'create',
      request: create('amani', '/api/v2/user', (n) => ({
        email: `bench-${n}@example.com`,
        password: 'usermock-password',
        first_name: 'Bench',
        last_name: 'User',
        phone: '+905321234567',
      })),
    },
    { api: 'haplo', kind: 'read', request: { method: 'GET', path: `/api/v0-user/id/${haploUser.id}`, headers: json('haplo') } },
    {
      api: 'haplo',
      kind: 'list',
      request: { method: 'GET', path: `/api/v0-user/group/${encodeURIComponent(haploGroup.code!)}`, headers: json('haplo') },
    },
    {
      api: 'haplo',
      kind: 'create',
      request: create('haplo', '/api/v0-user/create', (n) => ({ nameFirst: 'Bench', nameLast: 'User', email: `bench-${n}@example.ac.uk` })),
    },
  ];
  return all.filter((workload) => apis.includes(workload.api));
}

export async function sameBytes(options: SameBytesOptions): Promise<SameBytesResult> {
  const log = options.log ?? (() => undefined);
  const usermock = await usermockServer(options.cli);
  const servers: Server[] = [usermock];
  try {
    const workloads = await workloadsOf(usermock.url, options.apis);
    // usermock's answers, captured: the bare server sends exactly these.
    const captured: Captured[] = [];
    for (const { request } of workloads) {
      const answer = await capture(usermock.url, request, request.body as string | undefined);
      if (answer.status >= 300) throw new Error(`${request.method} ${request.path}: usermock answered ${answer.status}: ${answer.body}`);
      captured.push(answer);
      await resetCreates(usermock.url);
    }
    const file = join(mkdtempSync(join(tmpdir(), 'usermock-bench-')), 'answers.json');
    writeFileSync(file, JSON.stringify(captured));
    const bare = await start(process.execPath, (port) => ['--import', 'tsx', 'bench/bare-server.ts', String(port), file]);
    servers.push(bare);
    const stored = options.store ? await usermockServer(options.cli, ['--store', options.store]) : undefined;
    if (stored) servers.push(stored);
    // The same bytes, checked: the bare server's answer to each request is usermock's (but a create's id and email).
    for (const [i, { request, kind }] of workloads.entries()) {
      const again = await capture(bare.url, request, request.body as string | undefined);
      if (kind !== 'create' && JSON.stringify(again) !== JSON.stringify(captured[i]))
        throw new Error(`bare answer differs for ${request.path}`);
    }

    type Step = {
      key: string;
      server: 'usermock' | 'bare' | 'store';
      url: string;
      pid: number;
      request: autocannon.Request;
      before?: () => Promise<void>;
    };
    const pairs: Step[][] = workloads.map(({ api, kind, request }) => {
      const key = `${api} ${kind}`;
      const before = kind === 'create' ? (url: string) => () => resetCreates(url) : () => undefined;
      const steps: Step[] = [
        { key, server: 'usermock', url: usermock.url, pid: usermock.process.pid!, request, before: before(usermock.url) },
        { key, server: 'bare', url: bare.url, pid: bare.process.pid!, request },
      ];
      // With a store: its creates (its reads are answered from memory under a lease).
      if (stored && kind === 'create')
        steps.push({ key, server: 'store', url: stored.url, pid: stored.process.pid!, request, before: before(stored.url) });
      return steps;
    });
    const results = new Map<string, Record<Step['server'], Load[]>>(
      workloads.map(({ api, kind }) => [`${api} ${kind}`, { usermock: [], bare: [], store: [] }]),
    );
    const run = async (step: Step, duration: number) => {
      await step.before?.();
      return load(step.url, step.request, duration, options.connections, step.pid);
    };
    // A short warm-up of every step: the first load of a server also pays for its JIT.
    for (const step of pairs.flat()) await run(step, Math.min(1, options.duration));
    for (let round = 0; round < options.rounds; round++) {
      for (const steps of pairs) {
        for (const step of round % 2 === 0 ? steps : [...steps].reverse()) {
          const result = await run(step, options.duration);
          results.get(step.key)![step.server].push(result);
          log(
            `round ${round + 1} ${step.key} ${step.server}: ${Math.round(result.rps)} req/s, ${result.cpuUs?.toFixed(1) ?? '?'} µs CPU each${result.non2xx ? `, ${result.non2xx} non-2xx` : ''}`,
          );
        }
      }
    }
    const ratio = (a: Load[], b: Load[]) => median(a.map((load, i) => load.rps / b[i]!.rps));
    /** The bare server's CPU time per answer over usermock's: what the throughput ratio would be were the server all that is busy. */
    const cpuRatio = (a: Load[], b: Load[]) =>
      a.every((load) => load.cpuUs) ? median(a.map((load, i) => b[i]!.cpuUs! / load.cpuUs!)) : undefined;
    return {
      workloads: Object.fromEntries(
        workloads.map(({ api, kind }, i) => {
          const { usermock: mine, bare: theirs, store } = results.get(`${api} ${kind}`)!;
          return [
            `${api} ${kind}`,
            {
              usermock: mine,
              bare: theirs,
              ratio: ratio(mine, theirs),
              cpuRatio: cpuRatio(mine, theirs),
              bytes: Buffer.byteLength(captured[i]!.body),
              ...(store.length ? { store, storeRatio: ratio(store, theirs), storeVsMemory: ratio(store, mine) } : {}),
            },
          ];
        }),
      ),
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
