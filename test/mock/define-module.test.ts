// defineApiModule's defaults on a small API of its own (a spec given as an object): routing and
// ownership from the spec, 404 and 405 in the API's error shape, the spec's roles with the API's
// gate, and bodies of a `+json` media type decoded and checked against the request schema — before
// the operation runs, or when it reads them (`bodyWhenRead`).
import { describe, expect, it } from 'vitest';
import { createMock, defineApiModule, json, loadSpec, Table, type Gate, type MockRequest } from '../../mocks/index.ts';

const NOTE = { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', minLength: 1 } } };
const spec = await loadSpec(
  {
    openapi: '3.0.3',
    info: { title: 'notes', version: '1' },
    paths: {
      '/notes/v1/items': {
        post: {
          operationId: 'addNote',
          'x-required-role': 'admin',
          requestBody: { required: true, 'x-null-as-absent': true, content: { 'application/vnd.notes+json': { schema: NOTE } } },
          responses: { '201': { description: 'made' }, '400': { description: 'bad' }, '401': { description: 'who' } },
        },
      },
      '/notes/v1/items/{id}': {
        put: {
          operationId: 'putNote',
          'x-required-role': 'admin',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/vnd.notes+json': { schema: NOTE } } },
          responses: { '200': { description: 'ok' }, '404': { description: 'none' } },
        },
      },
    },
  },
  { name: 'notes' },
);

class Notes {
  readonly items = new Table<string, { id: string; text: string }>((note) => note.id);
  toJSON = () => [...this.items.values()];
}
const gate: Gate<Notes, 'admin'> = {
  authenticate: (request) => (request.headers.authorization === 'Key a' ? { caller: 'admin' } : { refused: json(401, { error: 'who' }) }),
  permits: () => true,
  forbidden: () => json(403, { error: 'no' }),
};

/** The notes API; `bodyWhenRead` as given, and `putNote` reading its body only once it found the note. */
const notes = (bodyWhenRead: boolean) =>
  defineApiModule({
    name: 'notes',
    spec,
    bodyWhenRead,
    seed: () => new Notes(),
    restore: () => new Notes(),
    credentials: () => ({ admin: 'Key a', standard: 'Key s' }),
    gate,
    error: (status, message) => json(status, { error: message }),
    records: [{ kind: 'notes', count: (state) => state.items.size, addedBy: ['addNote'], rows: (state) => [...state.items.values()] }],
    newUser: { operationId: 'addNote', body: () => ({ text: 'hi' }) },
    operations: {
      addNote: ({ state, body }) => {
        const note = { id: String(state.items.size + 1), ...(body as { text: string }) };
        state.items.put(note);
        return json(201, note);
      },
      putNote: (context) => {
        if (!context.state.items.get(context.params.id!)) return json(404, { error: `no note ${context.params.id}` });
        return json(200, { id: context.params.id, ...(context.body as object) });
      },
    },
  });

const request = (method: string, path: string, body?: string, authorization = 'Key a'): MockRequest => ({
  method,
  path,
  query: new URLSearchParams(),
  headers: { authorization, 'content-type': 'application/vnd.notes+json' },
  body,
});

describe('defineApiModule', () => {
  const mock = createMock({ apis: [notes(false)] });
  const send = async (...args: Parameters<typeof request>) => {
    const answer = await mock.handle(request(...args));
    return [answer.status, answer.body && JSON.parse(answer.body)];
  };

  it('routes the spec, owns what is under its paths, and answers the rest in its own error shape', async () => {
    expect(await send('POST', '/notes/v1/items', '{"text":"a","extra":null}')).toEqual([201, { id: '1', text: 'a' }]);
    expect(await send('GET', '/notes/v1/items/1/more')).toEqual([404, { error: 'no route GET /notes/v1/items/1/more' }]);
    expect(await send('DELETE', '/notes/v1/items')).toEqual([405, { error: 'DELETE is not allowed on /notes/v1/items' }]);
    expect((await mock.handle(request('GET', '/elsewhere'))).status).toBe(404);
    expect(mock.serves('/elsewhere')).toBe(false);
    expect(await send('POST', '/notes/v1/items', '{"text":"b"}', 'Key wrong')).toEqual([401, { error: 'who' }]);
  });

  it('refuses a body that is not JSON or breaks the schema before the operation runs', async () => {
    expect(await send('POST', '/notes/v1/items', '{"text":')).toEqual([400, { error: expect.stringMatching(/^the body is not JSON/) }]);
    expect(await send('POST', '/notes/v1/items', '{"text":""}')).toEqual([400, { error: expect.stringMatching(/text/) }]);
    // Refused before the lookup: the note does not exist, and the answer is still the 400.
    expect(await send('PUT', '/notes/v1/items/9', '{}')).toEqual([400, expect.anything()]);
    expect(mock.state('notes').items.size).toBe(1);
  });

  it('with bodyWhenRead, checks the body where the operation reads it: a 404 before a 400', async () => {
    const lazy = createMock({ apis: [notes(true)] });
    expect((await lazy.handle(request('PUT', '/notes/v1/items/9', '{}'))).status).toBe(404);
    await lazy.handle(request('POST', '/notes/v1/items', '{"text":"a"}'));
    expect((await lazy.handle(request('PUT', '/notes/v1/items/1', '{}'))).status).toBe(400);
  });
});
