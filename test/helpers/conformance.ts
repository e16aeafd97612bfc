import { expect } from 'vitest';
import { apiSpec, type ApiName } from '../../specs/index.ts';

/** What a test needs of an HTTP answer (supertest's Response fits). */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Asserts that an answer is one the spec documents for the operation: the status is listed, the
 * content type is one of the documented media types (none for a bodiless response), and the body
 * validates against that media type's schema.
 */
export function expectConformant(api: ApiName, operationId: string, answer: Answer): void {
  const spec = apiSpec(api);
  const where = `${api} ${operationId} ${answer.status}`;
  expect(spec.documentsStatus(operationId, answer.status), `${where}: status not documented`).toBe(true);
  const mediaTypes = spec.responseMediaTypes(operationId, answer.status);
  if (mediaTypes.length === 0) {
    expect(answer.text, `${where}: expected no body`).toBe('');
    return;
  }
  const contentType = String(answer.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  expect(mediaTypes, `${where}: content type ${contentType} not documented`).toContain(contentType);
  const validate = spec.responseValidator(operationId, answer.status, contentType);
  if (!validate) return;
  const body = contentType.endsWith('json') ? JSON.parse(answer.text) : answer.text;
  expect(validate(body), `${where}: ${spec.describeErrors(validate)}\n${answer.text.slice(0, 500)}`).toBe(true);
}
