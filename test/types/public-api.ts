// Checked by `tsc` (npm test), never run: an API added through the package's public exports only —
// `usermock` and `usermock/node`, as a user's project imports them — with the types `usermock types`
// writes for its spec. Each `@ts-expect-error` is an error tsc must find.
import { createMock, defineApiModule, defineContractProfile, json, loadSpec, Table, type Gate } from 'usermock';
import { createHandlers } from 'usermock/msw';
import { createMockServer } from 'usermock/node';
import type { components, operations } from '../../examples/scim/scim.types.ts';

type User = components['schemas']['User'];
const spec = await loadSpec<operations>('scim.openapi.yaml', { name: 'notes' });

class State {
  readonly users = new Table<string, User>((user) => user.id);
  toJSON = () => [...this.users.values()];
}
const gate: Gate<State, 'admin'> = {
  authenticate: () => ({ caller: 'admin' }),
  permits: () => true,
  forbidden: () => json(403, {}),
};
const ok = () => json(200, {});
const operationsOf = {
  listUsers: ok,
  createUser: ({ body }: { body: User }) => json(201, { ...body, userName: body.userName.toLowerCase() }),
  // Path parameters are typed by name: `id`, a string.
  getUser: ({ params }: { params: { id: string } }) => json(200, { id: params.id.toUpperCase() }),
  replaceUser: ok,
  patchUser: ok,
  deleteUser: ok,
};
const definition = {
  name: 'notes' as const,
  spec,
  seed: () => new State(),
  restore: () => new State(),
  credentials: () => ({ admin: 'Bearer a', standard: 'Bearer s' }),
  gate,
  error: (status: number, message: string) => json(status, { message }),
  records: [{ kind: 'users', count: (state: State) => state.users.size, addedBy: ['createUser' as const], rows: () => [] }],
  newUser: { operationId: 'createUser' as const, body: () => ({ userName: 'a' }) },
};

export const notes = defineApiModule<operations, State, 'admin', { userName: string }, 'notes'>({
  ...definition,
  operations: operationsOf,
});

const { deleteUser: _left, ...withoutOne } = operationsOf;
export const missing = defineApiModule<operations, State, 'admin', { userName: string }, 'notes'>({
  ...definition,
  // @ts-expect-error a spec operation without its function
  operations: withoutOne,
});

export const misspelt = defineApiModule<operations, State, 'admin', { userName: string }, 'notes'>({
  ...definition,
  operations: {
    ...operationsOf,
    // @ts-expect-error a path parameter the operation does not have
    getUser: ({ params }) => json(200, { id: params.userId }),
  },
});

// Calls come from the spec: a wrong operation or a missing path parameter is a compile error.
export const call = spec.call('getUser', { params: { id: 'x' } });
// @ts-expect-error getUser takes its id
export const noId = spec.call('getUser', {});
// @ts-expect-error no such operation
export const unknownCall = spec.call('getUsers', {});

// Every transport takes the API: its state and operation ids typed by the module.
const mock = createMock({ apis: [notes] });
export const users: Table<string, User> = mock.state('notes').users;
mock.override('notes', 'listUsers', 200);
// @ts-expect-error an operation the spec does not have
mock.override('notes', 'listNotes', 200);
export const server = createMockServer({ apis: [notes], users: 2 }).server;
export const handlers = createHandlers({ apis: [notes] });

// The contract profile from the same spec: the operations named by id, a misspelt one a compile error.
export const profile = () =>
  defineContractProfile({ api: 'notes', spec, operations: { create: 'createUser', read: 'getUser', update: 'replaceUser' }, key: 'id' });
export const wrongProfile = () =>
  defineContractProfile({
    api: 'notes',
    spec,
    // @ts-expect-error no such operation
    operations: { create: 'addUser', read: 'getUser', update: 'replaceUser' },
    key: 'id',
  });
