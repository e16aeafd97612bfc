// Credential comparison whose running time does not tell a caller how much of a guess was right.
// Pure JavaScript on purpose: the core also runs in browsers (MSW), where node:crypto's
// timingSafeEqual is not available.

/**
 * Whether a presented credential equals a secret. Every character of the presented value is
 * compared (no early exit), so the time depends on its length only, never on the position of
 * the first difference.
 */
export function constantTimeEqual(presented: string, secret: string): boolean {
  let difference = presented.length ^ secret.length;
  for (let i = 0; i < presented.length; i++) {
    // Past the secret's end charCodeAt gives NaN, which `^` reads as 0; the length already differs.
    difference |= presented.charCodeAt(i) ^ secret.charCodeAt(i);
  }
  return difference === 0;
}

/**
 * The value stored under the secret a caller presented, found by comparing it with every secret
 * in constant time: a Map or object lookup keyed by the secret would hash it and compare it with
 * an early exit, and stopping at the first match would time the match's position.
 */
export function findBySecret<T>(presented: string, bySecret: Readonly<Record<string, T>>): T | undefined {
  let found: T | undefined;
  for (const secret in bySecret) {
    const value = bySecret[secret];
    if (constantTimeEqual(presented, secret)) found = value;
  }
  return found;
}
