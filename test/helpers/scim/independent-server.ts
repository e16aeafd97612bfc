// An independent SCIM 2.0 Users server (examples/scim/scim.openapi.yaml), written from the spec and
// RFC 7643/7644 with plain node:http and nothing of usermock's: the check against false alarms of
// `usermock check scim`. `broken` selects one fault a real SCIM backend has, to show the check
// catches it.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_JSON = 'application/scim+json';

/** The faults a `broken` server has, each with what it gets wrong. */
export const BROKEN_KINDS = {
  'duplicate-accepted': 'a userName another user has is accepted: 201 and a second user instead of 409 uniqueness',
  'case-sensitive-username': 'userName is compared case-exactly: BJensen is not bjensen for uniqueness or filters',
  'status-as-number': 'error bodies give status as a JSON number (404), not a string ("404")',
  'error-without-schemas': 'error bodies have no schemas attribute',
  'plain-json': 'every body is sent as application/json instead of application/scim+json',
  'delete-keeps-user': 'DELETE answers 204 but the user stays: GET still 200, lists still show it',
  'patch-replace-ignored': 'PATCH replace operations are answered 200 with the user unchanged',
  'total-results-page-size': 'totalResults is the size of the page, not the number of users the filter matches',
  'filter-ignored': 'filter is ignored: every user is listed',
  'start-index-zero-based': 'startIndex is read as 0-based: the first page skips the first user',
  'put-new-id': 'PUT gives the user a new id',
  'put-merges': 'PUT merges the body into the user: attributes left out are kept instead of cleared',
  'no-location': 'meta.location and the Location header of a create are missing',
  'unknown-id-500': 'an id no user has is answered 500 instead of 404',
  'standard-may-delete': 'a standard (read-only) token may delete users',
  'no-www-authenticate': '401 answers have no WWW-Authenticate header',
} as const;

export type BrokenKind = keyof typeof BROKEN_KINDS;

export interface ScimServerOptions {
  adminToken: string;
  standardToken: string;
  /** Users the server starts with, as SCIM Users (`id` and `meta.created` kept when given). */
  users?: Array<Record<string, unknown>>;
  broken?: BrokenKind;
}

export interface ScimServer {
  url: string;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

/** The attributes a user holds beside its id and timestamps, always valid and normalised. */
interface Attributes {
  externalId?: string;
  userName: string;
  name?: Partial<Record<'formatted' | 'familyName' | 'givenName', string>>;
  displayName?: string;
  active?: boolean;
  emails?: Array<{ value: string; type?: 'work' | 'home' | 'other'; primary?: boolean }>;
}

interface StoredUser {
  id: string;
  created: string;
  lastModified: string;
  attributes: Attributes;
}

/** A SCIM error to answer with: status, scimType (on 400 and 409), detail. */
class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: string,
  ) {
    super(detail);
  }
}

const invalidValue = (detail: string) => new ScimError(400, detail, 'invalidValue');
const invalidSyntax = (detail: string) => new ScimError(400, detail, 'invalidSyntax');

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

// ajv-formats' `email` (the format the spec names), so that this server refuses what a validator of the spec refuses.
const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const USER_ATTRIBUTES = ['schemas', 'id', 'externalId', 'userName', 'name', 'displayName', 'active', 'emails', 'meta'];
const NAME_PARTS = ['formatted', 'familyName', 'givenName'];
const EMAIL_TYPES = ['work', 'home', 'other'];

/**
 * The attributes of a User body (RFC 7643 §4.1), or the 400 invalidValue it deserves. `id` and
 * `meta` are read-only and ignored; a top-level null, an empty `name` or `emails` is unassigned.
 */
