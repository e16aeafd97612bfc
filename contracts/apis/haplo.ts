// Haplo: how the generic drivers create, read, find, update and block its users, the requests
// that reach its documented failures (tag queries, ids that are not numbers, unknown groups), and
// the envelope every answer wears.
import { isObject } from '../../specs/json.ts';
import { apiSpec } from '../../specs/index.ts';
import { NOT_JUDGED, responseCheck } from '../checks/check.ts';
import { answersAsDocumented } from '../checks/response.ts';
import type { DataFactory } from '../data.ts';
import { UNICODE_NAMES } from '../unicode-names.ts';
import type { RunContext } from '../drivers/context.ts';
import type { Call, Exchange } from '../exchange.ts';
import type { ApiProfile, BodyTarget, CreatedUser, ExampleValues, Identity, Provocation, Update } from './profile.ts';

const spec = () => apiSpec('haplo');
/** The API's own group: a credential is an admin's when its user is a member. */
const API_GROUP = 'haplo:group:api-v0:user-api';
/** Groups whose members a read-only run may read (the API's own first). */
const KNOWN_GROUPS = [API_GROUP, 'std:group:administrators', 'std:group:everyone'];
/** An id no user has: ids are integers counted up from 1. */
const NO_ID = '999999999';
const usernameOf = (user: CreatedUser) => String((user.sent.tags as Record<string, string>).username);

type TagQuery = Record<string, string>;
const createUser = (body: Record<string, unknown>): Call => spec().call('createUser', { body });
const getUserById = (id: string): Call => spec().call('getUserById', { params: { id } });
const updateUserById = (id: string, body: Record<string, unknown>): Call => spec().call('updateUserById', { params: { id }, body });
const updateUserByTag = (query: TagQuery, body: Record<string, unknown>): Call => spec().call('updateUserByTag', { query, body });
const enableUser = (id: string, status: string): Call => spec().call('enableUser', { params: { id }, query: { status } });
const getGroup = (code: string): Call => spec().call('getGroup', { params: { groupcode: code } });
const getUserByTag = (query: TagQuery): Call => spec().call('getUserByTag', { query });
const findByTag = (query: TagQuery): Call => spec().call('findByTag', { query });
/** A tag query that must find exactly `user`: only a user of this run is known to have a tag no one else has. */
const tagQuery = (user: CreatedUser): TagQuery => ({ 'tag:username': usernameOf(user) });

/** What one run knows of the server. */
interface HaploRun {
  /** A user known to exist, for reads when the run creates none. */
  known?: { id: string };
  /** How many groups stood in for ones an example names that the target does not hold. */
  standIns: number;
}

/** Haplo's envelope: `success` is true exactly for 2xx, a failure carries `error.message`, `kind` is always set. */
const haploEnvelopeConsistency = responseCheck(
  'haplo_envelope_consistency',
  'Haplo success/kind/error agree with the status',
  ({ response }) => {
    if (!isObject(response.json)) return NOT_JUDGED;
    const { success, kind, error } = response.json;
    if (typeof kind !== 'string' || kind === '') return { message: 'expected a non-empty string `kind`' };
    const ok = response.status < 300;
    if (success !== ok)
      return { message: `expected success: ${ok} with status ${response.status}, got success: ${JSON.stringify(success)} (kind ${kind})` };
    if (!ok && !(isObject(error) && typeof error.message === 'string'))
      return { message: `expected error.message on a failure (kind ${kind})` };
    return undefined;
  },
);

function newHaploUser(data: DataFactory, unicode = false): Record<string, unknown> {
  const { ref: _ref, ...body } = data.body(spec().requestSchema('createUser')!);
  // Group codes and locales must exist on the server; a ref must point at a real object.
  return {
    ...body,
    localeId: 'en',
    directGroupMembership: [],
    tags: { username: data.token() },
    ...(unicode ? { nameFirst: UNICODE_NAMES.first, nameLast: UNICODE_NAMES.last } : {}),
  };
}

/** What a user created from `sent` shows; `name` is computed from the two names. */
const presented = (sent: Record<string, unknown>) => ({
  nameFirst: sent.nameFirst,
  nameLast: sent.nameLast,
  name: `${sent.nameFirst} ${sent.nameLast}`,
  email: sent.email,
  tags: sent.tags ?? {},
  localeId: sent.localeId,
  directGroupMembership: sent.directGroupMembership ?? [],
});

/** A group the target holds, as its getGroup answer shows it (undefined when it holds none of that code). */
async function heldGroup(context: RunContext, code: string): Promise<{ id: number } | undefined> {
  const answer = await context.send(getGroup(code), { purpose: `preparing an example: does the group ${code} exist?` });
  const group = (answer.response.json as { group?: { id?: unknown } } | undefined)?.group;
  return answer.response.status === 200 && typeof group?.id === 'number' ? { id: group.id } : undefined;
}

