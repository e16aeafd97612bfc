// Amani's model profile. Users are made by `createUser` (keyed by the email they were created
// with, which stays their login username) and changed by a partial `updateUser`; no operation reads
// or deletes one, so a sequence reads its users by logging in as them, with the password it last
// gave them (`⟪known the password of <username>⟫`, kept per side from the answers that set it).
//
// Roles cannot be created through the API: `sync` reads both sides' `GET /api/v2/group` and pairs
// each of the server's roles with a model role of the same permission set; steps name the pairs
// (`⟪known role k⟫`, each side its own id, shown in answers as `⟨role k⟩`) and a role id each side
// does not list (`⟪known an unlisted role⟫`), which must be refused. The model's standard caller is
// made to match the server's as far as a read shows it (whether it may list roles).
//
// Tokens, ids and the company are the server's own. The tokens a sequence obtained are kept per
// side (`⟪known the access token⟫`, `⟪known the refresh token⟫`) for later steps — refreshing,
// calling as the logged-in user — and never compared (`x-server-made`). A user's id is named by
// the record its create made (`⟨record k.id⟩`), and the company every answer shows is named
// `⟨company⟩` on each side by the first answer that shows it: so a login that shows another user's
// id, or another company than the create did (`company_id` there, `company` here), differs.
import * as fc from 'fast-check';
import { apiSpec } from '../../specs/index.ts';
import { isObject } from '../../specs/json.ts';
import type { Call, ReceivedResponse } from '../exchange.ts';
import type { ModelProfile, Step, Who } from './profile.ts';
import { invalidBody, present, text, who } from './values.ts';

const FORM = 'application/x-www-form-urlencoded';
/** Role slots steps name: the server's roles that pair with a model role, in turn (a slot past their number repeats one). */
const ROLE_SLOTS = 3;
/** A credential the sequence obtained by logging in (or refreshing): the last one. */
const AS_LOGGED_IN = 'Bearer ⟪known the access token⟫';

interface Role {
  id: number;
  permissions: string[];
}

const listGroups = (auth: 'admin' | 'standard'): Call => apiSpec('amani').call('listGroups', { auth });
const rolesIn = (response: ReceivedResponse): Role[] =>
  response.status === 200 && Array.isArray(response.json)
    ? response.json.filter((role): role is Role => isObject(role) && typeof role.id === 'number' && Array.isArray(role.permissions))
    : [];
const permissionSet = (role: Role) => JSON.stringify([...new Set(role.permissions.map(String))].sort());
/** The smallest positive id no listed role has: a role id this side must refuse. */
const unlisted = (roles: Role[]) => {
  let id = 1;
  while (roles.some((role) => role.id === id)) id++;
  return id;
};

/** The user an access token was issued for (SimpleJWT's `user_id` claim; a JWT is readable by its holder). */
function tokenUser(authorization: string | undefined): string | undefined {
  const payload = authorization?.replace(/^Bearer\s+/i, '').split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as unknown;
    return isObject(claims) && typeof claims.user_id === 'string' ? claims.user_id : undefined;
  } catch {
    return undefined;
  }
}

/** The password the sequence last gave the user logging in as `username` (a template resolved per side). */
const passwordOf = (username: string) => `⟪known the password of ${username}⟫`;
/**
 * The email the user logging in as `username` has now. A PATCH to another user's email names its
 * current one: whether an email only another user's username still holds (it changed its email)
 * is taken is not documented, and the model and DRF's defaults differ on it.
 */
const emailOf = (username: string) => `⟪known the email now of ${username}⟫`;

// Passwords as DRF's CharField reads them: trimmed (so ' Model-pass-2 ' logs in as 'Model-pass-2'),
// beyond the BMP, and a number taken as its text.
const PASSWORDS = ['Model-pass-1', '  Model-pass-2  ', 'Model-pass-2', '𝔭𝔞𝔰𝔰-🙂-3', 12345678] as const;
const password = fc.constantFrom<string | number>(...PASSWORDS);
const names = fc.oneof({ arbitrary: text, weight: 4 }, { arbitrary: fc.constantFrom<string | number>('', '  Ada  ', 42), weight: 1 });
const phone = fc.constantFrom<string | number>('+905551234567', '', ' +90 555 000 11 22 ', 905551234567);
/** Role ids, as a request names them: pairs of the sequence's sync … */
const roles = fc.subarray(Array.from({ length: ROLE_SLOTS }, (_, k) => `⟪known role ${k}⟫`));
/** … and with one the side does not list. */
const unknownRoles = fc.constantFrom(['⟪known an unlisted role⟫'], ['⟪known role 0⟫', '⟪known an unlisted role⟫']);
const optional = { first_name: names, last_name: names, phone, groups: roles };
/** Emails a PATCH moves a user to: no user of the sequence is created with them, so every user it names was created. */
const MOVED = ['⟪token⟫-moved1@example.com', '⟪token⟫-moved2@example.com'];

