// hoop.dev's model profile: users keyed by email (or id), groups by name, and the callers' own
// records — which the model is made to match (`PUT` of the model's callers to the server's
// values) and whose emails and ids are mapped by symbol.
import * as fc from 'fast-check';
import { apiSpec } from '../../specs/index.ts';
import { isObject } from '../../specs/json.ts';
import { selfSlack, userInfo } from '../apis/hoop.ts';
import type { ModelProfile, Step, Who } from './profile.ts';
import { invalidBody, present, text, who } from './values.ts';

const CALLERS = ['admin', 'standard'] as const;

/** A user a step names: one the sequence made (by email or id), a caller (reads only), or nobody. */
const someone = (reads: boolean) =>
  fc.constantFrom(
    '⟪email @0⟫',
    '⟪email @1⟫',
    '⟪id @0⟫',
    '⟪id @2⟫',
    '⟪token⟫-nobody@example.com',
    '⟪nobody⟫',
    '0',
    '⟪token⟫-🙂@exämple.com',
    ...(reads ? ['⟪caller admin email⟫', '⟪caller standard email⟫', '⟪caller admin id⟫'] : []),
  );

// Users' groups are labels no step creates as a group: whether a group only users had outlives
// them in the groups list is not documented (nor settled by the vendor's notes), so lists are
// compared on the groups the sequence created.
const groups = fc.subarray(['⟪label 0⟫', '⟪label 1⟫', 'admin', '⟪group @0⟫', '⟪group @1⟫']);
const fields = {
  name: text,
  picture: fc.constantFrom('', 'https://example.com/avatar.png'),
  slack_id: fc.constantFrom('', 'U0MODEL0001', 'U0MODEL0002'),
  groups,
  status: fc.constantFrom('active', 'inactive', 'invited'),
};

