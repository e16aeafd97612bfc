import { SEEDED_PASSWORD } from '../mocks/apis/amani.ts';
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
  const credentials = mock.credentials();
  console.log(`usermock serving hoop, Amani and Haplo at ${url}  (seed ${mock.seed}, ${mock.users} users per API${stateFile ? `, state in ${stateFile}` : ''})

  hoop   ${url}/api/users, /api/userinfo, /api/users/groups
         admin (group admin)              Authorization: ${credentials.hoop.admin}
         standard                         Authorization: ${credentials.hoop.standard}
  Amani  ${url}/api/v2/user, /api/v2/group  (log in as any seeded user with password ${SEEDED_PASSWORD})
         admin (Company Admin)            Authorization: ${credentials.amani.admin}
         standard                         Authorization: ${credentials.amani.standard}
  Haplo  ${url}/api/v0-user/...
         admin (in the API group)         Authorization: ${credentials.haplo.admin}
         standard (not in the API group)  Authorization: ${credentials.haplo.standard}

  control: GET ${url}/__usermock/credentials · POST ${url}/__usermock/reset · GET ${url}/__usermock/state · GET ${url}/__usermock/requests
  per-test isolation: send the header "x-usermock-session: <name>"`);
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
