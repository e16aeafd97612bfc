import { createMock, DEFAULT_SEED, DEFAULT_USERS } from '../mocks/index.ts';
import { parseLatency } from '../mocks/core/prefer.ts';
import { createHttpServer, listen } from '../mocks/server.ts';
import { readStateFile, StateFileError, writeStateFile } from '../mocks/state-file.ts';

export interface ServeOptions {
  port: number;
  host: string;
  seed?: number;
  users?: number;
  stateFile?: string;
  latency?: string;
}

/** `usermock serve`: the mock over HTTP, with its URL, credentials and control endpoints printed. */
export async function serve(options: ServeOptions): Promise<void> {
  let snapshot;
  try {
    snapshot = options.stateFile ? await readStateFile(options.stateFile) : undefined;
  } catch (error) {
    if (!(error instanceof StateFileError)) throw error;
    console.error(`usermock: ${error.message}`);
    process.exit(2);
  }
  let latency;
  try {
    latency = options.latency === undefined ? undefined : parseLatency(options.latency);
  } catch (error) {
    console.error(`usermock: ${(error as Error).message}`);
    process.exit(2);
  }
  const stateFile = options.stateFile;
  const mock = createMock({
    seed: options.seed ?? DEFAULT_SEED,
    users: options.users ?? DEFAULT_USERS,
    latency,
    snapshot,
    persist: stateFile ? (state) => writeStateFile(stateFile, state) : undefined,
  });
  const server = createHttpServer(mock);
  let url: string;
  try {
    url = await listen(server, options.port, options.host);
  } catch (error) {
    console.error(`usermock: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
    process.exit(2);
  }
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
