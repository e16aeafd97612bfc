// Haplo's model profile: users keyed by their numeric id (each side's own, mapped by symbol), also
// found by tag query — by the sequence's own usernames and departments, which carry the execution's
// token, so no query finds a user the sequence did not make. Groups cannot be made through the
// API, so a step names only groups the server and the model both have: `sync` reads the server's
// (the standard ones, then those its people are members of) and keeps those the model has too,
// by code (`⟪known group0⟫`) and by id (`group:⟪known group0.id⟫`), each side its own.
import * as fc from 'fast-check';
import { apiSpec } from '../../specs/index.ts';
import { isObject } from '../../specs/json.ts';
import type { Call, ReceivedResponse } from '../exchange.ts';
import type { ModelProfile, Side, Step, Who } from './profile.ts';
import { invalidBody, text, who } from './values.ts';

const EVERYONE = 'std:group:everyone';
const API_GROUP = 'haplo:group:api-v0:user-api';
/** The groups every Haplo application has (the vendor's notes), looked for first. */
const STANDARD_GROUPS = ['std:group:administrators', API_GROUP];
/** How many shared groups a step may name (filled cyclically from the groups both sides have). */
const SLOTS = 3;
/** How many of the server's people `sync` reads to learn which groups it has. */
const PEOPLE_READ = 12;

/**
 * Every record's email: a capital in it, so that a duplicate differing only in case (`u.…`) is one
 * the sequence can send. Updates only ever send a record's exact address or a fresh one: whether a
 * tag-query update may change an address to another case of its own is left open by the spec.
 */
const EMAIL = (record: string) => `U.⟪email ${record}⟫`;
/**
 * A record's username tag (`N.` + its email: unique, as the sequence's emails are), and the same in
 * another case (`n.`: taken, as usernames are unique lower-cased; found by no query, which is exact).
 */
const USERNAME = (record: string) => `N.⟪email ${record}⟫`;
const USERNAME_CASED = (record: string) => `n.⟪email ${record}⟫`;
/** Departments of the sequence (shared: a query of one may find several). */
const DEPARTMENTS = ['⟪token⟫-d1', '⟪token⟫-d2'];

const read = (id: unknown, auth: 'admin' | 'standard' = 'admin'): Call =>
  apiSpec('haplo').call('getUserById', { params: { id: String(id) }, auth });
const getGroup = (code: string, auth: 'admin' | 'standard' = 'admin'): Call =>
  apiSpec('haplo').call('getGroup', { params: { groupcode: code }, auth });

const ok = (response: ReceivedResponse): response is ReceivedResponse & { json: Record<string, unknown> } =>
  response.status === 200 && isObject(response.json);
const kindOf = (response: ReceivedResponse) => (isObject(response.json) ? response.json.kind : undefined);

/** The shared groups' codes a step may name, and `std:group:everyone` (implied, never listed). */
const groupCodes = [...Array.from({ length: SLOTS }, (_, slot) => `⟪known group${slot}⟫`), 'group:⟪known group0.id⟫', '⟪known everyone⟫'];
const memberships = fc.subarray(groupCodes, { maxLength: 3 });
const OWN = '⟪own⟫';
const OTHER = "⟪another's⟫";
const CASED = '⟪own, in another case⟫';
/**
 * An update's body with its email and username written out where they are the target's own
 * (`⟪id @i⟫`, else the first record's), another record's, or the target's own in another case.
 */
function addressed(body: Record<string, unknown>, id: string): Record<string, unknown> {
  const own = Number(/^⟪id @(\d+)⟫$/.exec(id)?.[1] ?? 0);
  const of = (which: unknown, name: (record: string) => string) =>
    which === OWN ? name(`@${own}`) : which === OTHER ? name(`@${own + 1}`) : which === CASED ? USERNAME_CASED(`@${own}`) : which;
  const written = { ...body };
  if (body.email !== undefined) written.email = of(body.email, EMAIL);
  if (isObject(body.tags) && body.tags.username !== undefined) written.tags = { ...body.tags, username: of(body.tags.username, USERNAME) };
  return written;
}

/** A value sent (`present` in `present + absent` draws) or left out (`undefined`). */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, present: number, absent: number) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: absent }, { arbitrary, weight: present });
/** A body without the fields left out. */
const sent = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));

