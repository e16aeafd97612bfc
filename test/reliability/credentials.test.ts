// Credentials are compared in constant time: the comparison reads every character of what was
// presented and every stored secret, however early they differ, and every API's check of a
// presented credential (hoop token, Haplo key, Amani token signature and password) goes through it.
import { describe, expect, it, vi } from 'vitest';
import { constantTimeEqual, findBySecret } from '../../mocks/core/constant-time.ts';
import { createMock, type MockRequest } from '../../mocks/index.ts';

// The API modules import the comparison from this module: spied on, each call shows what was compared.
vi.mock('../../mocks/core/constant-time.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../mocks/core/constant-time.ts')>();
  return { constantTimeEqual: vi.fn(original.constantTimeEqual), findBySecret: vi.fn(original.findBySecret) };
});

/** A string whose characters count their reads, to see how much of it a comparison looked at. */
function counted(text: string): { value: string; reads: () => number } {
  let reads = 0;
  const value = {
    length: text.length,
    charCodeAt(i: number) {
      reads++;
      return text.charCodeAt(i);
    },
  } as unknown as string;
  return { value, reads: () => reads };
}

describe('constantTimeEqual', () => {
  it('tells equal from different strings, whatever the lengths and characters', () => {
    const pairs: Array<[string, string, boolean]> = [
      ['', '', true],
      ['secret', 'secret', true],
      ['secret', 'secreT', false],
      ['secret', 'Secret', false],
      ['secret', 'secret\0', false],
      ['secret\0', 'secret', false],
      ['', 'secret', false],
      ['secret', '', false],
      ['zoë 🙂', 'zoë 🙂', true],
      ['zoë 🙂', 'zoe 🙂', false],
    ];
    for (const [presented, secret, equal] of pairs) expect(constantTimeEqual(presented, secret), `${presented} / ${secret}`).toBe(equal);
  });

  it('reads every presented character whether the first or the last one differs', () => {
    const secret = 'a'.repeat(64);
    const readsFor = (presented: string) => {
      const probe = counted(presented);
      constantTimeEqual(probe.value, secret);
      return probe.reads();
    };
    expect(readsFor(`b${'a'.repeat(63)}`)).toBe(64);
    expect(readsFor(`${'a'.repeat(63)}b`)).toBe(64);
    expect(readsFor(secret)).toBe(64);
  });
});

describe('findBySecret', () => {
  it('finds the value of the matching secret and goes through every secret, even after a match', () => {
    const visited: string[] = [];
    const secrets = new Proxy({ first: 1, second: 2, third: 3 } as Record<string, number>, {
      get: (target, key: string) => (visited.push(key), target[key]),
    });
    expect(findBySecret('first', secrets)).toBe(1);
    expect(visited).toEqual(['first', 'second', 'third']);
    expect(findBySecret('fourth', secrets)).toBeUndefined();
  });
});

describe('every API', () => {
  const mock = createMock({ users: 3 });
  const { hoop, amani, haplo } = mock.credentials();
  const request = (method: string, path: string, authorization?: string, body?: unknown): MockRequest => ({
    method,
    path,
    query: new URLSearchParams(),
    headers: { authorization, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  /** Whether the presented value reached the constant-time comparison, as the first argument of either function. */
  const compared = (presented: string) =>
    [...vi.mocked(constantTimeEqual).mock.calls, ...vi.mocked(findBySecret).mock.calls].some(([first]) => first === presented);

  it('looks a hoop token up in constant time', async () => {
    expect((await mock.handle(request('GET', '/api/users', hoop.admin))).status).toBe(200);
    expect(compared(hoop.admin.slice('Bearer '.length))).toBe(true);
  });

  it('looks a Haplo API key up in constant time', async () => {
    expect((await mock.handle(request('GET', '/api/v0-user/group/haplo:group:staff', haplo.admin))).status).toBe(200);
    expect(compared(atob(haplo.admin.slice('Basic '.length)).slice('haplo:'.length))).toBe(true);
  });

  it('checks an Amani token signature and a login password in constant time', async () => {
    expect((await mock.handle(request('GET', '/api/v2/group', amani.admin))).status).toBe(200);
    expect(compared(amani.admin.split('.')[2]!)).toBe(true);
    const [user] = mock.state('amani').users.values();
    const login = await mock.handle(
      request('POST', '/api/v2/user/login', undefined, { username: user!.email, password: 'a-wrong-password' }),
    );
    expect(login.status).toBe(401);
    expect(compared('a-wrong-password')).toBe(true);
  });
});
