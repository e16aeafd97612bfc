import type { Reporter, TestModule } from 'vitest/node';

/** Prints one line per check at the end of a run: its outcome, and its failure count or why it was skipped. */
export class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows = testModules
      .flatMap((module) => [...module.children.allTests()])
      .map((test) => {
        const result = test.result();
        const detail =
          result.state === 'failed'
            ? `${/^(\d+) failure/.exec(result.errors?.[0]?.message ?? '')?.[1] ?? '1'} failure(s)`
            : result.state === 'skipped'
              ? (result.note ?? '')
              : '';
        return [test.name.split(':')[0]!, result.state, detail] as const;
      });
    if (rows.length === 0) return;
    const width = Math.max(...rows.map(([name]) => name.length));
    const lines = rows.map(([name, state, detail]) => `  ${name.padEnd(width)}  ${state.padEnd(7)}  ${detail}`.trimEnd());
    process.stdout.write(`\n  ${'check'.padEnd(width)}  ${'result'.padEnd(7)}  details\n${lines.join('\n')}\n\n`);
  }
}
