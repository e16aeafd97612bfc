// A mock with one API deliberately broken: its real behaviour wrapped in a mutation, so a test can
// show that the contract suite catches the fault.
import { API_MODULES, type ApiModule, type MockRequest, type MockResponse } from '../../mocks/index.ts';
import type { ApiName } from '../../specs/index.ts';

export type Next = (request: MockRequest) => Promise<MockResponse>;
export type Mutation = (request: MockRequest, next: Next, credentials: { admin: string; standard: string }) => Promise<MockResponse>;

/** Every API module, `api`'s with a broken behaviour wrapped around its real one. */
export function broken(api: ApiName, mutation: Mutation): ApiModule[] {
  return API_MODULES.map((builtIn): ApiModule => {
    // Seen as a module of any state: the wrapper hands on the state it is given.
    const module = builtIn as ApiModule;
    if (module.name !== api) return module;
    return {
      ...module,
      // The mutation may change the request: it is routed again as changed.
      handle: (request, state) =>
        mutation(
          request,
          async (changed) => module.handle(changed, state, module.route(changed.method, changed.path)),
          module.credentials(state),
        ),
    };
  });
}

export const json = (status: number, value: unknown, contentType = 'application/json; charset=utf-8'): MockResponse => ({
  status,
  headers: { 'content-type': contentType },
  body: JSON.stringify(value),
});

export const bodyOf = (response: MockResponse) => JSON.parse(response.body ?? 'null');
