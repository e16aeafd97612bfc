// Haplo's access: the platform's API key of an active principal (HTTP Basic, user name `haplo`),
// then membership of the group the spec's `x-required-group` names, which the responder checks only
// once the arguments are valid (`respondToAPI`, routes.ts). Every refusal is a 403.
import type { Gate } from '../../core/access.ts';
import type { HaploRecord, HaploState } from './state.ts';
import { fail, KIND } from './wire.ts';

const MIN_KEY_LENGTH = 16;

/**
 * The platform reads an API key only from `Basic ` and the base64 of `haplo:<key>` (it matches the
 * header against `Basic aGFwbG86…`, which is `haplo:` encoded); any other Authorization header,
 * another user name or scheme included, carries no key and the request runs as the anonymous user.
 */
const API_KEY_AUTHORIZATION = /^Basic aGFwbG86([A-Za-z0-9+/]+=*)$/;

/** The API key in an Authorization header, or undefined when it carries none. */
function apiKey(header: string | undefined): string | undefined {
  const encoded = header === undefined ? undefined : API_KEY_AUTHORIZATION.exec(header)?.[1];
  if (encoded === undefined) return undefined;
  try {
    return atob(encoded);
  } catch {
    return ''; // base64 broken after the `haplo:` part is still a key, one that no user has
  }
}

/** The platform's API-key authentication, then the API group the spec names (`x-required-group`). */
export const gate: Gate<HaploState, HaploRecord> = {
  authenticate(request, state) {
    const key = apiKey(request.headers.authorization);
    if (key === undefined) return { refused: fail(403, 'UNAUTHORISED', 'Unauthorised: You are not permitted to perform that action') };
    const caller = key.length >= MIN_KEY_LENGTH ? state.caller(key) : undefined;
    return caller ? { caller } : { refused: fail(403, 'INVALID-API-KEY', 'Invalid API Key') };
  },
  permits: (caller, requirement, state) => requirement.group === undefined || state.isMember(caller, requirement.group),
  forbidden: () => fail(403, KIND.notPermitted, 'User is not permitted to use this API'),
};
