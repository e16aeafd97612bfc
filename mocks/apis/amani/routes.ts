// Every operation of specs/amani.openapi.yaml, by the ids its generated types list, and the one
// path the vendor serves besides.
import type { operations } from '../../../specs/generated/amani.types.ts';
import { apiSpec } from '../../../specs/index.ts';
import { constantTimeEqual } from '../../core/constant-time.ts';
import type { MockRequest } from '../../core/http.ts';
import { specRouter, type Handler } from '../../core/router.ts';
import { normalizeEmail, type AmaniState, type AmaniRecord } from './state.ts';
import { deserialize, fail, LOGIN_RULES, present, readInput, REFRESH_RULES, reply, unauthorized, USER_RULES, withInput } from './wire.ts';
import { uuid } from '../../core/entropy.ts';

export interface Context {
  state: AmaniState;
  request: MockRequest;
}

type UserFields = Partial<Pick<AmaniRecord, 'email' | 'password' | 'first_name' | 'last_name' | 'phone' | 'groups'>>;

const logIn: Handler<Context> = async ({ state, request }) => {
  const input = await readInput(request);
  if ('response' in input) return input.response;
  const result = deserialize('login', LOGIN_RULES, input.data, state);
  if ('errors' in result) return reply(400, result.errors);
  const { username, password } = result.data as { username: string; password: string };
  const user = state.findByUsername(username);
  // Compared for an unknown username too, so the answer's timing does not tell which usernames exist.
  const passwordMatches = constantTimeEqual(password, user?.password ?? '');
  // Django's ModelBackend refuses an inactive user exactly as it refuses a wrong password.
  if (!user || !passwordMatches || !user.is_active) return unauthorized({ detail: 'No active account found with the given credentials' });
  return reply(200, {
    id: user.id,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
    phone: user.phone,
    refresh: state.issue(user, 'refresh'),
    access: state.issue(user, 'access'),
    groups: state.rolesOf(user),
    company_id: state.company,
    permissions: state.permissionsOf(user),
  });
};

/** The spec's operations, by the ids the generated types list. */
type OperationId = keyof operations;

export const router = specRouter<OperationId, Context>(
  apiSpec('amani'),
  {
    login: logIn,
    refreshToken: async ({ state, request }) => {
      const input = await readInput(request);
      if ('response' in input) return input.response;
      const result = deserialize('refreshToken', REFRESH_RULES, input.data, state);
      if ('errors' in result) return reply(400, result.errors);
      const check = state.verify(result.data.refresh as string, 'refresh');
      if (!check.ok) return unauthorized({ detail: check.message, code: 'token_not_valid' });
      const user = state.find(check.claims.user_id);
      if (!user?.is_active) return unauthorized({ detail: 'No active account found for the given token.' });
      return reply(200, { access: state.issue(user, 'access') });
    },
    createUser: ({ state, request }) =>
      withInput(request, (data) => {
        const result = deserialize('createUser', USER_RULES, data, state, (email) => state.emailTaken(email));
        if ('errors' in result) return reply(400, result.errors);
        const fields = result.data as UserFields & Pick<AmaniRecord, 'email' | 'password'>;
        const email = normalizeEmail(fields.email);
        const user: AmaniRecord = {
          id: uuid(),
          username: email,
          email,
          password: fields.password,
          first_name: fields.first_name ?? '',
          last_name: fields.last_name ?? '',
          phone: fields.phone ?? '',
          groups: fields.groups ?? [],
          mfa: false,
          reset_pw: false,
          reset_2fa: false,
          is_active: true,
        };
        state.put(user);
        return reply(201, present(state, user));
      }),
    updateUser: async ({ state, request }, { user_uuid }) => {
      // DRF looks the user up before it reads the body.
      if (!state.find(user_uuid!)) return fail(404, 'Not found.');
      const input = await readInput(request);
      if ('response' in input) return input.response;
      // Taken again once the body is read (a multipart body is read asynchronously), so that an
      // update that landed meanwhile is kept.
      const user = state.find(user_uuid!)!;
      const result = deserialize('updateUser', USER_RULES, input.data, state, (email) => state.emailTaken(email, user.id));
      if ('errors' in result) return reply(400, result.errors);
      const { email, ...fields } = result.data as UserFields;
      const updated: AmaniRecord = { ...user, ...fields, ...(email === undefined ? {} : { email: normalizeEmail(email) }) };
      state.put(updated);
      return reply(200, present(state, updated));
    },
    listGroups: ({ state }) =>
      reply(
        200,
        [...state.roles.values()].sort((a, b) => a.id - b.id),
      ),
  },
  [
    {
      method: 'POST',
      path: '/api/v2/user/login/',
      operationId: 'login',
      why: "the vendor's Web SDK logs in at the trailing-slash spelling (see the spec's description); the server both it and the API reference work with serves both",
    },
  ],
);