function readUser(body: Json): Attributes {
  const unknown = Object.keys(body).find((key) => !USER_ATTRIBUTES.includes(key));
  if (unknown !== undefined) throw invalidValue(`unknown attribute ${unknown}`);
  const { schemas, externalId, userName, name, displayName, active, emails } = body;
  if (!Array.isArray(schemas) || schemas.length === 0 || schemas.some((uri) => uri !== USER_URN) || schemas.length > 1)
    throw invalidValue(`schemas must be ["${USER_URN}"]`);
  if (typeof userName !== 'string' || userName === '') throw invalidValue('userName must be a non-empty string');
  const attributes: Attributes = { userName };
  for (const [key, value] of [
    ['externalId', externalId],
    ['displayName', displayName],
  ] as const) {
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') throw invalidValue(`${key} must be a string`);
    attributes[key] = value;
  }
  if (active !== null && active !== undefined) {
    if (typeof active !== 'boolean') throw invalidValue('active must be a boolean');
    attributes.active = active;
  }
  if (name !== null && name !== undefined) {
    if (!isObject(name)) throw invalidValue('name must be an object');
    for (const [part, value] of Object.entries(name)) {
      if (!NAME_PARTS.includes(part)) throw invalidValue(`unknown attribute name.${part}`);
      if (typeof value !== 'string') throw invalidValue(`name.${part} must be a string`);
    }
    if (Object.keys(name).length) attributes.name = { ...(name as Attributes['name']) };
  }
  if (emails !== null && emails !== undefined) {
    if (!Array.isArray(emails)) throw invalidValue('emails must be an array');
    for (const email of emails) {
      if (!isObject(email)) throw invalidValue('each email must be an object');
      const extra = Object.keys(email).find((key) => !['value', 'type', 'primary'].includes(key));
      if (extra !== undefined) throw invalidValue(`unknown attribute emails.${extra}`);
      if (typeof email.value !== 'string' || !EMAIL.test(email.value)) throw invalidValue('emails.value must be an email address');
      if (email.type !== undefined && !EMAIL_TYPES.includes(email.type as string))
        throw invalidValue(`emails.type must be one of ${EMAIL_TYPES.join(', ')}`);
      if (email.primary !== undefined && typeof email.primary !== 'boolean') throw invalidValue('emails.primary must be a boolean');
    }
    if (emails.filter((email: Json) => email.primary === true).length > 1) throw invalidValue('at most one email may be primary');
    if (emails.length) attributes.emails = emails.map((email: Json) => ({ ...email }) as NonNullable<Attributes['emails']>[number]);
  }
  return attributes;
}

/** A body's top-level nulls left out: the attributes unassigned (RFC 7643 §2.5). */
const withoutNulls = (body: Json): Json => Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));

/** The attribute a PATCH path or value key names, whatever its case (RFC 7643 §2.1). */
const ATTRIBUTE_BY_LOWER = new Map(USER_ATTRIBUTES.map((name) => [name.toLowerCase(), name]));
const NAME_PART_BY_LOWER = new Map(NAME_PARTS.map((name) => [name.toLowerCase(), name]));

/** Applies one add/replace of `value` to `attribute` (and `part` of name) of a user held as plain JSON. */
function setAttribute(user: Json, op: 'add' | 'replace', attribute: string, part: string | undefined, value: unknown): void {
  if (attribute === 'userName' && value === null) throw new ScimError(400, 'userName is required and cannot be removed', 'mutability');
  if (part !== undefined) {
    const name = isObject(user.name) ? { ...user.name } : {};
    name[part] = value;
    user.name = name;
  } else if (attribute === 'name' && isObject(value)) {
    user.name = { ...(isObject(user.name) ? user.name : {}), ...value };
  } else if (attribute === 'emails' && op === 'add') {
    if (!Array.isArray(value)) throw invalidValue('the value added to emails must be an array');
    user.emails = [...(Array.isArray(user.emails) ? user.emails : []), ...value];
  } else {
    user[attribute] = value;
  }
}

