// What a report shows of an answer: all of it up to a generous limit; past that, the part the
// failure names (the JSON pointer of its schema error) with its neighbours counted, not shown —
// always saying what was left out, and never a secret.
import { masked } from './mask.ts';

/** Characters of a body shown whole. */
export const WHOLE_BODY_LIMIT = 2_000;

/**
 * An answer's body for a report. `json` is the parsed body and `pointer` the JSON pointer the
 * failure names (`/2/groups`), when there is one.
 */
export function excerpt(text: string, json: unknown, pointer: string | undefined, passwords: readonly string[]): string {
  if (text.length <= WHOLE_BODY_LIMIT || json === undefined || pointer === undefined) return masked(text, passwords, WHOLE_BODY_LIMIT);
  const segments = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  const left: string[] = [];
  const shown = around(json, segments, '', left);
  const note = left.length ? ` (left out: ${left.join('; ')})` : '';
  return `${masked(JSON.stringify(shown), passwords, WHOLE_BODY_LIMIT)}${note}`;
}

/** `value` with only the path to the named element kept whole; what is cut is counted in `left`. */
function around(value: unknown, segments: string[], at: string, left: string[]): unknown {
  if (segments.length === 0 || value === null || typeof value !== 'object') return value;
  const [segment, ...rest] = segments as [string, ...string[]];
  const here = `${at}/${segment}`;
  if (Array.isArray(value)) {
    const index = Number(segment);
    if (!Number.isInteger(index) || index < 0 || index >= value.length) return value;
    if (index > 0) left.push(`${index} item${index === 1 ? '' : 's'} of ${at || '/'} before ${here}`);
    const after = value.length - index - 1;
    if (after > 0) left.push(`${after} item${after === 1 ? '' : 's'} of ${at || '/'} after ${here}`);
    return [
      ...(index > 0 ? [`…${index} left out…`] : []),
      around(value[index], rest, here, left),
      ...(after > 0 ? [`…${after} left out…`] : []),
    ];
  }
  const object = value as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  const cut: string[] = [];
  for (const [key, field] of Object.entries(object)) {
    if (key === segment) kept[key] = around(field, rest, here, left);
    else if (JSON.stringify(field).length <= 200) kept[key] = field;
    else {
      kept[key] = '…';
      cut.push(key);
    }
  }
  if (cut.length) left.push(`the values of ${cut.map((key) => `${at}/${key}`).join(', ')}`);
  return kept;
}
