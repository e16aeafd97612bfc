// Each check of the contract suite is proven here: a deliberately broken variant of the mock is
// caught by the check meant to catch it, while the correct mock passes every check.
import { afterEach, describe, expect, it } from 'vitest';
import { runContractChecks, type CheckResult } from '../../contracts/index.ts';
import { hoop } from '../../mocks/apis/hoop.ts';
import { API_MODULES, type ApiModule, type MockRequest, type MockResponse } from '../../mocks/index.ts';
import type { ApiName } from '../../specs/index.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

type Next = (request: MockRequest) => Promise<MockResponse>;
type Mutation = (request: MockRequest, next: Next, credentials: { admin: string; standard: string }) => Promise<MockResponse>;

/** The module of `api` with a broken behaviour wrapped around its real one. */
function broken(api: ApiName, mutation: Mutation): ApiModule[] {
  return API_MODULES.map((module) => {
    if (module.name !== api) return module;
    return {
      ...module,
      handle: (request, state) => mutation(request, async (changed) => module.handle(changed, state), module.credentials(state)),
    };
  });
}

const json = (status: number, value: unknown, contentType = 'application/json; charset=utf-8'): MockResponse => ({
  status,
  headers: { 'content-type': contentType },
  body: JSON.stringify(value),
});
const bodyOf = (response: MockResponse) => JSON.parse(response.body ?? 'null');
const isCreatedUserRead = (request: MockRequest) => request.method === 'GET' && request.path.startsWith('/api/users/usermock-');

const MUTATIONS: Array<{ name: string; api: ApiName; caughtBy: string; mutation: Mutation }> = [
  {
    name: 'create answers 200 instead of 201',
    api: 'hoop',
    caughtBy: 'status_code_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return response.status === 201 && request.path === '/api/users' ? { ...response, status: 200 } : response;
    },
  },
  {
    name: 'a read leaves out the required id',
    api: 'hoop',
    caughtBy: 'response_schema_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      if (!isCreatedUserRead(request) || response.status !== 200) return response;
      const { id: _id, ...user } = bodyOf(response);
      return json(200, user);
    },
  },
  {
    name: 'a read gives the name as a number',
    api: 'hoop',
    caughtBy: 'response_schema_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return isCreatedUserRead(request) && response.status === 200 ? json(200, { ...bodyOf(response), name: 42 }) : response;
    },
  },
  {
    name: 'errors come as {"error": …} instead of {"message": …}',
    api: 'hoop',
    caughtBy: 'error_shape_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return response.status === 404 ? json(404, { error: bodyOf(response).message }) : response;
    },
  },
  {
    name: 'the list is sent as text/html',
    api: 'hoop',
    caughtBy: 'content_type_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return request.path === '/api/users' && request.method === 'GET'
        ? { ...response, headers: { 'content-type': 'text/html' } }
        : response;
    },
  },
  {
    name: 'the list body is broken JSON',
    api: 'hoop',
    caughtBy: 'response_schema_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return request.path === '/api/users' && request.method === 'GET' ? { ...response, body: response.body!.slice(0, -5) } : response;
    },
  },
  {
    name: 'requests without credentials are served as the admin',
    api: 'hoop',
    caughtBy: 'auth_required',
    mutation: (request, next, { admin }) =>
      next({ ...request, headers: { ...request.headers, authorization: request.headers.authorization ?? admin } }),
  },
  {
    name: 'any bearer token is taken for the admin',
    api: 'hoop',
    caughtBy: 'invalid_credentials_refused',
    mutation: (request, next, { admin }) =>
      next(
        request.headers.authorization?.startsWith('Bearer usermock-invalid')
          ? { ...request, headers: { ...request.headers, authorization: admin } }
          : request,
      ),
  },
  {
    name: 'a standard user is served as the admin',
    api: 'hoop',
    caughtBy: 'admin_required',
    mutation: (request, next, { admin, standard }) =>
      next(request.headers.authorization === standard ? { ...request, headers: { ...request.headers, authorization: admin } } : request),
  },
  {
    name: 'a create without an email is accepted',
    api: 'hoop',
    caughtBy: 'negative_data_rejection',
    mutation: async (request, next) => {
      const response = await next(request);
      if (request.method !== 'POST' || request.path !== '/api/users' || response.status !== 400) return response;
      return json(201, {
        id: crypto.randomUUID(),
        email: 'accepted@example.com',
        name: '',
        picture: '',
        slack_id: '',
        groups: [],
        status: 'active',
        verified: false,
        role: 'standard',
      });
    },
  },
  {
    name: 'a duplicate email is accepted',
    api: 'hoop',
    caughtBy: 'duplicate_conflict',
    mutation: async (request, next) => {
      const response = await next(request);
      return response.status === 409
        ? json(201, { ...JSON.parse(request.body!), id: crypto.randomUUID(), role: 'standard', verified: false })
        : response;
    },
  },
  {
    name: 'DELETE answers 204 and deletes nothing',
    api: 'hoop',
    caughtBy: 'delete_effective',
    mutation: async (request, next) =>
      request.method === 'DELETE' && request.path.startsWith('/api/users/usermock-') ? { status: 204, headers: {} } : next(request),
  },
  {
    name: 'PUT answers with the change and stores nothing',
    api: 'hoop',
    caughtBy: 'update_persisted',
    mutation: async (request, next) => {
      if (request.method !== 'PUT') return next(request);
      const current = await next({ ...request, method: 'GET', body: undefined });
      if (current.status !== 200) return next(request);
      const { name, slack_id } = JSON.parse(request.body ?? '{}');
      return json(200, {
        ...bodyOf(current),
        ...(typeof name === 'string' ? { name } : {}),
        ...(typeof slack_id === 'string' ? { slack_id } : {}),
      });
    },
  },
  {
    name: 'a created user cannot be found',
    api: 'hoop',
    caughtBy: 'create_read_back',
    mutation: async (request, next) =>
      isCreatedUserRead(request) ? json(404, { message: `user ${request.path.split('/').pop()} not found` }) : next(request),
  },
  {
    name: 'a created user is missing from the list',
    api: 'hoop',
    caughtBy: 'created_listed',
    mutation: async (request, next) => {
      const response = await next(request);
      if (request.method !== 'GET' || request.path !== '/api/users') return response;
      return json(
        200,
        bodyOf(response).filter((user: { email: string }) => !user.email.startsWith('usermock-')),
      );
    },
  },
  {
    name: 'non-ASCII names crash the server',
    api: 'hoop',
    caughtBy: 'positive_data_acceptance',
    mutation: async (request, next) => (/[^\x00-\x7f]/.test(request.body ?? '') ? json(500, { message: 'internal error' }) : next(request)),
  },
  {
    name: 'a 5xx anywhere',
    api: 'hoop',
    caughtBy: 'not_a_server_error',
    mutation: async (request, next) => (/[^\x00-\x7f]/.test(request.body ?? '') ? json(500, { message: 'internal error' }) : next(request)),
  },
  {
    name: 'a role outside the enum',
    api: 'hoop',
    caughtBy: 'hoop_enum_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return request.path === '/api/userinfo' && response.status === 200 ? json(200, { ...bodyOf(response), role: 'superuser' }) : response;
    },
  },
  {
    name: 'Haplo failures claim success',
    api: 'haplo',
    caughtBy: 'haplo_envelope_consistency',
    mutation: async (request, next) => {
      const response = await next(request);
      if (response.status < 400 || !response.headers['content-type']?.includes('json')) return response;
      return { ...response, body: JSON.stringify({ ...bodyOf(response), success: true }) };
    },
  },
];

