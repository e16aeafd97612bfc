// Reaching what the other drivers do not: a well-formed request to every operation the run may
// call, the documented path forms, and a request for each documented status still not provoked.
import { coverageOf } from '../coverage.ts';
import type { RunContext } from './context.ts';

/** A well-formed request to each operation the run may call (safe ones; all of them on a stateless target). */
export async function samples(context: RunContext): Promise<void> {
  for (const operation of context.spec.operations) {
    if (!context.allows(operation.method) || !(operation.method === 'GET' || context.mode.stateless)) continue;
    const call = context.profile.sample(operation.id, undefined, context.data);
    if (call) await context.send(call, { purpose: 'a well-formed request', check: 'operation_success', expect: { status: 'success' } });
  }
}

/**
 * Where the spec says a trailing slash is optional (`x-trailing-slash`), the slashed form of each
 * safe request answers as the plain one did, and a create on the slashed path creates.
 */
export async function pathForms(context: RunContext): Promise<void> {
  if (context.spec.document['x-trailing-slash'] !== 'optional')
    return context.block('path_forms', 'the spec documents one form of each path');
  const seen = new Set<string>();
  for (const exchange of [...context.transport.exchanges]) {
    const { operationId, call, response } = exchange;
    if (call.method !== 'GET' || response.status >= 300 || seen.has(operationId) || call.path.endsWith('/')) continue;
    seen.add(operationId);
    await context.send(
      { ...call, path: `${call.path}/` },
      { purpose: 'the same request with a trailing slash', check: 'path_forms', expect: { status: [response.status] }, after: [exchange] },
    );
  }
  if (!context.mode.readOnly && !context.mode.stateless) {
    const create = context.profile.create({});
    await context.createUser(context.profile.newUser(context.data), 'creating a user on the slashed path', `${create.path}/`);
  }
}

/** Sends the profile's request for each documented status no driver has provoked yet; those that may harm a wrong server last. */
export async function provocations(context: RunContext): Promise<void> {
  if (context.mode.stateless) return context.block('provoked_status', 'a stateless target answers from examples, not from state');
  const user = context.mode.readOnly ? undefined : await context.user('provocations');
  const all = (await context.profile.provocations(context, user)).filter((provocation) => context.allows(provocation.call.method));
  for (const provocation of [...all.filter((p) => !p.last), ...all.filter((p) => p.last)]) {
    const covered = coverageOf(context.spec, context.profile, context.transport.exchanges).judged(
      provocation.operationId,
      provocation.status,
    );
    if (covered) continue;
    const setup = [];
    for (const call of provocation.setup ?? []) setup.push(await context.send(call, { purpose: `preparing: ${provocation.purpose}` }));
    await context.send(provocation.call, {
      purpose: provocation.purpose,
      check: 'provoked_status',
      expect: { status: [provocation.status] },
      after: setup,
    });
  }
}
