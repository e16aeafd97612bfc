// What a check is: a name, a one-line meaning and what it needs, beside the function that judges.
import type { ApiSpec, Provenance } from '../../specs/index.ts';
import type { Exchange } from '../exchange.ts';
import type { CheckName, NameOf } from './names.ts';

/** What a check found wrong with one exchange, with the facts known drift is matched on. */
export interface Problem {
  message: string;
  /** Context that differs from one request to the next (which statuses the operation documents …), left out when grouping repeats. */
  detail?: string;
  /** The status the answer had, when the problem is about it. */
  status?: number;
  /** The schema errors behind the problem (JSON pointer into the body, ajv keyword). */
  schemaErrors?: Array<{ pointer: string; keyword: string }>;
  /** Where the violated fact comes from, when the check knows better than the operation's status (a convention no vendor states). */
  provenance?: Provenance;
}

export interface CheckInfo<N extends CheckName = CheckName> {
  name: N;
  meaning: string;
  /** `expectation`: judges what a driver expected of the requests it sent for this check; `response`: judges every answer. */
  kind: 'expectation' | 'response';
  /** Needs a server that keeps what it is sent and knows its users (left out with `--stateless`). */
  stateful?: boolean;
  /** Its requests change the server (left out with `--read-only`). */
  writes?: boolean;
}

/** Why a response check has nothing to say about an exchange (it is left unjudged, not passed). */
export const NOT_JUDGED = Symbol('not judged');

/** A check of every answer: a problem, nothing wrong, or NOT_JUDGED when the exchange is none of its business. */
export interface ResponseCheck<N extends CheckName = CheckName> extends CheckInfo<N> {
  kind: 'response';
  judge(exchange: Exchange, spec: ApiSpec): Problem | undefined | typeof NOT_JUDGED;
}

/** A check of every answer; a name not among `CHECK`'s is a profile's own (`OwnCheckName`). */
export const responseCheck = <N extends string>(name: N, meaning: string, judge: ResponseCheck['judge']): ResponseCheck<NameOf<N>> => ({
  name: name as NameOf<N>,
  meaning,
  kind: 'response',
  judge,
});

/**
 * A check of what drivers expect of the requests they send for it; a name not among `CHECK`'s
 * is a profile's own (`OwnCheckName`), which the profile's scenarios name by `.name`.
 */
export const expectationCheck = <N extends string>(
  name: N,
  meaning: string,
  needs: Pick<CheckInfo, 'stateful' | 'writes'> = {},
): CheckInfo<NameOf<N>> => ({
  name: name as NameOf<N>,
  meaning,
  kind: 'expectation',
  ...needs,
});

/** Which statuses the spec documents, when the one received is not among them. */
export function undocumentedNote(spec: ApiSpec, exchange: Exchange): string | undefined {
  const { status } = exchange.response;
  if (spec.documentsStatus(exchange.operationId, status)) return undefined;
  return `${status} is not documented for ${exchange.operationId}; documented: ${spec.operation(exchange.operationId).statuses.join(', ')}`;
}
