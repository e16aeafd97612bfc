import { API_MODULES, Mock, type ApiModule, type BuiltInApi, type MockOptions } from '../../mocks/index.ts';
import { createHttpServer, listen } from '../../mocks/server.ts';

export interface RunningMock<M extends ApiModule = BuiltInApi> {
  url: string;
  mock: Mock<M>;
  close(): Promise<void>;
}

/** Serves a fresh mock (of the given API modules, all three by default) on an ephemeral loopback port. */
export async function startMock<M extends ApiModule = BuiltInApi>(
  options: MockOptions = {},
  modules: readonly M[] = API_MODULES as readonly ApiModule[] as readonly M[],
): Promise<RunningMock<M>> {
  const mock = new Mock<M>(modules, options);
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
