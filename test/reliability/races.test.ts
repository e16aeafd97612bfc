// Concurrent writes over HTTP: 50 creates of one email give one user and 49 documented conflicts,
// concurrent updates of different fields of one user keep every field, and with --state-file the
// file afterwards holds exactly the state the server shows, before and after a kill -9.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../../contracts/exchange.ts';
import type { Snapshot } from '../../mocks/index.ts';
import { API_NAMES, type ApiName } from '../../specs/index.ts';
import { serve } from '../helpers/cli.ts';
import { startMock, type RunningMock } from '../helpers/server.ts';
import { nonConformities } from '../helpers/conformance.ts';
import { requestOf, wellFormedCalls, type Target } from './support/calls.ts';
import { profileOf } from '../../contracts/options.ts';
import { httpTarget, httpRequestOf, send } from './support/http.ts';

const CREATES = 50;
const REPEATS = 4;

type Stored = Record<string, unknown>;

/** The users (Haplo: principals) of an API in the default session of a snapshot. */
function storedUsers(snapshot: Snapshot, api: ApiName): Stored[] {
  const state = snapshot.sessions.default![api] as { users?: Stored[]; principals?: Stored[] };
  return state.users ?? state.principals!;
}

/** The user an update call is about, as the default session of a snapshot stores it. */
function storedUser(snapshot: Snapshot, api: ApiName, call: Call): Stored {
  const key = decodeURIComponent(call.path.split('/').at(-1)!);
  const user = storedUsers(snapshot, api).find((candidate) => candidate.email === key || String(candidate.id) === key);
  if (!user) throw new Error(`no stored ${api} user ${key}`);
  return user;
}

/**
 * Per API: updates of one field each, sent together, and what the stored user must show after.
 * hoop's PUT replaces the whole user (hoop documents it so), so there each update is a whole user
 * and the stored one must be exactly one of them, never a mix.
 */
const UPDATES: Record<ApiName, { operationId: string; bodies(call: Call): Stored[]; expectKept(user: Stored, sent: Stored[]): void }> = {
  hoop: {
    operationId: 'updateUser',
    bodies: (call) =>
      Array.from({ length: 8 }, (_, i) => ({
        ...(call.body as Stored),
        name: `Racer ${i}`,
        slack_id: `USLACK${i}`,
        picture: `https://example.com/${i}.png`,
        groups: [`team-${i}`],
      })),
    expectKept(user, sent) {
      const whole = sent.find((body) => body.name === user.name)!;
      expect(whole, `stored name ${String(user.name)}`).toBeDefined();
      expect({ slack_id: user.slack_id, picture: user.picture, groups: user.groups }).toEqual({
        slack_id: whole.slack_id,
        picture: whole.picture,
        groups: whole.groups,
      });
    },
  },
  amani: {
    operationId: 'updateUser',
    bodies: () => [
      { first_name: 'Ada' },
      { last_name: 'Lovelace' },
      { phone: '+441234567890' },
      { groups: [4] },
      { password: 'a-new-password-1' },
      { email: 'racer@example.com' },
    ],
    expectKept: (user, sent) => expect(user).toMatchObject(Object.assign({}, ...sent)),
  },
  haplo: {
    operationId: 'updateUserById',
    bodies: () => [
      { nameFirst: 'Ada' },
      { nameLast: 'Lovelace' },
      { localeId: 'cy' },
      { tags: { team: 'engines' } },
      { tags: { floor: '3' } },
      { ref: 'q1' },
      { email: 'racer@example.ac.uk' },
    ],
    expectKept(user) {
      expect(user).toMatchObject({
        nameFirst: 'Ada',
        nameLast: 'Lovelace',
        name: 'Ada Lovelace',
        localeId: 'cy',
        ref: 'q1',
        email: 'racer@example.ac.uk',
      });
      expect(user.tags).toMatchObject({ team: 'engines', floor: '3' });
    },
  },
};

const stateOf = async (origin: string): Promise<Snapshot> =>
  JSON.parse((await send(origin, { method: 'GET', target: '/__usermock/state' })).text);

/** Sends the same call many times at once, with different bodies if given. */
function together(origin: string, target: Target, api: ApiName, call: Call, bodies: unknown[]) {
  const credentials = target.credentials()[api];
  return Promise.all(bodies.map((body) => send(origin, httpRequestOf(requestOf({ ...call, body }, credentials)))));
}

/** Races every API on a server: creates of one email, then updates of one user. */
async function race(origin: string): Promise<void> {
  const target = await httpTarget(origin);
  await Promise.all(
    API_NAMES.map(async (api) => {
      const calls = await wellFormedCalls(api, target);
      const create = calls.get('createUser')!;
      const created = await together(origin, target, api, create, Array(CREATES).fill(create.body));
      const successes = created.filter((answer) => answer.status < 300);
      const conflicts = created.filter((answer) => answer.status === profileOf(api).duplicateStatus && /already exists/.test(answer.text));
      expect(successes, `${api}: successful creates`).toHaveLength(1);
      expect(conflicts, `${api}: conflicts`).toHaveLength(CREATES - 1);
      expect(created.flatMap((answer) => nonConformities(api, 'createUser', answer))).toEqual([]);
      const email = String((create.body as Stored).email).toLowerCase();
      const stored = storedUsers(await stateOf(origin), api).filter((user) => String(user.email).toLowerCase() === email);
      expect(stored, `${api}: users stored with the email`).toHaveLength(1);

      const { operationId, bodies, expectKept } = UPDATES[api];
      const update = calls.get(operationId)!;
      const sent = bodies(update);
      const answers = await together(
        origin,
        target,
        api,
        update,
        sent.flatMap((body) => Array(REPEATS).fill(body)),
      );
      expect(
        answers.map((answer) => answer.status).filter((status) => status !== 200),
        `${api}: updates`,
      ).toEqual([]);
      expectKept(storedUser(await stateOf(origin), api, update), sent);
    }),
  );
}

describe('concurrent writes', () => {
  let running: RunningMock;
  beforeAll(async () => {
    running = await startMock({ users: 5 });
  });
  afterAll(() => running.close());

  it('make one user of 50 creates of one email, and keep every field of concurrent updates', async () => {
    await race(running.url);
  });

  it('leave the --state-file holding exactly what the server shows, before and after kill -9', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'usermock-race-'));
    const stateFile = join(folder, 'state.json');
    const first = await serve(['--users', '5', '--state-file', stateFile]);
    let shown: Snapshot;
    try {
      await race(first.url);
      shown = await stateOf(first.url);
      expect(JSON.parse(await readFile(stateFile, 'utf8'))).toEqual(shown);
    } finally {
      await first.stop('SIGKILL');
    }
    const second = await serve(['--state-file', stateFile]);
    try {
      expect(await stateOf(second.url)).toEqual(shown);
    } finally {
      await second.stop();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