/** Tags: a username (of those given) and a department of the sequence, each sent or not. */
const tagsWith = (usernames: fc.Arbitrary<string | undefined>) =>
  fc.record({ username: usernames, department: sometimes(fc.constantFrom(...DEPARTMENTS), 1, 1) }).map(sent);

/** A tag query: by one of the sequence's usernames or departments, both, none, or without a `tag:` parameter. */
const tagQuery: fc.Arbitrary<Record<string, string>> = fc.oneof(
  {
    arbitrary: fc
      .constantFrom(USERNAME('@0'), USERNAME('@1'), USERNAME_CASED('@0'), '⟪token⟫-nobody')
      .map((name) => ({ 'tag:username': name })),
    weight: 6,
  },
  { arbitrary: fc.constantFrom(...DEPARTMENTS).map((name) => ({ 'tag:department': name })), weight: 2 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(USERNAME('@0'), USERNAME('@1')), fc.constantFrom(...DEPARTMENTS))
      .map(([username, department]) => ({ 'tag:username': username, 'tag:department': department })),
    weight: 1,
  },
  { arbitrary: fc.constant({}), weight: 1 },
  { arbitrary: fc.constant({ flag: '1' }), weight: 1 },
);
const queryText = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([name, value]) => `${name}=${value}`)
    .join('&') || 'no query';

/** A user id a step names (each record is read at the end anyway): a record of the sequence, nobody, 0 (no id: the tag query), not a number, negative, a group. */
const someId = fc.constantFrom('⟪id @0⟫', '⟪nobody⟫', '0', 'abc', '-1', '⟪known group0.id⟫');
const recordId = fc.constantFrom('⟪id @0⟫', '⟪id @1⟫', '⟪id @2⟫');

/**
 * Whether a step's arguments fail the platform's validation (a body not JSON, an id or welcomeLink
 * not an integer, enable without a status): answered 400 text/plain before the permission check.
 * Whether before the API key's check too is left open (the spec orders validation only before the
 * group's permission check), so such a step is sent with a key that passes that check.
 */
function failsValidation(step: Step): boolean {
  if (step.raw !== undefined) {
    try {
      JSON.parse(step.raw);
    } catch {
      return true;
    }
  }
  const id = step.path?.id;
  if (id !== undefined && !/^(-?\d+|⟪id @\d+⟫|⟪nobody⟫|⟪known group\d\.id⟫)$/.test(id)) return true;
  if (step.query?.welcomeLink !== undefined && !/^-?\d+$/.test(step.query.welcomeLink)) return true;
  return step.operationId === 'enableUser' && !step.query?.status;
}
const fair = (step: Step) => (step.who !== 'none' && step.who !== 'forged') || !failsValidation(step);

