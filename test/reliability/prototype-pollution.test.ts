// `__proto__`, `constructor` and `prototype` as keys, tag names, group names, query parameters and
// session names: they are data like any other. No object's prototype changes, nothing leaks into
// other answers, and a session with such a name is stored and snapshotted like any other.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../../contracts/exchange.ts';
import { createMock, SESSION_HEADER, type Mock } from '../../mocks/index.ts';
import { API_NAMES, apiSpec, type ApiName } from '../../specs/index.ts';
import { requestOf, wellFormedCalls } from './support/calls.ts';

/** The marker every polluting payload carries, so a leak shows in any later answer. */
const MARKER = 'polluted';
const POLLUTING_KEYS = `"__proto__":{"${MARKER}":"yes"},"constructor":{"prototype":{"${MARKER}":"yes"}},"prototype":{"${MARKER}":"yes"}`;
const SPECIAL_NAMES = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'];

/** A JSON object's text with extra members, written as text: an object literal would set its prototype. */
const withMembers = (body: unknown, members: string) => {
  const others = JSON.stringify(body ?? {}).slice(1, -1);
  return `{${others}${others ? ',' : ''}${members}}`;
};

/** The polluting bodies for an operation: at the top level and in each API's nested maps and lists. */
function pollutingBodies(api: ApiName, call: Call): string[] {
  const top = withMembers(call.body, POLLUTING_KEYS);
  const names = JSON.stringify(SPECIAL_NAMES);
  const nested: Record<ApiName, string[]> = {
    hoop: [`"groups":${names}`, `"name":"__proto__"`],
    amani: [`"groups":{${POLLUTING_KEYS}}`, `"groups":{"__proto__":1,"constructor":2}`],
    haplo: [
      `"tags":{${POLLUTING_KEYS}}`,
      `"tags":{${SPECIAL_NAMES.map((name) => `"${name}":"tag-${name}"`).join(',')}}`,
      `"directGroupMembership":{"__proto__":"haplo:group:staff","constructor":"haplo:group:staff"}`,
    ],
  };
  const { [api === 'haplo' ? 'tags' : 'groups']: _dropped, ...rest } = (call.body ?? {}) as Record<string, unknown>;
  return [top, ...nested[api].map((member) => withMembers(rest, member))];
}

/** Every object the mock stores or shows, walked without recursion; the ones whose prototype is not the standard one. */
function foreignPrototypes(root: unknown): string[] {
  const found: string[] = [];
  const pending: Array<[string, unknown]> = [['state', root]];
  const seen = new Set<unknown>();
  while (pending.length > 0) {
    const [where, value] = pending.pop()!;
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== (Array.isArray(value) ? Array.prototype : Object.prototype)) found.push(where);
    for (const key of Object.getOwnPropertyNames(value)) pending.push([`${where}.${key}`, (value as Record<string, unknown>)[key]]);
  }
  return found;
}

describe('prototype pollution', () => {
  let mock: Mock;
  const prototypeKeys = () =>
    [Object.prototype, Array.prototype, Function.prototype].map((prototype) => Object.getOwnPropertyNames(prototype).sort());
  const before = prototypeKeys();

  beforeAll(async () => {
    mock = createMock({ users: 5 });
    for (const api of API_NAMES) {
      const calls = await wellFormedCalls(api, mock);
      const credentials = mock.credentials()[api];
      for (const call of calls.values()) {
        const request = requestOf(call, credentials);
        for (const body of pollutingBodies(api, call)) await mock.handle({ ...request, body });
        // The same keys as a form, which Amani reads with DRF's form parser.
        const form = `__proto__[${MARKER}]=yes&constructor[prototype][${MARKER}]=yes&__proto__=${MARKER}`;
        await mock.handle({ ...request, body: form, headers: { ...request.headers, 'content-type': 'application/x-www-form-urlencoded' } });
        // As query parameters, Haplo's tag queries among them, and as every path parameter.
        await mock.handle({
          ...request,
          query: new URLSearchParams(
            SPECIAL_NAMES.flatMap((name) => [
              [name, MARKER],
              [`tag:${name}`, MARKER],
            ]),
          ),
        });
        const template = apiSpec(api).operation(call.operationId).path;
        for (const name of template.includes('{') ? SPECIAL_NAMES : [])
          await mock.handle({ ...request, path: template.replace(/\{[^}]+\}/g, name) });
      }
    }
  });

  it('changes no prototype: Object.prototype, Array.prototype and Function.prototype gain nothing', () => {
    expect(({} as Record<string, unknown>)[MARKER]).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>)[MARKER]).toBeUndefined();
    expect(prototypeKeys()).toEqual(before);
  });

  it('stores only objects with the standard prototype, special keys as plain data', () => {
    expect(foreignPrototypes(mock.snapshot())).toEqual([]);
  });

  it('lets nothing leak into answers about other users', async () => {
    for (const api of API_NAMES) {
      const calls = await wellFormedCalls(api, mock, 'clean');
      for (const call of calls.values()) {
        if (call.method !== 'GET') continue;
        const answer = await mock.handle(requestOf(call, mock.credentials('clean')[api], 'clean'));
        expect(answer.body ?? '', `${api} ${call.operationId}`).not.toContain(MARKER);
      }
    }
  });

  it('keeps sessions named after special keys as sessions of their own, in snapshots too', async () => {
    const saved: string[] = [];
    const durable = createMock({ users: 2, persist: async (snapshot) => void saved.push(snapshot) });
    const admin = durable.credentials().hoop.admin;
    for (const session of SPECIAL_NAMES) {
      const created = await durable.handle({
        method: 'POST',
        path: '/api/users',
        query: new URLSearchParams(),
        headers: { authorization: admin, [SESSION_HEADER]: session, 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${session.toLowerCase()}@example.com` }),
      });
      expect(created.status, session).toBe(201);
    }
    const snapshot = JSON.parse(saved.at(-1)!);
    expect(foreignPrototypes(durable.snapshot())).toEqual([]);
    for (const session of SPECIAL_NAMES) {
      expect(Object.hasOwn(snapshot.sessions, session), session).toBe(true);
      const emails = snapshot.sessions[session].hoop.users.map((user: { email: string }) => user.email);
      expect(emails).toEqual(expect.arrayContaining([`${session.toLowerCase()}@example.com`]));
    }
    const restored = createMock({ snapshot });
    for (const session of SPECIAL_NAMES) {
      const read = await restored.handle({
        method: 'GET',
        path: `/api/users/${session.toLowerCase()}@example.com`,
        query: new URLSearchParams(),
        headers: { authorization: admin, [SESSION_HEADER]: session },
        body: undefined,
      });
      expect(read.status, session).toBe(200);
    }
  });
});
