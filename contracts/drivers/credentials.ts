// Credentials first: before any check, who the two credentials are. Only documented evidence ends
// the run here (exit 2): the documented refusal of a credential, or the documented answer that it
// is of the wrong role. Any other answer met on the way is an exchange like every other — judged
// by the checks afterwards — and the run notes that the credentials could not be verified: a
// server's fault is never reported as the user's.
import { answersInShapeOf } from '../checks/response.ts';
import { masked } from '../report/mask.ts';
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

/**
 * The parts of the two credentials a server might echo back (the whole value, the token after its
 * scheme, a Basic credential's decoded form), for reports and errors to mask.
 */
export function credentialSecrets(credentials: { admin?: string; standard?: string }): string[] {
  const parts = Object.values(credentials).flatMap((value) => {
    if (value === undefined) return [];
    const token = value.trim().split(/\s+/).pop() ?? '';
    let decoded: string[] = [];
    try {
      const text = atob(token);
      decoded = [text, text.slice(text.indexOf(':') + 1)];
    } catch {
      // not base64: no Basic credential to decode
    }
    return [value, token, ...decoded];
  });
  // Short fragments would mask ordinary words.
  return [...new Set(parts.filter((part) => part.length >= 8))];
}

/** Throws a CredentialError naming the wrong credential; returns what could not be verified, in words. */
export async function verifyCredentials(context: RunContext, labels: CredentialLabels): Promise<string[]> {
  try {
    return await verify(context, labels);
  } catch (error) {
    // The evidence quotes the server, which may echo the credential it refused.
    if (error instanceof CredentialError) throw new CredentialError(masked(error.message, context.data.passwords, Infinity));
    throw error;
  }
}

async function verify(context: RunContext, labels: CredentialLabels): Promise<string[]> {
  context.startPhase('credentials');
  if (!context.transport.has('admin')) throw new CredentialError(`no ${labels.admin} given: the checks need an admin's credential`);
  if (context.mode.stateless) return [`credentials not verified: a stateless target accepts any well-formed one`];
  const notes: string[] = [];
  const start = context.transport.exchanges.length;
  const admin = await context.profile.identify(context, 'admin');
  if (admin.accepted === undefined) {
    // Nothing in the API's documented shapes: the base URL is not the API (a web page, another service).
    const answered = context.transport.exchanges.slice(start).some((exchange) => answersInShapeOf(exchange, context.spec));
    if (!answered)
      throw new CredentialError(
        `cannot tell whether ${labels.admin} is accepted: ${admin.evidence}, in none of the API's documented shapes; is the base URL the API's?`,
      );
    notes.push(`${labels.admin} could not be verified (${admin.evidence}): the run goes on, and the checks judge those answers`);
  }
  if (admin.accepted === false) throw new CredentialError(`${labels.admin} is refused by the server: ${admin.evidence}`);
  const isAdmin = admin.admin ?? admin.claimsAdmin;
  if (isAdmin === false) throw new CredentialError(`${labels.admin} is not an admin's credential: ${admin.evidence}`);
  if (admin.accepted && (isAdmin === undefined || (admin.admin === undefined && !context.mode.readOnly)))
    notes.push(`${labels.admin} is accepted; whether it may do an admin's work could not be verified (${admin.evidence})`);
  if (context.transport.has('standard')) {
    const standard = await context.profile.identify(context, 'standard');
    if (standard.accepted === false) throw new CredentialError(`${labels.standard} is refused by the server: ${standard.evidence}`);
    if (standard.accepted === undefined)
      notes.push(`${labels.standard} could not be verified (${standard.evidence}): the run goes on, and the checks judge those answers`);
    // Only the server's own word makes it an admin's, not contradicted by its documented role
    // refusal; a server that merely lets it do an admin's work is at fault (admin_required).
    if (standard.claimsAdmin === true && standard.admin !== false)
      throw new CredentialError(`${labels.standard} is an admin's credential, expected a non-admin's: ${standard.evidence}`);
    if (standard.admin === true)
      notes.push(`${labels.standard} was let do what only an admin may (${standard.evidence}): admin_required judges it`);
    else if (standard.accepted && standard.admin === undefined && !context.mode.readOnly)
      notes.push(`${labels.standard} is accepted; whether it may do an admin's work could not be verified (${standard.evidence})`);
  }
  return notes;
}
