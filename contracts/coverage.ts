// Which documented (operation, status) pairs a run provoked and judged.
import type { ApiSpec } from '../specs/index.ts';
import type { ApiProfile } from './apis/profile.ts';
import type { Exchange } from './exchange.ts';

/** A documented pair and what the run made of it. */
export interface CoveredPair {
  operationId: string;
  status: string;
  /**
   * `judged`: answered and judged; `not provoked`: no answer had it; `unprovokable`: no request can
   * provoke it; `not sought`: the run chose not to (a destructive probe, with why); `server error`: a 5xx, not sought.
   */
  state: 'judged' | 'not provoked' | 'unprovokable' | 'not sought' | 'server error';
  reason?: string;
}

export interface Coverage {
  pairs: CoveredPair[];
  judged(operationId: string, status: number): boolean;
  /** Judged pairs among those a client can provoke. */
  provokable: number;
  judgedCount: number;
}

export function coverageOf(
  spec: ApiSpec,
  profile: ApiProfile,
  exchanges: readonly Exchange[],
  notSought: ReadonlyMap<string, string> = new Map(),
): Coverage {
  const seen = new Set(exchanges.map((exchange) => `${exchange.operationId} ${exchange.response.status}`));
  const pairs: CoveredPair[] = spec.operations.flatMap((operation) =>
    operation.statuses.map((status): CoveredPair => {
      const key = `${operation.id} ${status}`;
      if (seen.has(key)) return { operationId: operation.id, status, state: 'judged' };
      if (status.startsWith('5')) return { operationId: operation.id, status, state: 'server error' };
      const reason = profile.unprovokable[key];
      if (reason) return { operationId: operation.id, status, state: 'unprovokable', reason };
      const left = notSought.get(key);
      if (left) return { operationId: operation.id, status, state: 'not sought', reason: left };
      return { operationId: operation.id, status, state: 'not provoked' };
    }),
  );
  const provokable = pairs.filter((pair) => pair.state === 'judged' || pair.state === 'not provoked').length;
  return {
    pairs,
    judged: (operationId, status) => seen.has(`${operationId} ${status}`),
    provokable,
    judgedCount: pairs.filter((pair) => pair.state === 'judged' && !pair.status.startsWith('5')).length,
  };
}
