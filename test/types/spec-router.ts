// Checked by `tsc` (npm test), never run: a handler table must name exactly the spec's operations.
// Each `@ts-expect-error` is an error tsc must find; if the types stopped finding it, tsc would fail.
import type { operations } from '../../specs/generated/hoop.types.ts';
import { apiSpec } from '../../specs/index.ts';
import { specRouter, type Handler } from '../../mocks/core/router.ts';

type OperationId = keyof operations;
const handler: Handler<unknown> = () => ({ status: 204, headers: {} });
const every = {
  getUserInfo: handler,
  listUsers: handler,
  createUser: handler,
  getUser: handler,
  updateUser: handler,
  deleteUser: handler,
  updateSelfSlack: handler,
  listGroups: handler,
  createGroup: handler,
  deleteGroup: handler,
};

export const complete = () => specRouter<OperationId, unknown>(apiSpec('hoop'), every);

const { deleteGroup: _left, ...withoutOne } = every;
// @ts-expect-error a spec operation without a handler
export const missing = () => specRouter<OperationId, unknown>(apiSpec('hoop'), withoutOne);

export const unknown = () =>
  specRouter<OperationId, unknown>(apiSpec('hoop'), {
    ...every,
    // @ts-expect-error an operation id the spec does not have (a typo)
    deleteGroups: handler,
  });

export const badAlias = () =>
  specRouter<OperationId, unknown>(apiSpec('hoop'), every, [
    {
      method: 'GET',
      path: '/api/me',
      // @ts-expect-error an alias of an operation the spec does not have
      operationId: 'getMe',
      why: 'a typo',
    },
  ]);
