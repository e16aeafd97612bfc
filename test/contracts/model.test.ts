// The model-based phase (`model_agreement`): generated sequences answered by the server and by
// usermock in lockstep. No disagreement with a correct server (the mock itself, and a server
// written apart from it); a semantic fault nobody wrote a check for is caught, with a shrunk
// sequence of a few steps.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiModule } from '../../mocks/index.ts';
import { runContract, type RunReport } from '../../contracts/index.ts';
import { sequenceOf } from '../../contracts/report/reproduce.ts';
import { renderFailure } from '../../contracts/report/text.ts';
import type { ApiName } from '../../specs/index.ts';
import { broken, bodyOf, json, type Mutation } from '../helpers/broken.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';
import { startIndependentAmani } from '../independent/amani.ts';
import { startIndependentHaplo } from '../independent/haplo.ts';
import { startIndependentHoop } from '../independent/hoop.ts';

const ONLY = ['model_agreement'];
const RUNS = 120;

let running: RunningMock<ApiModule> | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const result = (report: RunReport) => report.results.find((candidate) => candidate.check === 'model_agreement')!;
const problems = (report: RunReport) =>
  report.results
    .flatMap((candidate) => [...candidate.failures, ...candidate.warnings])
    .map((failure) => `[${failure.check}] ${failure.message}`);

describe('model_agreement raises no alarm on a correct server', () => {
  const INDEPENDENT = { hoop: startIndependentHoop, amani: startIndependentAmani, haplo: startIndependentHaplo };
  const agrees = async (api: ApiName, target: { url: string; admin: string; standard: string }, seeds: number[]) => {
    for (const seed of seeds) {
      const report = await runContract({
        api,
        baseUrl: target.url,
        auth: target.admin,
        authStandard: target.standard,
        seed,
        modelRuns: RUNS,
        only: ONLY,
      });
      expect(problems(report)).toEqual([]);
      expect(result(report).status).toBe('passed');
      expect(result(report).judged).toBeGreaterThan(RUNS);
    }
  };

  it.each(['hoop', 'amani', 'haplo'] as const)(
    'the mock, served over HTTP (%s)',
    async (api) => {
      running = await startMock<ApiModule>({ users: 5, onError: () => {} });
      await agrees(api, { url: running.url, ...running.mock.credentials()[api] }, [1, 2]);
    },
    60_000,
  );

  it.each(['hoop', 'amani', 'haplo'] as const)(
    'an independent %s server',
    async (api) => {
      const server = await INDEPENDENT[api]();
      try {
        await agrees(api, server, [1, 3]);
      } finally {
        await server.close();
      }
    },
    60_000,
  );

  it.each(['hoop', 'amani', 'haplo'] as const)(
    'a run given the admin credential alone (%s): no step, final reads included, is sent as a standard caller it has not got',
    async (api) => {
      running = await startMock<ApiModule>({ users: 5, onError: () => {} });
      const { admin } = running.mock.credentials()[api];
      for (const seed of [1, 2]) {
        const report = await runContract({ api, baseUrl: running.url, auth: admin, seed, modelRuns: RUNS, only: ONLY });
        expect(problems(report)).toEqual([]);
        expect(result(report).status).toBe('passed');
      }
    },
    60_000,
  );

  it('a read-only run sends only safe requests and still agrees', async () => {
    running = await startMock<ApiModule>({ users: 5, onError: () => {} });
    const { admin, standard } = running.mock.credentials().hoop;
    const report = await runContract({
      api: 'hoop',
      baseUrl: running.url,
      auth: admin,
      authStandard: standard,
      seed: 4,
      modelRuns: 40,
      readOnly: true,
      only: ONLY,
    });
    expect(problems(report)).toEqual([]);
    expect(result(report).status).toBe('passed');
  }, 30_000);

  it('is skipped with a reason on a stateless target, and off with modelRuns 0', async () => {
    running = await startMock<ApiModule>({ users: 5, onError: () => {} });
    const { admin, standard } = running.mock.credentials().hoop;
    const off = await runContract({
      api: 'hoop',
      baseUrl: running.url,
      auth: admin,
      authStandard: standard,
      seed: 1,
      modelRuns: 0,
      only: ONLY,
    });
    expect(result(off)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('turned off') });
    const stateless = await runContract({
      api: 'hoop',
      baseUrl: running.url,
      auth: admin,
      authStandard: standard,
      seed: 1,
      stateless: true,
      only: ONLY,
    });
    expect(result(stateless)).toMatchObject({ status: 'skipped', reason: 'stateless target' });
  }, 30_000);
});

