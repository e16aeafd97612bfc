// Checks of how the server treats request bodies: invalid ones refused, valid ones accepted.
import { bodyTargetsOf } from '../apis/profile.ts';
import { isFinding, isSuccess, type Finding } from './context.ts';
import type { ScenarioCheck } from './stateful.ts';

/** Every body the schema forbids is refused with a 4xx the spec documents for the operation. */
export const negativeDataRejection: ScenarioCheck = async (context) => {
  const user = await context.user('data');
  if (isFinding(user)) return { findings: [user] };
  const findings: Finding[] = [];
  for (const target of bodyTargetsOf(context.profile, user, context.data)) {
    const schema = context.spec.requestSchema(target.operationId)!;
    const validate = context.spec.validator(schema, 'request');
    for (const variant of context.data.invalidBodies(schema, target.valid(false), (body) => validate(body))) {
      const exchange = await context.send(target.call(variant));
      const { status } = exchange.response;
      if (status < 400 || status >= 500 || !context.spec.documentsStatus(target.operationId, status)) {
        findings.push({ message: `expected a documented 4xx for a body with ${variant.name}, got ${status}`, exchange });
      }
    }
  }
  return { findings };
};

/** Valid bodies, plain and with non-ASCII names, are accepted (2xx). */
export const positiveDataAcceptance: ScenarioCheck = async (context) => {
  const user = await context.user('data');
  if (isFinding(user)) return { findings: [user] };
  const findings: Finding[] = [];
  for (const target of bodyTargetsOf(context.profile, user, context.data).filter((target) => target.acceptsValid)) {
    for (const unicode of [false, true]) {
      const exchange = await context.send(target.call({ body: target.valid(unicode) }));
      if (!isSuccess(exchange)) {
        findings.push({
          message: `expected a valid${unicode ? ' non-ASCII' : ''} body to be accepted, got ${exchange.response.status}`,
          exchange,
        });
      }
    }
  }
  return { findings };
};