async function identifyHaploCaller(context: RunContext, auth: 'admin' | 'standard'): Promise<Identity> {
  // Haplo answers every refusal 403; its documented `kind` says which: the key, or the permission.
  const answer = await context.send({ ...getGroup(API_GROUP), auth }, { purpose: `asking who ${auth} is` });
  const kind = (answer.response.json as { kind?: unknown } | undefined)?.kind;
  const evidence = `GET ${answer.call.path} answered ${answer.response.status}${typeof kind === 'string' ? ` ${kind}` : ''}`;
  if (!answersAsDocumented(answer, context.spec)) return { accepted: undefined, evidence: `${evidence}, not as the spec documents it` };
  if (kind === 'INVALID-API-KEY' || kind === 'UNAUTHORISED') return { accepted: false, evidence };
  if (kind === 'haplo:api-v0:generic:not-permitted') return { accepted: true, admin: false, evidence };
  return answer.response.status === 200 ? { accepted: true, admin: true, evidence } : { accepted: undefined, evidence };
}

async function prepareHaploRun(run: HaploRun, context: RunContext): Promise<void> {
  for (const code of KNOWN_GROUPS) {
    const group = await context.send(getGroup(code), { purpose: 'finding a user to read' });
    const members = (group.response.json as { users?: unknown[] } | undefined)?.users;
    if (!Array.isArray(members) || members.length === 0) continue;
    run.known = { id: String(members[0]) };
    return;
  }
}

function updateHaploUser(user: CreatedUser, data: DataFactory): Update {
  // A partial update: names not sent stay, `name` follows them, tags merge.
  const nameLast = data.faker.person.lastName();
  const tags = { ...(user.shows.tags as Record<string, string>), team: data.token() };
  return {
    call: updateUserById(user.key, { nameLast, tags: { team: tags.team } }),
    after: { ...user.shows, nameLast, name: `${user.shows.nameFirst} ${nameLast}`, tags },
    because: {
      nameFirst: 'not sent, so unchanged',
      email: 'not sent, so unchanged',
      name: 'computed from nameFirst and nameLast',
      tags: 'sent tags are merged into the existing ones',
    },
  };
}

function haploBodyTargets(user: CreatedUser, data: DataFactory): BodyTarget[] {
  return [
    {
      operationId: 'updateUserById',
      call: (body) => ({ ...updateUserById(user.key, {}), body: undefined, ...body }),
      valid: (unicode) => (unicode ? { nameFirst: UNICODE_NAMES.first } : { nameFirst: data.faker.person.firstName() }),
      acceptsValid: true,
    },
    {
      operationId: 'updateUserByTag',
      call: (body) => ({ ...updateUserByTag(tagQuery(user), {}), body: undefined, ...body }),
      valid: (unicode) => (unicode ? { nameLast: UNICODE_NAMES.last } : { nameLast: data.faker.person.lastName() }),
      acceptsValid: true,
    },
  ];
}

function sampleHaploCall(run: HaploRun, operationId: string, user: CreatedUser | undefined, data: DataFactory): Call | undefined {
  const id = user?.key ?? run.known?.id ?? NO_ID;
  const calls: Record<string, Call | undefined> = {
    createUser: createUser(newHaploUser(data)),
    getUserById: getUserById(id),
    // A tag query must name a user of this run: no other user is known to have a tag of its own.
    getUserByTag: user && getUserByTag(tagQuery(user)),
    // Writes only ever touch a user of this run (or an id nobody has).
    updateUserById: updateUserById(user?.key ?? NO_ID, { nameFirst: 'Usermock' }),
    updateUserByTag: updateUserByTag(user ? tagQuery(user) : { 'tag:username': `${data.token()}-nobody` }, { nameFirst: 'Usermock' }),
    enableUser: enableUser(user?.key ?? NO_ID, 'active'),
    getGroup: getGroup(API_GROUP),
    findByTag: user && findByTag(tagQuery(user)),
  };
  return calls[operationId];
}

