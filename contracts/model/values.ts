// Values the model-based steps draw from: who calls, texts (accents, other scripts, beyond the
// BMP), and the invalid bodies the spec's `x-request-rules` say the vendor refuses.
import * as fc from 'fast-check';
import type { ApiSpec } from '../../specs/index.ts';
import type { DataFactory } from '../data.ts';
import type { Step, Who } from './profile.ts';

/** Mostly the admin; the standard caller, no credential and a forged one too. */
export const who: fc.Arbitrary<Who> = fc.oneof(
  { arbitrary: fc.constant<Who>('admin'), weight: 8 },
  { arbitrary: fc.constant<Who>('standard'), weight: 2 },
  { arbitrary: fc.constant<Who>('none'), weight: 1 },
  { arbitrary: fc.constant<Who>('forged'), weight: 1 },
);

/** Texts: plain, accented, other scripts, beyond the BMP. */
export const text = fc.constantFrom('Ada Lovelace', 'Zoë Ångström', 'Łukasiewicz 李雷', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂', 'O\'Brien "Q"');

/**
 * Bodies with one defect the vendor refuses (`x-request-rules`: every rule but `not-enforced`),
 * built from a valid template body; each as a step's body or raw text.
 */
export function invalidBodies(
  spec: ApiSpec,
  data: DataFactory,
  operationId: string,
  template: Record<string, unknown>,
): Array<Pick<Step, 'body' | 'raw'> & { name: string }> {
  const schema = spec.requestSchema(operationId);
  if (!schema) return [];
  const validate = spec.validator(schema, 'request');
  return data
    .invalidBodies(schema, template, (body) => validate(body))
    .filter((variant) => spec.requestRule(operationId, variant.keyword, variant.field) !== 'not-enforced')
    .map((variant) => (variant.raw !== undefined ? { name: variant.name, raw: variant.raw } : { name: variant.name, body: variant.body }));
}

/** An arbitrary of one of the invalid bodies, or nothing when there are none. */
export function invalidBody(spec: ApiSpec, data: DataFactory, operationId: string, template: Record<string, unknown>) {
  const variants = invalidBodies(spec, data, operationId, template);
  return variants.length ? fc.constantFrom(...variants) : undefined;
}

/** Arbitraries without the missing ones. */
export const present = <T>(arbitraries: Array<fc.Arbitrary<T> | undefined | false>): fc.Arbitrary<T>[] =>
  arbitraries.filter((arbitrary): arbitrary is fc.Arbitrary<T> => Boolean(arbitrary));
