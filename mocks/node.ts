import { setupServer, type SetupServer } from 'msw/node';
import type { ApiModule } from './core/api.ts';
import type { Mock } from './core/mock.ts';
import { createMock, type BuiltInApi, type CreateMockOptions } from './index.ts';
import { createHandlers, handlers, type HandlerOptions } from './msw.ts';

export * from './msw.ts';

/** An MSW server for Node tests, answering all three APIs from the shared `mock`. */
export const server: SetupServer = setupServer(...handlers);

/** A separate MSW server with its own mock (own seed, own state), of the APIs given (the three built-in ones by default). */
export function createMockServer<A extends ApiModule = BuiltInApi>(
  options: CreateMockOptions<A> = {},
  handlerOptions: HandlerOptions = {},
): { server: SetupServer; mock: Mock<A> } {
  const mock = createMock(options);
  return { server: setupServer(...createHandlers(mock, handlerOptions)), mock };
}
