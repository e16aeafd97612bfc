// A contract profile from the spec: the few facts a spec cannot tell (which operations make,
// read, change and remove a user, and which field keys it), every other member derived from the
// spec's operations, schemas and examples — each one replaceable.
import type { ApiSpec, OperationId, ParameterObject } from '../../specs/index.ts';
import { isObject } from '../../specs/json.ts';
import type { Schema } from '../../specs/schema.ts';
import type { DataFactory } from '../data.ts';
import { UNICODE_NAMES } from '../unicode-names.ts';
import type { RunContext } from '../drivers/context.ts';
import type { Call, Exchange } from '../exchange.ts';
import type { ApiProfile, CreatedUser, Identity } from './profile.ts';

/** What `defineContractProfile` needs: the API, its spec, its user operations and key; any other member of `ApiProfile` replaces a default. */
export interface ContractProfileDefinition<T = any> extends Partial<Omit<ApiProfile, 'api' | 'spec'>> {
  /** The API's name, as `usermock check <api>` takes it. */
  api: string;
  /** Its spec (`loadSpec`); typed operation ids make a misspelt one below a compile error. */
  spec: ApiSpec<T>;
  /** The operations that create, read, update — and, where the API has them, remove and list — a user. */
  operations: {
    create: OperationId<T>;
    read: OperationId<T>;
    update: OperationId<T>;
    remove?: OperationId<T>;
    list?: OperationId<T>;
  };
  /** The field of a user (as answers show it) whose value the read, update and remove paths take: `id`. */
  key: string;
  /**
   * The users in a list's answer: by default the answer itself when it is an array, else its first
   * array of objects (SCIM's `Resources`).
   */
  listed?(json: unknown): unknown[] | undefined;
  /**
   * A body made from the create's or the update's request schema, made one the API accepts where
   * the schema cannot say so (SCIM: at most one `primary` email); every generated body goes
   * through it. By default, as made.
   */
  accepted?(body: Record<string, unknown>): Record<string, unknown>;
  /** The update replaces the user (SCIM's PUT, RFC 7644 §3.5.1): what it does not send is unassigned, not kept. */
  replaces?: boolean;
}

/**
 * A contract profile from the spec, for an API that is not built in (`--apis`, or the options'
 * `profiles`): call it once per run (`profiles: [() => defineContractProfile({ … })]`), as a
 * profile keeps what the run learns. Given the operations that create, read, update (and remove
 * and list) a user and the field that keys it, every other member has a default from the spec:
 *
 * - `newUser`: a body of the create's request schema (`data.body`), names non-ASCII when asked;
 * - `create`, `read`, `update`, `remove`, `list`: `spec.call` of those operations, the key as the
 *   one path parameter of read, update and remove; `list` keys each listed user by `key`;
 * - `created`: `key` of the user in the create's answer; `userIn`: the answer's JSON object;
 * - `shows`: the fields sent that the create's (and the read's) success schema shows, the request
 *   schema's defaults for those not sent; `update` sends a body of the update's schema (the unique
 *   key unchanged) and expects the fields sent, the others unchanged;
 * - `unknownUser`: read, update and remove of a key nobody has (a fresh uuid, a huge number, an
 *   email … by the path parameter's schema), those that document a 404;
 * - `bodyTargets`: the update; `sample`: those five operations, any other from its examples (or
 *   its request schema), left out when a required parameter has no example;
 * - `identify`: the list (else a read of nobody) as the credential — a 2xx accepts it, 401 refuses
 *   it — then, unless read-only, removing nobody where only an admin may: 403 means no admin;
 * - `prepare`: a listed user, for reads when the run creates none; `cleanup`: removing each user
 *   the run created; `leftover` (without a remove): each such user, in words;
 * - `duplicateStatus`: 409 where the create documents it (else it must be given); `uniqueKey`: the
 *   create's required email field, else its first required text field, else `email`;
 * - `checks`, `scenarios`, `provocations`: none; `unprovokable`: none; `examples`: not paired.
 */