/** Where a PATCH path points: an attribute, and a part of `name`. */
function target(path: string): { attribute: string; part?: string } {
  const match = /^([A-Za-z]+)(?:\.([A-Za-z]+))?$/.exec(path);
  const attribute = match ? ATTRIBUTE_BY_LOWER.get(match[1]!.toLowerCase()) : undefined;
  if (!match || !attribute) throw new ScimError(400, `unsupported path ${path}`, 'invalidPath');
  if (['id', 'meta', 'schemas'].includes(attribute)) throw new ScimError(400, `${attribute} cannot be changed`, 'mutability');
  if (match[2] === undefined) return { attribute };
  const part = attribute === 'name' ? NAME_PART_BY_LOWER.get(match[2].toLowerCase()) : undefined;
  if (!part) throw new ScimError(400, `unsupported path ${path}`, 'invalidPath');
  return { attribute, part };
}

/** The PatchOp message's operations, or 400 invalidSyntax (RFC 7644 §3.5.2). */
function readPatch(body: Json): Array<{ op: 'add' | 'remove' | 'replace'; path?: string; value?: unknown }> {
  const { schemas, Operations } = body;
  if (Object.keys(body).some((key) => key !== 'schemas' && key !== 'Operations'))
    throw invalidSyntax('a PatchOp has only schemas and Operations');
  if (!Array.isArray(schemas) || schemas.length !== 1 || schemas[0] !== PATCH_URN) throw invalidSyntax(`schemas must be ["${PATCH_URN}"]`);
  if (!Array.isArray(Operations) || Operations.length === 0) throw invalidSyntax('Operations must be a non-empty array');
  return Operations.map((operation) => {
    if (!isObject(operation) || Object.keys(operation).some((key) => !['op', 'path', 'value'].includes(key)))
      throw invalidSyntax('each operation is an object of op, path and value');
    if (!['add', 'remove', 'replace'].includes(operation.op as string)) throw invalidSyntax('op must be add, remove or replace');
    if (operation.path !== undefined && (typeof operation.path !== 'string' || operation.path === ''))
      throw invalidSyntax('path must be a non-empty string');
    return operation as { op: 'add' | 'remove' | 'replace'; path?: string; value?: unknown };
  });
}

/** The attributes of a user after a PatchOp's operations, all or none. */
function patched(attributes: Attributes, body: Json, broken: BrokenKind | undefined): Attributes {
  const user: Json = structuredClone(attributes) as unknown as Json;
  for (const { op, path, value } of readPatch(body)) {
    if (broken === 'patch-replace-ignored' && op === 'replace') continue;
    if (op === 'remove') {
      if (path === undefined) throw new ScimError(400, 'remove needs a path', 'noTarget');
      const { attribute, part } = target(path);
      if (attribute === 'userName') throw new ScimError(400, 'userName is required and cannot be removed', 'mutability');
      if (part !== undefined && isObject(user.name)) delete user.name[part];
      else if (part === undefined) delete user[attribute];
      continue;
    }
    if (path !== undefined) {
      if (value === undefined) throw invalidValue(`${op} needs a value`);
      const { attribute, part } = target(path);
      setAttribute(user, op, attribute, part, value);
      continue;
    }
    if (!isObject(value)) throw invalidValue(`${op} without path needs an object value`);
    for (const [key, item] of Object.entries(value)) {
      const attribute = ATTRIBUTE_BY_LOWER.get(key.toLowerCase());
      if (!attribute) throw invalidValue(`unknown attribute ${key}`);
      if (['id', 'meta', 'schemas'].includes(attribute)) throw new ScimError(400, `${attribute} cannot be changed`, 'mutability');
      setAttribute(user, op, attribute, undefined, item);
    }
  }
  if (isObject(user.name)) user.name = withoutNulls(user.name);
  return readUser({ ...withoutNulls(user), schemas: [USER_URN] });
}

