// The plugin's wire format: how a principal is shown, the answers' shape and kinds, the arguments
// as the platform decodes them, and the platform's and the plugin's checks of what a request
// names, with their wording (the order of checks and the message texts follow the plugin's source).
import { apiSpec } from '../../../specs/index.ts';
import { isObject, json, parseJsonBody, type MockRequest } from '../../core/http.ts';
import type { Params } from '../../core/router.ts';
import { requestErrors } from '../../core/validation.ts';
import { EVERYONE, type HaploRecord, type HaploState, type HaploUser } from './state.ts';

const CONTENT_TYPE = 'application/json; charset=utf-8';
const LOCALES = new Set(['en', 'cy']);
/** KObjRef's presentation: the object id in hex, written with q v w x y z for a–f. */
const REF = /^[0-9qvwxyz]+$/;
/** The platform's own errors reach the plugin wrapped by JRuby, prefix included. */
const PLATFORM_PREFIX = 'org.jruby.exceptions.RaiseException: (JavaScriptAPIError) ';

export const KIND = {
  create: 'haplo:api-v0:user:create',
  creationFailed: 'haplo:api-v0:user:creation-failed',
  details: 'haplo:api-v0:user:details',
  noDetails: 'haplo:api-v0:user:no-details-provided',
  noTagQuery: 'haplo:api-v0:user:no-tag-query-provided',
  noUserFound: 'haplo:api-v0:user:no-user-found',
  multipleUsers: 'haplo:api-v0:user:multiple-users-found',
  noSuchUser: 'haplo:api-v0:user:no-such-user',
  update: 'haplo:api-v0:user:update',
  updateFailed: 'haplo:api-v0:user:update-failed',
  enable: 'haplo:api-v0:user:enable',
  enableFailed: 'haplo:api-v0:user:enable-failed',
  groupDetails: 'haplo:api-v0:user:group-details',
  findByTag: 'haplo:api-v0:user:find-by-tag',
  exception: 'haplo:api-v0:generic:exception',
  noResponse: 'haplo:api-v0:generic:no-response',
  notPermitted: 'haplo:api-v0:generic:not-permitted',
} as const;

export const NO_DETAILS_MESSAGE = 'Either a user ID in the path of the request, or a tag query in the parameters must be provided.';
export const NO_TAG_QUERY_MESSAGE =
  'A tag query was expected in the parameters of this request, but was not provided. To be included in a tag query, tag names must be prefixed by tag:';
export const NOT_AN_OBJECT = 'Request body must be a JSON object of user details';

/** A principal as the plugin's `userDetails` shows it. */
export function present(state: HaploState, p: HaploRecord): HaploUser {
  return {
    id: p.id,
    nameFirst: p.nameFirst,
    nameLast: p.nameLast,
    name: p.name,
    code: p.code,
    email: p.email,
    ref: p.ref,
    isGroup: p.isGroup,
    isActive: p.isActive,
    isSuperUser: p.isSuperUser,
    isServiceUser: p.isServiceUser,
    isAnonymous: p.isAnonymous,
    localeId: p.localeId,
    tags: { ...p.tags },
    directGroupMembership: p.groups.map((id) => state.get(id)?.code ?? `group:${id}`),
  };
}

export const reply = (kind: string, data: Record<string, unknown>) => json(200, { success: true, kind, ...data }, CONTENT_TYPE);
export const fail = (status: number, kind: string, message: string) =>
  json(status, { success: false, kind, error: { message } }, CONTENT_TYPE);
export const noResponse = () => fail(404, KIND.noResponse, 'API implementation did not respond');
const platformError = (message: string) => new Error(PLATFORM_PREFIX + message);

/**
 * How JavaScript's string concatenation, which builds the plugin's messages, renders a value:
 * arrays join their items with commas, nested ones too, null items are empty. Walked with a stack
 * rather than recursion, as a request body can nest arrays thousands deep.
 */
