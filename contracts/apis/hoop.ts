// hoop.dev gateway: how the generic checks create, read, list, update and delete its users.
import { apiSpec } from '../../specs/index.ts';
import { UNICODE_NAMES, type DataFactory } from '../data.ts';
import type { Client } from '../exchange.ts';
import type { ApiProfile, Call } from './profile.ts';

const spec = () => apiSpec('hoop');
const userPath = (key: string) => `/api/users/${encodeURIComponent(key)}`;

const NOBODY = 'usermock-nobody@example.com';

function newUser(data: DataFactory, unicode = false): Record<string, unknown> {
  const body = data.body(spec().requestSchema('createUser')!);
  // Only active users can be read back the same way on every server; the group is ours.
  return { ...body, status: 'active', groups: ['usermock-contract'], ...(unicode ? { name: UNICODE_NAMES.full } : {}) };
}

/** hoop's profile for one run. */
export function hoopProfile(): ApiProfile {
  /** A known user to read when the run creates none (read-only runs): the caller. */
  let caller: string | undefined;
  const profile: ApiProfile = {
    api: 'hoop',
    async prepare(client: Client) {
      if (!client.has('admin')) return;
      const info = await client.send('getUserInfo', { method: 'GET', path: '/api/userinfo', auth: 'admin' });
      caller = (info.response.json as { email?: string } | undefined)?.email;
    },
    newUser,
    create: (body) => ({ operationId: 'createUser', method: 'POST', path: '/api/users', auth: 'admin', body }),
    created: (exchange, sent) => (exchange.response.status === 201 ? { key: String(sent.email), sent } : undefined),
    read: (user) => ({ operationId: 'getUser', method: 'GET', path: userPath(user.key), auth: 'admin' }),
    userIn: (exchange) => exchange.response.json as Record<string, unknown> | undefined,
    expected: ({ email, name, groups, slack_id, picture, status }) => ({ email, name, groups, slack_id, picture, status }),
    list: {
      call: () => ({ operationId: 'listUsers', method: 'GET', path: '/api/users', auth: 'admin' }),
      includes: (exchange, user) =>
        Array.isArray(exchange.response.json) && exchange.response.json.some((u: { email?: string }) => u.email === user.key),
    },
    update(user, data) {
      // PUT replaces: send the whole user with a new name and slack id.
      const changes = { name: data.faker.person.fullName(), slack_id: `U${data.token().toUpperCase()}` };
      const body = { ...user.sent, ...changes };
      return { call: { operationId: 'updateUser', method: 'PUT', path: userPath(user.key), auth: 'admin', body }, changes };
    },
    remove: {
      call: (user) => ({ operationId: 'deleteUser', method: 'DELETE', path: userPath(user.key), auth: 'admin' }),
      effective: (read) => read.response.status === 404,
      meaning: 'a read after DELETE answers 404',
    },
    duplicateStatus: 409,
    bodyTargets: (user, data) => [
      {
        operationId: 'updateUser',
        call: (body) => ({ operationId: 'updateUser', method: 'PUT', path: userPath(user.key), auth: 'admin', ...body }),
        valid: (unicode) => ({ ...user.sent, name: unicode ? UNICODE_NAMES.full : data.faker.person.fullName() }),
        acceptsValid: true,
      },
      {
        operationId: 'createGroup',
        call: (body) => ({ operationId: 'createGroup', method: 'POST', path: '/api/users/groups', auth: 'admin', ...body }),
        valid: (unicode) => ({ name: `usermock-${data.token()}${unicode ? '-ünï' : ''}` }),
        acceptsValid: true,
      },
    ],
    sample(operationId, user, data) {
      // Reads may name the caller; writes only ever name a user of this run.
      const someone = user?.key ?? caller ?? NOBODY;
      const target = user?.key ?? NOBODY;
      const calls: Record<string, Call> = {
        getUserInfo: { operationId, method: 'GET', path: '/api/userinfo', auth: 'admin' },
        listUsers: { operationId, method: 'GET', path: '/api/users', auth: 'admin' },
        getUser: { operationId, method: 'GET', path: userPath(someone), auth: 'admin' },
        listGroups: { operationId, method: 'GET', path: '/api/users/groups', auth: 'admin' },
        createUser: profile.create(newUser(data)),
        updateUser: { operationId, method: 'PUT', path: userPath(target), auth: 'admin', body: { ...(user?.sent ?? {}), email: target } },
        deleteUser: { operationId, method: 'DELETE', path: userPath(target), auth: 'admin' },
        updateSelfSlack: { operationId, method: 'PATCH', path: '/api/users/self/slack', auth: 'admin', body: { slack_id: 'U0USERMOCK' } },
        createGroup: { operationId, method: 'POST', path: '/api/users/groups', auth: 'admin', body: { name: `usermock-${data.token()}` } },
        deleteGroup: { operationId, method: 'DELETE', path: '/api/users/groups/usermock-contract', auth: 'admin' },
      };
      return calls[operationId];
    },
    cleanup({ operationId, response }) {
      const created = response.status === 201 ? (response.json as { email?: unknown; name?: unknown } | undefined) : undefined;
      if (operationId === 'createUser' && typeof created?.email === 'string') return profile.remove!.call({ key: created.email, sent: {} });
      if (operationId === 'createGroup' && typeof created?.name === 'string') {
        return {
          operationId: 'deleteGroup',
          method: 'DELETE',
          path: `/api/users/groups/${encodeURIComponent(created.name)}`,
          auth: 'admin',
        };
      }
      return undefined;
    },
  };
  return profile;
}
