// SimpleJWT's authentication and DRF's permission classes: a bearer access token of an active
// user, and the operation's permission (`x-required-permission`) among the caller's roles'.
import type { Requirement } from '../../../specs/spec.ts';
import type { Gate } from '../../core/access.ts';
import { router } from './routes.ts';
import type { AmaniState, AmaniRecord } from './state.ts';
import { fail, unauthorized } from './wire.ts';

export const gate: Gate<AmaniState, AmaniRecord> = {
  /** The caller of a bearer-token call, or SimpleJWT's (or DRF's) refusal. */
  authenticate(request, state) {
    // SimpleJWT ignores a header without the `Bearer` keyword; DRF then finds nobody logged in.
    const parts = (request.headers.authorization ?? '').split(/\s+/).filter(Boolean);
    if (parts[0] !== 'Bearer') return { refused: unauthorized({ detail: 'Authentication credentials were not provided.' }) };
    if (parts.length !== 2) {
      return {
        refused: unauthorized({ detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' }),
      };
    }
    const check = state.verify(parts[1]!, 'access');
    if (!check.ok) {
      return {
        refused: unauthorized({
          detail: 'Given token not valid for any token type',
          code: 'token_not_valid',
          messages: [{ token_class: 'AccessToken', token_type: 'access', message: check.message }],
        }),
      };
    }
    const user = state.find(check.claims.user_id);
    if (!user) return { refused: unauthorized({ detail: 'User not found', code: 'user_not_found' }) };
    if (!user.is_active) return { refused: unauthorized({ detail: 'User is inactive', code: 'user_inactive' }) };
    return { caller: user };
  },
  permits: (caller, requirement, state) =>
    requirement.permission === undefined || state.permissionsOf(caller).includes(requirement.permission),
  forbidden: () => fail(403, 'You do not have permission to perform this action.'),
};

/** DjangoModelPermissions' action per method; GET asks for `view_`, as the spec's `view_group` shows. */
const ACTIONS = new Map([
  ['GET', 'view'],
  ['POST', 'add'],
  ['PUT', 'change'],
  ['PATCH', 'change'],
  ['DELETE', 'delete'],
]);

/**
 * What DRF asks of the caller of a method the path does not serve, before it answers 405: a
 * credential, unless the path's view is open, and DjangoModelPermissions' codename for that
 * method on the view's model (`delete_user` for DELETE on a user). So a caller without it gets
 * 403, not 405.
 */
export function wrongMethodRequirement(method: string, path: string): Requirement {
  const served = router.operationsAt(path);
  if (served.some((operation) => operation.requirement.role === 'none')) return { role: 'none' };
  const action = ACTIONS.get(method);
  const model = served.find((operation) => operation.requirement.permission !== undefined)?.requirement.permission!.replace(/^[a-z]+_/, '');
  return { role: 'any', ...(action === undefined || model === undefined ? {} : { permission: `${action}_${model}` }) };
}
