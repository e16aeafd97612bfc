/** What a request asked for in its `Prefer` header (Prism's convention): a status and a delay. */
export interface Preference {
  code?: number;
  delay?: number;
}

/** Parses `Prefer: code=404, delay=300`; unknown or malformed parts are ignored. */
export function parsePrefer(header: string | undefined): Preference {
  const preference: Preference = {};
  if (!header) return preference;
  for (const part of header.split(/[,;]/)) {
    const [key, value] = part.split('=').map((s) => s.trim());
    const number = Number(value);
    if (!Number.isInteger(number) || number < 0) continue;
    if (key === 'code' && number >= 100 && number <= 599) preference.code = number;
    if (key === 'delay') preference.delay = Math.min(number, MAX_DELAY_MS);
  }
  return preference;
}

/** A delay never holds a request longer than this, whatever was asked. */
export const MAX_DELAY_MS = 60_000;

/** A latency range in milliseconds, from `--latency 200` or `--latency 100-400`. */
export type Latency = { min: number; max: number };

export function parseLatency(value: string): Latency {
  const match = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
  if (!match) throw new Error(`--latency takes <ms> or <min>-<max>, got "${value}"`);
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (max < min) throw new Error(`--latency range ${value} has its maximum below its minimum`);
  return { min: Math.min(min, MAX_DELAY_MS), max: Math.min(max, MAX_DELAY_MS) };
}

export function pickLatency({ min, max }: Latency): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
