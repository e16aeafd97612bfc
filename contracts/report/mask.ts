// Reports never show a secret: credentials come from environment variables, and passwords and
// tokens in bodies are masked.

/** The environment variables that hold the two credentials (`usermock check` reads them too). */
export const AUTH_VARIABLES = { admin: 'USERMOCK_AUTH', standard: 'USERMOCK_AUTH_STANDARD' } as const;

const MASK = '•••';
/** JSON keys whose string values are secrets: passwords, tokens, keys. */
const SECRET_KEY = /pass(word)?|pwd|secret|token|access|refresh|api_?key|salt|hash/i;

/** A body as a report may show it: secret values masked, the run's passwords wherever they appear, cut to `limit` characters. */
export function masked(text: string, passwords: readonly string[], limit = 300): string {
  let shown = text.replace(/"([^"\\]*)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (whole, key: string, colon: string, value: string) =>
    SECRET_KEY.test(key) && value !== '' ? `"${key}"${colon}"${MASK}"` : whole,
  );
  for (const password of passwords) shown = shown.split(password).join(MASK);
  return shown.length > limit ? `${shown.slice(0, limit)}… (${shown.length - limit} more of ${shown.length} characters left out)` : shown;
}

/**
 * A text cut to `limit` characters (`…` marks the cut) with the string the cut left open closed,
 * so that masking the message that quotes it later pairs every key with its own value.
 */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const shown = text.slice(0, limit);
  const open = (shown.match(/(?<!\\)"/g)?.length ?? 0) % 2 === 1;
  return `${shown}…${open ? '"' : ''}`;
}
