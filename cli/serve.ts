import cluster from 'node:cluster';
import { API_MODULES, DEFAULT_SEED, DEFAULT_USERS, Mock, type JournalEntry } from '../mocks/index.ts';
import { parseLatency } from '../mocks/core/prefer.ts';
import { createHttpServer, listen } from '../mocks/server.ts';
import { loadPlugins } from './plugins.ts';
import { loadScenario } from './scenario.ts';
import { assertStateFileWritable, readStateFile, writeStateFile } from '../mocks/state-file.ts';
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
  scenario?: string;
  quiet?: boolean;
  store?: string;
  workers: number;
}

/** `usermock serve`: the mock over HTTP, with its URL, credentials and control endpoints printed. */
export async function serve(options: ServeOptions): Promise<void> {
  if (options.workers > 1 && !options.store) {
    usageError(
      `--workers ${options.workers} needs --store redis://HOST:PORT[/DB]: each worker is a process of its own, and only a shared store makes them one mock`,
    );
  }
  if (options.store && options.stateFile) usageError('--store and --state-file cannot go together: the state is in the store');
  if (options.workers > 1 && cluster.isPrimary) return runWorkers(options.workers);
  const snapshot = await orExit(() => (options.stateFile ? readStateFile(options.stateFile) : undefined));
  // A folder that is missing or read-only would otherwise answer every write with a 500.
  if (options.stateFile) await orExit(() => assertStateFileWritable(options.stateFile!));
  const latency = await orExit(() => (options.latency === undefined ? undefined : parseLatency(options.latency)));
  const plugins = await orExit(() => loadPlugins(options.apis));
  const modules = [...API_MODULES, ...plugins.flatMap((plugin) => plugin.mock ?? [])];
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
      snapshot,
      scenario,
      persist: writes?.persist,
    });
    made.world(); // a scenario's users are created now: one the vendor refuses is a usage error, not a 500 later
    return made;
  });
  if (!options.quiet) mock.journal.subscribe(logViolations);
  const replica = options.store ? await orExit(() => replicaOf(mock, options.store!, options.scenario)) : undefined;
  const server = createHttpServer(replica ?? mock);
  const url = await listen(server, options.port, options.host).catch((error: Error) =>
    usageError(`cannot listen on ${options.host}:${options.port}: ${error.message}`),
  );
  stopOnSignals(server, writes, replica);
  // Workers after the first say nothing: the first one's banner is the mock's.
  if (cluster.isWorker && cluster.worker!.id > 1) return;
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
      `  per-test isolation: send the header "x-usermock-session: <name>"`,
      `  dashboard: ${url}/__usermock/`,
      ...(scenario?.description ? [`  scenario: ${scenario.description}`] : []),
    ].join('\n'),
  );
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
  return new Replica(mock, { commands, tail, url: shown(url) });
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
