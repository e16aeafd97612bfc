// Comparing the server's answer with the model's, by the spec's rules, not by the mock's wording:
// the status; an error's documented identity (`x-error-identity`), never its message; every field
// the client sent or the vendor computes, after each side's own values (ids …) are replaced by the
// symbols they stand for; never a server-made value (`x-server-made`), which is only required to
// be there where the vendor gives one and to read back the same for the same record. Lists are compared restricted to the sequence's records,
// as sets.
import type { ApiSpec } from '../../specs/index.ts';
import { mediaTypeOf, type ReceivedResponse } from '../exchange.ts';
import { cut } from '../report/mask.ts';
import type { ModelProfile, Side } from './profile.ts';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === '' ||
  value === false ||
  (Array.isArray(value) && value.length === 0) ||
  (isObject(value) && Object.keys(value).length === 0);
/** JSON with object keys sorted: equal values give equal text whatever their key order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) =>
    isObject(item) ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : item,
  ) ?? 'undefined';
const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'nothing';
  return cut(text, 120);
};

/** A value with each side's concrete values replaced by their symbols, and server-made fields by whether they are there. */
function normalised(value: unknown, side: Side, serverMade: ReadonlySet<string>): unknown {
  const symbol = side.symbols.get(JSON.stringify(value));
  if (symbol !== undefined && (typeof value === 'string' || typeof value === 'number')) return symbol;
  if (typeof value === 'string') {
    // A symbol's value inside a longer text (a welcome link with the user's id, `group:<id>` …).
    let text = value;
    for (const [concrete, name] of side.symbols) {
      const literal = JSON.parse(concrete) as unknown;
      if (typeof literal === 'string' && literal.length >= 6 && text.includes(literal)) text = text.split(literal).join(name);
    }
    return text;
  }
  if (Array.isArray(value)) return value.map((item) => normalised(item, side, serverMade));
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value)
        // A server-made value is compared only for being there where the vendor gives one (a welcome link left out).
        .filter(([key, item]) => !(serverMade.has(key) && side.name === 'vendor' && isEmpty(item)))
        .map(([key, item]) => [key, serverMade.has(key) ? '⟨server-made⟩' : normalised(item, side, serverMade)]),
    );
  return value;
}

/**
 * Whether a normalised value names a symbol of the sequence (a record or group it made), at its
 * top level — or a label one of its records holds right now (`held`): a group given to a user is
 * one of the organisation's while the user has it.
 */
const ofSequence =
  (held: ReadonlySet<string>) =>
  (value: unknown): boolean =>
    typeof value === 'string'
      ? /^⟨(record|group) /.test(value) || held.has(value)
      : isObject(value) && Object.values(value).some((item) => typeof item === 'string' && /^⟨record /.test(item));

/** A list restricted to the sequence's own records, in a canonical order (a set). */
function restricted(list: unknown, held: ReadonlySet<string>): unknown {
  if (list === null) return [];
  if (!Array.isArray(list)) return list;
  return list
    .filter(ofSequence(held))
    .map((item) => [canonical(item), item] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, item]) => item);
}

/** Where two normalised values differ, as `path: server …, vendor …`. */
function differences(server: unknown, vendor: unknown, path: string, out: string[]): void {
  if (out.length >= 5) return;
  if (Array.isArray(server) && Array.isArray(vendor)) {
    // Order carries no meaning the specs promise (groups, memberships, lists): compared as sets.
    const texts = (values: unknown[]) => values.map(canonical).sort();
    const [a, b] = [texts(server), texts(vendor)];
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    if (server.length === vendor.length && server.every(isObject) && vendor.every(isObject)) {
      // Paired by the records they name (their symbols), not by their whole text, which a tolerated field changes.
      const named = (item: unknown) =>
        Object.values(item as Record<string, unknown>)
          .filter((value): value is string => typeof value === 'string' && value.startsWith('⟨') && value !== '⟨server-made⟩')
          .sort()
          .join(' ') || canonical(item);
      const sorted = (values: unknown[]) => [...values].sort((x, y) => (named(x) < named(y) ? -1 : named(x) > named(y) ? 1 : 0));
      const [x, y] = [sorted(server), sorted(vendor)];
      // Item by item, where a field one side leaves out may be tolerated: that verdict stands.
      x.forEach((item, index) => differences(item, y[index], `${path}/${index}`, out));
      return;
    }
    out.push(`${path || '/'}: server ${show(server)}, vendor ${show(vendor)}`);
    return;
  }
  if (isObject(server) && isObject(vendor)) {
    for (const key of new Set([...Object.keys(vendor), ...Object.keys(server)])) {
      const [a, b] = [server[key], vendor[key]];
      // A field one side leaves out is the schema checks' business, unless the vendor has a value there.
      if (!(key in server) && isEmpty(b)) continue;
      if (!(key in vendor)) continue;
      if ((a === null || a === undefined) && (b === null || b === undefined)) continue;
      differences(a, b, `${path}/${key}`, out);
    }
    return;
  }
  if (canonical(server) !== canonical(vendor)) out.push(`${path || '/'}: server ${show(server)}, vendor ${show(vendor)}`);
}

