// What the vendors' handlers take from the machine — fresh ids and tokens, the time — from one
// place, so that the same request can be applied alike everywhere: replicas sharing a store apply
// each logged write with the ids and the time the log entry fixes (`deterministically`).

/** A source of ids, random bytes and time. */
interface Source {
  uuid(): string;
  bytes(length: number): Uint8Array;
  now(): number;
}

const machine: Source = {
  uuid: () => crypto.randomUUID(),
  bytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
  now: () => Date.now(),
};

let current: Source = machine;

/** A fresh id (UUID v4 form). */
export const uuid = (): string => current.uuid();
/** `length` random bytes. */
export const randomBytes = (length: number): Uint8Array => current.bytes(length);
/** The time in milliseconds. */
export const now = (): number => current.now();

/**
 * Runs `apply` with ids and bytes drawn from `seed` and the time fixed at `time`; an answer that
 * comes later keeps them until it settles (the caller applies one entry at a time).
 */
export function deterministically<T>(seed: string, time: number, apply: () => T): T {
  const next = prng(seed);
  const bytes = (length: number) => Uint8Array.from({ length }, () => next() & 0xff);
  const previous = current;
  current = {
    bytes,
    now: () => time,
    uuid: () => {
      const b = bytes(16);
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const hex = [...b].map((byte) => byte.toString(16).padStart(2, '0')).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
  let result: T;
  try {
    result = apply();
  } catch (error) {
    current = previous;
    throw error;
  }
  if (!(result instanceof Promise)) {
    current = previous;
    return result;
  }
  return result.finally(() => {
    current = previous;
  }) as T;
}

/** mulberry32 seeded with FNV-1a of the seed text. */
function prng(seed: string): () => number {
  let state = 0x811c9dc5;
  for (const character of seed) state = Math.imul(state ^ character.codePointAt(0)!, 0x01000193) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
