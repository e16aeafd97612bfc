import { API_MODULES, DEFAULT_SEED, DEFAULT_USERS, Mock, type JournalEntry } from '../mocks/index.ts';
import { parseLatency } from '../mocks/core/prefer.ts';
import { createHttpServer, listen } from '../mocks/server.ts';
import { loadPlugins } from './plugins.ts';
import { loadScenario } from './scenario.ts';
import { assertStateFileWritable, readStateFile, writeStateFile } from '../mocks/state-file.ts';
import { StateWrites, stopOnSignals } from './shutdown.ts';

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
}

/** `usermock serve`: the mock over HTTP, with its URL, credentials and control endpoints printed. */
export async function serve(options: ServeOptions): Promise<void> {
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
  const server = createHttpServer(mock);
  const url = await listen(server, options.port, options.host).catch((error: Error) =>
    usageError(`cannot listen on ${options.host}:${options.port}: ${error.message}`),
  );
  stopOnSignals(server, writes);
  const apis = mock.apis.map((api) => api.name).join(', ');
  const where = `${mock.users} users per API${stateFile ? `, state in ${stateFile}` : ''}${options.scenario ? `, scenario ${options.scenario}` : ''}`;
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