export function haploModel(): ModelProfile {
  return {
    api: 'haplo',
    creates: { createUser: 'user.id' },
    lists: { getGroup: 'users', findByTag: 'users' },
    identity: ['id'],
    recordAt: 'user',
    nobody: '999999999',

    steps({ spec, data }) {
      const step = (operationId: string, label: string, rest: Partial<Step> & { who: Who }): Step => ({
        operationId,
        label,
        ...rest,
        // The standard caller only where it is refused alike on both sides (`sync`).
        ...(rest.who === 'standard' ? { needs: 'standard' } : {}),
      });
      // Each optional field sent or not (`undefined`: left out); a ref only now and then (a string that is no ref is refused).
      // The record's own username (most often), none, or one taken: another record's, in another case or not.
      const createBody = (email: string, usernames: fc.Arbitrary<string | undefined> = sometimes(fc.constant(USERNAME('new')), 3, 1)) =>
        fc
          .record({
            nameFirst: text,
            nameLast: text,
            email: fc.constant(email),
            tags: sometimes(tagsWith(usernames), 3, 1),
            localeId: sometimes(fc.constantFrom('en', 'cy', null), 1, 1),
            directGroupMembership: sometimes(memberships, 1, 1),
            // Null and every other falsy ref is no ref (the spec); a string that is no ref is refused.
            ref: sometimes(fc.constantFrom(null, '', false, 0, 'notARef'), 1, 6),
          })
          .map(sent);
      // A partial update: each field sent or not (a field left out must stay as it was).
      const updateBody = fc
        .record({
          nameFirst: sometimes(text, 1, 1),
          nameLast: sometimes(text, 1, 1),
          // The record's own address (unchanged), another record's (taken), or a fresh one (`addressed`).
          email: sometimes(fc.constantFrom(OWN, OTHER, '⟪token⟫-moved@example.com'), 1, 2),
          localeId: sometimes(fc.constantFrom('en', 'cy'), 1, 2),
          tags: sometimes(tagsWith(sometimes(fc.constantFrom(OWN, OTHER, CASED), 3, 1)), 1, 1),
          directGroupMembership: sometimes(memberships, 1, 1),
          ref: sometimes(fc.constant(null), 1, 5),
        })
        .map(sent);
      // One defect per body, alone, as a failed update's earlier changes are undocumented (the platform applies them one by one).
      const badFields = fc.constantFrom<Record<string, unknown>>(
        { localeId: 'fr' },
        { directGroupMembership: ['⟪token⟫-nogroup'] },
        { ref: 'notARef' },
        { nameLast: '' },
        { tags: { username: 42 } },
      );
      const welcome = fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 12 },
        { arbitrary: fc.constantFrom({ welcomeLink: '1' }, { welcomeLink: '0' }), weight: 4 },
        { arbitrary: fc.constant({ welcomeLink: 'abc' }), weight: 1 },
      );
      const template = { nameFirst: 'Ada', nameLast: 'Lovelace', email: EMAIL('new') };
      const badCreate = invalidBody(spec, data, 'createUser', template);
      // An empty template: each defect is the body's only field.
      const badUpdate = invalidBody(spec, data, 'updateUserById', {});
      const badUpdateByTag = invalidBody(spec, data, 'updateUserByTag', {});

      const create = (emails: fc.Arbitrary<string>, whos: fc.Arbitrary<Who> = who, usernames?: fc.Arbitrary<string | undefined>) =>
        fc.tuple(emails, whos, welcome).chain(([email, w, query]) =>
          createBody(email, usernames).map((body) =>
            step('createUser', `creating ${email} as ${w}${query ? ` ?${queryText(query)}` : ''}: ${JSON.stringify(body)}`, {
              who: w,
              body,
              ...(query ? { query } : {}),
            }),
          ),
        );
      const fresh = fc.constant(EMAIL('new'));
      const admin = fc.constant<Who>('admin');
      const updateById = (ids: fc.Arbitrary<string>, bodies: fc.Arbitrary<Record<string, unknown>>, whos: fc.Arbitrary<Who>) =>
        fc.tuple(ids, bodies, whos, tagQuery).map(([id, sentBody, w, query]) => {
          const body = addressed(sentBody, id);
          return step('updateUserById', `updating ${id}${id === '0' ? ` ?${queryText(query)}` : ''} as ${w}: ${JSON.stringify(body)}`, {
            who: w,
            path: { id },
            body,
            // Id 0 is no id: the tag query finds the user.
            ...(id === '0' ? { query } : {}),
          });
        });

      const enable = (ids: fc.Arbitrary<string>, statuses: fc.Arbitrary<string>, whos: fc.Arbitrary<Who>) =>
        fc.tuple(ids, statuses, whos).map(([id, status, w]) =>
          step('enableUser', `${status ? `status=${status}` : 'no status'} for ${id} as ${w}`, {
            who: w,
            path: { id },
            ...(status ? { query: { status } } : {}),
          }),
        );

      // Each arbitrary with how often it is drawn (fast-check draws the commands alike): the
      // admin's writes to the sequence's records most, where most faults show.
      const weighted: Array<[fc.Arbitrary<Step> | undefined, number]> = [
        // Creates: most steps need a record of the sequence.
        [create(fresh, admin), 7],
        [create(fresh), 1],
        // A duplicate address: the same, or differing only in case (compared case-insensitively).
        [create(fc.constantFrom('u.⟪email @0⟫', 'u.⟪email @1⟫', EMAIL('@0'), 'u.⟪email @0⟫'), admin, fc.constant(undefined)), 2],
        // A taken username: another record's in another case (unique lower-cased), or the same.
        [
          fc
            .tuple(
              create(fresh, admin, fc.constant(undefined)),
              fc.constantFrom(USERNAME_CASED('@0'), USERNAME_CASED('@1'), USERNAME('@0')),
            )
            .map(([created, taken]) => {
              const body = created.body as Record<string, unknown>;
              return {
                ...created,
                body: { ...body, tags: { ...(isObject(body.tags) ? body.tags : {}), username: taken } },
                label: `${created.label} with the username ${taken}`,
              };
            }),
          2,
        ],
        // A group nobody has, among one that exists.
        [
          create(fresh, admin).map((created) => ({
            ...created,
            body: { ...(created.body as object), directGroupMembership: ['⟪known group0⟫', '⟪token⟫-nogroup'] },
            label: `${created.label} with a group nobody has`,
          })),
          1,
        ],
        [
          badCreate &&
            fc.tuple(badCreate, who).map(([bad, w]) => step('createUser', `creating a user with ${bad.name} as ${w}`, { who: w, ...bad })),
          1,
        ],
        // Reads (each record is read at the end of every sequence anyway): by id, anyone as anyone.
        [
          fc.tuple(someId, who, tagQuery).map(([id, w, query]) => {
            const withQuery = id === '0' || query['tag:username'] !== undefined;
            return step('getUserById', `reading ${id}${withQuery ? ` ?${queryText(query)}` : ''} as ${w}`, {
              who: w,
              path: { id },
              ...(withQuery ? { query } : {}),
            });
          }),
          1,
        ],
        // Reads and finds by tag query.
        [fc.tuple(tagQuery, who).map(([query, w]) => step('getUserByTag', `reading ?${queryText(query)} as ${w}`, { who: w, query })), 1],
        [fc.tuple(tagQuery, who).map(([query, w]) => step('findByTag', `finding ?${queryText(query)} as ${w}`, { who: w, query })), 1],
        // Updates by id: a partial update of a record (most often), of anyone, or with one defect.
        [updateById(recordId, updateBody, admin), 8],
        [updateById(someId, updateBody, who), 1],
        [updateById(fc.constantFrom('⟪id @0⟫', '⟪id @1⟫', '0'), badFields, admin), 1],
        [
          badUpdate &&
            fc
              .tuple(badUpdate, recordId, who)
              .map(([bad, id, w]) => step('updateUserById', `updating ${id} with ${bad.name} as ${w}`, { who: w, path: { id }, ...bad })),
          1,
        ],
        // Updates by tag query.
        [
          fc
            .tuple(tagQuery, fc.oneof({ arbitrary: updateBody, weight: 3 }, { arbitrary: badFields, weight: 1 }), who)
            .map(([query, sentBody, w]) => {
              const body = addressed(sentBody, '⟪id @0⟫');
              return step('updateUserByTag', `updating ?${queryText(query)} as ${w}: ${JSON.stringify(body)}`, { who: w, query, body });
            }),
          2,
        ],
        [
          badUpdateByTag &&
            fc.tuple(badUpdateByTag, fc.constantFrom(USERNAME('@0'), USERNAME('@1')), who).map(([bad, username, w]) =>
              step('updateUserByTag', `updating ?tag:username=${username} with ${bad.name} as ${w}`, {
                who: w,
                query: { 'tag:username': username },
                ...bad,
              }),
            ),
          1,
        ],
        // Blocking and activating: a record by the admin (most often), or anyone, any status, as anyone.
        // (the first record: blocked, then active again, is where a status that is not applied shows)
        [enable(fc.constant('⟪id @0⟫'), fc.constantFrom('block', 'active'), admin), 6],
        [enable(fc.constant('⟪id @1⟫'), fc.constantFrom('block', 'active'), admin), 1],
        [enable(fc.constantFrom('⟪id @0⟫', '⟪nobody⟫', '0', 'abc'), fc.constantFrom('block', 'active', 'suspend', ''), who), 1],
        // Groups: shared ones by code or id, one nobody has, and group:0 (the handler does not respond).
        [
          fc
            .tuple(fc.constantFrom(...groupCodes, 'group:0', '⟪token⟫-nogroup', 'group:⟪nobody⟫'), who)
            .map(([code, w]) => step('getGroup', `reading the group ${code} as ${w}`, { who: w, path: { groupcode: code } })),
          1,
        ],
      ];
      return weighted.flatMap(([arbitrary, weight]) => (arbitrary ? Array<fc.Arbitrary<Step>>(weight).fill(arbitrary.filter(fair)) : []));
    },

    async sync(server, vendor, sides) {
      const flags = new Set<string>();
      // The server's groups, read: the standard ones, then those its people are direct members of.
      const codes = new Set(STANDARD_GROUPS);
      const everyone = await server(getGroup(EVERYONE));
      const people = ok(everyone) && Array.isArray(everyone.json.users) ? everyone.json.users.slice(0, PEOPLE_READ) : [];
      for (const id of people) {
        const person = await server(read(id));
        const user = ok(person) && isObject(person.json.user) ? person.json.user : undefined;
        for (const code of Array.isArray(user?.directGroupMembership) ? user.directGroupMembership : [])
          // A group without a code (`group:<id>`) is another group on each side: not one both have.
          if (typeof code === 'string' && !code.startsWith('group:')) codes.add(code);
      }
      // Those the model has too (groups are not made through the API): each side's id and title by one symbol.
      const shared: string[] = [];
      const learnGroup = (side: Side, answer: ReceivedResponse, name: string) => {
        const group = isObject(answer.json) && isObject(answer.json.group) ? answer.json.group : {};
        side.learn(group.id, `⟨known group ${name}.id⟩`);
        side.learn(group.name, `⟨known group ${name}.name⟩`);
        return group.id;
      };
      const pairs: Array<[string, unknown, unknown]> = [];
      for (const code of [...codes, EVERYONE]) {
        const [theirs, ours] = [code === EVERYONE ? everyone : await server(getGroup(code)), await vendor(getGroup(code))];
        if (!ok(theirs) || !ok(ours)) continue;
        pairs.push([code, learnGroup(sides.server, theirs, code), learnGroup(sides.vendor, ours, code)]);
        if (code !== EVERYONE) shared.push(code);
        else for (const side of [sides.server, sides.vendor]) side.known.set('everyone', EVERYONE);
      }
      for (let slot = 0; slot < SLOTS && shared.length; slot++) {
        const code = shared[slot % shared.length]!;
        const [, theirs, ours] = pairs.find(([candidate]) => candidate === code)!;
        for (const [side, id] of [
          [sides.server, theirs],
          [sides.vendor, ours],
        ] as const) {
          side.known.set(`group${slot}`, code);
          side.known.set(`group${slot}.id`, id);
        }
      }
      // The standard caller only where both sides refuse it alike (the model's is not in the API group).
      if (sides.server.credential('standard') !== undefined) {
        const [theirs, ours] = [await server(getGroup(API_GROUP, 'standard')), await vendor(getGroup(API_GROUP, 'standard'))];
        if (theirs.status === ours.status && kindOf(theirs) === kindOf(ours)) flags.add('standard');
      }
      return flags;
    },

    observe(model) {
      const records = Array.from({ length: model.records }, (_, k) => k);
      const final = (operationId: string, label: string, rest: Partial<Step>): Step => ({
        operationId,
        who: 'admin',
        label: `finally: ${label}`,
        ...rest,
      });
      return [
        ...records.map((k) => final('getUserById', `reading ⟪id ${k}⟫ as admin`, { path: { id: `⟪id ${k}⟫` } })),
        ...records.flatMap((k) => [
          final('getUserByTag', `reading ?tag:username=${USERNAME(String(k))} as admin`, {
            query: { 'tag:username': USERNAME(String(k)) },
          }),
          final('findByTag', `finding ?tag:username=${USERNAME(String(k))} as admin`, { query: { 'tag:username': USERNAME(String(k)) } }),
        ]),
        ...DEPARTMENTS.flatMap((department) => [
          final('getUserByTag', `reading ?tag:department=${department} as admin`, { query: { 'tag:department': department } }),
          final('findByTag', `finding ?tag:department=${department} as admin`, { query: { 'tag:department': department } }),
        ]),
        // The groups the sequence's records may be members of: their active members.
        ...[...Array.from({ length: SLOTS }, (_, slot) => `⟪known group${slot}⟫`), '⟪known everyone⟫'].map((code) =>
          final('getGroup', `reading the group ${code} as admin`, { path: { groupcode: code } }),
        ),
      ];
    },
  };
}