/** Each optional field sent or not, independently (a field left out is where a partial update and a replacement differ). */
const someOf = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) =>
  fc
    .tuple(fc.record(fields), fc.subarray(Object.keys(fields)))
    .map(([values, sent]) => Object.fromEntries(sent.map((key) => [key, values[key as keyof typeof values]])));

/** The caller of a write: mostly the admin, the run's other credentials, or the user the sequence last logged in as. */
const writer = fc.oneof(
  { arbitrary: who.map((w) => ({ who: w }) as Pick<Step, 'who' | 'authorization'>), weight: 6 },
  { arbitrary: fc.constant<Pick<Step, 'who' | 'authorization'>>({ who: 'none', authorization: AS_LOGGED_IN }), weight: 1 },
);
const callerName = (caller: Pick<Step, 'who' | 'authorization'>) => (caller.authorization ? 'the user last logged in' : caller.who);

export function amaniModel(): ModelProfile {
  return {
    api: 'amani',
    creates: { createUser: 'id' },
    // No list of users; the role list shows no role of the sequence (roles are the deployment's): its status is compared.
    lists: { listGroups: '' },
    identity: ['email'],
    nobody: '00000000-0000-4000-8000-00000000dead',

    steps({ spec, data }) {
      const step = (operationId: string, label: string, rest: Partial<Step> & { who: Who }): Step => ({ operationId, label, ...rest });
      const create = (
        emails: fc.Arbitrary<string>,
        callers: fc.Arbitrary<Pick<Step, 'who' | 'authorization'>>,
        fieldsOf: fc.Arbitrary<Record<string, unknown>> = someOf(optional),
      ) =>
        fc.tuple(emails, password, fieldsOf, callers).map(([email, secret, fields, caller]) =>
          step('createUser', `creating ${email} as ${callerName(caller)}: ${JSON.stringify({ email, password: secret, ...fields })}`, {
            ...caller,
            body: { email, password: secret, ...fields },
          }),
        );
      // A partial update of user @k: each field sent or not; the email its own, another user's (their current ones) or a fresh one.
      const changes = {
        ...optional,
        groups: fc.oneof({ arbitrary: roles, weight: 6 }, { arbitrary: unknownRoles, weight: 1 }),
        password,
        // Its own (unchanged: DRF's uniqueness check leaves the user itself out) as often as another's or a fresh one.
        email: fc.oneof(
          { arbitrary: fc.constant('own'), weight: 2 },
          { arbitrary: fc.constantFrom(emailOf('⟪email @1⟫'), ...MOVED), weight: 2 },
        ),
      };
      const update = (
        targets: fc.Arbitrary<{ path: string; own: string }>,
        callers: fc.Arbitrary<Pick<Step, 'who' | 'authorization'>>,
        fieldsOf: fc.Arbitrary<Record<string, unknown>> = someOf(changes),
      ) =>
        fc.tuple(targets, fieldsOf, callers).map(([target, fields, caller]) => {
          const body = 'email' in fields && fields.email === 'own' ? { ...fields, email: target.own } : fields;
          return step('updateUser', `updating ${target.path} as ${callerName(caller)}: ${JSON.stringify(body)}`, {
            ...caller,
            path: { user_uuid: target.path },
            body,
          });
        });
      const ofRecord = (k: number) => ({ path: `⟪id @${k}⟫`, own: emailOf(`⟪email @${k}⟫`) });
      const anyTarget = fc.oneof(
        { arbitrary: fc.constantFrom(ofRecord(0), ofRecord(1)), weight: 3 },
        // Ids of nobody: well-formed, and not UUIDs at all (both 404: DRF looks the user up first).
        { arbitrary: fc.constantFrom('⟪nobody⟫', 'not-a-uuid', '12345').map((path) => ({ path, own: emailOf('⟪email @0⟫') })), weight: 1 },
      );

      const badCreate = invalidBody(spec, data, 'createUser', { email: '⟪token⟫-invalid@example.com', password: 'Model-pass-1' });
      const badUpdate = invalidBody(spec, data, 'updateUser', { first_name: 'Ada' });
      const badLogin = invalidBody(spec, data, 'login', { username: '⟪email @0⟫', password: 'Model-pass-1' });
      const badRefresh = invalidBody(spec, data, 'refreshToken', { refresh: '⟪known the refresh token⟫' });
      const login = (username: string, secret: string | number, contentType?: string) =>
        step('login', `logging in as ${username} with ${secret}${contentType ? ' (a form)' : ''}`, {
          who: 'none',
          body: { username, password: secret },
          ...(contentType ? { contentType } : {}),
        });
      const rightLogin = fc
        .tuple(fc.constantFrom('⟪email @0⟫', '⟪email @1⟫'), fc.constantFrom<string | undefined>(undefined, FORM))
        .map(([username, contentType]) => login(username, passwordOf(username), contentType));
      // Invalid bodies (`x-request-rules`), one arbitrary for all four operations (all writes, so a read-only run leaves them all
      // out): drawn as often as one valid kind of step.
      const invalid = present([
        badCreate &&
          fc.tuple(badCreate, who).map(([bad, w]) => step('createUser', `creating a user with ${bad.name} as ${w}`, { who: w, ...bad })),
        badUpdate &&
          fc
            .tuple(badUpdate, anyTarget, who)
            .map(([bad, target, w]) =>
              step('updateUser', `updating ${target.path} with ${bad.name} as ${w}`, { who: w, path: { user_uuid: target.path }, ...bad }),
            ),
        badLogin && fc.tuple(badLogin, who).map(([bad, w]) => step('login', `logging in with ${bad.name} as ${w}`, { who: w, ...bad })),
        badRefresh &&
          fc.tuple(badRefresh, who).map(([bad, w]) => step('refreshToken', `refreshing with ${bad.name} as ${w}`, { who: w, ...bad })),
      ]);
      const adminCreate = create(fc.constant('⟪email new⟫'), fc.constant({ who: 'admin' as Who }));
      // Roles are what Amani's users are about (their permissions follow): sent on most creates, possibly none.
      const adminCreateWithRoles = create(
        fc.constant('⟪email new⟫'),
        fc.constant({ who: 'admin' as Who }),
        fc.tuple(someOf({ first_name: names, last_name: names, phone }), roles).map(([fields, groups]) => ({ ...fields, groups })),
      );
      const adminUpdate = update(fc.constantFrom(ofRecord(0), ofRecord(1)), fc.constant({ who: 'admin' as Who }));
      // A change of roles (which replaces them), with other fields or not.
      const { groups: newRoles, ...otherChanges } = changes;
      const adminRoleUpdate = update(
        fc.constantFrom(ofRecord(0), ofRecord(1)),
        fc.constant({ who: 'admin' as Who }),
        fc.tuple(someOf(otherChanges), newRoles).map(([fields, groups]) => ({ ...fields, groups })),
      );
      // Creates the vendor refuses make no user of the sequence (so that every user a step names exists on the vendor): a taken
      // email — a user's username (the email it was created with), or its email now —, a caller who may not add users, a role
      // id the side does not list.
      const refusedCreate = fc.oneof(
        create(fc.constantFrom('⟪email @0⟫', emailOf('⟪email @1⟫')), writer),
        create(
          fc.constant('⟪token⟫-refused@example.com'),
          who.filter((w) => w !== 'admin').map((w) => ({ who: w })),
        ),
        create(
          fc.constant('⟪token⟫-unknown-role@example.com'),
          fc.constant({ who: 'admin' as Who }),
          someOf({ ...optional, groups: unknownRoles }).map((fields) => ({
            ...fields,
            groups: fields.groups ?? ['⟪known an unlisted role⟫'],
          })),
        ),
      );
      const refresh = fc
        .constantFrom('⟪known the refresh token⟫', '⟪known the access token⟫', 'usermock-not-a-token')
        .map((token) => step('refreshToken', `refreshing with ${token}`, { who: 'none', body: { refresh: token } }));
      return present([
        // Creates: by the admin, fresh emails (drawn more often: most steps need a user of the sequence), and refused ones.
        adminCreate,
        adminCreateWithRoles,
        adminCreateWithRoles,
        refusedCreate,
        // Partial updates: by the admin on a user of the sequence (the most telling write), or anyone on anyone.
        adminUpdate,
        adminRoleUpdate,
        update(anyTarget, writer),
        // Logging in: with the password the user has (JSON or a form, the two media types login lists), or another.
        rightLogin,
        rightLogin,
        rightLogin,
        fc
          .tuple(
            fc.constantFrom('⟪email @0⟫', '⟪email @1⟫', '⟪token⟫-nobody@example.com', ...MOVED),
            fc.constantFrom<string | number>(...PASSWORDS, 'wrong'),
          )
          .map(([username, secret]) => login(username, secret === 'wrong' ? `${passwordOf(username)}-wrong` : secret)),
        // Refreshing: with the refresh token the sequence obtained, an access token instead, or a token nobody issued.
        refresh,
        refresh,
        refresh,
        // The roles: as anyone, and as the user the sequence last logged in as (its roles' permissions decide).
        writer.map((caller) => step('listGroups', `listing the roles as ${callerName(caller)}`, caller)),
        invalid.length > 0 && fc.oneof(...invalid),
      ]);
    },

    async sync(server, vendor, sides) {
      const flags = new Set<string>();
      // Each of the server's roles paired with a model role of the same permissions, each model role once.
      const theirs = rolesIn(await server(listGroups('admin')));
      const ours = rolesIn(await vendor(listGroups('admin')));
      const taken = new Set<number>();
      const pairs: Array<[number, number]> = [];
      for (const role of theirs) {
        const match = ours.find((candidate) => !taken.has(candidate.id) && permissionSet(candidate) === permissionSet(role));
        if (!match) continue;
        taken.add(match.id);
        pairs.push([role.id, match.id]);
      }
      pairs.forEach(([their, our], k) => {
        sides.server.learn(their, `⟨role ${k}⟩`);
        sides.vendor.learn(our, `⟨role ${k}⟩`);
      });
      for (let k = 0; k < ROLE_SLOTS && pairs.length > 0; k++) {
        const [their, our] = pairs[k % pairs.length]!;
        sides.server.known.set(`role ${k}`, their);
        sides.vendor.known.set(`role ${k}`, our);
      }
      sides.server.known.set('an unlisted role', unlisted(theirs));
      sides.vendor.known.set('an unlisted role', unlisted(ours));

      // The standard caller as far as a read shows it: whether it may list roles (it may not add or change users).
      if (sides.server.credential('standard') !== undefined) {
        const listed = (await server(listGroups('standard'))).status;
        const mayList = (await vendor(listGroups('standard'))).status;
        const id = tokenUser(sides.vendor.credential('standard'));
        const viewer = ours.find(
          (role) => role.permissions.includes('view_group') && !role.permissions.some((p) => /^(add|change)_user$/.test(p)),
        );
        const groups = listed === 403 && mayList === 200 ? [] : listed === 200 && mayList === 403 && viewer ? [viewer.id] : undefined;
        if (id && groups) await vendor(apiSpec('amani').call('updateUser', { params: { user_uuid: id }, body: { groups } }));
      }
      return flags;
    },

    remember(step, response, side) {
      const answer = response.json;
      if (response.status >= 300 || !isObject(answer)) return;
      // The company: the caller's, which every user the sequence makes belongs to.
      const company = answer.company ?? answer.company_id;
      if (typeof company === 'string' && !side.known.has('company')) {
        side.known.set('company', company);
        side.learn(company, '⟨company⟩');
      }
      if (step.operationId === 'login' || step.operationId === 'refreshToken') {
        if (typeof answer.access === 'string') side.known.set('the access token', answer.access);
        if (typeof answer.refresh === 'string') side.known.set('the refresh token', answer.refresh);
      }
      // The password a user now logs in with and its email now, by the username it logs in as.
      const sent = step.body;
      if ((step.operationId === 'createUser' || step.operationId === 'updateUser') && typeof answer.username === 'string') {
        if (isObject(sent) && sent.password !== undefined) side.known.set(`the password of ${answer.username}`, sent.password);
        if (typeof answer.email === 'string') side.known.set(`the email now of ${answer.username}`, answer.email);
      }
    },

    observe(model) {
      // Logging in is the only read of a user: what it shows (names, roles, permissions, company) for each the sequence made.
      return Array.from({ length: model.records }, (_, k): Step => {
        const username = `⟪email ${k}⟫`;
        return {
          operationId: 'login',
          who: 'none',
          body: { username, password: passwordOf(username) },
          label: `finally: logging in as ${username} with the password it was last given`,
        };
      });
    },
  };
}