export function defineContractProfile<T = any>(definition: ContractProfileDefinition<T>): ApiProfile {
  const {
    api,
    spec: typedSpec,
    operations,
    key,
    listed = listedIn,
    accepted = (body) => body,
    replaces = false,
    ...overrides
  } = definition;
  // The untyped view: the profile builds calls for whichever operation the spec names.
  const spec: ApiSpec = typedSpec;
  const { create, read, update, remove, list } = operations as Record<keyof typeof operations, string | undefined> & {
    create: string;
    read: string;
    update: string;
  };
  const requestFields = fieldsOf(spec.requestSchema(create), 'readOnly');
  const uniqueKey = overrides.uniqueKey ?? uniqueKeyOf(spec.requestSchema(create));
  const duplicateStatus = overrides.duplicateStatus ?? (spec.operation(create).statuses.includes('409') ? 409 : undefined);
  if (duplicateStatus === undefined)
    throw new Error(`${api}: ${create} documents no 409: give duplicateStatus, the status a second create with the same ${uniqueKey} gets`);
  /** A user known to exist, for reads when the run creates none (a read-only run). */
  let known: string | undefined;

  /** A call naming a user by its key, the operation's one path parameter. */
  const onUser = (operationId: string, userKey: string, body?: Record<string, unknown>): Call => {
    const names = spec.operation(operationId).parameters.filter((parameter) => parameter.in === 'path');
    if (names.length !== 1)
      throw new Error(`${api}: ${operationId} takes ${names.length} path parameters, not one key: define the profile's calls of it`);
    return spec.call(operationId, { params: { [names[0]!.name]: userKey }, ...(body ? { body } : {}) });
  };
  /** A key no user has, of the form the read's path parameter documents. */
  const nobody = (data: DataFactory): string => {
    const schema = spec.operation(read).parameters.find((parameter) => parameter.in === 'path')?.schema ?? {};
    if (schema.format === 'uuid') return data.faker.string.uuid();
    if (schema.type === 'integer' || schema.type === 'number') return '999999999';
    if (/email$/.test(String(schema.format))) return data.email();
    return `usermock-${data.nonce}-nobody`;
  };
  const newUser = (data: DataFactory, unicode = false): Record<string, unknown> => {
    const schema = spec.requestSchema(create);
    if (!schema) throw new Error(`${api}: ${create} documents no JSON request body: define newUser`);
    const body = data.body(schema);
    return accepted(unicode ? withUnicodeNames(body) : body);
  };
  /** A valid update body: every field of the update's schema, the unique key as the user has it. */
  const updateBody = (data: DataFactory, user: CreatedUser | undefined, unicode = false): Record<string, unknown> => {
    const schema = spec.requestSchema(update);
    const body = schema ? data.body(schema) : {};
    if (user && uniqueKey in body && uniqueKey in user.sent) body[uniqueKey] = user.sent[uniqueKey];
    return accepted(unicode ? withUnicodeNames(body) : body);
  };
  /** What an answer of `operationId` shows of a body sent: the fields its success schema has, defaults for those not sent. */
  const shown = (operationId: string, sent: Record<string, unknown>): Record<string, unknown> => {
    const answered = fieldsOf(successSchema(spec, operationId), 'writeOnly');
    return Object.fromEntries(
      [...requestFields]
        .filter(([field]) => answered.has(field))
        .flatMap(([field, property]) =>
          field in sent ? [[field, sent[field]]] : property.default === undefined ? [] : [[field, property.default]],
        ),
    );
  };
  const createCall = (body: Record<string, unknown>) => spec.call(create, { body });

  const profile: ApiProfile = {
    api,
    spec,
    checks: [],
    scenarios: [],
    identify: (context, auth) => identify(context, auth),
    async prepare(context) {
      if (!list || spec.operation(list).method !== 'GET') return;
      const answer = await context.send(spec.call(list), { purpose: 'finding a user to read' });
      const first = listed(answer.response.json)?.[0];
      known = isObject(first) && first[key] !== undefined ? String(first[key]) : undefined;
    },
    newUser,
    create: createCall,
    created(exchange) {
      const user = profile.userIn(exchange.response);
      const value = user?.[key];
      if (typeof value !== 'string' && typeof value !== 'number') return undefined;
      return { key: String(value), captures: [{ value: String(value), path: pathOf(exchange.response.json, key, value) }] };
    },
    shows: (sent) => ({ answer: shown(create, sent), read: shown(read, sent) }),
    read: (user) => onUser(read, user.key),
    userIn: (response) => (isObject(response.json) ? response.json : undefined),
    ...(list && {
      list: {
        call: () => spec.call(list),
        keysIn: (response) => listed(response.json)?.map((user) => String(isObject(user) ? user[key] : user)),
        scope: 'all' as const,
      },
    }),
    update(user, data) {
      const body = updateBody(data, user);
      // A replacing update (SCIM's PUT) unassigns what it does not send: only what it sends is known.
      const kept = replaces ? {} : user.shows;
      const after = { ...kept, ...Object.fromEntries(Object.entries(body).filter(([field]) => field in user.shows)) };
      const because = Object.fromEntries(
        Object.keys(kept)
          .filter((field) => !(field in body))
          .map((field) => [field, 'not sent, so unchanged']),
      );
      return { call: onUser(update, user.key, body), after, because };
    },
    ...(remove && {
      remove: {
        call: (user) => onUser(remove, user.key),
        afterwards: { status: [spec.operation(read).statuses.includes('410') ? 410 : 404] },
        meaning: spec.operation(remove).method === 'DELETE' ? 'deleting the user' : `${remove} on the user`,
      },
    }),
    duplicateStatus,
    uniqueKey,
    unknownUser(data) {
      const id = nobody(data);
      const calls = [onUser(read, id), onUser(update, id, updateBody(data, undefined)), ...(remove ? [onUser(remove, id)] : [])];
      return calls.filter((call) => spec.operation(call.operationId).statuses.includes('404'));
    },
    bodyTargets: (user, data) =>
      spec.requestSchema(update)
        ? [
            {
              operationId: update,
              call: (body) => ({ ...onUser(update, user.key, {}), body: undefined, ...body }),
              valid: (unicode) => updateBody(data, user, unicode),
              acceptsValid: true,
            },
          ]
        : [],
    sample(operationId, user, data) {
      // Reads may name any user; writes only ever name a user of this run, or nobody.
      const target = user?.key ?? nobody(data);
      if (operationId === list) return spec.call(list);
      // A read of nobody would be no well-formed read: none when no user is known (an empty server).
      if (operationId === read) return user || known ? onUser(read, user?.key ?? known!) : undefined;
      if (operationId === create) return createCall(newUser(data));
      if (operationId === update) return onUser(update, target, updateBody(data, user));
      if (operationId === remove) return onUser(remove, target);
      return exampleCall(spec, operationId, data);
    },
    provocations: async () => [],
    unprovokable: {},
    cleanup(exchange) {
      const made = remove && exchange.operationId === create ? profile.created(exchange) : undefined;
      return made ? [onUser(remove!, made.key)] : [];
    },
    ...(!remove && {
      leftover(exchange: Exchange) {
        if (exchange.operationId !== create) return undefined;
        const sent = isObject(exchange.call.body) ? exchange.call.body[uniqueKey] : undefined;
        return `user ${typeof sent === 'string' ? sent : exchange.response.text.slice(0, 80)} (${api} documents no way to delete a user)`;
      },
    }),
    ...overrides,
  };

  /** The list (else a read of nobody) as the credential; then, unless read-only, removing nobody where only an admin may. */
  async function identify(context: RunContext, auth: 'admin' | 'standard'): Promise<Identity> {
    const id = nobody(context.data);
    const call = list ? spec.call(list, { auth }) : { ...onUser(read, id), auth };
    const answer = await context.send(call, { purpose: `asking whether ${auth} is accepted` });
    const { status } = answer.response;
    const evidence = `${call.method} ${call.path} answered ${status}`;
    if (!(status < 300 || (!list && status === 404))) return { accepted: status === 401 ? false : undefined, evidence };
    if (context.mode.readOnly || !remove || spec.operation(remove).requirement.role !== 'admin') return { accepted: true, evidence };
    // An admin-only request that changes nothing: removing a user nobody is.
    const probe = await context.send({ ...onUser(remove, id), auth }, { purpose: `asking whether ${auth} is an admin` });
    const answered = probe.response.status;
    const admin = answered === 403 ? false : answered < 300 || answered === 404 ? true : undefined;
    return { accepted: true, admin, evidence: `${evidence}; ${probe.call.method} ${probe.call.path} (admin only) answered ${answered}` };
  }

  return profile;
}

