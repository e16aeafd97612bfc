// Who may call what. The spec says which operations need a credential and which need more
// (`x-required-role`, and the group or permission the vendor grants it by); the vendor's gate says
// who a credential belongs to, whether they hold what an operation asks, and how its server
// refuses. `authorize` joins the two the same way for every API, and for `Prefer: code=`.
import type { Requirement } from '../../specs/spec.ts';
import type { MockResponse } from './http.ts';
import type { MockRequest } from './http.ts';

/** The caller a credential belongs to, or the vendor's refusal of it. */
export type Authentication<Caller> = { caller: Caller } | { refused: MockResponse };

/** A vendor's side of access control: what its spec cannot say. */
export interface Gate<S, Caller> {
  /** Who sent the request, or the vendor's refusal of the credential (missing, malformed, unknown, inactive). */
  authenticate(request: MockRequest, state: S): Authentication<Caller>;
  /** Whether an authenticated caller holds what an operation asks beyond a credential (`role: admin`, a group, a permission). */
  permits(caller: Caller, requirement: Requirement, state: S): boolean;
  /** The vendor's answer to an authenticated caller who may not call the operation. */
  forbidden(requirement: Requirement): MockResponse;
}

/**
 * The spec's requirement applied with the vendor's gate: no credential asked (`role: none`) lets
 * anyone through without one; otherwise the credential must authenticate and its caller be
 * permitted. Vendors whose servers check in another order call the gate's parts themselves.
 */
export function authorize<S, Caller>(
  gate: Gate<S, Caller>,
  request: MockRequest,
  state: S,
  requirement: Requirement,
): { caller: Caller | undefined } | { refused: MockResponse } {
  if (requirement.role === 'none') return { caller: undefined };
  const authenticated = gate.authenticate(request, state);
  if ('refused' in authenticated) return authenticated;
  return gate.permits(authenticated.caller, requirement, state) ? authenticated : { refused: gate.forbidden(requirement) };
}
