// Reaching what the other drivers do not: a well-formed request to every operation the run may
// call, the documented path forms, and a request for each documented status still not provoked.
import { coverageOf } from '../coverage.ts';
import type { RunContext } from './context.ts';
import { CHECK } from '../checks/names.ts';

/**
 * A well-formed request to each operation the run may call (safe ones; all of them on a stateless
 * target). One that must name a record the server is not known to hold (a tag query) names a user
 * the run creates, or is left out with why.
 */
export async function samples(context: RunContext): Promise<void> {
  const mayCreate = !context.mode.readOnly && !context.mode.stateless;
  for (const operation of context.spec.operations) {
    if (!context.allows(operation.method) || !(operation.method === 'GET' || context.mode.stateless)) continue;
    let call = context.profile.sample(operation.id, undefined, context.data);
    if (!call && mayCreate) call = context.profile.sample(operation.id, await context.user('samples'), context.data);
    if (call) await context.send(call, { purpose: 'a well-formed request', check: CHECK.operation_success, expect: { status: 'success' } });
    else
      context.notes.push(
        `operation_success: ${operation.id} not sampled: it needs a record of this run${mayCreate ? ', and none was created' : ' (a read-only run creates none)'}`,
      );
  }
}

/**
 * Where the spec says a trailing slash is optional (`x-trailing-slash`), the slashed form of each
 * safe request answers as the plain one did, and a create on the slashed path creates.
 */
export async function pathForms(context: RunContext): Promise<void> {
  if (context.spec.document['x-trailing-slash'] !== 'optional')
    return context.block(CHECK.path_forms, 'the spec documents one form of each path');
  const seen = new Set<string>();
  for (const exchange of [...context.transport.exchanges]) {
    const { operationId, call, response } = exchange;
    if (call.method !== 'GET' || response.status >= 300 || seen.has(operationId) || call.path.endsWith('/')) continue;
    seen.add(operationId);
    await context.send(
      { ...call, path: `${call.path}/` },
      {
        purpose: 'the same request with a trailing slash',
        check: CHECK.path_forms,
        expect: { status: [response.status] },
        after: [exchange],
      },
    );
  }
  if (!context.mode.readOnly && !context.mode.stateless) {
    const create = context.profile.create({});
    await context.createUser(context.profile.newUser(context.data), 'creating a user on the slashed path', `${create.path}/`);
  }
}

/**
 * Sends the profile's request for each documented status no driver has provoked yet. Those a
 * faulty server would obey destructively only with `--allow-destructive`, and last.
 */
export async function provocations(context: RunContext): Promise<void> {
  if (context.mode.stateless) return context.block(CHECK.provoked_status, 'a stateless target answers from examples, not from state');
  const user = context.mode.readOnly ? undefined : await context.user('provocations');
  const all = (await context.profile.provocations(context, user)).filter((provocation) => context.allows(provocation.call.method));
  const destructive = all.filter((provocation) => provocation.destructive);
  if (!context.mode.destructive) {
    for (const provocation of destructive)
      context.notSought.set(
        `${provocation.operationId} ${provocation.status}`,
        `${provocation.purpose}: a faulty server would do it; sent with --allow-destructive`,
      );
  }
  for (const provocation of [...all.filter((p) => !p.destructive), ...(context.mode.destructive ? destructive : [])]) {
    const covered = coverageOf(context.spec, context.profile, context.transport.exchanges).judged(
      provocation.operationId,
      provocation.status,
    );
    if (covered) continue;
    const setup = [];
    for (const call of provocation.setup ?? []) setup.push(await context.send(call, { purpose: `preparing: ${provocation.purpose}` }));
    await context.send(provocation.call, {
      purpose: provocation.purpose,
      check: CHECK.provoked_status,
      expect: { status: [provocation.status] },
      after: setup,
    });
  }
}
