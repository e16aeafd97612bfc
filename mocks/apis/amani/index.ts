// Amani — users and permission groups (`/api/v2/...`), served by Django REST Framework with
// SimpleJWT. Behaviour per specs/amani.openapi.yaml and docs/vendors/amani.md; where both are
// silent the mock answers as DRF, SimpleJWT and Django's auth app do by default: `state.ts` (the
// company, its users and its tokens), `wire.ts` (answers, body reading and DRF's wording),
// `auth.ts`, `routes.ts` (every operation), `seed.ts`.
import type { operations } from '../../../specs/generated/amani.types.ts';
import { apiSpec } from '../../../specs/index.ts';
import { authorize } from '../../core/access.ts';
import type { ApiModule } from '../../core/api.ts';
import { gate, wrongMethodRequirement } from './auth.ts';
import { newUser, type AmaniNewUser } from './factory.ts';
import { router } from './routes.ts';
import { seed, SEEDED_PASSWORD } from './seed.ts';
import { AmaniState, type AmaniSnapshot } from './state.ts';
import { snapshotSchema } from './snapshot.ts';
import { fail, present } from './wire.ts';

export { SEEDED_PASSWORD } from './seed.ts';
export { AmaniState, type AmaniRole, type AmaniRecord, type AmaniUserAnswer, type TokenCheck } from './state.ts';
export { present } from './wire.ts';
export type { AmaniNewUser } from './factory.ts';

/** The username of the user the admin credential belongs to: the one to log in as first. */
function adminUsername(state: AmaniState): string {
  const check = state.verify(state.credentials.admin, 'access');
  return (check.ok && state.find(check.claims.user_id)?.username) || '';
}

export const amani: ApiModule<AmaniState, 'amani', keyof operations, AmaniNewUser> = {
  name: 'amani',
  spec: apiSpec('amani'),
  owns: (path) => path.startsWith('/api/v2/'),
  seed,
  restore: (snapshot) => AmaniState.fromJSON(snapshot as AmaniSnapshot),
  snapshotSchema,
  fork: (state) => state.fork(),
  credentials: (state) => ({ admin: `Bearer ${state.credentials.admin}`, standard: `Bearer ${state.credentials.standard}` }),
  route: (method, path) => router.match(method, path),
  records: [
    {
      kind: 'users',
      count: (state) => state.users.size,
      addedBy: ['createUser'],
      rows: (state) => [...state.users.values()].map((user) => present(state, user)),
    },
    // Roles are fixed: no operation adds one.
    { kind: 'roles', count: (state) => state.roles.size, addedBy: [], rows: (state) => [...state.roles.values()] },
  ],
  handle(request, state, match) {
    // Django's URL resolver 404 in the JSON form of DRF's `Http404`.
    if (match.kind === 'none') return fail(404, 'Not found.');
    // DRF authenticates and checks permissions before it looks for the method's handler.
    const requirement = match.kind === 'route' ? match.operation.requirement : wrongMethodRequirement(request.method, request.path);
    const access = authorize(gate, request, state, requirement);
    if ('refused' in access) return access.refused;
    if (match.kind === 'wrong-method') return fail(405, `Method "${request.method}" not allowed.`);
    return match.handler({ state, request }, match.params);
  },
  gate,
  newUser: { operationId: 'createUser', body: newUser },
  error: fail,
  banner: (url, credentials, state) => [
    `Amani  ${url}/api/v2/user, /api/v2/group`,
    `       log in: POST ${url}/api/v2/user/login {"username": "${adminUsername(state)}", "password": "${SEEDED_PASSWORD}"} (any seeded user, the same password)`,
    `       admin (Company Admin)            Authorization: ${credentials.admin}`,
    `       standard                         Authorization: ${credentials.standard}`,
  ],
};
