// A fourth API plugs in by its own files only (test/fixtures/): the made-up directory API, whose
// paths are hoop's, is served beside the built-in APIs under its mount, passes its own contract
// run with every documented status judged, answers through MSW, fails the run once broken, and
// keeps its state through a snapshot. Nothing outside test/fixtures/ and this test names it.
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf, runContract, type ContractOptions } from '../../contracts/index.ts';
import { API_MODULES, Mock, type ApiModule, type Credentials, type MockRequest } from '../../mocks/index.ts';
import { createHandlers } from '../../mocks/msw.ts';
import apis from '../fixtures/apis.ts';
import { directory, type DirectoryState } from '../fixtures/directory/mock.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';

/** The built-in APIs and the fixture's, from the one list, as `--apis` would load them. */
const modules = [...API_MODULES, ...apis.flatMap(({ mock }) => mock ?? [])];
const profiles = apis.flatMap(({ profile }) => profile ?? []);

const mockRequest = (method: string, path: string, authorization: string, body?: unknown): MockRequest => ({
  method,
  path,
  query: new URLSearchParams(),
  headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

/** A contract run of the directory at a served mock's mount, with that mock's directory credentials. */
function check(running: RunningMock<ApiModule>, options: Partial<ContractOptions> = {}) {
  const { admin, standard } = (running.mock.credentials() as Record<string, Credentials>).directory!;
  return runContract({
    api: 'directory',
    profiles,
    baseUrl: `${running.url}/directory`,
    auth: admin,
    authStandard: standard,
    seed: 1,
    ...options,
  });
}

describe('the directory fixture served over HTTP beside the built-in APIs', () => {
  let running: RunningMock<ApiModule>;
  beforeAll(async () => {
    running = await startMock<ApiModule>({ users: 5 }, modules);
  });
  afterAll(() => running.close());

  it('passes its contract run under its mount with no failure and every documented status judged', async () => {
    const report = await check(running);
    const problems = report.results
      .flatMap((result) => [...result.failures, ...result.warnings])
      .map((failure) => `[${failure.check}] ${failure.message}`);
    expect(problems).toEqual([]);
    expect(exitCodeOf(report)).toBe(0);
    // Unjudged only: trailing slashes (the spec documents one form of each path), provocations
    // (the generic drivers reached every documented status before them), the spec's example
    // pairs (it pairs none) and the model-based phase (no model profile of this API).
    expect(
      Object.fromEntries(report.results.filter((result) => result.status === 'skipped').map((result) => [result.check, result.reason])),
    ).toEqual({
      path_forms: expect.any(String),
      provoked_status: expect.any(String),
      example_pairs: expect.any(String),
      model_agreement: 'usermock has no executable model of directory',
    });
    expect(report.coverage.pairs.filter((pair) => pair.state !== 'judged')).toEqual([]);
    expect(report.coverage.judgedCount).toBe(report.coverage.provokable);
    expect(report.cleanup).toEqual({ removed: expect.any(Number), failed: [], leftovers: [] });
  });

  it('passes a read-only run, where its one provocation is what reaches getUser 404', async () => {
    const report = await check(running, { readOnly: true });
    expect(exitCodeOf(report)).toBe(0);
    expect(report.results.find((result) => result.check === 'provoked_status')?.status).toBe('passed');
    expect(report.coverage.judged('getUser', 404)).toBe(true);
  });

  it('leaves hoop answering its own /api/users on the same origin', async () => {
    const credentials = running.mock.credentials();
    const hoop = await fetch(`${running.url}/api/users`, { headers: { authorization: credentials.hoop.admin } });
    const mounted = await fetch(`${running.url}/directory/api/users`, { headers: { authorization: credentials.directory.admin } });
    expect([hoop.status, mounted.status]).toEqual([200, 200]);
    // hoop's users have groups; the directory's have a role of their own and no groups.
    expect((await hoop.json())[0]).toHaveProperty('groups');
    expect((await mounted.json())[0]).toMatchObject({ role: 'admin' });
    // Each API refuses the other's credential: the mount keeps them apart. (The contract run's
    // forged credential is a Bearer one, so an unknown key in the directory's own scheme is tried here.)
    for (const authorization of [credentials.hoop.admin, 'Token usermock-unknown-key']) {
      const refused = await fetch(`${running.url}/directory/api/users`, { headers: { authorization } });
      expect(refused.status).toBe(401);
    }
  });
});

describe('the directory fixture through MSW', () => {
  const mock = new Mock(modules, { users: 5 });
  const server = setupServer(...createHandlers(mock));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  it('lists its users at its mount', async () => {
    const answer = await fetch('http://localhost/directory/api/users', { headers: { authorization: mock.credentials().directory.admin } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toHaveLength(5);
  });

  it('answers an unknown route under its mount with its own 404', async () => {
    const answer = await fetch('http://localhost/directory/nothing');
    expect([answer.status, await answer.json()]).toEqual([404, { error: { code: 'not_found', message: 'no route GET /nothing' } }]);
  });
});

describe('a broken directory server', () => {
  it('fails the contract run', async () => {
    // A server that answers a read of an id nobody has with an empty user instead of 404.
    const lenient: ApiModule<DirectoryState, 'directory'> = {
      ...directory,
      async handle(request, state) {
        const answer = await directory.handle(request, state);
        const unknownRead = answer.status === 404 && directory.operationFor(request.method, request.path)?.id === 'getUser';
        return unknownRead ? { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' } : answer;
      },
    };
    const running = await startMock<ApiModule>({ users: 5 }, [...API_MODULES, lenient]);
    try {
      const report = await check(running);
      expect(exitCodeOf(report)).toBe(1);
      const failed = report.results.filter((result) => result.status === 'failed').map((result) => result.check);
      expect(failed).toEqual(expect.arrayContaining(['unknown_id_not_found', 'delete_effective']));
    } finally {
      await running.close();
    }
  });
});

describe('a directory snapshot', () => {
  it('restores a user created through the API, apart from the mock it came from', async () => {
    const mock = new Mock(modules, { users: 5 });
    const { admin } = mock.credentials().directory;
    const created = await mock.handle(
      mockRequest('POST', '/directory/api/users', admin, { email: 'grace@example.com', name: 'Grace Hopper' }),
    );
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body!) as { id: string };

    const restored = new Mock(modules, { snapshot: mock.snapshot() });
    const read = await restored.handle(mockRequest('GET', `/directory/api/users/${id}`, admin));
    expect([read.status, JSON.parse(read.body!)]).toEqual([200, { id, email: 'grace@example.com', name: 'Grace Hopper', role: 'member' }]);
    // The restored mock shares nothing that changes with the one the snapshot came from.
    await restored.handle(mockRequest('PATCH', `/directory/api/users/${id}`, admin, { name: 'Grace B. Hopper' }));
    const original = await mock.handle(mockRequest('GET', `/directory/api/users/${id}`, admin));
    expect(JSON.parse(original.body!)).toMatchObject({ name: 'Grace Hopper' });
  });
});
