import cluster from 'node:cluster';
import { isIP } from 'node:net';
import { API_MODULES, DEFAULT_SEED, DEFAULT_USERS, Mock, type JournalEntry } from '../mocks/index.ts';
import { parseLatency } from '../mocks/core/prefer.ts';
import { createHttpServer, listen } from '../mocks/server.ts';
import { originOf, type ControlPlaneOptions } from '../mocks/control-plane.ts';
import { loadPlugins } from './plugins.ts';
import { loadScenario } from './scenario.ts';
import { assertStateFileWritable, readStateFile, removeLeftoverTemporaries, writeStateFile } from '../mocks/state-file.ts';
import { EXIT_CODES, StateWrites, stopOnSignals } from './shutdown.ts';
import { connect, join, shown } from '../mocks/replica/log.ts';
import { Replica } from '../mocks/replica/replica.ts';

export interface ServeOptions {
  port: number;
  host: string;
  seed?: number;
  users?: number;
  stateFile?: string;
  latency?: string;
  apis?: string;
  maxSessions: number;
  maxUsers: number;
  maxOverrides: number;
  scenario?: string;
  quiet?: boolean;
  store?: string;
  workers: number;
  allowedHosts: string[];
  corsOrigin: string[];
  controlToken?: string;
}

/** `usermock serve`: the mock over HTTP, with its URL, credentials and control endpoints printed. */
export async function serve(options: ServeOptions): Promise<void> {
  if (options.workers > 1 && !options.store) {
    usageError(
      `--workers ${options.workers} needs --store redis://HOST:PORT[/DB]: each worker is a process of its own, and only a shared store makes them one mock`,
    );
  }
  if (options.store && options.stateFile) usageError('--store and --state-file cannot go together: the state is in the store');
  const controlPlane = controlPlaneOf(options);
  if (options.workers > 1 && cluster.isPrimary) return runWorkers(options.workers);
  const plugins = await orExit(() => loadPlugins(options.apis));
  const modules = [...API_MODULES, ...plugins.flatMap((plugin) => plugin.mock ?? [])];
  // Checked by every API it holds a state of, the --apis ones too.
  const snapshot = await orExit(() => (options.stateFile ? readStateFile(options.stateFile, modules) : undefined));
  if (options.stateFile) {
    // A folder that is missing or read-only would otherwise answer every write with a 500.
    await orExit(() => assertStateFileWritable(options.stateFile!));
    for (const file of await removeLeftoverTemporaries(options.stateFile)) {
      console.warn(`usermock: removed ${file}, a write a stopped usermock left unfinished (the state file itself is whole)`);
    }
  }
  const latency = await orExit(() => (options.latency === undefined ? undefined : parseLatency(options.latency)));
  const scenario = await orExit(() => (options.scenario === undefined ? undefined : loadScenario(options.scenario, modules)));
  const users = scenario?.users ?? options.users ?? DEFAULT_USERS;
  if (users > options.maxUsers)
    usageError(
      `${scenario?.users === undefined ? '--users' : 'the scenario’s users:'} ${users} is more than --max-users ${options.maxUsers} allows`,
    );
  const stateFile = options.stateFile;
  const writes = stateFile ? new StateWrites((state) => writeStateFile(stateFile, state)) : undefined;
  const mock = await orExit(() => {
    const made = new Mock(modules, {
      seed: options.seed ?? DEFAULT_SEED,
      users,
      latency,
      // A replica waits delays when it answers, never while the shared log is applied.
      deferDelays: options.store !== undefined,
      maxSessions: options.maxSessions,
      maxUsers: options.maxUsers,
      maxOverrides: options.maxOverrides,
      snapshot,
      scenario,
      persist: writes?.persist,
    });
    made.world(); // a scenario's users are created now: one the vendor refuses is a usage error, not a 500 later
    return made;
  });
  if (!options.quiet) mock.journal.subscribe(logViolations);
  const replica = options.store ? await orExit(() => replicaOf(mock, options.store!, options.scenario)) : undefined;
  const server = createHttpServer(replica ?? mock, controlPlane);
  const url = await listen(server, options.port, options.host).catch((error: Error) =>
    usageError(`cannot listen on ${options.host}:${options.port}: ${error.message}`),
  );
  stopOnSignals(server, writes, replica);
  // Workers after the first say nothing: the first one's banner is the mock's.
  if (cluster.isWorker && cluster.worker!.id > 1) return;
  if (!isLoopback(options.host) && options.controlToken === undefined) {
    console.warn(
      `usermock: warning: --host ${options.host} serves beyond this machine, the control endpoints too: anyone who can reach ${url} ` +
        `can read every credential (GET /__usermock/credentials), reset the state (POST /__usermock/reset), plant overrides and watch the requests (the dashboard). ` +
        `Protect them with --control-token <token> (or USERMOCK_CONTROL_TOKEN=<token>).`,
    );
  }
  const token = options.controlToken === undefined ? '' : `?token=${encodeURIComponent(options.controlToken)}`;
  const apis = mock.apis.map((api) => api.name).join(', ');
  const where = [
    usersShown(mock, scenario !== undefined),
    ...(stateFile ? [`state in ${stateFile}`] : []),
    ...(options.store ? [`store ${shown(options.store)}`] : []),
    ...(options.workers > 1 ? [`${options.workers} workers`] : []),
    ...(options.scenario ? [`scenario ${options.scenario}`] : []),
  ].join(', ');
  console.log(
    [
      `usermock serving ${apis} at ${url}  (seed ${mock.seed}, ${where})`,
      '',
      ...mock.banner(url).map((line) => `  ${line}`),
      '',
      `  control: GET ${url}/__usermock/credentials · POST ${url}/__usermock/reset · GET ${url}/__usermock/state · GET ${url}/__usermock/requests`,
      ...(token ? ['  control endpoints need "Authorization: Bearer <the control token>" (or the x-usermock-control-token header)'] : []),
      `  per-test isolation: send the header "x-usermock-session: <name>"`,
      `  dashboard: ${url}/__usermock/${token}`,
      ...(scenario?.description ? [`  scenario: ${scenario.description}`] : []),
    ].join('\n'),
  );
}

