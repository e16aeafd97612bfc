import type { ErrorObject } from 'ajv';
import type { ApiSpec } from '../../specs/spec.ts';

/**
 * Validates a parsed request body against the operation's request schema in the spec and returns
 * ajv's errors (empty when valid). Each API turns these into its own error body and wording.
 */
export function requestErrors(spec: ApiSpec, operationId: string, body: unknown): ErrorObject[] {
  const validate = spec.requestValidator(operationId);
  if (!validate || validate(body)) return [];
  return validate.errors ?? [];
}

/** The top-level property an ajv error is about (`email` for a missing email or a bad `/email`). */
export function fieldOf(error: ErrorObject): string {
  if (error.keyword === 'required') return String(error.params.missingProperty);
  return error.instancePath.split('/')[1] ?? '';
}

/** A JSON type name as Go's encoding/json and Python describe a value: string, number, object … */
export function jsonTypeOf(value: unknown): 'null' | 'array' | 'object' | 'string' | 'number' | 'bool' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value as 'object' | 'string' | 'number';
}