/**
 * The labels (`⟨label k⟩`) the sequence's records hold in the vendor's answer to a read: what a
 * groups list must then show. A write forgets them (it may take one away), so only a read since
 * the last write counts.
 */
export function noteHeld(side: Side, method: string, vendor: ReceivedResponse): void {
  if (method !== 'GET') return side.held.clear();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isObject(value)) return;
    const ofRecord = Object.values(value).some((item) => typeof item === 'string' && /^⟨record /.test(item));
    if (ofRecord && Array.isArray(value.groups))
      for (const group of value.groups) if (typeof group === 'string' && group.startsWith('⟨label ')) side.held.add(group);
    Object.values(value).forEach(visit);
  };
  visit(normalised(vendor.json, side, new Set()));
}

/** How the server's answer differs from the vendor model's, in words; empty when they agree. */
export function compare(
  spec: ApiSpec,
  profile: ModelProfile,
  operationId: string,
  server: ReceivedResponse,
  vendor: ReceivedResponse,
  sides: { server: Side; vendor: Side },
): string[] {
  if (server.status !== vendor.status) return [`status: server ${server.status}, vendor ${vendor.status}`];
  const mediaType = mediaTypeOf(vendor);
  if ((server.text !== '') !== (vendor.text !== '') || (vendor.text !== '' && mediaTypeOf(server) !== mediaType))
    return [`media type: server ${mediaTypeOf(server) || 'no body'}, vendor ${mediaType || 'no body'}`];
  const out: string[] = [];
  if (server.status >= 300) {
    const identity = spec.documentsStatus(operationId, server.status)
      ? spec.errorIdentity(operationId, server.status, mediaType)
      : undefined;
    if (identity === 'keys') {
      const keys = (response: ReceivedResponse) => (isObject(response.json) ? Object.keys(response.json).sort() : []);
      differences(keys(server), keys(vendor), '/ (error fields)', out);
    } else if (identity) {
      const of = (response: ReceivedResponse) => (isObject(response.json) ? response.json[identity.property] : undefined);
      differences(of(server), of(vendor), `/${identity.property}`, out);
    }
    return out;
  }
  if (vendor.json === undefined) return out;
  const serverMade = spec.serverMade(operationId, server.status, mediaType);
  let a = normalised(server.json, sides.server, serverMade);
  let b = normalised(vendor.json, sides.vendor, serverMade);
  const at = profile.lists[operationId];
  if (at !== undefined) {
    const held = sides.vendor.held;
    if (at === '') [a, b] = [restricted(a, held), restricted(b, held)];
    else if (isObject(a) && isObject(b))
      [a, b] = [
        { ...a, [at]: restricted(a[at], held) },
        { ...b, [at]: restricted(b[at], held) },
      ];
  }
  differences(a, b, '', out);
  return out;
}

/**
 * The server-made values the server's answer shows for the sequence's records that differ from
 * what it showed before for the same record (an id that changes between reads).
 */
export function inconsistencies(
  spec: ApiSpec,
  profile: ModelProfile,
  operationId: string,
  response: ReceivedResponse,
  side: Side,
): string[] {
  if (response.status >= 300 || response.json === undefined) return [];
  const serverMade = spec.serverMade(operationId, response.status, mediaTypeOf(response));
  if (serverMade.size === 0) return [];
  const out: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isObject(value)) return;
    const record = profile.identity
      .map((field) => side.symbols.get(JSON.stringify(value[field])))
      .find((symbol) => symbol !== undefined && symbol.startsWith('⟨record '));
    if (record) {
      const name = record.replace(/\.\w+⟩$/, '⟩');
      for (const field of serverMade) {
        if (!(field in value) || profile.identity.includes(field)) continue;
        const key = `${name} ${field}`;
        const now = JSON.stringify(value[field]);
        const before = side.seen.get(key);
        if (before === undefined) side.seen.set(key, now);
        else if (before !== now) out.push(`${name}'s ${field} read ${before} before, now ${now}`);
      }
    }
    Object.values(value).forEach(visit);
  };
  visit(response.json);
  return out;
}
