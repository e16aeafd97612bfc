// Judging an answer with the contract suite's own response checks, so the tests and
// `usermock check` agree on what "conformant" means.
import { expect } from 'vitest';
import { NOT_JUDGED } from '../../contracts/checks/check.ts';
import { checksOf, isResponseCheck } from '../../contracts/checks/index.ts';
import { receivedResponse, type Exchange } from '../../contracts/exchange.ts';
import { profileOf } from '../../contracts/options.ts';
import { driftOf } from '../../contracts/verdict.ts';
import { apiSpec, type ApiName } from '../../specs/index.ts';

/** An answer as a test saw it: supertest's Response, an HTTP answer, or `Mock.handle`'s. Header names in lower case. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** What the response checks find wrong with an answer to an operation (documented drift aside); empty when it conforms. */
export function nonConformities(api: ApiName, operationId: string, answer: Answer): string[] {
  const exchange: Exchange = {
    id: 1,
    operationId,
    call: { operationId, method: '', path: '', auth: 'none' },
    request: { method: '', url: '', headers: {}, auth: 'none' },
    response: receivedResponse(answer.status, definedHeaders(answer.headers), answer.text),
    intent: { purpose: 'a test' },
  };
  return checksOf(profileOf(api))
    .filter(isResponseCheck)
    .flatMap((check) => {
      const problem = check.judge(exchange, apiSpec(api));
      if (!problem || problem === NOT_JUDGED || driftOf(apiSpec(api), check.name, problem, exchange)) return [];
      return [`${check.name}: ${problem.message}`];
    });
}

/**
 * Asserts that an answer is one the spec documents for the operation: a documented status, a
 * documented content type (none for a bodiless response), a body matching that media type's
 * schema, the API's error shape — every response check of the contract suite.
 */
export function expectConformant(api: ApiName, operationId: string, answer: Answer): void {
  expect(nonConformities(api, operationId, answer), `${api} ${operationId} ${answer.status}: ${answer.text.slice(0, 500)}`).toEqual([]);
}

/** Headers without the absent ones (a repeated header joined), as a request or response object takes them. */
export function definedHeaders(headers: Answer['headers']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  );
}
