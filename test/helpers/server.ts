import { API_MODULES, Mock, type ApiModule, type MockOptions } from '../../mocks/index.ts';
import { createHttpServer, listen } from '../../mocks/server.ts';

export interface RunningMock {
  url: string;
  mock: Mock;
  close(): Promise<void>;
}

/** Serves a fresh mock (of the given API modules, all three by default) on an ephemeral loopback port. */
export async function startMock(options: MockOptions = {}, modules: readonly ApiModule[] = API_MODULES): Promise<RunningMock> {
  const mock = new Mock(modules, options);
  const server = createHttpServer(mock);
  const url = await listen(server, 0, '127.0.0.1');
  return {
    url,
    mock,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