function jsString(value: unknown): string {
  if (!Array.isArray(value)) return isObject(value) ? '[object Object]' : String(value);
  let text = '';
  const open: Array<{ items: unknown[]; next: number }> = [{ items: value, next: 0 }];
  while (open.length > 0) {
    const array = open.at(-1)!;
    if (array.next === array.items.length) {
      open.pop();
      continue;
    }
    if (array.next > 0) text += ',';
    const item = array.items[array.next++];
    if (Array.isArray(item)) open.push({ items: item, next: 0 });
    else if (item !== null) text += jsString(item);
  }
  return text;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

// ---------------------------------------------------------------------------------------------
// What the platform and the plugin check

export const refMessage = (ref: unknown) => `Could not add ref ${jsString(ref)} to user as it is not a valid reference to an object`;

/** `O.ref(value)`: a ref, or null for a string (or null) that is not one; throws for anything else. */
export function toRef(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new Error(refMessage(value));
  // A ref is stored as its object id, so leading zeros do not survive.
  return REF.test(value) ? value.replace(/^0+(?=.)/, '') : null;
}

/** The plugin's `getGroupMaybe`: undefined for `group:0`, which it skips; throws for an unknown code. */
export function groupFor(state: HaploState, code: unknown): HaploRecord | undefined {
  const numbered = typeof code === 'string' ? /^group:(\d+)$/.exec(code) : null;
  if (numbered && Number(numbered[1]) === 0) return undefined;
  const group = numbered ? state.get(Number(numbered[1])) : typeof code === 'string' ? state.group(code) : undefined;
  if (!group?.isGroup) throw new Error(`Group with code ${jsString(code)} does not exist`);
  return group;
}

/** The plugin's `getGroupsForUpdate`, without `std:group:everyone`, which is implied. */
export function groupIdsFor(state: HaploState, value: unknown): number[] {
  // underscore's _.each walks an array, a string's characters or an object's values; nothing else.
  const codes = Array.isArray(value) ? value : typeof value === 'string' ? [...value] : isObject(value) ? Object.values(value) : [];
  const ids: number[] = [];
  for (const code of codes) {
    const group = groupFor(state, code);
    if (group && group.code !== EVERYONE && !ids.includes(group.id)) ids.push(group.id);
  }
  return ids;
}

interface Names {
  nameFirst: string;
  nameLast: string;
  email: string;
}

/** The platform's check of a person's details (`createUser`, `setDetails`). */
export function checkNames(details: Record<string, unknown>): Names {
  for (const field of ['nameFirst', 'nameLast', 'email'] as const) {
    const value = details[field];
    if (typeof value !== 'string' || value === '') throw platformError(`User must have a non-empty String ${field} attribute`);
  }
  const names = details as unknown as Names;
  // The spec's own email format, so that every stored address is one its responses accept.
  if (requestErrors(apiSpec('haplo'), 'updateUserById', { email: names.email }).length)
    throw platformError('User must have a valid email address');
  return { nameFirst: names.nameFirst, nameLast: names.nameLast, email: names.email };
}

export function checkLocale(localeId: unknown): string {
  if (typeof localeId === 'string' && LOCALES.has(localeId)) return localeId;
  throw platformError(`Unknown locale: ${jsString(localeId)}`);
}

export function checkTags(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (!isObject(tags) || !Object.values(tags).every((value) => typeof value === 'string')) {
    throw platformError('tags attribute must be a dictionary of string to string');
  }
  return { ...(tags as Record<string, string>) };
}

/** Whether a username tag (compared lower-cased) belongs to a principal other than `self`. */
export function usernameTaken(state: HaploState, username: unknown, self?: HaploRecord): username is string {
  if (typeof username !== 'string' || username === '') return false;
  const owner = state.findByUsername(username);
  return owner !== undefined && owner.id !== self?.id;
}

// ---------------------------------------------------------------------------------------------
// Arguments

/** A handler's arguments, decoded as the platform does before the handler (and its permission check) runs. */
export interface Args {
  id: number | null;
  groupcode: string;
  status: string;
  welcomeLink: number | null;
  body: unknown;
}

export type Declaration =
  | { path: 'id' | 'groupcode'; as: 'int' | 'string'; optional?: true }
  | { parameter: 'status' | 'welcomeLink'; as: 'int' | 'string'; optional?: true }
  | { body: 'json' };

/** The platform's `callHandlerWithArguments`: undefined when an argument fails validation. */
export function decodeArguments(declarations: Declaration[], params: Params, request: MockRequest): Args | undefined {
  const args: Record<string, unknown> = { id: null, groupcode: '', status: '', welcomeLink: null, body: null };
  for (const declaration of declarations) {
    if ('body' in declaration) {
      const parsed = parseJsonBody(request.body);
      if (!parsed.ok) return undefined;
      args.body = parsed.value;
      continue;
    }
    const name = 'path' in declaration ? declaration.path : declaration.parameter;
    const value = 'path' in declaration ? params[declaration.path] : request.query.get(declaration.parameter);
    if (value === undefined || value === null || value === '') {
      if (!declaration.optional) return undefined;
    } else if (declaration.as === 'int') {
      if (!/^-?\d+$/.test(value)) return undefined;
      args[name] = parseInt(value, 10);
    } else {
      args[name] = value;
    }
  }
  return args as unknown as Args;
}
