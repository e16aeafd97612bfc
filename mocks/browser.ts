import { setupWorker, type SetupWorker } from 'msw/browser';
import type { ApiModule } from './core/api.ts';
import type { Mock } from './core/mock.ts';
import { createMock, type BuiltInApi, type CreateMockOptions } from './index.ts';
import { createHandlers, handlers, type HandlerOptions } from './msw.ts';

export * from './msw.ts';

/** An MSW service worker answering all three APIs from the shared `mock`. */
export const worker: SetupWorker = setupWorker(...handlers);

/** A separate worker with its own mock (own seed, own state), of the APIs given (the three built-in ones by default). */
export function createMockWorker<A extends ApiModule = BuiltInApi>(
  options: CreateMockOptions<A> = {},
  handlerOptions: HandlerOptions = {},
): { worker: SetupWorker; mock: Mock<A> } {
  const mock = createMock(options);
  return { worker: setupWorker(...createHandlers(mock, handlerOptions)), mock };
}
