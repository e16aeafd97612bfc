// Property-based fuzzing of every API in-process: thousands of generated requests per API, bounded
// in count and time, none answered with a 5xx or a thrown error, every routed one as documented —
// and the same property catching a crash planted in a wrapped API module.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hoop } from '../../mocks/apis/hoop/index.ts';
import { isObject, parseJsonBody } from '../../mocks/core/http.ts';
import { API_MODULES, Mock, type ApiModule, type BuiltInApi } from '../../mocks/index.ts';
import { answersAsDocumented } from './support/fuzz.ts';
import { HEALTH_CHECK, requestOf, wellFormedCalls } from './support/calls.ts';

const RUNS = 10_000;
/** Each API's run stops here even if RUNS are not done (a slow machine fuzzes less, it does not fail). */
const TIME_LIMIT_MS = 5_000;

/** Fuzzes a mock of one API module; the run's details from fast-check. */
async function fuzz(module: BuiltInApi, options: { endOnFailure?: boolean } = {}) {
  const internalErrors: unknown[] = [];
  const mock = new Mock<BuiltInApi>([module], { users: 5, onError: (error) => internalErrors.push(error) });
  const calls = await wellFormedCalls(module.name, mock);
  const details = await fc.check(answersAsDocumented(mock, module, calls), {
    numRuns: RUNS,
    plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)],
    includeErrorInReport: true,
    ...options,
  });
  return { details, mock, calls, internalErrors };
}

describe.each(API_MODULES.map((module) => [module.name, module] as const))('fuzzing %s', (_name, module) => {
  it('never answers a 5xx or throws, answers every routed request as documented, and keeps serving', async () => {
    const { details, mock, calls, internalErrors } = await fuzz(module);
    expect(details.failed, fc.defaultReportMessage(details)).toBe(false);
    expect(internalErrors).toEqual([]);
    const stillServing = await mock.handle(requestOf(calls.get(HEALTH_CHECK[module.name])!, mock.credentials()[module.name]));
    expect(stillServing.status).toBe(200);
  });
});

describe('the fuzz property', () => {
  it('catches a crash planted in an API module', async () => {
    // hoop, except that a body whose `name` is not a string throws, as a forgotten type check would.
    const original = hoop as ApiModule;
    const crashing: ApiModule = {
      ...original,
      handle(request, state, route) {
        const body = parseJsonBody(request.body);
        if (body.ok && isObject(body.value) && 'name' in body.value && typeof body.value.name !== 'string')
          throw new Error('planted crash');
        return original.handle(request, state, route);
      },
    };
    const { details, internalErrors } = await fuzz(crashing as BuiltInApi, { endOnFailure: true });
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/answered 500/);
    expect(internalErrors.map(String)).toContain('Error: planted crash');
  });
});
