// Haplo — User API v0 (`/api/v0-user/...`): the `haplo_api_user_v0` plugin on the `haplo_api_v0`
// responder. Behaviour per specs/haplo.openapi.yaml and docs/vendors/haplo.md; the order of
// checks and the message texts follow the plugin's source. `state.ts` (the principals), `wire.ts`
// (answers, arguments, the checks and their wording), `auth.ts`, `routes.ts` (every operation),
// `seed.ts`.
import type { operations } from '../../../specs/generated/haplo.types.ts';
import { apiSpec } from '../../../specs/index.ts';
import type { ApiModule } from '../../core/api.ts';
import { gate } from './auth.ts';
import { newUser, type HaploNewUser } from './factory.ts';
import { router } from './routes.ts';
import { seed } from './seed.ts';
import { HaploState, type HaploSnapshot } from './state.ts';
import { snapshotSchema } from './snapshot.ts';
import { fail, KIND, noResponse, present } from './wire.ts';

export { HaploState, type HaploRecord, type HaploUser } from './state.ts';
export { present } from './wire.ts';
export type { HaploNewUser } from './factory.ts';

export const haplo: ApiModule<HaploState, 'haplo', keyof operations, HaploNewUser> = {
  name: 'haplo',
  spec: apiSpec('haplo'),
  owns: (path) => path === '/api/v0-user' || path.startsWith('/api/v0-user/'),
  seed,
  restore: (snapshot) => HaploState.fromJSON(snapshot as HaploSnapshot),
  snapshotSchema,
  fork: (state) => state.fork(),
  credentials: (state) => ({
    admin: `Basic ${btoa(`haplo:${state.keys.admin}`)}`,
    standard: `Basic ${btoa(`haplo:${state.keys.standard}`)}`,
  }),
  route: (method, path) => router.match(method, path),
  // People, service users and groups alike: the principals a state holds.
  records: [
    {
      kind: 'principals',
      count: (state) => state.size,
      addedBy: ['createUser'],
      rows: (state) => state.principals().map((p) => present(state, p)),
    },
  ],
  newUser: { operationId: 'createUser', body: newUser },
  // The responder's own 404 kind: the one Haplo answers when no handler does.
  error: (status, message) => fail(status, KIND.noResponse, message),
  handle(request, state, match) {
    // The platform authenticates every request before the responder looks for a handler; the
    // group is checked by the responder, after the arguments (`respondToAPI`).
    const identity = gate.authenticate(request, state);
    if ('refused' in identity) return identity.refused;
    // No handler for the path: the responder's own answer for a request nothing answered.
    if (match.kind !== 'route') return noResponse();
    return match.handler({ state, caller: identity.caller, request, requirement: match.operation.requirement }, match.params);
  },
  gate,
  banner: (url, credentials) => [
    `Haplo  ${url}/api/v0-user/...`,
    `       admin (in the API group)         Authorization: ${credentials.admin}`,
    `       standard (not in the API group)  Authorization: ${credentials.standard}`,
  ],
};
