// An API of one's own plugs in by its own files only: the SCIM example's mock module
// (examples/scim/module.ts) is served beside the built-in APIs, passes its own profile's contract
// run, answers through MSW (a second copy under a mount prefix too), fails the run once broken, and
// keeps its state through a snapshot. Its independent server counterpart: scim-example.test.ts.
//
// The example is built on the package's exports, so it runs on the package's own build (`usermock`,
// `usermock/msw`, `usermock/contracts`): the source core would not know the refusals (400s) that
// the built `defineApiModule` throws for what it cannot decode.
import { setupServer } from 'msw/node';
import { API_MODULES, createMock, type ApiModule, type MockRequest } from 'usermock';
import { exitCodeOf, runContract, type ContractOptions } from 'usermock/contracts';
import { createHandlers } from 'usermock/msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scim, type ScimState } from '../../examples/scim/module.ts';
import { scimProfile } from '../../examples/scim/profile.ts';
import { createHttpServer, listen, type Servable } from '../../mocks/server.ts';

const USERS = '/scim/v2/Users';
const SCIM_JSON = 'application/scim+json';
const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** A mock of the built-in APIs and `apis`, served over HTTP on an ephemeral loopback port. */
async function serveMock(apis: readonly ApiModule[]) {
  const mock = createMock({ apis: [...API_MODULES, ...apis], users: 5 });
  // node:http's transport is not a package export: the source one serves the built mock (the same
  // code, its classes declared apart for the compiler).
  const server = createHttpServer(mock as unknown as Servable);
  const url = await listen(server, 0, '127.0.0.1');
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url, mock, close };
}
type Served = Awaited<ReturnType<typeof serveMock>>;

/** A contract run of SCIM against a served mock, with that mock's SCIM credentials. */
function check(served: Served, options: Partial<ContractOptions> = {}) {
  const { admin, standard } = served.mock.credentials().scim!;
  return runContract({
    api: 'scim',
    profiles: [scimProfile],
    baseUrl: served.url,
    auth: admin,
    authStandard: standard,
    seed: 1,
    ...options,
  });
}

const mockRequest = (method: string, path: string, authorization: string, body?: unknown): MockRequest => ({
  method,
  path,
  query: new URLSearchParams(),
  headers: { authorization, ...(body === undefined ? {} : { 'content-type': SCIM_JSON }) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

describe('the SCIM example served over HTTP beside the built-in APIs', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveMock([scim]);
  });
  afterAll(() => served.close());

  it('passes its contract run with no failure and every documented status judged', async () => {
    const report = await check(served);
    const problems = report.results
      .flatMap((result) => [...result.failures, ...result.warnings])
      .map((failure) => `[${failure.check}] ${failure.message}`);
    expect(problems).toEqual([]);
    expect(exitCodeOf(report)).toBe(0);
    // Unjudged only: trailing slashes (the spec documents one form of each path), the spec's
    // example pairs (the profile names none) and the model-based phase (no model of SCIM).
    expect(
      Object.fromEntries(report.results.filter((result) => result.status === 'skipped').map((result) => [result.check, result.reason])),
    ).toEqual({
      path_forms: expect.any(String),
      example_pairs: expect.any(String),
      model_agreement: 'usermock has no executable model of scim',
    });
    // The profile's provocations reach the list's 400, PATCH's 200, 400 and 404, and both updates'
    // 409 (another user's userName); the generic drivers reach the rest.
    expect(report.results.find((result) => result.check === 'provoked_status')?.status).toBe('passed');
    expect(
      report.coverage.pairs.filter((pair) => pair.state !== 'judged').map((pair) => `${pair.operationId} ${pair.status} ${pair.state}`),
    ).toEqual([]);
    expect(report.coverage.judgedCount).toBe(report.coverage.provokable);
    expect(report.cleanup).toEqual({ removed: expect.any(Number), failed: [], leftovers: [] });
  });

  it('passes a read-only run, where its one read provocation is what reaches listUsers 400', async () => {
    const report = await check(served, { readOnly: true });
    expect(exitCodeOf(report)).toBe(0);
    // Of the provocations, a read-only run sends the one that writes nothing: the unsupported filter.
    expect(report.results.find((result) => result.check === 'provoked_status')).toMatchObject({ status: 'passed', judged: 1 });
    expect(report.coverage.judged('listUsers', 400)).toBe(true);
    const unprovoked = await check(served, { readOnly: true, profiles: [() => ({ ...scimProfile(), provocations: async () => [] })] });
    expect(unprovoked.coverage.judged('listUsers', 400)).toBe(false);
  });

  it('leaves hoop answering its own /api/users on the same origin, each API refusing the other’s credential', async () => {
    const credentials = served.mock.credentials();
    const hoop = await fetch(`${served.url}/api/users`, { headers: { authorization: credentials.hoop!.admin } });
    const users = await fetch(`${served.url}${USERS}`, { headers: { authorization: credentials.scim!.admin } });
    expect([hoop.status, users.status, users.headers.get('content-type')]).toEqual([200, 200, SCIM_JSON]);
    // hoop's users have groups; SCIM's come in a ListResponse.
    expect((await hoop.json())[0]).toHaveProperty('groups');
    expect(await users.json()).toMatchObject({ totalResults: 5, Resources: expect.any(Array) });
    const refused = await Promise.all([
      fetch(`${served.url}${USERS}`, { headers: { authorization: credentials.hoop!.admin } }),
      fetch(`${served.url}/api/users`, { headers: { authorization: credentials.scim!.admin } }),
    ]);
    expect(refused.map((answer) => answer.status)).toEqual([401, 401]);
  });
});

