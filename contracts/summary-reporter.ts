import type { Reporter, TestModule } from 'vitest/node';

/** Prints one line per check at the end of a run: its outcome, and how many failures it found. */
export class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows = testModules
      .flatMap((module) => [...module.children.allTests()])
      .map((test) => {
        const result = test.result();
        const failures = result.state === 'failed' ? (/^(\d+) failure/.exec(result.errors?.[0]?.message ?? '')?.[1] ?? '1') : '';
        return [test.name.split(':')[0]!, result.state, failures];
      });
    if (rows.length === 0) return;
    const width = Math.max(...rows.map(([name]) => name!.length));
    const lines = rows.map(([name, state, failures]) => `  ${name!.padEnd(width)}  ${state!.padEnd(7)}  ${failures}`);
    process.stdout.write(`\n  ${'check'.padEnd(width)}  ${'result'.padEnd(7)}  failures\n${lines.join('\n')}\n\n`);
  }
}