/** Haplo's reads and finds by tag query (`GET /api/v0-user/id?tag:…`, `/id/0?tag:…`, `/find-by-tag?tag:…`). */
const isHaploTagQuery = (path: string) => /^\/api\/v0-user\/(id(\/0+)?|find-by-tag)\/?$/.test(path);
const isUserPath = (path: string) => /^\/api\/users\/(?!groups(\/|$)|self\/)[^/]+$/.test(path);

const FAULTS: Array<{ name: string; api: ApiName; mutation: Mutation }> = [
  {
    name: 'a delete answers 204 but the user stays',
    api: 'hoop',
    mutation: async (request, next) =>
      request.method === 'DELETE' && isUserPath(request.path) ? { status: 204, headers: {} } : next(request),
  },
  {
    name: 'role is not computed from groups on reads',
    api: 'hoop',
    mutation: async (request, next) => {
      const response = await next(request);
      if (request.method !== 'GET' || !isUserPath(request.path) || response.status !== 200) return response;
      return json(200, { ...bodyOf(response), role: 'standard' });
    },
  },
  {
    name: 'the list leaves out inactive users',
    api: 'hoop',
    mutation: async (request, next) => {
      const response = await next(request);
      if (request.method !== 'GET' || request.path !== '/api/users' || response.status !== 200) return response;
      return json(
        200,
        (bodyOf(response) as Array<{ status: string }>).filter((user) => user.status !== 'inactive'),
      );
    },
  },
  {
    name: 'a replacement keeps the groups it was not sent',
    api: 'hoop',
    mutation: async (request, next) => {
      if (request.method !== 'PUT' || !isUserPath(request.path) || !request.body) return next(request);
      const current = await next({ ...request, method: 'GET', body: undefined });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(request.body);
      } catch {
        return next(request);
      }
      if (current.status !== 200 || typeof body !== 'object' || body === null || 'groups' in body) return next(request);
      return next({ ...request, body: JSON.stringify({ ...body, groups: bodyOf(current).groups }) });
    },
  },
  {
    name: 'a tag query leaves out blocked users',
    api: 'haplo',
    mutation: async (request, next, { admin }) => {
      const response = await next(request);
      if (request.method !== 'GET' || !isHaploTagQuery(request.path) || response.status !== 200) return response;
      const answer = bodyOf(response);
      const ids: number[] = Array.isArray(answer.users) ? answer.users : [answer.user.id];
      const active: number[] = [];
      for (const id of ids) {
        const user = await next({
          ...request,
          path: `/api/v0-user/id/${id}`,
          query: new URLSearchParams(),
          headers: { authorization: admin },
        });
        if (bodyOf(user).user?.isActive) active.push(id);
      }
      if (active.length === ids.length) return response;
      if (!Array.isArray(answer.users) || active.length === 0)
        return json(404, {
          success: false,
          kind: 'haplo:api-v0:user:no-user-found',
          error: { message: 'Tag query returned no users.' },
        });
      return json(200, { ...answer, users: active });
    },
  },
  {
    name: 'a tag query matching several users answers the first',
    api: 'haplo',
    mutation: async (request, next, { admin }) => {
      const response = await next(request);
      if (response.status !== 404 || bodyOf(response).kind !== 'haplo:api-v0:user:multiple-users-found') return response;
      const found = await next({ ...request, method: 'GET', path: '/api/v0-user/find-by-tag', body: undefined });
      const first = bodyOf(found).users[0] as number;
      return next({
        ...request,
        path: `/api/v0-user/id/${first}`,
        query: new URLSearchParams(),
        headers: { ...request.headers, authorization: admin },
      });
    },
  },
  {
    name: 'an update ignores localeId',
    api: 'haplo',
    mutation: async (request, next) => {
      if (request.method !== 'POST' || !/^\/api\/v0-user\/id(\/|$)/.test(request.path) || !request.body) return next(request);
      let body: unknown;
      try {
        body = JSON.parse(request.body);
      } catch {
        return next(request);
      }
      if (typeof body !== 'object' || body === null || !('localeId' in body)) return next(request);
      const { localeId: _ignored, ...rest } = body as Record<string, unknown>;
      return next({ ...request, body: JSON.stringify(rest) });
    },
  },
];