describe('the SCIM example through MSW, and a copy of it under a mount prefix', () => {
  // The copy's paths are the example's: only its mount lets both be served on one origin.
  const copy = { ...scim, name: 'scim2', mount: '/scim-copy' };
  const mock = createMock({ apis: [...API_MODULES, scim, copy], users: 5 });
  const server = setupServer(...createHandlers(mock));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  it('lists its users, and the copy its own at its mount', async () => {
    const { scim: root, scim2: mounted } = mock.credentials();
    const answers = await Promise.all([
      fetch(`http://localhost${USERS}`, { headers: { authorization: root!.admin } }),
      fetch(`http://localhost/scim-copy${USERS}`, { headers: { authorization: mounted!.admin } }),
      fetch(`http://localhost/scim-copy${USERS}`, { headers: { authorization: root!.admin } }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 401]);
    expect(((await answers[1]!.json()) as { totalResults: number }).totalResults).toBe(5);
  });

  it('answers an unknown route under the mount with the API’s own 404', async () => {
    const answer = await fetch(`http://localhost/scim-copy${USERS}/some/thing`);
    expect([answer.status, await answer.json()]).toEqual([
      404,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '404',
        detail: `no route GET ${USERS}/some/thing`,
      },
    ]);
  });
});

describe('a broken SCIM server', () => {
  it('fails the contract run', async () => {
    // A server that answers a read of an id nobody has with an empty user instead of 404.
    const lenient: ApiModule<ScimState, 'scim'> = {
      ...scim,
      async handle(request, state, route) {
        const answer = await scim.handle(request, state, route);
        const unknownRead = answer.status === 404 && route.operation?.id === 'getUser';
        return unknownRead ? { status: 200, headers: { 'content-type': SCIM_JSON }, body: '{}' } : answer;
      },
    };
    const served = await serveMock([lenient]);
    try {
      const report = await check(served);
      expect(exitCodeOf(report)).toBe(1);
      const failed = report.results.filter((result) => result.status === 'failed').map((result) => result.check);
      expect(failed).toEqual(expect.arrayContaining(['unknown_id_not_found', 'delete_effective']));
    } finally {
      await served.close();
    }
  });
});

describe('a SCIM snapshot', () => {
  it('restores a user created through the API, apart from the mock it came from', async () => {
    const mock = createMock({ apis: [...API_MODULES, scim], users: 5 });
    const { admin } = mock.credentials().scim!;
    const created = await mock.handle(
      mockRequest('POST', USERS, admin, { schemas: [USER_URN], userName: 'grace@example.com', displayName: 'Grace Hopper' }),
    );
    expect(created.status).toBe(201);
    const user = JSON.parse(created.body!) as { id: string };

    const restored = createMock({ apis: [...API_MODULES, scim], snapshot: mock.snapshot() });
    const read = await restored.handle(mockRequest('GET', `${USERS}/${user.id}`, admin));
    expect([read.status, JSON.parse(read.body!)]).toEqual([200, user]);
    // The restored mock shares nothing that changes with the one the snapshot came from.
    const rename = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Grace B. Hopper' }],
    };
    expect((await restored.handle(mockRequest('PATCH', `${USERS}/${user.id}`, admin, rename))).status).toBe(200);
    const original = await mock.handle(mockRequest('GET', `${USERS}/${user.id}`, admin));
    expect(JSON.parse(original.body!)).toMatchObject({ displayName: 'Grace Hopper' });
  });
});
