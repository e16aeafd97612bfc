// Names, after vitest's summary, each suite or test that a missing system service skipped (or, under
// CI, failed) — see services.ts — with the command that installs it: a skip must not go unnoticed.
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

/** The outermost suites and tests carrying a missing service (what they hold inherits it). */
function* missingServiceTasks(children: Iterable<TestSuite | TestCase>): Generator<TestSuite | TestCase> {
  for (const task of children) {
    if (task.meta().missingService) yield task;
    else if (task.type === 'suite') yield* missingServiceTasks(task.children);
  }
}

export default class ServicesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    for (const testModule of testModules) {
      for (const task of missingServiceTasks(testModule.children)) {
        const { service, install, requiredBy } = task.meta().missingService!;
        const outcome = requiredBy ? `FAILED (required by ${requiredBy})` : 'SKIPPED';
        console.warn(
          ` ${outcome}  ${testModule.relativeModuleId} > ${task.fullName}: needs ${service}, not on PATH; to run it: ${install}`,
        );
      }
    }
  }
}
