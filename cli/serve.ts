import { API_MODULES, DEFAULT_SEED, DEFAULT_USERS, Mock } from '../mocks/index.ts';
import { parseLatency } from '../mocks/core/prefer.ts';
import { createHttpServer, listen } from '../mocks/server.ts';
import { loadPlugins } from './plugins.ts';
import { readStateFile, writeStateFile } from '../mocks/state-file.ts';

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
}

/** `usermock serve`: the mock over HTTP, with its URL, credentials and control endpoints printed. */
export async function serve(options: ServeOptions): Promise<void> {
  const snapshot = await orExit(() => (options.stateFile ? readStateFile(options.stateFile) : undefined));
  const latency = await orExit(() => (options.latency === undefined ? undefined : parseLatency(options.latency)));
  const plugins = await orExit(() => loadPlugins(options.apis));
  const users = options.users ?? DEFAULT_USERS;
  if (users > options.maxUsers) usageError(`--users ${users} is more than --max-users ${options.maxUsers} allows`);
  const stateFile = options.stateFile;
  const mock = await orExit(
    () =>
      new Mock([...API_MODULES, ...plugins.flatMap((plugin) => plugin.mock ?? [])], {
        seed: options.seed ?? DEFAULT_SEED,
        users,
        latency,
        maxSessions: options.maxSessions,
        maxUsers: options.maxUsers,
        snapshot,
        persist: stateFile ? (state) => writeStateFile(stateFile, state) : undefined,
      }),
  );
  const server = createHttpServer(mock);
  const url = await listen(server, options.port, options.host).catch((error: Error) =>
    usageError(`cannot listen on ${options.host}:${options.port}: ${error.message}`),
  );
  const apis = mock.apis.map((api) => api.name).join(', ');
  const where = `${mock.users} users per API${stateFile ? `, state in ${stateFile}` : ''}`;
  console.log(
    [
      `usermock serving ${apis} at ${url}  (seed ${mock.seed}, ${where})`,
      '',
      ...mock.banner(url).map((line) => `  ${line}`),
      '',
      `  control: GET ${url}/__usermock/credentials · POST ${url}/__usermock/reset · GET ${url}/__usermock/state · GET ${url}/__usermock/requests`,
      `  per-test isolation: send the header "x-usermock-session: <name>"`,
    ].join('\n'),
  );
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
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