const isAmaniLogin = (path: string) => /^\/api\/v2\/user\/login\/?$/.test(path);
const amaniPatch = (request: { method: string; path: string }) =>
  request.method === 'PATCH' && /^\/api\/v2\/user\/[^/]+$/.test(request.path);
const parsed = (body: string | undefined): Record<string, unknown> | undefined => {
  try {
    const value = JSON.parse(body ?? '');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
};
/** Amani's usernames a PATCH of the email moved (for the fault that makes the username follow the email). */
const movedUsernames = new Map<string, string>();

const AMANI_FAULTS: Array<{ name: string; api: ApiName; mutation: Mutation }> = [
  {
    name: "a login shows its first role's permissions, not the union of its roles'",
    api: 'amani',
    mutation: async (request, next) => {
      const response = await next(request);
      if (request.method !== 'POST' || !isAmaniLogin(request.path) || response.status !== 200) return response;
      const user = bodyOf(response) as { groups: Array<{ permissions: string[] }> };
      return json(200, { ...user, permissions: user.groups[0]?.permissions ?? [] });
    },
  },
  {
    name: 'a PATCH drops the password it was sent',
    api: 'amani',
    mutation: async (request, next) => {
      const body = amaniPatch(request) ? parsed(request.body) : undefined;
      if (!body || !('password' in body)) return next(request);
      const { password: _dropped, ...rest } = body;
      return next({ ...request, body: JSON.stringify(rest) });
    },
  },
  {
    name: 'a PATCH of the email moves the username too (the old one no longer logs in)',
    api: 'amani',
    mutation: async (request, next) => {
      if (request.method === 'POST' && isAmaniLogin(request.path)) {
        const body = parsed(request.body);
        const username = typeof body?.username === 'string' ? body.username : undefined;
        if (username && [...movedUsernames.keys()].includes(username))
          return json(401, { detail: 'No active account found with the given credentials' });
        const original = [...movedUsernames].find(([, email]) => email === username)?.[0];
        return original ? next({ ...request, body: JSON.stringify({ ...body, username: original }) }) : next(request);
      }
      const response = await next(request);
      if (!amaniPatch(request) || response.status !== 200) return response;
      const user = bodyOf(response) as { username: string; email: string };
      const original = [...movedUsernames].find(([, email]) => email === user.username)?.[0] ?? user.username;
      if (user.email !== original) movedUsernames.set(original, user.email);
      else movedUsernames.delete(original);
      return json(200, { ...user, username: user.email });
    },
  },
];

describe('model_agreement catches semantic faults no check was written for', () => {
  it.each([...FAULTS, ...AMANI_FAULTS])(
    '$api: $name',
    async ({ api, mutation }) => {
      running = await startMock<ApiModule>({ users: 5, onError: () => {} }, broken(api, mutation));
      const { admin, standard } = running.mock.credentials()[api];
      const report = await runContract({
        api,
        baseUrl: running.url,
        auth: admin,
        authStandard: standard,
        seed: 7,
        modelRuns: 400,
        only: ONLY,
      });
      const found = result(report);
      expect(found.status, JSON.stringify(found)).toBe('failed');
      const failure = found.failures[0]!;
      expect(sequenceOf(failure.exchange).length).toBeLessThanOrEqual(5);
      expect(failure.message).toMatch(/the server answered .*; the vendor answers/);
      const rendered = renderFailure(failure, report).join('\n');
      expect(rendered).toContain('reproduce:');
    },
    30_000,
  );
});