let running: RunningMock | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function checkAgainst(api: ApiName, modules: readonly ApiModule[]): Promise<CheckResult[]> {
  // A planted breakage may throw: the mock answers 500 and need not log it here.
  running = await startMock({ users: 8, onError: () => {} }, modules);
  const { admin, standard } = running.mock.credentials()[api];
  return runContractChecks({ api, baseUrl: running.url, auth: admin, authStandard: standard, seed: 11 });
}

describe('every check catches the breakage it is meant for', () => {
  it.each(MUTATIONS)('$caughtBy catches: $name', async ({ api, caughtBy, mutation }) => {
    const results = await checkAgainst(api, broken(api, mutation));
    const result = results.find((candidate) => candidate.check === caughtBy);
    expect(result?.status, JSON.stringify(results.map((r) => [r.check, r.status]))).toBe('failed');
    expect(result!.failures[0]!.message).not.toBe('');
  });

  it('raises no false alarm on the correct mock', async () => {
    const results = await checkAgainst('hoop', [hoop as ApiModule, ...API_MODULES.filter((module) => module.name !== 'hoop')]);
    expect(results.filter((result) => result.status === 'failed').map((result) => result.failures)).toEqual([]);
  });

  it('names the check, the request and a curl command in a failure', async () => {
    const results = await checkAgainst('hoop', broken('hoop', MUTATIONS[0]!.mutation));
    const { formatFailure } = await import('../../contracts/failure.ts');
    const text = formatFailure(results.find((result) => result.check === 'status_code_conformance')!.failures[0]!);
    expect(text).toMatch(/^\[status_code_conformance\] status 200 is not documented for createUser/);
    expect(text).toContain('request:   POST http://127.0.0.1:');
    expect(text).toMatch(/reproduce: curl -i -X POST 'http:\/\/127\.0\.0\.1:\d+\/api\/users' -H "Authorization: \$USERMOCK_AUTH"/);
  });
});
