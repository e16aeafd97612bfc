// The MSW path, in-process as tests use it: `fetch` in this process answered by MSW (`setupServer`
// from msw/node) — with usermock's handlers (`createMockServer()` from the built package), or with
// one hand-written `http.get(…)` handler returning the same JSON (`HttpResponse.json`), the least a
// test can write. Both servers take turns in every round (the order alternating), each measured for
// `seconds` after a short warm-up. Prints JSON: requests per second per round, for each workload.
// node --import tsx bench/msw-inprocess.ts <dist dir> <seconds> <rounds> <concurrency>
import { pathToFileURL } from 'node:url';
import { http, HttpResponse } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';

const [dist = 'dist', secondsArg = '1', roundsArg = '3', concurrencyArg = '10'] = process.argv.slice(2);
const SECONDS = Number(secondsArg);
const ROUNDS = Number(roundsArg);
const CONCURRENCY = Number(concurrencyArg);

const usermock = (await import(pathToFileURL(`${dist}/node.js`).href)) as typeof import('../mocks/node.ts');
const { server: mine, mock } = usermock.createMockServer();
const authorization = mock.credentials().hoop.admin;
const id = [...mock.state('hoop').users.values()][1]!.id;
const ORIGIN = 'http://api.example.test';
const workloads = { read: `${ORIGIN}/api/users/${id}`, list: `${ORIGIN}/api/users` } as const;
type Workload = keyof typeof workloads;

/** Requests per second answered by whichever server is listening, `concurrency` at a time. */
async function measure(url: string, seconds: number): Promise<number> {
  let count = 0;
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const response = await fetch(url, { headers: { authorization } });
      if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
      await response.text();
      count++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return count / ((performance.now() - started) / 1000);
}

async function withServer<T>(server: SetupServer, run: () => Promise<T>): Promise<T> {
  server.listen({ onUnhandledRequest: 'error' });
  try {
    return await run();
  } finally {
    server.close();
  }
}

// The JSON the hand-written handlers return: usermock's own answers.
const bodies = await withServer(mine, async () => ({
  read: (await (await fetch(workloads.read, { headers: { authorization } })).json()) as unknown,
  list: (await (await fetch(workloads.list, { headers: { authorization } })).json()) as unknown,
}));
const hand = setupServer(
  http.get(`${ORIGIN}/api/users/:id`, () => HttpResponse.json(bodies.read as Record<string, unknown>)),
  http.get(`${ORIGIN}/api/users`, () => HttpResponse.json(bodies.list as unknown[])),
);
const servers = { usermock: mine, hand } as const;
type Kind = keyof typeof servers;

const results: Record<Workload, Record<Kind, number[]>> = {
  read: { usermock: [], hand: [] },
  list: { usermock: [], hand: [] },
};
for (let round = 0; round < ROUNDS; round++) {
  const order: Kind[] = round % 2 === 0 ? ['usermock', 'hand'] : ['hand', 'usermock'];
  for (const workload of Object.keys(workloads) as Workload[]) {
    for (const kind of order) {
      const rps = await withServer(servers[kind], async () => {
        await measure(workloads[workload], Math.min(0.3, SECONDS / 3));
        return measure(workloads[workload], SECONDS);
      });
      results[workload][kind].push(rps);
    }
  }
}
console.log(JSON.stringify(results));
