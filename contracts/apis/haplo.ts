// Haplo: how the generic checks create, read, find, update and block its users.
import { apiSpec } from '../../specs/index.ts';
import { UNICODE_NAMES, type DataFactory } from '../data.ts';
import type { ApiProfile, Call, CreatedUser } from './profile.ts';

const spec = () => apiSpec('haplo');
/** The API's own group: its members are users the API may read, even on a read-only run. */
const API_GROUP = 'haplo:group:api-v0:user-api';
const usernameOf = (user: CreatedUser | undefined) =>
  String((user?.sent.tags as Record<string, string> | undefined)?.username ?? 'usermock-nobody');

/** Haplo's profile for one run. */
export function haploProfile(): ApiProfile {
  /** A user id known to exist, for reads when the run creates none. */
  let knownId: string | undefined;

  function newUser(data: DataFactory, unicode = false): Record<string, unknown> {
    const { ref: _ref, ...body } = data.body(spec().requestSchema('createUser')!);
    // Group codes and locales must exist on the server; a ref must point at a real object.
    return {
      ...body,
      localeId: 'en',
      directGroupMembership: [],
      tags: { username: data.token() },
      ...(unicode ? { nameFirst: UNICODE_NAMES.first, nameLast: UNICODE_NAMES.last } : {}),
    };
  }

  const create = (body: Record<string, unknown>): Call => ({
    operationId: 'createUser',
    method: 'POST',
    path: '/api/v0-user/create',
    auth: 'admin',
    body,
  });
  const read = (id: string): Call => ({ operationId: 'getUserById', method: 'GET', path: `/api/v0-user/id/${id}`, auth: 'admin' });
  const block = (id: string): Call => ({
    operationId: 'enableUser',
    method: 'POST',
    path: `/api/v0-user/enable/${id}`,
    query: { status: 'block' },
    auth: 'admin',
  });
  const byTag = (user: CreatedUser | undefined) => ({ 'tag:username': usernameOf(user) });

  const profile: ApiProfile = {
    api: 'haplo',
    async prepare(client) {
      if (!client.has('admin')) return;
      const group = await client.send('getGroup', { method: 'GET', path: `/api/v0-user/group/${API_GROUP}`, auth: 'admin' });
      const members = (group.response.json as { users?: unknown[] } | undefined)?.users;
      knownId = Array.isArray(members) && members.length ? String(members[0]) : undefined;
    },
    newUser,
    create,
    created(exchange, sent) {
      const id = (exchange.response.json as { user?: { id?: unknown } } | undefined)?.user?.id;
      return typeof id === 'number' ? { key: String(id), sent } : undefined;
    },
    read: (user) => read(user.key),
    userIn: (exchange) => (exchange.response.json as { user?: Record<string, unknown> } | undefined)?.user,
    expected: ({ nameFirst, nameLast, email, tags, localeId, directGroupMembership }) => ({
      nameFirst,
      nameLast,
      email,
      tags,
      localeId,
      directGroupMembership,
    }),
    list: {
      call: (user) => ({ operationId: 'findByTag', method: 'GET', path: '/api/v0-user/find-by-tag', query: byTag(user), auth: 'admin' }),
      includes: (exchange, user) =>
        ((exchange.response.json as { users?: unknown[] } | undefined)?.users ?? []).map(String).includes(user.key),
    },
    update(user, data) {
      const changes = { nameLast: data.faker.person.lastName() };
      return {
        call: { operationId: 'updateUserById', method: 'POST', path: `/api/v0-user/id/${user.key}`, auth: 'admin', body: changes },
        changes,
      };
    },
    remove: {
      call: (user) => block(user.key),
      effective: (answer) => (answer.response.json as { user?: { isActive?: unknown } } | undefined)?.user?.isActive === false,
      meaning: 'a read after blocking shows isActive false',
    },
    duplicateStatus: 400,
    bodyTargets: (user, data) => [
      {
        operationId: 'updateUserById',
        call: (body) => ({ operationId: 'updateUserById', method: 'POST', path: `/api/v0-user/id/${user.key}`, auth: 'admin', ...body }),
        valid: (unicode) => (unicode ? { nameFirst: UNICODE_NAMES.first } : { nameFirst: data.faker.person.firstName() }),
        acceptsValid: true,
      },
      {
        operationId: 'updateUserByTag',
        call: (body) => ({
          operationId: 'updateUserByTag',
          method: 'POST',
          path: '/api/v0-user/id',
          query: byTag(user),
          auth: 'admin',
          ...body,
        }),
        valid: (unicode) => (unicode ? { nameLast: UNICODE_NAMES.last } : { nameLast: data.faker.person.lastName() }),
        acceptsValid: true,
      },
    ],
    sample(operationId, user, data) {
      const id = user?.key ?? knownId ?? '1';
      const calls: Record<string, Call> = {
        createUser: create(newUser(data)),
        getUserById: read(id),
        getUserByTag: { operationId, method: 'GET', path: '/api/v0-user/id', query: byTag(user), auth: 'admin' },
        // Writes only ever touch a user of this run (an id that cannot exist otherwise).
        updateUserById: {
          operationId,
          method: 'POST',
          path: `/api/v0-user/id/${user?.key ?? '999999999'}`,
          auth: 'admin',
          body: { nameFirst: 'Usermock' },
        },
        updateUserByTag: {
          operationId,
          method: 'POST',
          path: '/api/v0-user/id',
          query: byTag(user),
          auth: 'admin',
          body: { nameFirst: 'Usermock' },
        },
        enableUser: {
          operationId,
          method: 'POST',
          path: `/api/v0-user/enable/${user?.key ?? '999999999'}`,
          query: { status: 'active' },
          auth: 'admin',
        },
        getGroup: { operationId, method: 'GET', path: `/api/v0-user/group/${API_GROUP}`, auth: 'admin' },
        findByTag: { operationId, method: 'GET', path: '/api/v0-user/find-by-tag', query: byTag(user), auth: 'admin' },
      };
      return calls[operationId];
    },
    cleanup(exchange) {
      if (exchange.operationId !== 'createUser') return undefined;
      const id = (exchange.response.json as { user?: { id?: unknown } } | undefined)?.user?.id;
      return typeof id === 'number' ? block(String(id)) : undefined;
    },
  };
  return profile;
}