/** The users of a list's answer: an array answer, else the answer's first array of objects. */
function listedIn(json: unknown): unknown[] | undefined {
  if (Array.isArray(json)) return json;
  if (!isObject(json)) return undefined;
  return Object.values(json).find((value): value is unknown[] => Array.isArray(value) && value.every(isObject));
}

/** The dotted path of `field` holding `value` in an answer: at its top, or in one object property (an envelope). */
function pathOf(json: unknown, field: string, value: unknown): string {
  if (!isObject(json) || json[field] === value) return field;
  const envelope = Object.entries(json).find(([, nested]) => isObject(nested) && nested[field] === value)?.[0];
  return envelope === undefined ? field : `${envelope}.${field}`;
}

/** A schema's properties (its `allOf` members' too), without those marked `hidden` (readOnly, writeOnly). */
function fieldsOf(schema: Schema | undefined, hidden: 'readOnly' | 'writeOnly'): Map<string, Schema> {
  const merged = (node: Schema | undefined): Record<string, Schema> =>
    Object.assign({}, ...((node?.allOf as Schema[] | undefined) ?? []).map(merged), node?.properties ?? {});
  const flat = (property: Schema): Schema => Object.assign({}, ...((property.allOf as Schema[] | undefined) ?? []).map(flat), property);
  return new Map(
    Object.entries(merged(schema))
      .map(([name, property]): [string, Schema] => [name, flat(property)])
      .filter(([, property]) => property[hidden] !== true),
  );
}

