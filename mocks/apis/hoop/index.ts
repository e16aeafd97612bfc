// hoop.dev gateway — User Management (`/api/users`, `/api/userinfo`, `/api/users/groups`).
// Behaviour per specs/hoop.openapi.yaml and docs/vendors/hoop.md: `state.ts` (the
// organisation), `wire.ts` (answers and gin's wording), `auth.ts`, `routes.ts` (every operation),
// `seed.ts`.
import type { operations } from '../../../specs/generated/hoop.types.ts';
import { apiSpec } from '../../../specs/index.ts';
import { authorize } from '../../core/access.ts';
import type { ApiModule } from '../../core/api.ts';
import { text } from '../../core/http.ts';
import { gate } from './auth.ts';
import { router } from './routes.ts';
import { fail, present } from './wire.ts';
import { newUser, shorthands, type HoopNewUser } from './factory.ts';
import { seed } from './seed.ts';
import { HoopState, type HoopSnapshot } from './state.ts';
import { snapshotSchema } from './snapshot.ts';

export { HoopState, roleOf, type HoopStatus, type HoopRecord } from './state.ts';
export { present } from './wire.ts';
export type { HoopNewUser } from './factory.ts';

export const hoop: ApiModule<HoopState, 'hoop', keyof operations, HoopNewUser> = {
  name: 'hoop',
  spec: apiSpec('hoop'),
  owns: (path) => path === '/api/userinfo' || path === '/api/users' || path.startsWith('/api/users/'),
  seed,
  restore: (snapshot) => HoopState.fromJSON(snapshot as HoopSnapshot),
  snapshotSchema,
  fork: (state) => state.fork(),
  credentials: (state) => ({ admin: `Bearer ${state.tokens.admin}`, standard: `Bearer ${state.tokens.standard}` }),
  route: (method, path) => router.match(method, path),
  records: [
    { kind: 'users', count: (state) => state.users.size, addedBy: ['createUser'], rows: (state) => [...state.users.values()].map(present) },
    // A client can make as many groups as users.
    {
      kind: 'groups',
      count: (state) => state.groups.size,
      addedBy: ['createGroup'],
      rows: (state) => [...state.groups].map((name) => ({ name })),
    },
  ],
  gate,
  newUser: { operationId: 'createUser', body: newUser, shorthands },
  error: fail,
  handle(request, state, match) {
    // gin's router answers an unknown route (or a method it lacks) before any middleware runs.
    if (match.kind !== 'route') return text(404, '404 page not found');
    const access = authorize(gate, request, state, match.operation.requirement);
    if ('refused' in access) return access.refused;
    // Every hoop operation needs a credential, so an allowed request always has a caller.
    return match.handler({ state, caller: access.caller!, request }, match.params);
  },
  banner: (url, credentials) => [
    `hoop   ${url}/api/users, /api/userinfo, /api/users/groups`,
    `       admin (group admin)              Authorization: ${credentials.admin}`,
    `       standard                         Authorization: ${credentials.standard}`,
  ],
};