export function hoopModel(): ModelProfile {
  return {
    api: 'hoop',
    creates: { createUser: 'id' },
    lists: { listUsers: '', listGroups: '' },
    identity: ['email'],
    nobody: '00000000-0000-4000-8000-00000000dead',

    steps({ spec, data }) {
      const step = (operationId: string, label: string, rest: Partial<Step> & { who: Who }): Step => ({ operationId, label, ...rest });
      // Each field sent or not, independently (a field left out is where a replacement and a merge differ).
      const user = (email: string) =>
        fc
          .tuple(fc.record(fields), fc.subarray(Object.keys(fields)))
          .map(([values, sent]) => ({ email, ...Object.fromEntries(sent.map((key) => [key, values[key as keyof typeof values]])) }));
      const template = { email: '⟪email new⟫', name: 'Ada Lovelace', groups: ['⟪label 0⟫'], status: 'active' };
      const badCreate = invalidBody(spec, data, 'createUser', template);
      const badUpdate = invalidBody(spec, data, 'updateUser', { ...template, email: '⟪email @0⟫' });
      const badGroup = invalidBody(spec, data, 'createGroup', { name: '⟪group 0⟫' });
      const badSlack = invalidBody(spec, data, 'updateSelfSlack', { slack_id: 'U0MODEL0001' });
      return present([
        who.map((w) => step('getUserInfo', `GET /api/userinfo as ${w}`, { who: w })),
        who.map((w) => step('listUsers', `listing the users as ${w}`, { who: w })),
        // Reads by the admin, where most faults show: drawn more often.
        fc.constant(step('listUsers', 'listing the users as admin', { who: 'admin' })),
        fc
          .constantFrom('⟪email @0⟫', '⟪id @1⟫')
          .map((key) => step('getUser', `reading ${key} as admin`, { who: 'admin', path: { emailOrID: key } })),
        who.map((w) => step('listGroups', `listing the groups as ${w}`, { who: w })),
        fc.tuple(someone(true), who).map(([key, w]) => step('getUser', `reading ${key} as ${w}`, { who: w, path: { emailOrID: key } })),
        fc
          .tuple(fc.constantFrom('⟪email new⟫', '⟪email new⟫', '⟪email new⟫', '⟪email @0⟫', '⟪caller admin email⟫'), who)
          .chain(([email, w]) =>
            user(email).map((body) => step('createUser', `creating ${email} as ${w}: ${JSON.stringify(body)}`, { who: w, body })),
          ),
        // Creates drawn more often: most steps need a record of the sequence.
        fc
          .tuple(fc.constantFrom('⟪email new⟫', '⟪email new⟫', '⟪email new⟫', '⟪email @0⟫', '⟪caller admin email⟫'), who)
          .chain(([email, w]) =>
            user(email).map((body) => step('createUser', `creating ${email} as ${w}: ${JSON.stringify(body)}`, { who: w, body })),
          ),
        fc
          .tuple(fc.constantFrom('⟪email new⟫', '⟪email new⟫', '⟪email new⟫', '⟪email @0⟫', '⟪caller admin email⟫'), who)
          .chain(([email, w]) =>
            user(email).map((body) => step('createUser', `creating ${email} as ${w}: ${JSON.stringify(body)}`, { who: w, body })),
          ),
        badCreate &&
          fc.tuple(badCreate, who).map(([bad, w]) => step('createUser', `creating a user with ${bad.name} as ${w}`, { who: w, ...bad })),
        fc
          .tuple(someone(false), who)
          .chain(([key, w]) =>
            user(key.startsWith('⟪email') ? key : '⟪email @0⟫').map((body) =>
              step('updateUser', `replacing ${key} as ${w}: ${JSON.stringify(body)}`, { who: w, path: { emailOrID: key }, body }),
            ),
          ),
        // A replacement of a record of the sequence, by the admin: the most telling write, drawn more often.
        fc
          .constantFrom('⟪email @0⟫', '⟪id @0⟫', '⟪email @1⟫')
          .chain((key) =>
            user(key.startsWith('⟪email') ? key : '⟪email @0⟫').map((body) =>
              step('updateUser', `replacing ${key} as admin: ${JSON.stringify(body)}`, { who: 'admin', path: { emailOrID: key }, body }),
            ),
          ),
        badUpdate &&
          fc
            .tuple(badUpdate, someone(false), who)
            .map(([bad, key, w]) =>
              step('updateUser', `replacing ${key} with ${bad.name} as ${w}`, { who: w, path: { emailOrID: key }, ...bad }),
            ),
        fc
          .tuple(someone(false), who)
          .map(([key, w]) => step('deleteUser', `deleting ${key} as ${w}`, { who: w, path: { emailOrID: key } })),
        // Deleting a record of the sequence, by the admin, and creating its email again: the writes
        // whose effects (on lists, groups, uniqueness) only later steps show, drawn more often.
        fc
          .constantFrom('⟪email @0⟫', '⟪id @0⟫', '⟪email @1⟫')
          .map((key) => step('deleteUser', `deleting ${key} as admin`, { who: 'admin', path: { emailOrID: key } })),
        fc
          .constantFrom('⟪email @0⟫', '⟪email @1⟫')
          .chain((email) =>
            user(email).map((body) =>
              step('createUser', `creating ${email} again as admin: ${JSON.stringify(body)}`, { who: 'admin', body }),
            ),
          ),
        fc
          .constantFrom('⟪group @0⟫', '⟪group @1⟫')
          .map((name) => step('deleteGroup', `deleting the group ${name} as admin`, { who: 'admin', path: { name }, deletesGroup: true })),
        // Users sharing a group: what one user's delete or update must leave on the others.
        fc.constant(
          step('createUser', 'creating ⟪email new⟫ in ⟪label 0⟫ as admin', {
            who: 'admin',
            body: { email: '⟪email new⟫', groups: ['⟪label 0⟫'] },
          }),
        ),
        // A group of the sequence, which its users may then be given.
        fc.constant(step('createGroup', 'creating the group ⟪group new⟫ as admin', { who: 'admin', body: { name: '⟪group new⟫' } })),
        fc
          .tuple(fc.constantFrom<'admin' | 'standard'>('admin', 'standard'), fc.constantFrom('U0MODEL0001', 'U0MODEL0002'))
          .map(([w, slack_id]) =>
            step('updateSelfSlack', `the ${w} caller setting its slack id to ${slack_id}`, {
              who: w,
              body: { slack_id },
              needs: `slack:${w}`,
            }),
          ),
        badSlack &&
          fc
            .tuple(badSlack, who)
            .map(([bad, w]) => step('updateSelfSlack', `setting the caller's slack id with ${bad.name} as ${w}`, { who: w, ...bad })),
        fc
          .tuple(fc.constantFrom('⟪group 0⟫', '⟪group 1⟫', '⟪group 2⟫', 'admin'), who)
          .map(([name, w]) => step('createGroup', `creating the group ${name} as ${w}`, { who: w, body: { name } })),
        badGroup &&
          fc.tuple(badGroup, who).map(([bad, w]) => step('createGroup', `creating a group with ${bad.name} as ${w}`, { who: w, ...bad })),
        fc
          .tuple(fc.constantFrom('⟪group 0⟫', '⟪group 1⟫', '⟪group 2⟫', '⟪token⟫-nogroup'), who)
          .map(([name, w]) => step('deleteGroup', `deleting the group ${name} as ${w}`, { who: w, path: { name }, deletesGroup: true })),
      ]);
    },

    async sync(server, vendor, sides) {
      const flags = new Set<string>();
      for (const auth of CALLERS) {
        const theirs = (await server(userInfo(auth))).json;
        const ours = (await vendor(userInfo(auth))).json;
        if (!isObject(theirs) || !isObject(ours)) continue;
        // The model's caller becomes the server's, as far as a client can make it: everything but its email and id.
        await vendor(
          apiSpec('hoop').call('updateUser', {
            params: { emailOrID: String(ours.email) },
            body: {
              email: ours.email,
              name: theirs.name,
              picture: theirs.picture,
              slack_id: theirs.slack_id,
              groups: theirs.groups,
              status: theirs.status,
            },
          }),
        );
        for (const [side, user] of [
          [sides.server, theirs],
          [sides.vendor, ours],
        ] as const) {
          side.callers[auth] = { email: user.email, id: user.id, slack_id: user.slack_id };
          side.learn(user.email, `⟨${auth} caller.email⟩`);
          side.learn(user.id, `⟨${auth} caller.id⟩`);
        }
        // Its slack id can be changed only where it can be put back (hoop refuses an empty one).
        if (typeof theirs.slack_id === 'string' && theirs.slack_id !== '') flags.add(`slack:${auth}`);
      }
      return flags;
    },

    observe(model) {
      const records = Array.from({ length: model.records }, (_, k) => k);
      return [
        { operationId: 'listUsers', who: 'admin', label: 'finally: listing the users as admin' },
        { operationId: 'listGroups', who: 'admin', label: 'finally: listing the groups as admin' },
        // The callers too: a write to one record must leave the others (the callers' own) as they were.
        ...CALLERS.map((auth): Step => ({ operationId: 'getUserInfo', who: auth, label: `finally: GET /api/userinfo as ${auth}` })),
        ...records.flatMap((k): Step[] => [
          {
            operationId: 'getUser',
            who: 'admin',
            path: { emailOrID: `⟪email ${k}⟫` },
            label: `finally: reading ⟪email ${k}⟫ as admin`,
            survives: true,
          },
          { operationId: 'getUser', who: 'admin', path: { emailOrID: `⟪id ${k}⟫` }, label: `finally: reading ⟪id ${k}⟫ as admin` },
        ]),
      ];
    },

    restore(server, succeeded) {
      return CALLERS.filter((auth) => succeeded.some((step) => step.operationId === 'updateSelfSlack' && step.who === auth)).map((auth) =>
        selfSlack(auth, String(server.callers[auth]?.slack_id)),
      );
    },
  };
}
