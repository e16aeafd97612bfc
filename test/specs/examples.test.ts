// The specs' examples are executable contracts: each request example (its body and the parameter
// examples of the same name) gets the status of the response example it is paired with by name,
// from a fresh mock, one after the other in document order — what Specmatic's contract tests do
// (`npm run test:specmatic`), without Java.
import { describe, expect, it } from 'vitest';
import { API_NAMES, apiSpec, type ApiName, type Operation } from '../../specs/index.ts';
import { expectConformant } from '../helpers/conformance.ts';
import { startMock } from '../helpers/server.ts';

/** The paired examples of an operation: a request example's name and the status of its answer. */
function pairs(api: ApiName, operation: Operation): Array<[string, number]> {
  const spec = apiSpec(api);
  const requests = new Set([
    ...spec.requestExamples(operation.id).map((example) => example.name),
    ...operation.parameters.flatMap((parameter) => Object.keys(parameter.examples ?? {})),
  ]);
  const paired: Array<[string, number]> = operation.statuses.flatMap((status) =>
    spec
      .responseExamples(operation.id, Number(status))
      .filter((example) => requests.has(example.name))
      .map((example): [string, number] => [example.name, Number(status)]),
  );
  // A request example without an answer example of its name gets a bodiless 2xx (a DELETE's 204).
  const bodiless = operation.statuses.find(
    (status) => status.startsWith('2') && spec.responseMediaTypes(operation.id, Number(status)).length === 0,
  );
  for (const name of requests) if (bodiless && !paired.some(([pairedName]) => pairedName === name)) paired.push([name, Number(bodiless)]);
  return paired;
}

describe.each(API_NAMES)('the %s examples', (api) => {
  it('get their paired status from the state usermock serve starts with, in document order', async () => {
    const running = await startMock(); // `usermock serve`'s defaults
    try {
      const spec = apiSpec(api);
      const { admin } = running.mock.credentials()[api];
      let sent = 0;
      for (const operation of spec.operations) {
        const bodies = new Map(
          spec
            .requestExamples(operation.id)
            .filter((example) => example.mediaType === 'application/json')
            .map((example) => [example.name, example.value]),
        );
        for (const [name, status] of pairs(api, operation)) {
          let path = operation.path;
          const query = new URLSearchParams();
          for (const parameter of operation.parameters) {
            const value = parameter.examples?.[name]?.value;
            if (value === undefined) continue;
            if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(value)));
            else if (parameter.in === 'query') query.set(parameter.name, String(value));
          }
          const body = bodies.get(name);
          // A string example is sent as it is (malformed JSON on purpose), as Specmatic sends it.
          const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
          const answer = await fetch(`${running.url}${path}${query.size ? `?${query}` : ''}`, {
            method: operation.method,
            headers: { authorization: admin, ...(text === undefined ? {} : { 'content-type': 'application/json' }) },
            body: text,
          });
          const answered = { status: answer.status, headers: Object.fromEntries(answer.headers), text: await answer.text() };
          expect([operation.id, name, answered.status], answered.text.slice(0, 300)).toEqual([operation.id, name, status]);
          expectConformant(api, operation.id, answered);
          sent++;
        }
      }
      expect(sent).toBeGreaterThan(spec.operations.length);
    } finally {
      await running.close();
    }
  });
});
