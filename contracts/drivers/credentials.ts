// Credentials first: before any check, the admin credential must be accepted and be an admin, and
// the standard one accepted and not an admin — otherwise every verdict after would be about the
// credential, not the server.
import type { RunContext } from './context.ts';

/** A credential the server refuses, or of the wrong role; the run does not start (exit 2). */
export class CredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialError';
  }
}

/** How the caller named the two credentials (`--auth` on the command line, `auth` in code). */
export interface CredentialLabels {
  admin: string;
  standard: string;
}

/** Throws a CredentialError naming the wrong credential; returns what could not be verified, in words. */
export async function verifyCredentials(context: RunContext, labels: CredentialLabels): Promise<string[]> {
  context.startPhase('credentials');
  if (!context.transport.has('admin')) throw new CredentialError(`no ${labels.admin} given: the checks need an admin's credential`);
  if (context.mode.stateless) return [`credentials not verified: a stateless target accepts any well-formed one`];
  const notes: string[] = [];
  const admin = await context.profile.identify(context, 'admin');
  if (admin.accepted === undefined)
    throw new CredentialError(`cannot tell whether ${labels.admin} is accepted: ${admin.evidence}; is the base URL the API's?`);
  if (!admin.accepted) throw new CredentialError(`${labels.admin} is refused by the server: ${admin.evidence}`);
  const isAdmin = admin.admin ?? admin.claimsAdmin;
  if (isAdmin === false) throw new CredentialError(`${labels.admin} is not an admin's credential: ${admin.evidence}`);
  if (isAdmin === undefined)
    notes.push(`${labels.admin} is accepted; whether it is an admin's cannot be told on a read-only run (${admin.evidence})`);
  if (context.transport.has('standard')) {
    const standard = await context.profile.identify(context, 'standard');
    if (standard.accepted === undefined)
      throw new CredentialError(`cannot tell whether ${labels.standard} is accepted: ${standard.evidence}`);
    if (!standard.accepted) throw new CredentialError(`${labels.standard} is refused by the server: ${standard.evidence}`);
    // Where the server also says who the caller is, a non-admin it lets through is the server's fault (admin_required), not the credential's.
    if ((standard.admin ?? standard.claimsAdmin) === true && standard.claimsAdmin !== false) {
      throw new CredentialError(`${labels.standard} is an admin's credential, expected a non-admin's: ${standard.evidence}`);
    }
  }
  return notes;
}
