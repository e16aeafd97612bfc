// Request bodies: each defect the vendor enforces gets the status the spec ties to it (or a
// documented 4xx), and valid bodies — also with non-ASCII names — are accepted.
import { bodyTargetsOf, type BodyTarget } from '../apis/profile.ts';
import type { InvalidBody } from '../data.ts';
import type { Expectation } from '../exchange.ts';
import type { RunContext } from './context.ts';
import { CHECK } from '../checks/names.ts';

export const DATA_CHECKS = [CHECK.negative_data_rejection, CHECK.positive_data_acceptance];

export async function bodies(context: RunContext): Promise<void> {
  const user = await context.user('data');
  if (!user) return context.block(DATA_CHECKS, context.noUserReason);
  for (const target of bodyTargetsOf(context.profile, user, context.data)) {
    if (context.selects(CHECK.negative_data_rejection)) await negative(context, target);
    if (target.acceptsValid && context.selects(CHECK.positive_data_acceptance)) await positive(context, target);
  }
}

async function negative(context: RunContext, target: BodyTarget): Promise<void> {
  const { spec } = context;
  const schema = spec.requestSchema(target.operationId);
  if (!schema) return;
  const validate = spec.validator(schema, 'request');
  for (const variant of context.data.invalidBodies(schema, target.valid(false), (body) => validate(body))) {
    const expectation = expectationFor(context, target.operationId, variant);
    if (!expectation) continue;
    await context.send(target.call(variant), {
      purpose: `a body with ${variant.name}`,
      check: CHECK.negative_data_rejection,
      expect: expectation.expect,
      provenance: expectation.provenance,
    });
  }
}

/** What the spec says the server answers a defect with; undefined for a rule the vendor does not enforce (no case is sent). */
function expectationFor(context: RunContext, operationId: string, variant: InvalidBody) {
  const rule = context.spec.requestRule(operationId, variant.keyword, variant.field);
  if (rule === 'not-enforced') return undefined;
  const refusals = context.spec
    .operation(operationId)
    .statuses.map(Number)
    .filter((status) => status >= 400 && status < 500 && ![401, 403].includes(status));
  const expect: Expectation = { status: rule.status === undefined ? refusals : [rule.status] };
  if (rule.mediaType) expect.mediaType = rule.mediaType;
  return { expect, provenance: rule.provenance };
}

async function positive(context: RunContext, target: BodyTarget): Promise<void> {
  for (const unicode of [false, true]) {
    await context.send(target.call({ body: target.valid(unicode) }), {
      purpose: `a valid body${unicode ? ' with non-ASCII names' : ''}`,
      check: CHECK.positive_data_acceptance,
      expect: { status: 'success' },
    });
  }
}
