// Hostile input on every operation of every API, over real HTTP. Each request is answered with a
// status the spec documents for the operation, in its documented shape (a 4xx where the input is
// unusable, 413 for a body over the limit) — never a 5xx, a hang or a crash — and after each batch
// the mock still answers a normal request.
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Call } from '../../contracts/exchange.ts';
import { API_MODULES, Mock } from '../../mocks/index.ts';
import { createHttpServer, listen, MAX_BODY_BYTES } from '../../mocks/server.ts';
import { schemaFor, type Schema } from '../../specs/schema.ts';
import { API_NAMES, apiSpec, type ApiName } from '../../specs/index.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';
import { nonConformities } from '../helpers/conformance.ts';
import { HEALTH_CHECK, requestOf, wellFormedCalls } from './support/calls.ts';
import { MALFORMED_AUTHORIZATIONS, ODD_SEGMENTS } from './support/hostile-values.ts';
import { httpRequestOf, send, sendRaw, type HttpRequest } from './support/http.ts';

/** What an answer must be besides never a 5xx: a 4xx, exactly 413, or any documented status. */
type Expected = '4xx' | 413 | 'documented';

/** A hostile request, made from the well-formed requests of the fresh session it is sent in. */
type Make = () => Variant;

interface Variant {
  /** What is hostile about it, for the failure message. */
  name: string;
  request: HttpRequest;
  expected: Expected;
  /** The operation whose documented answers apply; none for paths outside the spec and for 413. */
  operationId?: string;
}

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const HUGE = 500_000;

/** Malformed JSON, JSON that is not an object, unreadable bytes, absurd nesting. */
const HOSTILE_BODIES: Record<string, string | Buffer> = {
  'truncated JSON': '{"email":',
  'trailing comma': '{"a":1,}',
  'single quotes': "{'a':1}",
  'trailing garbage': '{} x',
  'byte-order mark': '\uFEFF{}',
  'bare word': 'nul',
  whitespace: ' \n\t ',
  'JSON null': 'null',
  'JSON array': '[{}]',
  'JSON string': '"user"',
  'JSON number': '42',
  'JSON number out of range': '1e999',
  'JSON true': 'true',
  'array nested 10,000 deep': deepArray(10_000),
  'unknown field nested 10,000 deep': deepObject(10_000),
  'invalid UTF-8': Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]),
  'a NUL byte': '\0',
  'a raw NUL inside a JSON string': '{"email":"a\0@example.com"}',
};

/** Field values of every JSON type, some absurd, as JSON text; each is sent where the schema forbids it. */
const WRONG_VALUES: Record<string, string> = {
  object: '{"unexpected":"object"}',
  array: '["a","b"]',
  number: '12345',
  boolean: 'true',
  null: 'null',
  'array nested 10,000 deep': deepArray(10_000),
  'object nested 10,000 deep': deepObject(10_000),
};

/**
 * Wrong types the vendor's own server accepts, and so the mock (see each API's behaviour file):
 * DRF's CharField takes a number as its text; Haplo's platform reads null tags, locale and group
 * list as absent, and walks a group list with underscore's _.each, which skips a non-collection.
 */
const VENDOR_ACCEPTS: Record<ApiName, (field: string, type: string) => boolean> = {
  // Go's encoding/json reads null as "leave the zero value": never an error.
  hoop: (_field, type) => type === 'null',
  amani: (field, type) => type === 'number' && field !== 'email',
  haplo: (field, type) =>
    (type === 'null' && ['tags', 'localeId', 'directGroupMembership'].includes(field)) ||
    (field === 'directGroupMembership' && ['number', 'boolean'].includes(type)),
};

/** A body's JSON text with one field set to a JSON text (built as text: JSON.stringify overflows on 10,000 levels). */
function withField(body: Record<string, unknown>, field: string, value: string): string {
  const { [field]: _replaced, ...rest } = body;
  const others = JSON.stringify(rest).slice(1, -1);
  return `{${others}${others ? ',' : ''}${JSON.stringify(field)}:${value}}`;
}

/** Methods Node's parser passes on (answered by the mock) and one it refuses itself. */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'PURGE', 'MKCOL', 'TRACE', 'FOO'];

