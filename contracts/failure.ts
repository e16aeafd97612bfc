import { curlOf, type Exchange } from './exchange.ts';

/** One thing a check found wrong: what was expected, what came back, and the request. */
export interface Failure {
  check: string;
  message: string;
  exchange?: Exchange;
}

/** A failure as a person reads it: the check, the operation and request, and how to reproduce it. */
export function formatFailure(failure: Failure): string {
  const lines = [`[${failure.check}] ${failure.message}`];
  const exchange = failure.exchange;
  if (exchange) {
    const { request, response } = exchange;
    lines.push(`  operation: ${exchange.operationId}`, `  request:   ${request.method} ${request.url}`);
    if (request.body !== undefined) lines.push(`  body:      ${truncate(request.body)}`);
    lines.push(`  response:  ${response.status} ${response.headers['content-type'] ?? '(no content type)'} ${truncate(response.text)}`);
    lines.push(`  reproduce: ${curlOf(request)}`);
  }
  return lines.join('\n');
}

function truncate(text: string, limit = 300): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} characters)` : text;
}
