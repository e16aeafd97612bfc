// Checks that the server enforces who may call what.
import { isFinding, type Finding, type RunContext } from './context.ts';
import type { CreatedUser } from '../apis/profile.ts';
import type { Auth, Exchange } from '../exchange.ts';
import type { ScenarioCheck } from './stateful.ts';

/** Operations a check may call: all of them, or only safe (GET) ones on a read-only run. */
function operationsFor(context: RunContext, readOnly: boolean, roles: string[]) {
  return context.spec.operations.filter((operation) => roles.includes(operation.requiredRole) && (!readOnly || operation.method === 'GET'));
}

/** A credential in the API's own scheme that no server issued. */
function invalidCredential(context: RunContext): string {
  const schemes = Object.values(context.spec.document.components?.securitySchemes ?? {});
  if (schemes.some((scheme) => scheme.scheme === 'basic')) return `Basic ${btoa('haplo:usermock-invalid-key-0000000000')}`;
  return 'Bearer usermock-invalid-token';
}

async function sampleUser(context: RunContext, readOnly: boolean): Promise<CreatedUser | undefined> {
  if (readOnly) return undefined;
  const user = await context.user('auth');
  return isFinding(user) ? undefined : user;
}

function refused(exchange: Exchange, context: RunContext, statuses: number[], what: string): Finding | undefined {
  const { status } = exchange.response;
  if (statuses.includes(status) && context.spec.documentsStatus(exchange.operationId, status)) return undefined;
  return { message: `expected a documented ${statuses.join(' or ')} ${what}, got ${status}`, exchange };
}

/** Sends the sample of each operation open to `roles` with a credential, and reports those not refused with `statuses`. */
async function refusals(
  context: RunContext,
  readOnly: boolean,
  roles: string[],
  auth: Auth,
  statuses: number[],
  what: string,
): Promise<Finding[]> {
  const user = await sampleUser(context, readOnly);
  const findings: Finding[] = [];
  for (const operation of operationsFor(context, readOnly, roles)) {
    const call = context.profile.sample(operation.id, user, context.data);
    if (!call) continue;
    const finding = refused(await context.send({ ...call, auth }), context, statuses, what);
    if (finding) findings.push(finding);
  }
  return findings;
}

/** Without credentials, every protected operation is refused (401/403). */
export const authRequired =
  (readOnly: boolean): ScenarioCheck =>
  async (context) => ({ findings: await refusals(context, readOnly, ['any', 'admin'], 'none', [401, 403], 'without credentials') });

/** With a credential no server issued, every protected operation is refused (401/403). */
export const invalidCredentialsRefused =
  (readOnly: boolean): ScenarioCheck =>
  async (context) => ({
    findings: await refusals(
      context,
      readOnly,
      ['any', 'admin'],
      { header: invalidCredential(context) },
      [401, 403],
      'with an invalid credential',
    ),
  });

/** A standard (non-admin) credential is refused (403) on admin-only operations. */
export function adminRequired(readOnly: boolean): ScenarioCheck {
  return async (context) => {
    if (!context.client.has('standard')) return { findings: [], skipped: 'no --auth-standard credential given' };
    if (operationsFor(context, readOnly, ['admin']).length === 0) return { findings: [], skipped: 'no admin-only operation to call' };
    return { findings: await refusals(context, readOnly, ['admin'], 'standard', [403], 'for a non-admin credential') };
  };
}
