// Judging what a driver expected of the answer to a request it sent: its status (and media
// type), the user it shows, the list it returns.
import { mediaTypeEssence, type ApiSpec } from '../../specs/index.ts';
import type { ApiProfile } from '../apis/profile.ts';
import { mediaTypeOf, type Exchange } from '../exchange.ts';
import { undocumentedNote, type Problem } from './check.ts';
import { cut, masked } from '../report/mask.ts';

/** The first unmet part of an exchange's expectation; `status` tells that the answer was not even the expected one. */
export interface Unmet {
  problem: Problem;
  /** The status (or media type) was wrong: nothing else of the answer is worth judging. */
  wrongAnswer: boolean;
}

export function unmetExpectation(exchange: Exchange, spec: ApiSpec, profile: ApiProfile): Unmet | undefined {
  const expect = exchange.intent.expect;
  if (!expect) return undefined;
  const { response, intent } = exchange;
  const { status } = response;
  if (expect.status !== undefined) {
    const met =
      expect.status === 'success'
        ? status >= 200 && status < 300 && spec.documentsStatus(exchange.operationId, status)
        : expect.status.includes(status);
    if (!met) {
      const wanted =
        expect.status === 'success'
          ? `a documented 2xx (${successStatuses(spec, exchange.operationId).join(' or ') || 'none documented'})`
          : expect.status.join(' or ');
      return {
        problem: { message: `${intent.purpose}: expected ${wanted}, got ${status}`, detail: undocumentedNote(spec, exchange), status },
        wrongAnswer: true,
      };
    }
  }
  if (expect.mediaType !== undefined && mediaTypeOf(response) !== mediaTypeEssence(expect.mediaType)) {
    return {
      problem: {
        message: `${intent.purpose}: expected ${status} as ${expect.mediaType}, got ${mediaTypeOf(response) || 'no Content-Type'}`,
      },
      wrongAnswer: true,
    };
  }
  const problem = disagreement(exchange) ?? shows(exchange, spec, profile) ?? listed(exchange, profile);
  return problem ? { problem, wrongAnswer: false } : undefined;
}

const successStatuses = (spec: ApiSpec, operationId: string) =>
  spec.operation(operationId).statuses.filter((status) => status.startsWith('2'));

/** The answer and the vendor model's answer to the same request, side by side, with what differs. */
function disagreement(exchange: Exchange): Problem | undefined {
  const agreement = exchange.intent.expect?.agreement;
  if (!agreement || agreement.differences.length === 0) return undefined;
  // Tokens masked before the cut, so that a cut token cannot leave a quote open for the report's masking.
  const brief = (response: { status: number; text: string }) => {
    const text = masked(response.text, [], Infinity);
    return `${response.status}${text ? ` ${cut(text, 160)}` : ''}`;
  };
  return {
    message: `${exchange.intent.purpose}: the server answered ${brief(exchange.response)}; the vendor answers ${brief(agreement.vendor)} (${agreement.differences.join('; ')})`,
  };
}

/** The user in the answer shows each expected field; a field not as expected is named with why it was expected. */
function shows(exchange: Exchange, spec: ApiSpec, profile: ApiProfile): Problem | undefined {
  const { shows: expected, because = {} } = exchange.intent.expect ?? {};
  if (!expected) return undefined;
  const actual = profile.userIn(exchange.response);
  if (!actual) return { message: `${exchange.intent.purpose}: expected the answer to show the user, got no user in it` };
  const wrong = Object.entries(expected).filter(([field, value]) => value !== undefined && !sameValue(actual[field], value));
  if (wrong.length === 0) return undefined;
  const details = wrong.map(
    ([field, value]) =>
      `${field} = ${JSON.stringify(value)}${because[field] ? ` (${because[field]})` : ''}, got ${JSON.stringify(actual[field]) ?? 'nothing'}`,
  );
  // A field whose value the spec only infers (Amani's username) is no proven fact.
  const inferred = wrong.every(([field]) => spec.fieldProvenance(exchange.operationId, exchange.response.status, field) === 'inferred');
  return {
    message: `${exchange.intent.purpose}: expected ${details.join('; ')}`,
    ...(inferred ? { provenance: 'inferred' as const } : {}),
  };
}

/** The list in the answer includes every expected key, and no key twice. */
function listed(exchange: Exchange, profile: ApiProfile): Problem | undefined {
  const { includes, unique } = exchange.intent.expect ?? {};
  if (!includes && !unique) return undefined;
  const keys = profile.list?.keysIn(exchange.response);
  if (!keys) return { message: `${exchange.intent.purpose}: expected a list of users, got none` };
  const missing = (includes ?? []).filter((key) => !keys.includes(key));
  if (missing.length)
    return {
      message: `${exchange.intent.purpose}: expected the list to include ${missing.join(', ')} (created by this run), got ${keys.length} users without ${missing.length === 1 ? 'it' : 'them'}`,
    };
  const repeated = unique ? [...new Set(keys.filter((key, index) => keys.indexOf(key) !== index))] : [];
  if (repeated.length)
    return { message: `${exchange.intent.purpose}: expected each user once, got ${repeated.slice(0, 3).join(', ')} more than once` };
  return undefined;
}

/** Equal as JSON, except that arrays compare as sets where order carries no meaning (groups, memberships). */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const canonical = (values: unknown[]) => values.map((value) => JSON.stringify(value)).sort();
    return JSON.stringify(canonical(actual)) === JSON.stringify(canonical(expected));
  }
  if (isPlainObject(actual) && isPlainObject(expected)) {
    const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
    return [...keys].every((key) => sameValue(actual[key], expected[key]));
  }
  return JSON.stringify(actual) === JSON.stringify(expected);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