/** The engine's own words in an answer: a stack overflow or a stack trace the mock let through. */
const ENGINE_ERROR = /Maximum call stack size exceeded|\n\s+at \S+ \(/;

describe.each(API_NAMES)('%s under hostile input', (api) => {
  const spec = apiSpec(api);
  const module = API_MODULES.find((candidate) => candidate.name === api)!;
  const internalErrors: unknown[] = [];
  let running: RunningMock;
  // Each variant runs in a session of its own, on a user made for it, so that no earlier variant
  // (a create that took the email, a delete) decides its answer.
  let session: string;
  let calls: Map<string, Call>;
  let sessions = 0;

  beforeAll(async () => {
    running = await startMock({ users: 5, onError: (error) => internalErrors.push(error) });
  });
  afterAll(() => running.close());
  beforeEach(async () => {
    running.mock.reset();
    // Bodies are the same in every session (one data seed), so variants may be listed from this
    // one; paths name a session's own user, so each request is made in its variant's session.
    await freshSession();
  });
  afterEach(async () => {
    expect(internalErrors).toEqual([]);
    await freshSession();
    const health = await send(running.url, request(HEALTH_CHECK[api]));
    expect(health.status).toBe(200);
  });

  async function freshSession(): Promise<void> {
    session = `hostile-${++sessions}`;
    calls = await wellFormedCalls(api, running.mock, session);
  }

  /** The well-formed request for an operation over HTTP, in the current session, with changes. */
  function request(operationId: string, change: Partial<HttpRequest> = {}): HttpRequest {
    const base = httpRequestOf(requestOf(calls.get(operationId)!, running.mock.credentials(session)[api], session));
    return { ...base, ...change, headers: { ...base.headers, ...change.headers } };
  }

  const withBody = () => spec.operations.filter((operation) => spec.requestSchema(operation.id));
  const bodyOf = (operationId: string) => calls.get(operationId)!.body as Record<string, unknown>;
  const properties = (operationId: string) =>
    Object.entries((schemaFor(spec.requestSchema(operationId)!, 'request').properties ?? {}) as Record<string, Schema>);

  /** Whether the operation's request schema forbids a body (operations without one ignore it). */
  function forbidden(operationId: string, body: string | Buffer): boolean {
    const validate = spec.requestValidator(operationId);
    if (!validate) return false;
    try {
      return !validate(JSON.parse(body.toString()));
    } catch {
      return true;
    }
  }

  /** Sends every variant, one after another, each in a fresh session, and lists what went wrong. */
  async function problems(variants: Make[]): Promise<string[]> {
    const found: string[] = [];
    for (const make of variants) {
      await freshSession();
      const { name, request: sent, expected, operationId } = make();
      const where = `${sent.method} ${sent.target.slice(0, 80)} (${name})`;
      let answer;
      try {
        answer = await send(running.url, sent);
      } catch (error) {
        found.push(`${where}: ${(error as Error).message}`);
        continue;
      }
      const { status } = answer;
      if (status >= 500) found.push(`${where}: ${status} ${answer.text.slice(0, 200)}`);
      else if (expected === '4xx' && status < 400) found.push(`${where}: expected a 4xx, got ${status}`);
      else if (expected === 413 && status !== 413) found.push(`${where}: expected 413, got ${status}`);
      if (ENGINE_ERROR.test(answer.text)) found.push(`${where}: the answer shows an engine error: ${answer.text.slice(0, 200)}`);
      if (operationId) found.push(...nonConformities(api, operationId, answer).map((problem) => `${where} → ${status}: ${problem}`));
    }
    return found;
  }

  it('answers malformed, non-object and unreadable bodies with a documented 4xx', async () => {
    const variants = spec.operations.flatMap((operation) =>
      Object.entries(HOSTILE_BODIES).map(([name, body]): Make => () => ({
        name: `${operation.id}: ${name}`,
        request: request(operation.id, { body }),
        expected: forbidden(operation.id, body) ? '4xx' : 'documented',
        operationId: operation.id,
      })),
    );
    expect(await problems(variants)).toEqual([]);
  });

  it('answers fields of the wrong type, however deep, with a documented 4xx', async () => {
    const variants = withBody().flatMap((operation) => {
      const validate = spec.validator(spec.requestSchema(operation.id)!, 'request');
      const base = bodyOf(operation.id);
      return properties(operation.id).flatMap(([field]) =>
        Object.entries(WRONG_VALUES)
          .filter(([, value]) => !validate({ ...base, [field]: JSON.parse(value) }))
          .map(([name, value]): Make => () => ({
            name: `${operation.id}: ${field} as ${name}`,
            request: request(operation.id, { body: withField(base, field, value) }),
            expected: VENDOR_ACCEPTS[api](field, name) ? 'documented' : '4xx',
            operationId: operation.id,
          })),
      );
    });
    expect(variants.length).toBeGreaterThan(0);
    expect(await problems(variants)).toEqual([]);
  });

  it('answers 500 KB strings as documented, and a body over 1 MiB with 413', async () => {
    const variants = withBody().flatMap((operation) => {
      const base = bodyOf(operation.id);
      const huge = properties(operation.id)
        .filter(([, property]) => property.type === 'string')
        .map(([field, property]): Make => () => {
          const value = property.format === 'email' ? `${'a'.repeat(HUGE)}@example.com` : 'x'.repeat(HUGE);
          const body = JSON.stringify({ ...base, [field]: value });
          return {
            name: `${operation.id}: 500 KB ${field}`,
            request: request(operation.id, { body }),
            expected: 'documented',
            operationId: operation.id,
          };
        });
      const oversized = JSON.stringify({ ...base, padding: 'x'.repeat(MAX_BODY_BYTES) });
      const tooLarge: Make = () => ({
        name: `${operation.id}: body over 1 MiB`,
        request: request(operation.id, { body: oversized }),
        expected: 413,
      });
      return [...huge, tooLarge];
    });
    expect(await problems(variants)).toEqual([]);
  });

  it('answers bodies in the wrong content type, or none, as documented', async () => {
    const variants = withBody().flatMap((operation) => {
      const base = bodyOf(operation.id);
      const json = JSON.stringify(base);
      const form = new URLSearchParams(Object.entries(base).map(([key, value]) => [key, String(value)])).toString();
      const bodies: Array<[string, string, string | undefined]> = [
        ['JSON as text/plain', json, 'text/plain'],
        ['JSON as a form', json, 'application/x-www-form-urlencoded'],
        ['a form as a form', form, 'application/x-www-form-urlencoded'],
        ['a form as JSON', form, 'application/json'],
        ['JSON as multipart', json, 'multipart/form-data; boundary=usermock'],
        ['JSON in UTF-16', json, 'application/json; charset=utf-16'],
        ['JSON without a content type', json, undefined],
      ];
      return bodies.map(([name, body, contentType]): Make => () => {
        const sent = request(operation.id, { body });
        if (contentType === undefined) delete sent.headers!['content-type'];
        else sent.headers!['content-type'] = contentType;
        return { name: `${operation.id}: ${name}`, request: sent, expected: 'documented', operationId: operation.id };
      });
    });
    expect(await problems(variants)).toEqual([]);
  });

  it('answers odd path segments as documented, and paths outside the spec without a 5xx', async () => {
    const variants = spec.operations
      .filter((operation) => operation.path.includes('{'))
      .flatMap((operation) =>
        ODD_SEGMENTS.map((segment): Make => () => {
          const path = operation.path.replace(/\{[^}]+\}/g, segment);
          const query = request(operation.id).target.split('?')[1];
          const target = query ? `${path}?${query}` : path;
          const operationId = module.route(operation.method, path).operation?.id;
          return {
            name: `${operation.id}: ${segment.slice(0, 30)}`,
            request: request(operation.id, { target }),
            expected: 'documented',
            operationId,
          };
        }),
      );
    const prefix = spec.operations[0]!.path.split('/').slice(0, 3).join('/');
    const outside = [
      '/',
      '//',
      '/%2e%2e/',
      '/a/b/c/d',
      '/%00/%00',
      `/${'y'.repeat(5_000)}/x`,
      '/id/1/2',
      '/group/',
      '/enable/',
      '/user/x/y',
    ];
    for (const suffix of outside) {
      const target = prefix + suffix;
      // Not the spec's paths, so no operation's documented answers apply: only "never a 5xx".
      variants.push(() => ({
        name: `outside the spec: ${target.slice(0, 40)}`,
        request: request(HEALTH_CHECK[api], { target }),
        expected: 'documented',
      }));
    }
    expect(await problems(variants)).toEqual([]);
  });

  it('answers repeated and oversized query strings as documented', async () => {
    const variants = spec.operations.flatMap((operation) => {
      const base = request(operation.id);
      const [path, query = ''] = base.target.split('?');
      const own = [
        ...new URLSearchParams(query).keys(),
        ...operation.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
      ];
      const conflicting = own.flatMap((name) =>
        ['', 'block', '-1', 'abc', '%ZZ', '\u00ff'].map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`),
      );
      const queries: Record<string, string> = {
        'a parameter repeated 1,000 times': Array.from({ length: 1_000 }, (_, i) => `a=${i}`).join('&'),
        'its own parameters repeated with conflicting values': [query, ...conflicting].filter(Boolean).join('&'),
        'a 12 KB value': `${query}&${own[0] ?? 'q'}=${'v'.repeat(12_000)}`,
        'broken escapes': `${query}&%ZZ=%&=&&==&%00=%00`,
      };
      return Object.entries(queries).map(([name, extra]): Make => () => ({
        name: `${operation.id}: ${name}`,
        request: request(operation.id, { target: `${path}?${extra}` }),
        expected: 'documented',
        operationId: operation.id,
      }));
    });
    expect(await problems(variants)).toEqual([]);
  });

  it('answers a query over the header limit from Node itself, never with a 5xx', async () => {
    const variants = spec.operations.map((operation): Make => () => ({
      name: `${operation.id}: a 20 KB query`,
      request: request(operation.id, { target: `${request(operation.id).target.split('?')[0]}?q=${'v'.repeat(20_000)}` }),
      expected: '4xx',
    }));
    expect(await problems(variants)).toEqual([]);
  });

  it('answers unknown and unexpected methods without a 5xx, as documented where they route', async () => {
    const variants = spec.operations.flatMap((operation) =>
      METHODS.map((method): Make => () => {
        const sent = request(operation.id, { method });
        return {
          name: `${operation.id}: ${method}`,
          request: sent,
          expected: 'documented',
          operationId: module.route(method, sent.target.split('?')[0]!).operation?.id,
        };
      }),
    );
    expect(await problems(variants)).toEqual([]);
  });

  it('answers malformed credentials with a documented 401 or 403', async () => {
    const variants = spec.operations.flatMap((operation) =>
      Object.entries(MALFORMED_AUTHORIZATIONS).map(([name, authorization]): Make => () => ({
        name: `${operation.id}: ${name}`,
        request: request(operation.id, { headers: { authorization } }),
        // Operations open to anyone (Amani's login and refresh) do not look at the header.
        expected: operation.requirement.role === 'none' ? 'documented' : '4xx',
        operationId: operation.id,
      })),
    );
    // Near misses of the real credential: the constant-time comparison still tells them apart.
    const own = running.mock.credentials()[api].admin;
    const nearMisses = {
      'the admin credential cut short': own.slice(0, -1),
      'the admin credential one character off': own.slice(0, -1) + (own.endsWith('A') ? 'B' : 'A'),
    };
    for (const [name, authorization] of Object.entries(nearMisses)) {
      variants.push(() => ({
        name,
        request: request(HEALTH_CHECK[api], { headers: { authorization } }),
        expected: '4xx',
        operationId: HEALTH_CHECK[api],
      }));
    }
    expect(await problems(variants)).toEqual([]);
  });

  it('survives NUL and control bytes, broken framing and unknown protocols (Node refuses most itself)', async () => {
    const path = request(HEALTH_CHECK[api]).target;
    const junk = [
      `GET ${path}\0 HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \0\x01\r\n\r\n`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nx-usermock-session: \x7f\r\n\r\n`,
      `get ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `CONNECT ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET ${path}\r\n\r\n`,
      `${'x'.repeat(100)}\r\n\r\n`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nX: ${'h'.repeat(20_000)}\r\n\r\n`,
      `GET ${path.replace(/\/[^/]*$/, '/\xff\xfe\x80')} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ];
    const statuses = await Promise.all(junk.map((bytes) => sendRaw(running.url, Buffer.from(bytes, 'latin1'))));
    // A closed connection (undefined) is Node refusing the request; a status must not be a 5xx.
    expect(statuses.filter((status) => status !== undefined && status >= 500)).toEqual([]);
  });
});

describe('a client that leaves before the end of its body', () => {
  it('gets no request handled for it: the mock never acts on half a request', async () => {
    const mock = new Mock(API_MODULES, { users: 2 });
    const server = createHttpServer(mock);
    const origin = await listen(server, 0, '127.0.0.1');
    const closed = new Promise<void>((resolve) => server.once('connection', (socket) => socket.once('close', () => resolve())));
    try {
      const socket = connect(Number(new URL(origin).port), '127.0.0.1');
      const head = `POST /api/users HTTP/1.1\r\nHost: x\r\nAuthorization: ${mock.credentials().hoop.admin}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
      socket.write(`${head}{"email":"half@example.com"`, () => socket.destroy());
      await closed;
      // Anything handled for it would be journalled by now: the handling runs before the close.
      await new Promise((resolve) => setImmediate(resolve));
      expect(mock.journal.list()).toEqual([]);
      expect((await send(origin, { method: 'GET', target: '/__usermock/credentials' })).status).toBe(200);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