/**
 * Who may drive the control endpoints besides the owner: the `--host` name (a name usermock is
 * asked to listen as is one its users reach it by), `--allowed-hosts`, `--cors-origin`, the token.
 */
function controlPlaneOf(options: ServeOptions): ControlPlaneOptions {
  if (options.controlToken === '') usageError('--control-token (or USERMOCK_CONTROL_TOKEN) is empty: give the token, or leave it out');
  const corsOrigins = options.corsOrigin.map((origin) => {
    try {
      return originOf(origin);
    } catch {
      return usageError(`--cors-origin ${origin} is not an origin: give one as a browser sends it, e.g. http://app.example:3000`);
    }
  });
  const everyHost = options.allowedHosts.some((host) => host === 'all' || host === 'true');
  const allowedHosts = everyHost || [...options.allowedHosts, ...(isIP(options.host) === 0 ? [options.host] : [])];
  return { allowedHosts, corsOrigins, controlToken: options.controlToken };
}

/** Whether an address to listen on keeps the mock on this machine. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * How many users each API starts with: `--users` as asked, or — with a scenario, or fewer users
 * than the two the credentials belong to, who are always there — as each API holds them.
 */
function usersShown(mock: Mock, scenario: boolean): string {
  if (!scenario && mock.users >= 2) return `${mock.users} users per API`;
  const held = Object.entries(mock.limits().users.used.default ?? {}).map(([api, kinds]) => {
    const [kind, count] = Object.entries(kinds)[0]!;
    return `${api} ${count} ${kind}`;
  });
  return `starting with ${held.join(', ')}`;
}

/** A replica of the mock the store holds (joined, or made by this first replica), or a usage error saying why not. */
async function replicaOf(mock: Mock, url: string, scenario: string | undefined): Promise<Replica> {
  const { commands, tail } = await connect(url);
  const config = { seed: mock.seed, users: mock.users, apis: mock.apis.map((api) => api.name), scenario: scenario ?? null };
  await join(commands, config, url).catch((error: Error) => {
    commands.disconnect();
    tail.disconnect();
    throw error;
  });
  // USERMOCK_SNAPSHOT_EVERY: entries between snapshots of the state in the store (10,000 by default).
  const snapshotEvery = Number(process.env.USERMOCK_SNAPSHOT_EVERY) || undefined;
  return new Replica(mock, { commands, tail, url: shown(url), config: JSON.stringify(config), snapshotEvery });
}

/**
 * `--workers N`: N processes on one port (node:cluster shares it), each a replica of the store's
 * mock. One that dies is started again; SIGINT and SIGTERM go to every worker, and the primary
 * exits once they have.
 */
function runWorkers(count: number): void {
  let stopping = false;
  const fork = (): void => {
    cluster.fork().once('exit', (code) => {
      if (stopping) return;
      console.error(`usermock: a worker exited (${code}); starting another`);
      fork();
    });
  };
  for (let i = 0; i < count; i++) fork();
  const stop = (signal: keyof typeof EXIT_CODES) => {
    if (stopping) process.exit(EXIT_CODES[signal]);
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    let left = workers.length;
    for (const worker of workers) {
      worker!.once('exit', () => --left === 0 && process.exit(EXIT_CODES[signal]));
      worker!.process.kill(signal);
    }
  };
  process.on('SIGINT', () => stop('SIGINT')).on('SIGTERM', () => stop('SIGTERM'));
}

/** One line per request that broke its API's spec (`--quiet` turns them off): the mock answered it as the vendor does. */
function logViolations(entry: Omit<JournalEntry, 'time'>): void {
  if (!entry.violations) return;
  const session = entry.session === 'default' ? '' : ` [${entry.session}]`;
  console.warn(
    `usermock: ${entry.method} ${entry.path} → ${entry.status}${session}: breaks ${entry.api}'s spec: ${entry.violations.join('; ')}`,
  );
}

/** What `make` gives, or — for a bad option, state file or `--apis` file — its message and exit 2. */
async function orExit<T>(make: () => T | Promise<T>): Promise<T> {
  try {
    return await make();
  } catch (error) {
    usageError((error as Error).message);
  }
}

function usageError(message: string): never {
  console.error(`usermock: ${message}`);
  process.exit(2);
}
