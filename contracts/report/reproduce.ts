// A failure's reproduction: a shell script that replays the requests the failing one depends on,
// then the failing one, against the same server — with fresh test data (a new nonce and new
// passwords), server-assigned ids and tokens captured from the answers that issued them, and
// credentials taken from the environment, so a report holds no secret and the script runs as is.
import { AUTH_VARIABLES } from './mask.ts';
import type { Exchange } from '../exchange.ts';

/** What the script must not print literally. */
export interface ReproductionSecrets {
  nonce: string;
  passwords: readonly string[];
}

/** The requests a failure depends on (in the order they were sent), then the failing one. */
export function sequenceOf(exchange: Exchange): Exchange[] {
  const found = new Map<number, Exchange>();
  const visit = (step: Exchange) => {
    if (found.has(step.id)) return;
    found.set(step.id, step);
    for (const earlier of step.intent.after ?? []) visit(earlier);
    if (typeof step.call.auth === 'object') for (const issuer of step.call.auth.issuedBy ?? []) visit(issuer);
  };
  visit(exchange);
  return [...found.values()].sort((a, b) => a.id - b.id);
}

/** A value replaced by a shell variable wherever it appears. */
interface Substitution {
  literal: string;
  variable: string;
}

/** The script's lines; `baseUrl` is the server the run was made against. */
export function reproduction(exchange: Exchange, baseUrl: string, secrets: ReproductionSecrets): string[] {
  const steps = sequenceOf(exchange);
  const substitutions: Substitution[] = [];
  const lines = [`BASE=${quote(baseUrl.replace(/\/$/, ''))}`];
  const text = steps.map((step) => `${step.request.url} ${step.request.body ?? ''} ${JSON.stringify(step.call.auth)}`).join('\n');
  secrets.passwords
    .filter((password) => text.includes(password))
    .forEach((password, index) => {
      const variable = `PASSWORD${index || ''}`;
      substitutions.push({ literal: password, variable });
      lines.push(`${variable}="Usermock-$NONCE-${index}-pw"`);
    });
  substitutions.push({ literal: secrets.nonce, variable: 'NONCE' });
  if (text.includes(secrets.nonce)) lines.splice(1, 0, 'NONCE=$(date +%s)$$   # fresh test data on every run');
  let captured = false;
  for (const step of steps) {
    const base = baseUrl.replace(/\/$/, '');
    const path = step.request.url.startsWith(base) ? step.request.url.slice(base.length) : step.request.url;
    const words = ['-X', step.request.method, `"$BASE"${word(path, substitutions)}`];
    const auth = step.call.auth;
    if (auth === 'admin' || auth === 'standard') words.push('-H', `"Authorization: $${AUTH_VARIABLES[auth]}"`);
    else if (typeof auth === 'object') words.push('-H', word(`Authorization: ${auth.header}`, substitutions));
    if (step.request.headers['content-type']) words.push('-H', quote(`content-type: ${step.request.headers['content-type']}`));
    if (step.request.body !== undefined)
      words.push('--data-raw', word(step.request.body.length > 4000 ? step.request.body.slice(0, 4000) : step.request.body, substitutions));
    const command = words.join(' ');
    if (step === exchange) {
      lines.push(`curl -i ${command}`);
      continue;
    }
    const captures = step.intent.captures ?? [];
    if (captures.length === 0) {
      lines.push(`curl -sS -o /dev/null -w '${step.request.method} %{http_code}\\n' ${command}`);
      continue;
    }
    captured = true;
    lines.push(`ANSWER=$(curl -sS ${command})`);
    for (const capture of captures) {
      const variable = variableFor(capture.path, substitutions);
      substitutions.push({ literal: capture.value, variable });
      lines.push(`${variable}=$(printf '%s' "$ANSWER" | field ${capture.path})`);
    }
  }
  if (captured) {
    lines.splice(
      1,
      0,
      `field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v?.[k];console.log(v??"")})' "$1"; }`,
    );
  }
  return lines;
}

function variableFor(path: string, taken: Substitution[]): string {
  const name = path
    .split('.')
    .pop()!
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '_');
  const count = taken.filter((substitution) => substitution.variable.replace(/\d+$/, '') === name).length;
  return count ? `${name}${count + 1}` : name;
}

/** A shell word for `text`, each substituted value as its variable, the rest quoted literally. */
function word(text: string, substitutions: readonly Substitution[]): string {
  const parts: string[] = [];
  let rest = text;
  while (rest !== '') {
    let best: { index: number; substitution: Substitution } | undefined;
    for (const substitution of substitutions) {
      const index = rest.indexOf(substitution.literal);
      if (
        index >= 0 &&
        (!best || index < best.index || (index === best.index && substitution.literal.length > best.substitution.literal.length))
      ) {
        best = { index, substitution };
      }
    }
    if (!best) {
      parts.push(quote(rest));
      break;
    }
    if (best.index > 0) parts.push(quote(rest.slice(0, best.index)));
    parts.push(`"$${best.substitution.variable}"`);
    rest = rest.slice(best.index + best.substitution.literal.length);
  }
  return parts.join('') || "''";
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
