import { setupWorker, type SetupWorker } from 'msw/browser';
import type { Mock, MockOptions } from './core/mock.ts';
import { createMock, type BuiltInApi } from './index.ts';
import { createHandlers, handlers, type HandlerOptions } from './msw.ts';

export * from './msw.ts';

/** An MSW service worker answering all three APIs from the shared `mock`. */
export const worker: SetupWorker = setupWorker(...handlers);

/** A separate worker with its own mock (own seed, own state). */
export function createMockWorker(
  options: MockOptions = {},
  handlerOptions: HandlerOptions = {},
): { worker: SetupWorker; mock: Mock<BuiltInApi> } {
  const mock = createMock(options);
  return { worker: setupWorker(...createHandlers(mock, handlerOptions)), mock };
}
