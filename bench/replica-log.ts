// A long shared log for `usermock serve --store`, written straight into Redis: creates across the
// three APIs (unique emails), in the format a replica appends them (`mocks/replica/log.ts`: an
// `entry` and the id of the entry before it), by pipelined XADDs — 200,000 in a few seconds, where
// 200,000 requests through a replica would take minutes.
import { Redis } from 'ioredis';
import { API_MODULES, DEFAULT_SEED, DEFAULT_USERS, Mock } from '../mocks/index.ts';
import { LOG, type LoggedRequest } from '../mocks/replica/log.ts';

/** The create of user `i`: hoop, Amani and Haplo in turn, as the seeded admin of each. */
export function createEntry(i: number, admin: Record<'hoop' | 'amani' | 'haplo', string>, time: number): LoggedRequest {
  const email = `log-${i}@example.com`;
  const [path, body, authorization] = [
    ['/api/users', { email, name: `Logged ${i}` }, admin.hoop],
    ['/api/v2/user', { email, password: `Gx7!pQ2v-${i}` }, admin.amani],
    ['/api/v0-user/create', { nameFirst: 'Logged', nameLast: `User${i}`, email }, admin.haplo],
  ][i % 3] as [string, object, string];
  return {
    nonce: `bench/${i}`,
    time,
    method: 'POST',
    path,
    query: '',
    headers: { authorization, 'content-type': 'application/json', host: '127.0.0.1' },
    body: JSON.stringify(body),
  };
}

/**
 * Appends `count` creates to the log of the store at `url` (an empty database, for replicas started
 * with the default seed and users), with ids `<start>-1` … `<start>-<count>`; resolves with the
 * last id.
 */
export async function seedLog(url: string, count: number): Promise<string> {
  const credentials = new Mock(API_MODULES, { seed: DEFAULT_SEED, users: DEFAULT_USERS }).credentials();
  const admin = { hoop: credentials.hoop.admin, amani: credentials.amani.admin, haplo: credentials.haplo.admin };
  const client = new Redis(url);
  const start = Date.now();
  let prev = '0-0';
  try {
    for (let from = 1; from <= count; from += 5_000) {
      const pipeline = client.pipeline();
      for (let i = from; i < Math.min(from + 5_000, count + 1); i++) {
        const id = `${start}-${i}`;
        pipeline.xadd(LOG, id, 'entry', JSON.stringify(createEntry(i, admin, start)), 'prev', prev);
        prev = id;
      }
      await pipeline.exec();
    }
  } finally {
    client.disconnect();
  }
  return prev;
}
