// Judging an answer with the contract suite's own response checks, so the reliability tests and
// `usermock check` agree on what "conformant" means.
import { RESPONSE_CHECKS } from '../../../contracts/checks/response.ts';
import { receivedResponse, type Exchange } from '../../../contracts/exchange.ts';
import { apiSpec, type ApiName } from '../../../specs/index.ts';

/** An answer as a test saw it, over HTTP or straight from `Mock.handle`. Header names in lower case. */
export interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

/** What the response checks find wrong with an answer to an operation; empty when it conforms. */
export function nonConformities(api: ApiName, operationId: string, answer: Answer): string[] {
  const exchange: Exchange = {
    operationId,
    request: { method: '', url: '', headers: {}, auth: 'none' },
    response: receivedResponse(answer.status, definedHeaders(answer.headers), answer.text),
  };
  return Object.entries(RESPONSE_CHECKS).flatMap(([name, { check, apis }]) => {
    if (apis && !apis.includes(api)) return [];
    const problem = check(exchange, apiSpec(api));
    return problem ? [`${name}: ${problem}`] : [];
  });
}

/** Headers without the absent ones, as a request or response object takes them. */
export function definedHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