/** The JSON schema of an operation's first documented 2xx. */
function successSchema(spec: ApiSpec, operationId: string): Schema | undefined {
  for (const status of spec.operation(operationId).statuses.filter((candidate) => /^2\d\d$/.test(candidate))) {
    const schema = spec.response(operationId, Number(status))?.content?.[spec.responseMediaType(operationId, Number(status)) ?? '']?.schema;
    if (schema) return schema;
  }
  return undefined;
}

/** The request field no two users may share: a required email field, else the first required text field, else `email`. */
function uniqueKeyOf(schema: Schema | undefined): string {
  const fields = fieldsOf(schema, 'readOnly');
  const required = ((schema?.required as string[] | undefined) ?? []).filter((name) => fields.has(name));
  const email = (name: string) => /email$/.test(String(fields.get(name)?.format));
  return required.find(email) ?? [...fields.keys()].find(email) ?? required.find((name) => fields.get(name)?.type === 'string') ?? 'email';
}

const NAMES: Array<[RegExp, string]> = [
  [/^(first_?name|given_?name|name_?first)$/i, UNICODE_NAMES.first],
  [/^(last_?name|family_?name|name_?last)$/i, UNICODE_NAMES.last],
  [/^(name|full_?name|display_?name|formatted)$/i, UNICODE_NAMES.full],
];

/** A body with its name fields (at any depth: SCIM's `name.givenName`) in other scripts than Latin, an emoji beyond the BMP. */
function withUnicodeNames(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).map(([field, value]) => {
      if (isObject(value)) return [field, withUnicodeNames(value)];
      const name = typeof value === 'string' ? NAMES.find(([pattern]) => pattern.test(field))?.[1] : undefined;
      return [field, name ?? value];
    }),
  );
}

/** An operation's request from its examples (or request schema); undefined when a required parameter has none. */
function exampleCall(spec: ApiSpec, operationId: string, data: DataFactory): Call | undefined {
  const operation = spec.operation(operationId);
  const params: Record<string, string> = {};
  const query: Record<string, string> = {};
  for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'path' || candidate.in === 'query')) {
    const value = exampleOf(parameter);
    if (value === undefined) {
      if (parameter.required) return undefined;
      continue;
    }
    (parameter.in === 'path' ? params : query)[parameter.name] = String(value);
  }
  const schema = spec.requestSchema(operationId);
  const media = spec.requestMediaType(operationId);
  const example = spec.requestExamples(operationId).find((candidate) => candidate.mediaType === media);
  const body = example ? example.value : schema ? data.body(schema) : undefined;
  return spec.call(operationId, { params, ...(Object.keys(query).length ? { query } : {}), ...(body === undefined ? {} : { body }) });
}

/** A parameter's first example, else its schema's example, default or first enum value. */
function exampleOf(parameter: ParameterObject & { example?: unknown }): unknown {
  const schema = parameter.schema ?? {};
  return (
    Object.values(parameter.examples ?? {})[0]?.value ??
    parameter.example ??
    schema.example ??
    schema.default ??
    (schema.enum as unknown[] | undefined)?.[0]
  );
}
