// Amani: how the generic checks create, read (by logging in), and update its users.
import { apiSpec } from '../../specs/index.ts';
import { UNICODE_NAMES, type DataFactory } from '../data.ts';
import type { ApiProfile, Call } from './profile.ts';

const spec = () => apiSpec('amani');
const userPath = (id: string) => `/api/v2/user/${encodeURIComponent(id)}`;
/** A well-formed user id no server has issued, for requests that must not touch real users. */
const NOBODY = '00000000-0000-4000-8000-00000000dead';

/** Amani's profile for one run. */
export function amaniProfile(): ApiProfile {
  /** Role ids the server has, so created users reference real roles. */
  let roleIds: number[] = [];

  function newUser(data: DataFactory, unicode = false): Record<string, unknown> {
    const body = data.body(spec().requestSchema('createUser')!);
    return { ...body, groups: roleIds.slice(0, 1), ...(unicode ? { first_name: UNICODE_NAMES.first, last_name: UNICODE_NAMES.last } : {}) };
  }

  const create = (body: Record<string, unknown>): Call => ({
    operationId: 'createUser',
    method: 'POST',
    path: '/api/v2/user',
    auth: 'admin',
    body,
  });

  const profile: ApiProfile = {
    api: 'amani',
    async prepare(client) {
      if (!client.has('admin')) return;
      const roles = await client.send('listGroups', { method: 'GET', path: '/api/v2/group', auth: 'admin' });
      const list = roles.response.json;
      roleIds = Array.isArray(list)
        ? list.map((role: { id?: unknown }) => role.id).filter((id): id is number => typeof id === 'number')
        : [];
    },
    newUser,
    create,
    created(exchange, sent) {
      const id = (exchange.response.json as { id?: unknown } | undefined)?.id;
      return typeof id === 'string' ? { key: id, sent } : undefined;
    },
    // Amani documents no way to get one user; logging in as them shows the stored user.
    read: (user) => ({
      operationId: 'login',
      method: 'POST',
      path: '/api/v2/user/login',
      auth: 'none',
      body: { username: user.sent.email, password: user.sent.password },
    }),
    userIn: (exchange) => exchange.response.json as Record<string, unknown> | undefined,
    expected: ({ first_name, last_name, phone }) => ({ first_name, last_name, phone }),
    update(user, data) {
      const changes = { first_name: data.faker.person.firstName(), last_name: data.faker.person.lastName() };
      return { call: { operationId: 'updateUser', method: 'PATCH', path: userPath(user.key), auth: 'admin', body: changes }, changes };
    },
    duplicateStatus: 400,
    bodyTargets: (user, data) => [
      {
        operationId: 'updateUser',
        call: (body) => ({ operationId: 'updateUser', method: 'PATCH', path: userPath(user.key), auth: 'admin', ...body }),
        valid: (unicode) =>
          unicode ? { first_name: UNICODE_NAMES.first, last_name: UNICODE_NAMES.last } : { first_name: data.faker.person.firstName() },
        acceptsValid: true,
      },
      {
        operationId: 'login',
        call: (body) => ({ operationId: 'login', method: 'POST', path: '/api/v2/user/login', auth: 'none', ...body }),
        valid: () => ({ username: data.email(), password: 'not-the-password' }),
        acceptsValid: false,
      },
      {
        operationId: 'refreshToken',
        call: (body) => ({ operationId: 'refreshToken', method: 'POST', path: '/api/v2/token/refresh/', auth: 'none', ...body }),
        valid: () => ({ refresh: 'usermock-not-a-token' }),
        acceptsValid: false,
      },
    ],
    sample(operationId, user, data) {
      const calls: Record<string, Call> = {
        listGroups: { operationId, method: 'GET', path: '/api/v2/group', auth: 'admin' },
        createUser: create(newUser(data)),
        updateUser: {
          operationId,
          method: 'PATCH',
          path: userPath(user?.key ?? NOBODY),
          auth: 'admin',
          body: { first_name: data.faker.person.firstName() },
        },
      };
      return calls[operationId];
    },
    // Amani documents no delete: created users stay, recognisable by their usermock- email.
    cleanup: () => undefined,
  };
  return profile;
}
