// Soak of the model-based phase: many generated sequences per seed against `usermock serve`'s
// behaviour over HTTP and against the independent servers; any model_agreement failure is a
// false alarm (or a real disagreement to settle from the vendor's documentation).
// `tsx scripts/model-soak.ts [runs=1000] [seeds=1,2,3]`
import { runContract } from '../contracts/index.ts';
import { startIndependentHoop } from '../test/independent/hoop.ts';
import { startMock } from '../test/helpers/server.ts';

const runs = Number(process.argv[2] ?? 1000);
const seeds = (process.argv[3] ?? '1,2,3').split(',').map(Number);
const targets = {
  'usermock (hoop)': async () => {
    const running = await startMock({ users: 5, onError: () => {} });
    const { admin, standard } = running.mock.credentials().hoop;
    return { url: running.url, admin, standard, close: running.close };
  },
  'independent hoop': startIndependentHoop,
};
let failures = 0;
for (const [name, start] of Object.entries(targets)) {
  for (const seed of seeds) {
    const server = await start();
    const started = Date.now();
    const report = await runContract({
      api: 'hoop',
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
process.exit(failures ? 1 : 0);
