// Who may call what: no credential, a credential no server issued, and a non-admin on admin-only
// operations each get the refusal the spec documents for the operation.
import type { Operation } from '../../specs/index.ts';
import type { CreatedUser } from '../apis/profile.ts';
import type { Auth } from '../exchange.ts';
import type { RunContext } from './context.ts';
import { CHECK, type CheckName } from '../checks/names.ts';

export const AUTH_CHECKS = [CHECK.auth_required, CHECK.invalid_credentials_refused, CHECK.admin_required];

/**
 * A credential no server issued, in the form of the admin's — its scheme (`Bearer`, `Token` …)
 * and, for Basic, its user name (Haplo reads a key only after `haplo:`) — so that the server must
 * refuse an unknown secret, not merely a scheme it does not take. Without an admin credential,
 * in the scheme the spec declares.
 */
export function forgedCredential(context: RunContext): string {
  const secret = `usermock-forged-${context.data.nonce}`;
  const [scheme, value] = context.transport.credential('admin')?.trim().split(/\s+/) ?? [];
  const basic = scheme
    ? /^basic$/i.test(scheme)
    : Object.values(context.spec.document.components?.securitySchemes ?? {}).some((declared) => declared.scheme === 'basic');
  if (basic) return `Basic ${btoa(`${basicUser(value)}:${secret}`)}`;
  return `${value === undefined ? 'Bearer' : scheme} ${secret}`;
}

/** The user name of a Basic credential (`usermock` when there is none to read). */
function basicUser(encoded: string | undefined): string {
  try {
    const decoded = atob(encoded ?? '');
    return decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : 'usermock';
  } catch {
    return 'usermock';
  }
}

/**
 * The refusal the spec documents for a caller who is not authenticated: 401 where the operation
 * documents it (HTTP's meaning), else 403 (Haplo answers every refusal 403).
 */
function unauthenticatedStatus(operation: Operation): number[] {
  return operation.statuses.includes('401') ? [401] : [403];
}

export async function auth(context: RunContext): Promise<void> {
  const operations = context.spec.operations.filter(
    (operation) => operation.requirement.role !== 'none' && context.allows(operation.method),
  );
  const user = context.mode.readOnly || context.mode.stateless ? undefined : await context.user('auth');
  const refuse = async (check: CheckName, auth: Auth, who: string, allowed: Operation[], status: (operation: Operation) => number[]) => {
    if (!context.selects(check)) return;
    for (const operation of allowed) {
      const call = context.profile.sample(operation.id, user, context.data);
      if (call) await context.send({ ...call, auth }, { purpose: who, check, expect: { status: status(operation) } });
    }
  };
  await refuse(CHECK.auth_required, 'none', 'a request without credentials', operations, unauthenticatedStatus);
  if (context.mode.stateless) {
    context.block(
      [CHECK.invalid_credentials_refused, CHECK.admin_required],
      'a stateless target does not know which credentials it issued',
    );
    return;
  }
  await refuse(
    CHECK.invalid_credentials_refused,
    { header: forgedCredential(context) },
    'a credential no server issued',
    operations,
    unauthenticatedStatus,
  );
  await adminOnly(context, user, operations);
}

async function adminOnly(context: RunContext, user: CreatedUser | undefined, operations: Operation[]): Promise<void> {
  if (!context.selects(CHECK.admin_required)) return;
  const adminOnly = operations.filter((operation) => operation.requirement.role === 'admin');
  if (adminOnly.length === 0) return context.block(CHECK.admin_required, 'no admin-only operation this run may call');
  const standard: Auth | undefined = context.transport.has('standard') ? 'standard' : await context.profile.obtainStandard?.(context);
  if (!standard) return context.block(CHECK.admin_required, 'no --auth-standard credential given');
  for (const operation of adminOnly) {
    const call = context.profile.sample(operation.id, user, context.data);
    if (call)
      await context.send(
        { ...call, auth: standard },
        { purpose: 'a non-admin credential', check: CHECK.admin_required, expect: { status: [403] } },
      );
  }
}
