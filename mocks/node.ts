import { setupServer, type SetupServer } from 'msw/node';
import type { Mock, MockOptions } from './core/mock.ts';
import { createMock, type BuiltInApi } from './index.ts';
import { createHandlers, handlers, type HandlerOptions } from './msw.ts';

export * from './msw.ts';

/** An MSW server for Node tests, answering all three APIs from the shared `mock`. */
export const server: SetupServer = setupServer(...handlers);

/** A separate MSW server with its own mock (own seed, own state). */
export function createMockServer(
  options: MockOptions = {},
  handlerOptions: HandlerOptions = {},
): { server: SetupServer; mock: Mock<BuiltInApi> } {
  const mock = createMock(options);
  return { server: setupServer(...createHandlers(mock, handlerOptions)), mock };
}
