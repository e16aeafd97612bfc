// Issue 20, a safe check on servers that are not ours: a default write run leaves every record it did
// not create exactly as it found it. It changes a caller's own slack id only where it can put it back
// (hoop refuses an empty one), and sends the probes a faulty server would obey destructively (an admin
// deactivating or deleting themself, deleting the `admin` group) only with allowDestructive.
import type { ApiModule, HoopState, HoopRecord } from '../../mocks/index.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeOf, renderReport, runContract, type ContractOptions, type RunReport } from '../../contracts/index.ts';
import { broken, type Mutation } from '../helpers/broken.ts';
import { startProxy, type Proxy } from '../helpers/proxy.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';
import { startIndependentHoop, type IndependentServer } from '../independent/hoop.ts';

/** The options issue 20 adds, spelt out here so that these tests type-check before and after they land. */
type FairOptions = ContractOptions & { allowDestructive?: boolean };

let running: RunningMock<ApiModule> | undefined;
let closing: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await running?.close();
  running = undefined;
  for (const server of closing) await server.close();
  closing = [];
});

type Caller = 'admin' | 'standard';
type Request = { method: string; path: string; status?: number };

/** hoop's records as a test compares them: every user, every group. */
const recordsOf = (hoop: HoopState) => structuredClone({ users: [...hoop.users.values()], groups: [...hoop.groups] });

/** The user a mock credential belongs to. */
const callerOf = (hoop: HoopState, auth: Caller): HoopRecord => hoop.users.get(hoop.tokens.byToken[hoop.tokens[auth]]!)!;

const decoded = (path: string) => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

/**
 * The requests that change a record the run did not create: a PUT or DELETE of a user that was
 * there before (by id or email), a DELETE of a group that was there before.
 */
function writesToExisting(requests: readonly Request[], before: { users: Array<{ id: string; email: string }>; groups: string[] }) {
  return requests.filter(({ method, path }) => {
    const target = /^\/api\/users\/([^/]+)$/.exec(decoded(path))?.[1];
    if ((method === 'PUT' || method === 'DELETE') && target && before.users.some((user) => user.id === target || user.email === target))
      return true;
    const group = /^\/api\/users\/groups\/([^/]+)$/.exec(decoded(path))?.[1];
    return method === 'DELETE' && group !== undefined && before.groups.includes(group);
  });
}

/** What the run said about the checks it left out: its notes, and the reasons of skipped checks. */
const toldOf = (report: RunReport) => [
  ...report.notes,
  ...report.results.filter((result) => result.status === 'skipped').map((result) => `${result.check}: ${result.reason}`),
];

const DESTRUCTIVE = [
  { operationId: 'updateUser', status: '422' },
  { operationId: 'deleteUser', status: '422' },
  { operationId: 'deleteGroup', status: '422' },
];

/** A mock (whose `empty` caller has no slack id, when given), every request it answers recorded. */
async function mockWithEmptySlack(empty: Caller | undefined, mutation?: Mutation) {
  running = await startMock<ApiModule>({ users: 8, onError: () => {} }, mutation ? broken('hoop', mutation) : undefined);
  const hoop = running.mock.state('hoop') as HoopState;
  // A new row, not a change in place: the mock's table caches what it derives from its rows.
  if (empty) hoop.put({ ...callerOf(hoop, empty), slack_id: '' });
  const requests: Request[] = [];
  running.mock.journal.subscribe(({ method, path, status }) => requests.push({ method, path, status }));
  return { hoop, requests, credentials: running.mock.credentials().hoop };
}

