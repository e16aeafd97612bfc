// Each check and driver of the contract suite is proven here: a deliberately broken variant of
// the mock — one realistic fault each — is caught by the check meant to catch it.
import type { ApiModule } from '../../mocks/index.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { runContract, type ContractOptions, type RunReport } from '../../contracts/index.ts';
import type { ApiName } from '../../specs/index.ts';
import { broken, bodyOf, json, type Mutation } from '../helpers/broken.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

const isCreatedUserRead = (request: { method: string; path: string }) =>
  request.method === 'GET' && request.path.startsWith('/api/users/usermock-');
const isHoopList = (request: { method: string; path: string }) => request.method === 'GET' && request.path === '/api/users';

/** Run options a mutation needs: `strict` where the fault is on a fact only a strict run fails, `allowDestructive` for the probes only it sends. */
type RunOptions = { allowDrift?: boolean; strict?: boolean; allowDestructive?: boolean };

const MUTATIONS: Array<{ name: string; api: ApiName; caughtBy: string; mutation: Mutation; options?: RunOptions }> = [
  // The wire: statuses, media types, bodies, headers.
  {
    name: 'the groups list answers 206',
    api: 'hoop',
    caughtBy: 'status_code_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return request.method === 'GET' && request.path === '/api/users/groups' ? { ...response, status: 206 } : response;
    },
  },
  {
    name: 'create answers 200 instead of the documented 201',
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
    name: 'errors come as {"error": …} instead of {"message": …}',
    api: 'hoop',
    caughtBy: 'response_schema_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return response.status === 404 && response.body?.startsWith('{') ? json(404, { error: bodyOf(response).message }) : response;
    },
  },
  {
    name: 'the list is sent as text/html',
    api: 'hoop',
    caughtBy: 'content_type_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return isHoopList(request) ? { ...response, headers: { 'content-type': 'text/html' } } : response;
    },
  },
  {
    name: 'the list body is broken JSON',
    api: 'hoop',
    caughtBy: 'response_schema_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return isHoopList(request) ? { ...response, body: response.body!.slice(0, -5) } : response;
    },
  },
  {
    name: 'JSON in a charset other than UTF-8',
    api: 'hoop',
    caughtBy: 'header_conformance',
    mutation: async (request, next) => {
      const response = await next(request);
      return isHoopList(request) ? { ...response, headers: { 'content-type': 'application/json; charset=iso-8859-1' } } : response;
    },
  },
  {
    name: 'JSON without the charset hoop names',
    api: 'hoop',
    caughtBy: 'header_conformance',
    // RFC 8259 gives JSON no charset: by default only a warning (fair-check.test.ts), a failure with strict.
    options: { strict: true },
    mutation: async (request, next) => {
      const response = await next(request);
      return isHoopList(request) ? { ...response, headers: { 'content-type': 'application/json' } } : response;
    },
  },
  {
    name: 'a 401 without its WWW-Authenticate challenge',
    api: 'amani',
    caughtBy: 'header_conformance',
    // The challenge is inferred (SimpleJWT's default): by default only a warning (fair-check.test.ts), a failure with strict.
    options: { strict: true },
    mutation: async (request, next) => {
      const response = await next(request);
      const { 'www-authenticate': _challenge, ...headers } = response.headers;
      return response.status === 401 ? { ...response, headers } : response;
    },
  },
  {
    name: 'a 5xx anywhere',
    api: 'hoop',
    caughtBy: 'not_a_server_error',
    mutation: async (request, next) =>
      request.method === 'GET' && request.path === '/api/users/groups' ? json(500, { message: 'internal error' }) : next(request),
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
  // Secrets.
  {
    name: 'a read shows the password hash',
    api: 'hoop',
    caughtBy: 'no_secrets_in_answers',
    mutation: async (request, next) => {
      const response = await next(request);
      return isCreatedUserRead(request) && response.status === 200
        ? json(200, { ...bodyOf(response), password_hash: '$2b$12$usermockusermockusermo' })
        : response;
    },
  },
  {
    name: 'a login answers the password',
    api: 'amani',
    caughtBy: 'no_secrets_in_answers',
    mutation: async (request, next) => {
      const response = await next(request);
      if (request.path !== '/api/v2/user/login' || response.status !== 200) return response;
      return json(200, { ...bodyOf(response), password: JSON.parse(request.body!).password }, 'application/json');
    },
  },
  // Auth.
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
        request.headers.authorization?.startsWith('Bearer usermock-forged')
          ? { ...request, headers: { ...request.headers, authorization: admin } }
          : request,
      ),
  },
  {
    name: 'a standard user may do what only an admin may',
    api: 'hoop',
    caughtBy: 'admin_required',
    mutation: (request, next, { admin, standard }) =>
      next(
        request.headers.authorization === standard && request.path !== '/api/userinfo'
          ? { ...request, headers: { ...request.headers, authorization: admin } }
          : request,
      ),
  },
  {
    name: '/api/userinfo answers for another user',
    api: 'hoop',
    caughtBy: 'caller_identity',
    mutation: (request, next, { admin }) =>
      next(request.path === '/api/userinfo' ? { ...request, headers: { ...request.headers, authorization: admin } } : request),
  },
  // Data in and out.
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
    name: 'an invalid email gets 400 instead of the documented 422',
    api: 'hoop',
    caughtBy: 'negative_data_rejection',
    mutation: async (request, next) => {
      const response = await next(request);
      return response.status === 422 && request.path === '/api/users' ? json(400, { message: 'invalid email' }) : response;
    },
  },
  {
    name: 'Haplo answers malformed JSON with a JSON envelope instead of text/plain',
    api: 'haplo',
    caughtBy: 'negative_data_rejection',
    mutation: async (request, next) => {
      const response = await next(request);
      if (response.status !== 400 || !response.headers['content-type']?.startsWith('text/plain')) return response;
      return json(400, { success: false, kind: 'haplo:api-v0:generic:exception', error: { message: 'Bad request' } });
    },
  },
  {
    name: 'non-ASCII names are refused',
    api: 'hoop',
    caughtBy: 'positive_data_acceptance',
    mutation: async (request, next) =>
      /[^\x00-\x7f]/.test(request.body ?? '') ? json(400, { message: 'invalid character' }) : next(request),
  },
  {
    name: 'non-ASCII names crash the server',
    api: 'hoop',
    caughtBy: 'not_a_server_error',
    mutation: async (request, next) => (/[^\x00-\x7f]/.test(request.body ?? '') ? json(500, { message: 'internal error' }) : next(request)),
  },
  {
    name: 'a created user cannot be found',
    api: 'hoop',
    caughtBy: 'create_read_back',
    mutation: async (request, next) =>
      isCreatedUserRead(request) ? json(404, { message: `user ${request.path.split('/').pop()} not found` }) : next(request),
  },
  {
    name: 'Amani create ignores the roles it is sent',
    api: 'amani',
    caughtBy: 'create_read_back',
    mutation: (request, next) =>
      next(
        request.method === 'POST' && request.path === '/api/v2/user' && request.body?.startsWith('{')
          ? { ...request, body: JSON.stringify({ ...JSON.parse(request.body), groups: [] }) }
          : request,
      ),
  },
  {
    name: 'role is not computed from groups',
    api: 'hoop',
    caughtBy: 'create_read_back',
    mutation: async (request, next) => {
      const response = await next(request);
      return isCreatedUserRead(request) && response.status === 200 ? json(200, { ...bodyOf(response), role: 'admin' }) : response;
    },
  },
  {
    name: 'a duplicate email is accepted',
    api: 'hoop',
    caughtBy: 'duplicate_conflict',
    mutation: async (request, next) => {
      const response = await next(request);
      return response.status === 409 && request.path === '/api/users'
        ? json(201, { ...JSON.parse(request.body!), id: crypto.randomUUID(), role: 'standard', verified: false })
        : response;
    },
  },
  {
    name: 'PUT answers with the change and stores nothing',
    api: 'hoop',
    caughtBy: 'update_persisted',
    mutation: async (request, next) => {
      if (request.method !== 'PUT') return next(request);
      const current = await next({ ...request, method: 'GET', body: undefined });
      if (current.status !== 200) return next(request);
      return json(200, { ...bodyOf(current), ...JSON.parse(request.body ?? '{}'), role: 'standard' });
    },
  },
  {
    name: 'PUT stores the name but not status and groups',
    api: 'hoop',
    caughtBy: 'update_persisted',
    mutation: async (request, next) => {
      if (request.method !== 'PUT' || !request.body?.startsWith('{')) return next(request);
      const current = await next({ ...request, method: 'GET', body: undefined });
      if (current.status !== 200) return next(request);
      const { status, groups } = bodyOf(current);
      return next({ ...request, body: JSON.stringify({ ...JSON.parse(request.body), status, groups }) });
    },
  },
  {
    name: 'PATCH replaces the user like a PUT (fields not sent are blanked)',
    api: 'amani',
    caughtBy: 'update_persisted',
    mutation: (request, next) =>
      next(
        request.method === 'PATCH' && request.body?.startsWith('{')
          ? { ...request, body: JSON.stringify({ first_name: '', last_name: '', phone: '', ...JSON.parse(request.body) }) }
          : request,
      ),
  },
  {
    name: 'the list leaves out the newest users',
    api: 'hoop',
    caughtBy: 'created_listed',
    mutation: async (request, next) => {
      const response = await next(request);
      return isHoopList(request) && response.status === 200 ? json(200, bodyOf(response).slice(0, 5)) : response;
    },
  },
  {
    name: 'the list names a user twice',
    api: 'hoop',
    caughtBy: 'list_integrity',
    mutation: async (request, next) => {
      const response = await next(request);
      if (!isHoopList(request) || response.status !== 200) return response;
      const users = bodyOf(response);
      return json(200, [...users, users[0]]);
    },
  },
  {
    name: 'an unknown user is answered 200',
    api: 'hoop',
    caughtBy: 'unknown_id_not_found',
    mutation: async (request, next, { admin }) => {
      const response = await next(request);
      if (request.method !== 'GET' || response.status !== 404 || !request.path.startsWith('/api/users/')) return response;
      return next({ ...request, path: '/api/userinfo', headers: { ...request.headers, authorization: admin } });
    },
  },
  {
    name: 'Haplo answers an unknown id with 400 instead of 404',
    api: 'haplo',
    caughtBy: 'unknown_id_not_found',
    mutation: async (request, next) => {
      const response = await next(request);
      return response.status === 404 ? { ...response, status: 400 } : response;
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
    name: "Haplo's documented slashed paths are not served",
    api: 'haplo',
    caughtBy: 'path_forms',
    mutation: async (request, next) =>
      request.path.endsWith('/') ? { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not found' } : next(request),
  },
  {
    name: 'a refresh token is never accepted',
    api: 'amani',
    caughtBy: 'token_lifecycle',
    mutation: async (request, next) =>
      request.path === '/api/v2/token/refresh/' && request.headers['content-type']?.includes('json')
        ? {
            status: 401,
            headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="api"' },
            body: JSON.stringify({ detail: 'Token is invalid or expired', code: 'token_not_valid' }),
          }
        : next(request),
  },
  {
    name: 'deleting the admin group is allowed',
    api: 'hoop',
    caughtBy: 'provoked_status',
    // The probe a faulty server obeys destructively is sent only when allowed (no-trace.test.ts).
    options: { allowDestructive: true },
    mutation: async (request, next) =>
      request.method === 'DELETE' && request.path === '/api/users/groups/admin' ? { status: 204, headers: {} } : next(request),
  },
  {
    name: 'GET /api/users/groups answers every caller with 401',
    api: 'hoop',
    caughtBy: 'operation_success',
    mutation: async (request, next) =>
      request.path === '/api/users/groups' && request.method === 'GET' ? json(401, { message: 'access denied' }) : next(request),
  },
];

let running: RunningMock<ApiModule> | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** A run of every check against the mock with one API broken. */
async function runAgainst(api: ApiName, mutation: Mutation, options: RunOptions = {}): Promise<RunReport> {
  // A planted breakage may throw: the mock answers 500 and need not log it here.
  running = await startMock<ApiModule>({ users: 8, onError: () => {} }, broken(api, mutation));
  const { admin, standard } = running.mock.credentials()[api];
  // Typed apart from the literal: `strict` and `allowDestructive` are issue 20's options.
  const run: ContractOptions & RunOptions = { api, baseUrl: running.url, auth: admin, authStandard: standard, seed: 11, ...options };
  return runContract(run);
}

const failed = (report: RunReport) => report.results.filter((result) => result.status === 'failed').map((result) => result.check);

describe('every check catches the fault it is meant for', () => {
  it.each(MUTATIONS)('$caughtBy catches: $name', async ({ api, caughtBy, mutation, options }) => {
    const report = await runAgainst(api, mutation, options);
    const result = report.results.find((candidate) => candidate.check === caughtBy);
    expect(result?.status, JSON.stringify(report.results.map((r) => [r.check, r.status, r.failures.map((f) => f.message)]))).toBe('failed');
    expect(result!.failures[0]!.message).not.toBe('');
  });

  it('raises no alarm on the correct mock, for any API', async () => {
    for (const api of ['hoop', 'amani', 'haplo'] as const) {
      const report = await runAgainst(api, (request, next) => next(request));
      expect(failed(report), api).toEqual([]);
      await running!.close();
      running = undefined;
    }
  });
});
