// Every operation of specs/hoop.openapi.yaml, by the ids its generated types list.
import type { operations } from '../../../specs/generated/hoop.types.ts';
import { apiSpec } from '../../../specs/index.ts';
import { empty, type MockRequest } from '../../core/http.ts';
import { specRouter } from '../../core/router.ts';
import { ADMIN_GROUP, roleOf, type HoopState, type HoopStatus, type HoopRecord } from './state.ts';
import { decode, fail, listReply, present, reply, string, strings } from './wire.ts';
import { uuid } from '../../core/entropy.ts';

export interface Context {
  state: HoopState;
  caller: HoopRecord;
  request: MockRequest;
}

type OperationId = keyof operations;

export const router = specRouter<OperationId, Context>(apiSpec('hoop'), {
  getUserInfo: ({ state, caller }) =>
    reply(200, {
      ...present(caller),
      is_admin: roleOf(caller) === 'admin',
      is_multitenant: false,
      tenancy_type: 'selfhosted',
      org_id: state.org.id,
      org_name: state.org.name,
      org_license: '',
      feature_ask_ai: 'unavailable',
      webapp_users_management: 'on',
      intercom_hmac_digest: '',
      default_protection_profile: null,
      show_origin_survey: false,
      show_setup_checklist: false,
    }),
  listUsers: ({ state }) => listReply(state),
  getUser: ({ state }, { emailOrID }) => {
    const user = state.find(emailOrID!);
    return user ? reply(200, present(user)) : fail(404, `user ${emailOrID} not found`);
  },
  createUser: ({ state, request }) => {
    const decoded = decode(request, 'createUser');
    if ('response' in decoded) return decoded.response;
    const { body } = decoded;
    const email = string(body.email);
    if (state.findByEmail(email)) return fail(409, `user already exists with email ${email}`);
    const user: HoopRecord = {
      id: uuid(),
      email,
      name: string(body.name),
      ...(body.password ? { password: string(body.password) } : {}),
      picture: string(body.picture),
      slack_id: string(body.slack_id),
      groups: strings(body.groups),
      status: (body.status as HoopStatus | undefined) ?? 'active',
      verified: false,
    };
    state.put(user);
    // The answer echoes the request: the password when one was sent, and `role` as sent (drift), not computed.
    const echoed = { ...(user.password ? { password: user.password } : {}), ...(typeof body.role === 'string' ? { role: body.role } : {}) };
    return reply(201, { ...present(user), ...echoed });
  },
  updateUser: ({ state, caller, request }, { emailOrID }) => {
    const user = state.find(emailOrID!);
    if (!user) return fail(404, `user ${emailOrID} not found`);
    const decoded = decode(request, 'updateUser');
    if ('response' in decoded) return decoded.response;
    const { body } = decoded;
    const status = body.status as HoopStatus | undefined;
    const groups = strings(body.groups);
    if (user.id === caller.id) {
      // A status left out is not `active` either.
      if (status !== 'active') return fail(422, 'cannot deactivate yourself');
      if (!groups.includes(ADMIN_GROUP)) groups.push(ADMIN_GROUP);
    }
    // email, role and password in the body are ignored: the rest is replaced whole (a status left out takes the spec's default).
    const updated: HoopRecord = {
      ...user,
      name: string(body.name),
      picture: string(body.picture),
      slack_id: string(body.slack_id),
      groups,
      status: status ?? 'active',
    };
    state.put(updated);
    return reply(200, present(updated));
  },
  deleteUser: ({ state, caller }, { emailOrID }) => {
    const user = state.find(emailOrID!);
    if (!user) return fail(404, `user ${emailOrID} not found`);
    if (user.id === caller.id) return fail(422, 'cannot delete yourself');
    state.remove(user);
    return empty(204);
  },
  updateSelfSlack: ({ state, caller, request }) => {
    const decoded = decode(request, 'updateSelfSlack');
    if ('response' in decoded) return decoded.response;
    const updated = { ...caller, slack_id: string(decoded.body.slack_id) };
    state.put(updated);
    return reply(200, present(updated));
  },
  listGroups: ({ state }) => reply(200, state.groups.size ? [...state.groups] : null),
  createGroup: ({ state, request }) => {
    const decoded = decode(request, 'createGroup');
    if ('response' in decoded) return decoded.response;
    const name = string(decoded.body.name);
    if (state.groups.has(name)) return fail(409, `group ${name} already exists`);
    state.groups.add(name);
    return reply(201, { name });
  },
  deleteGroup: ({ state }, { name }) => {
    if (name === ADMIN_GROUP) return fail(422, `cannot delete admin group ${ADMIN_GROUP}`);
    if (!state.groups.has(name!)) return fail(404, `group ${name} not found`);
    state.groups.delete(name!);
    for (const user of [...state.users.values()]) {
      if (user.groups.includes(name!)) state.put({ ...user, groups: user.groups.filter((group) => group !== name) });
    }
    return empty(204);
  },
});