describe('a default write run leaves no trace (the mock)', () => {
  it.each([
    ['both callers have a slack id', undefined],
    ["the standard caller's slack id is empty", 'standard'],
    ["the admin caller's slack id is empty", 'admin'],
  ] as const)('leaves every user and group as it found them when %s, and sends no destructive probe', async (_name, empty) => {
    const { hoop, requests, credentials } = await mockWithEmptySlack(empty);
    const before = recordsOf(hoop);
    const report = await runContract({
      api: 'hoop',
      baseUrl: running!.url,
      auth: credentials.admin,
      authStandard: credentials.standard,
      seed: 20,
    });
    expect(exitCodeOf(report), renderReport(report)).toBe(0);

    // Every record the run did not create, exactly as it was (both callers' slack ids put back, or
    // never changed); none of its own left behind.
    expect(recordsOf(hoop)).toEqual(before);
    expect(writesToExisting(requests, before)).toEqual([]);
    expect(report.cleanup.failed).toEqual([]);

    // Where it could not put a slack id back, it says which check it left out and why.
    if (empty)
      expect(
        toldOf(report).filter((text) => /caller_identity/.test(text) && /slack/i.test(text)),
        JSON.stringify(toldOf(report)),
      ).not.toEqual([]);
    // The destructive probes' pairs are not sought, saying how to seek them.
    for (const pair of DESTRUCTIVE)
      expect(report.coverage.pairs).toContainEqual({ ...pair, state: 'not sought', reason: expect.stringMatching(/--allow-destructive/) });
  });

  it('with allowDestructive sends the destructive probes, which the mock refuses (422), and still leaves no trace', async () => {
    const { hoop, requests, credentials } = await mockWithEmptySlack('standard');
    const before = recordsOf(hoop);
    const admin = callerOf(hoop, 'admin');
    const options: FairOptions = {
      api: 'hoop',
      baseUrl: running!.url,
      auth: credentials.admin,
      authStandard: credentials.standard,
      seed: 20,
      allowDestructive: true,
    };
    const report = await runContract(options);
    expect(exitCodeOf(report), renderReport(report)).toBe(0);
    expect(recordsOf(hoop)).toEqual(before);

    const sent = writesToExisting(requests, before).map(({ method, path, status }) => `${method} ${decoded(path)} → ${status}`);
    const own = (email: string, id: string) => (line: string) =>
      line.includes(`/api/users/${email} `) || line.includes(`/api/users/${id} `);
    expect(sent.filter((line) => line.startsWith('PUT ') && own(admin.email, admin.id)(line))).toEqual([expect.stringMatching(/→ 422$/)]);
    expect(sent.filter((line) => line.startsWith('DELETE ') && own(admin.email, admin.id)(line))).toEqual([
      expect.stringMatching(/→ 422$/),
    ]);
    expect(sent).toContain('DELETE /api/users/groups/admin → 422');
    for (const pair of DESTRUCTIVE) expect(report.coverage.pairs).toContainEqual(expect.objectContaining({ ...pair, state: 'judged' }));
  });

  it('lists in cleanup.failed a change it could not put back', async () => {
    // The server refuses the clean-up's PATCH that sets the admin's slack id back (the run's own PATCHes pass).
    let original = '';
    const { credentials } = await mockWithEmptySlack(undefined, async (request, next) =>
      request.method === 'PATCH' && request.path === '/api/users/self/slack' && original !== '' && request.body?.includes(original)
        ? { status: 503, headers: { 'content-type': 'text/plain' }, body: 'maintenance' }
        : next(request),
    );
    original = callerOf(running!.mock.state('hoop') as HoopState, 'admin').slack_id;
    const report = await runContract({
      api: 'hoop',
      baseUrl: running!.url,
      auth: credentials.admin,
      authStandard: credentials.standard,
      seed: 20,
    });
    expect(report.cleanup.failed).toEqual([expect.stringMatching(/^PATCH \/api\/users\/self\/slack/)]);
  });
});

describe('a default write run leaves no trace (the independent hoop server)', () => {
  /** Every user and group, as an admin reads them through the API. */
  async function readAll(server: IndependentServer) {
    const read = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { authorization: server.admin } })).json();
    return {
      users: (await read('/api/users')) as Array<{ id: string; email: string }>,
      groups: (await read('/api/users/groups')) as string[],
    };
  }

  it('leaves every user and group as it found them (its standard caller has no slack id) and sends no destructive probe', async () => {
    const server = await startIndependentHoop();
    closing.push(server);
    // A recording proxy in front: the requests the run sent, as the server received them.
    const proxy: Proxy = await startProxy(server.url);
    closing.push(proxy);
    const before = await readAll(server);
    const standard = await (await fetch(`${server.url}/api/userinfo`, { headers: { authorization: server.standard } })).json();
    expect(standard.slack_id).toBe('');

    const report = await runContract({ api: 'hoop', baseUrl: proxy.url, auth: server.admin, authStandard: server.standard, seed: 20 });
    expect(exitCodeOf(report), renderReport(report)).toBe(0);
    expect(await readAll(server)).toEqual(before);
    const requests = proxy.seen.map((line) => {
      const [method, url] = line.split(' ') as [string, string];
      return { method, path: url.split('?')[0]! };
    });
    expect(writesToExisting(requests, before)).toEqual([]);
  });
});
