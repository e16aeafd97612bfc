// Soak of the model-based phase: many generated sequences per seed, for each API, against the
// mock served over HTTP and against the independent servers (written apart from mocks/); any
// model_agreement failure is a false alarm (or a real disagreement to settle from the vendor's
// documentation). `tsx scripts/model-soak.ts [runs=1000] [seeds=1,2,3] [apis=hoop,amani,haplo]`
import { runContract } from '../contracts/index.ts';
import type { ApiName } from '../specs/index.ts';
import { startIndependentAmani } from '../test/independent/amani.ts';
import { startIndependentHaplo } from '../test/independent/haplo.ts';
import { startIndependentHoop } from '../test/independent/hoop.ts';
import { startMock } from '../test/helpers/server.ts';

interface Target {
  url: string;
  admin: string;
  standard: string;
  close(): Promise<void>;
}

const runs = Number(process.argv[2] ?? 1000);
const seeds = (process.argv[3] ?? '1,2,3').split(',').map(Number);
const apis = (process.argv[4] ?? 'hoop,amani,haplo').split(',') as ApiName[];
const independent: Record<ApiName, () => Promise<Target>> = {
  hoop: startIndependentHoop,
  amani: startIndependentAmani,
  haplo: startIndependentHaplo,
};
const served = (api: ApiName) => async (): Promise<Target> => {
  const running = await startMock({ users: 5, onError: () => {} });
  return { url: running.url, ...running.mock.credentials()[api], close: running.close };
};

let failures = 0;
for (const api of apis) {
  for (const [name, start] of [
    [`usermock (${api})`, served(api)],
    [`independent ${api}`, independent[api]],
  ] as const) {
    for (const seed of seeds) {
      const server = await start();
      const started = Date.now();
      const report = await runContract({
        api,
        baseUrl: server.url,
        auth: server.admin,
        authStandard: server.standard,
        seed,
        modelRuns: runs,
        only: ['model_agreement'],
      });
      const seconds = (Date.now() - started) / 1000;
      const result = report.results.find((candidate) => candidate.check === 'model_agreement')!;
      failures += result.failures.length;
      console.log(
        `${name} seed ${seed}: ${result.status}, ${runs} sequences, ${result.judged} steps in ${seconds.toFixed(1)} s (${(runs / seconds).toFixed(0)} sequences/s)`,
      );
      for (const failure of result.failures) console.log(`  ${failure.message}`);
      await server.close();
    }
  }
}
process.exit(failures ? 1 : 0);