/** A filter this API understands (`userName eq "…"`, `externalId eq "…"`, RFC 7644 §3.4.2.2), as a test. */
function readFilter(filter: string, broken: BrokenKind | undefined): (user: StoredUser) => boolean {
  const match = /^\s*([A-Za-z]+)\s+([A-Za-z]+)\s+("(?:[^"\\]|\\.)*")\s*$/.exec(filter);
  const attribute = match?.[1]!.toLowerCase();
  let value: unknown;
  try {
    value = match ? JSON.parse(match[3]!) : undefined;
  } catch {
    value = undefined;
  }
  if (!match || match[2]!.toLowerCase() !== 'eq' || typeof value !== 'string' || (attribute !== 'username' && attribute !== 'externalid'))
    throw new ScimError(400, 'unsupported filter: only userName eq "…" and externalId eq "…" are supported', 'invalidFilter');
  if (attribute === 'externalid') return (user) => user.attributes.externalId === value;
  return (user) => sameUserName(user.attributes.userName, value, broken);
}

const sameUserName = (a: string, b: string, broken: BrokenKind | undefined) =>
  broken === 'case-sensitive-username' ? a === b : a.toLowerCase() === b.toLowerCase();

/** A query parameter as an integer (absent: the default), or 400 invalidValue. */
function integer(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  if (!/^\s*[-+]?\d+\s*$/.test(text)) throw invalidValue(`${name} must be an integer`);
  return Number(text);
}

const MAX_COUNT = 100;