function haploProvocations(context: RunContext, user: CreatedUser | undefined): Provocation[] {
  const nobody = { 'tag:username': `${context.data.token()}-nobody` };
  const provocations: Provocation[] = [
    { operationId: 'getUserById', status: 400, purpose: 'an id that is not a number', call: getUserById('not-a-number') },
    { operationId: 'getUserByTag', status: 400, purpose: 'neither an id nor a tag query', call: getUserByTag({}) },
    { operationId: 'getUserByTag', status: 404, purpose: 'a tag query nobody matches', call: getUserByTag(nobody) },
    {
      operationId: 'updateUserByTag',
      status: 404,
      purpose: 'updating by a tag query nobody matches',
      call: updateUserByTag(nobody, { nameFirst: 'Nobody' }),
    },
    { operationId: 'findByTag', status: 400, purpose: 'a find without a tag query', call: findByTag({}) },
    { operationId: 'findByTag', status: 404, purpose: 'a find nobody matches', call: findByTag(nobody) },
    {
      operationId: 'getGroup',
      status: 400,
      purpose: 'a group code nobody has',
      call: getGroup(`usermock:group:${context.data.nonce}`),
    },
  ];
  if (user)
    provocations.push({
      operationId: 'enableUser',
      status: 400,
      purpose: 'a status that is neither block nor active',
      call: enableUser(user.key, 'usermock-bogus'),
    });
  return provocations;
}

function haploCleanup(exchange: Exchange): Call[] {
  if (exchange.operationId !== 'createUser') return [];
  const id = (exchange.response.json as { user?: { id?: unknown } } | undefined)?.user?.id;
  return typeof id === 'number' ? [enableUser(String(id), 'block')] : [];
}

function haploExampleValues(run: HaploRun): ExampleValues {
  return {
    fields: {
      id: 'user',
      email: 'email',
      'tags.username': 'username',
      'tag:username': 'username',
      directGroupMembership: 'reference',
      groupcode: 'reference',
      ref: 'reference',
    },
    user: (user) => ({ id: Number(user.key), email: user.sent.email, username: usernameOf(user) }),
    // The API's own service user is the caller the examples are sent as.
    isCaller: (record) => record.isServiceUser === true,
    async held({ field, original }, context) {
      // A ref must point at an object of the target's: none is known.
      if (field === 'ref' || typeof original !== 'string') return undefined;
      const numeric = /^group:\d+$/.test(original);
      if (!numeric && (await heldGroup(context, original))) return original;
      // Another group stands for one the target does not hold, in turn (a membership list naming two gets two).
      const candidates = [API_GROUP, 'std:group:administrators'];
      for (let tried = 0; tried < candidates.length; tried++) {
        const code = candidates[run.standIns++ % candidates.length]!;
        const group = await heldGroup(context, code);
        if (group) return numeric ? `group:${group.id}` : code;
      }
      return undefined;
    },
    // Ids are counted up from 1: one far beyond stands for an unknown one (0 stays: it is no id at all).
    nobody: ({ kind, original }) => (kind === 'user' && typeof original === 'number' && original > 0 ? Number(NO_ID) : undefined),
  };
}

/** Haplo's profile for one run. */
export function haploProfile(): ApiProfile {
  const run: HaploRun = { standIns: 0 };
  return {
    api: 'haplo',
    spec: spec(),
    checks: [haploEnvelopeConsistency],
    scenarios: [],
    identify: identifyHaploCaller,
    prepare: (context) => prepareHaploRun(run, context),
    newUser: newHaploUser,
    create: createUser,
    created(exchange) {
      const id = (exchange.response.json as { user?: { id?: unknown } } | undefined)?.user?.id;
      return typeof id === 'number' ? { key: String(id), captures: [{ value: String(id), path: 'user.id' }] } : undefined;
    },
    shows: (sent) => ({ answer: presented(sent), read: presented(sent) }),
    read: (user) => getUserById(user.key),
    userIn: (response) => (response.json as { user?: Record<string, unknown> } | undefined)?.user,
    list: {
      call: (user) => findByTag(tagQuery(user)),
      keysIn: (response) => {
        const users = (response.json as { users?: unknown } | undefined)?.users;
        return Array.isArray(users) ? users.map(String) : undefined;
      },
      scope: 'user',
    },
    update: updateHaploUser,
    remove: {
      call: (user) => enableUser(user.key, 'block'),
      afterwards: { status: [200], shows: { isActive: false } },
      meaning: 'blocking the user',
    },
    duplicateStatus: 400,
    uniqueKey: 'email',
    unknownUser: () => [getUserById(NO_ID), updateUserById(NO_ID, { nameFirst: 'Nobody' }), enableUser(NO_ID, 'active')],
    bodyTargets: haploBodyTargets,
    sample: (operationId, user, data) => sampleHaploCall(run, operationId, user, data),
    provocations: async (context, user) => haploProvocations(context, user),
    unprovokable: {
      'getGroup 404': "generic:no-response is the framework's answer when a handler does not respond; no request provokes it",
    },
    cleanup: haploCleanup,
    examples: haploExampleValues(run),
  };
}