/** A SCIM 2.0 Users server on 127.0.0.1, on a free port. */
export async function createScimServer(options: ScimServerOptions): Promise<ScimServer> {
  const { adminToken, standardToken, broken } = options;
  const users = new Map<string, StoredUser>();
  for (const seed of options.users ?? []) {
    const meta = isObject(seed.meta) ? seed.meta : {};
    const created = typeof meta.created === 'string' ? meta.created : new Date().toISOString();
    const id = typeof seed.id === 'string' ? seed.id : randomUUID();
    users.set(id, {
      id,
      created,
      lastModified: typeof meta.lastModified === 'string' ? meta.lastModified : created,
      attributes: readUser(withoutNulls({ schemas: [USER_URN], ...seed })),
    });
  }
  const contentType = broken === 'plain-json' ? 'application/json' : SCIM_JSON;

  const send = (response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, { ...headers, ...(body === undefined ? {} : { 'content-type': contentType }) });
    response.end(text);
  };
  const fail = (response: ServerResponse, error: ScimError, headers: Record<string, string> = {}) =>
    send(
      response,
      error.status,
      {
        ...(broken === 'error-without-schemas' ? {} : { schemas: [ERROR_URN] }),
        status: broken === 'status-as-number' ? error.status : String(error.status),
        ...(error.scimType ? { scimType: error.scimType } : {}),
        detail: error.detail,
      },
      headers,
    );

  const present = (user: StoredUser, origin: string): Json => ({
    schemas: [USER_URN],
    id: user.id,
    ...user.attributes,
    meta: {
      resourceType: 'User',
      created: user.created,
      lastModified: user.lastModified,
      ...(broken === 'no-location' ? {} : { location: `${origin}/scim/v2/Users/${user.id}` }),
    },
  });

  const taken = (userName: string, except?: string) =>
    broken !== 'duplicate-accepted' &&
    [...users.values()].some((user) => user.id !== except && sameUserName(user.attributes.userName, userName, broken));

  const readBody = async (request: IncomingMessage): Promise<Json> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw invalidSyntax(text === '' ? 'the body is empty' : 'the body is not JSON');
    }
    if (!isObject(body)) throw invalidSyntax('the body must be a JSON object');
    return body;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
    const method = request.method ?? 'GET';
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const role = token === adminToken ? 'admin' : token === standardToken ? 'standard' : undefined;
    if (!role) {
      const challenge = token === undefined ? 'Bearer realm="scim"' : 'Bearer realm="scim", error="invalid_token"';
      return fail(
        response,
        new ScimError(401, 'expected Authorization Bearer <token>'),
        broken === 'no-www-authenticate' ? {} : { 'www-authenticate': challenge },
      );
    }
    const collection = url.pathname === '/scim/v2/Users';
    const one = /^\/scim\/v2\/Users\/([^/]+)$/.exec(url.pathname);
    if (!collection && !one) throw new ScimError(404, `no resource at ${url.pathname}`);
    const allowed = collection ? ['GET', 'POST'] : ['GET', 'PUT', 'PATCH', 'DELETE'];
    if (!allowed.includes(method)) throw new ScimError(405, `${method} is not allowed here`);
    const mayWrite = role === 'admin' || (broken === 'standard-may-delete' && method === 'DELETE');
    if (method !== 'GET' && !mayWrite) throw new ScimError(403, 'this token may only read');

    if (collection && method === 'GET') return list(url.searchParams, origin, response);
    if (collection) {
      const attributes = readUser(withoutNulls(await readBody(request)));
      if (taken(attributes.userName)) throw new ScimError(409, `userName ${attributes.userName} is already in use`, 'uniqueness');
      const now = new Date().toISOString();
      const user: StoredUser = { id: randomUUID(), created: now, lastModified: now, attributes };
      users.set(user.id, user);
      const body = present(user, origin);
      const location = (body.meta as Json).location as string | undefined;
      return send(response, 201, body, location ? { location } : {});
    }

    const id = decodeURIComponent(one![1]!);
    const user = users.get(id);
    if (!user) {
      if (broken === 'unknown-id-500') throw new ScimError(500, 'internal error');
      throw new ScimError(404, `Resource ${id} not found`);
    }
    switch (method) {
      case 'GET':
        return send(response, 200, present(user, origin));
      case 'DELETE':
        if (broken !== 'delete-keeps-user') users.delete(id);
        return send(response, 204);
      case 'PUT': {
        const body = withoutNulls(await readBody(request));
        const attributes = readUser(broken === 'put-merges' ? { ...user.attributes, schemas: [USER_URN], ...body } : body);
        if (taken(attributes.userName, id)) throw new ScimError(409, `userName ${attributes.userName} is already in use`, 'uniqueness');
        const replaced: StoredUser = { ...user, attributes, lastModified: new Date().toISOString() };
        if (broken === 'put-new-id') {
          users.delete(id);
          replaced.id = randomUUID();
        }
        users.set(replaced.id, replaced);
        return send(response, 200, present(replaced, origin));
      }
      default: {
        const attributes = patched(user.attributes, await readBody(request), broken);
        if (taken(attributes.userName, id)) throw new ScimError(409, `userName ${attributes.userName} is already in use`, 'uniqueness');
        const changed: StoredUser = { ...user, attributes, lastModified: new Date().toISOString() };
        users.set(id, changed);
        return send(response, 200, present(changed, origin));
      }
    }
  };

  /** One page of the users the filter matches (RFC 7644 §3.4.2). */
  const list = (query: URLSearchParams, origin: string, response: ServerResponse) => {
    const filter = query.get('filter');
    const test = filter === null || broken === 'filter-ignored' ? () => true : readFilter(filter, broken);
    const startIndex = Math.max(1, integer(query, 'startIndex', 1));
    const count = Math.min(MAX_COUNT, Math.max(0, integer(query, 'count', MAX_COUNT)));
    const matched = [...users.values()].filter(test);
    const offset = broken === 'start-index-zero-based' ? startIndex : startIndex - 1;
    const page = matched.slice(offset, offset + count);
    send(response, 200, {
      schemas: [LIST_URN],
      totalResults: broken === 'total-results-page-size' ? page.length : matched.length,
      startIndex,
      itemsPerPage: page.length,
      Resources: page.map((user) => present(user, origin)),
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      fail(response, error instanceof ScimError ? error : new ScimError(500, 'internal error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
