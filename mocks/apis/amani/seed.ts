// Amani's seeded company: the roles and users the spec's examples show, the mock's own roles, then
// faker users.
import type { components } from '../../../specs/generated/amani.types.ts';
import { apiSpec } from '../../../specs/index.ts';
import type { SeedOptions } from '../../core/api.ts';
import { AmaniState, signToken, type AmaniRole, type AmaniRecord } from './state.ts';

/** The password of every seeded user. */
export const SEEDED_PASSWORD = 'usermock-password';

/**
 * The mock's own roles besides the documented ones (the spec's examples show ids 2–4): a role
 * that grants only viewing, for the standard credential, and one more.
 */
const EXTRA_ROLES: AmaniRole[] = [
  { id: 1, name: 'Viewer', permissions: ['view_user', 'view_group'] },
  { id: 5, name: 'Support', permissions: ['view_user', 'view_group', 'view_company', 'view_profile', 'change_profile', 'view_document'] },
];
const VIEWER_ROLE = 1;
/** The permission that makes a caller the admin: a user who may create users. */
const ADMIN_PERMISSION = 'add_user';

// The seeded credentials are issued at a fixed time and expire in 2100, so they are the same for
// a seed and valid in every session, whenever the mock runs. The tokens the spec's examples show
// (login, refresh) are issued alike with the seed's signing key, so the mock takes them as its own.
const CREDENTIALS_ISSUED_AT = Date.UTC(2025, 0, 1) / 1000;
const CREDENTIALS_EXPIRE_AT = Date.UTC(2100, 0, 1) / 1000;

/** What the spec's examples marked `x-usermock-seed` show: the company, its roles and its users. */
interface Documented {
  company?: string;
  roles: AmaniRole[];
  users: AmaniRecord[];
}

/**
 * The entities of the examples marked `x-usermock-seed`: the roles of a `listGroups` answer, and
 * the user of each `login` answer (active, no MFA, nothing to reset), with its roles, its company
 * and the password of the marked login request of the same name (the examples use
 * `usermock-password`, every seeded user's). A marked example the seed cannot read, or two that
 * disagree, are a spec error, thrown at the first seed.
 */
function documented(): Documented {
  const examples = apiSpec('amani').seededExamples();
  const roles = new Map<number, AmaniRole>();
  const users: AmaniRecord[] = [];
  let company: string | undefined;
  const wrong = (name: string, why: string) => new Error(`amani spec: the example ${name} marked x-usermock-seed ${why}`);
  const addRole = (name: string, role: AmaniRole) => {
    const known = roles.get(role.id);
    if (known && JSON.stringify(known) !== JSON.stringify(role)) throw wrong(name, `shows role ${role.id} unlike another example`);
    roles.set(role.id, { id: role.id, name: role.name, permissions: [...role.permissions] });
  };
  for (const example of examples) {
    const where = `${example.operationId} ${example.where} ${example.name}`;
    if (example.operationId === 'listGroups' && example.where === 'response' && Array.isArray(example.value)) {
      for (const role of example.value as AmaniRole[]) addRole(where, role);
    } else if (example.operationId === 'login' && example.where === 'response' && example.status === '200') {
      const answer = example.value as components['schemas']['LoginResponse'];
      const request = examples.find((other) => other.operationId === 'login' && other.where === 'request' && other.name === example.name);
      if (!request) throw wrong(where, 'has no login request of the same name marked too');
      const { username, password } = request.value as components['schemas']['LoginRequest'];
      if (username !== answer.username) throw wrong(where, 'answers another user than its request logs in');
      if (company !== undefined && company !== answer.company_id) throw wrong(where, 'shows another company');
      company = answer.company_id;
      for (const role of answer.groups) addRole(where, role);
      users.push({
        id: answer.id,
        username: answer.username,
        email: answer.username,
        password: String(password),
        first_name: answer.first_name,
        last_name: answer.last_name,
        phone: answer.phone,
        groups: answer.groups.map((role) => role.id).sort((a, b) => a - b),
        mfa: false,
        reset_pw: false,
        reset_2fa: false,
        is_active: true,
      });
    } else if (example.where !== 'request' || example.operationId !== 'login') {
      throw wrong(where, 'shows nothing the seed reads (login requests and answers, listGroups answers)');
    }
  }
  return { company, roles: [...roles.values()], users };
}

/**
 * The documented company, roles and users first (the users count towards `users`), then the
 * mock's own roles and faker users up to `users`. There is always at least one faker user: the
 * first is a Viewer and holds the standard credential. The admin credential belongs to the first
 * documented user who may create users (the spec's company admin).
 */
export function seed({ faker, users }: SeedOptions): AmaniState {
  // Drawn first, so the signing key and the credentials (and with them the tokens the examples
  // show) depend on neither the examples nor `users`.
  const secret = faker.string.alphanumeric(50); // the length of a Django SECRET_KEY
  const [adminJti, standardJti] = [0, 1].map(() => faker.string.hexadecimal({ length: 32, casing: 'lower', prefix: '' }));
  const credential = (user: AmaniRecord, jti: string) =>
    signToken(secret, { token_type: 'access', exp: CREDENTIALS_EXPIRE_AT, iat: CREDENTIALS_ISSUED_AT, jti, user_id: user.id });

  const known = documented();
  const roles = [...known.roles, ...EXTRA_ROLES.filter((role) => !known.roles.some((other) => other.id === role.id))].sort(
    (a, b) => a.id - b.id,
  );
  const grantsAdmin = (id: number) => roles.find((role) => role.id === id)?.permissions.includes(ADMIN_PERMISSION) === true;
  const admin = known.users.find((user) => user.is_active && user.groups.some(grantsAdmin));
  if (!admin) throw new Error('amani spec: no login example marked x-usermock-seed logs in a user who may add users');
  const company = known.company ?? faker.string.uuid();
  const roleIds = roles.map((role) => role.id).filter((id) => !grantsAdmin(id));

  const seeded: AmaniRecord[] = [...known.users];
  const emails = new Set(seeded.map((user) => user.email));
  const documentedCount = seeded.length;
  for (let i = documentedCount; i < Math.max(users, documentedCount + 1); i++) {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const local = `${firstName}.${lastName}`
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9.-]/g, '');
    let email = `${local}@example.com`;
    for (let n = 2; emails.has(email); n++) email = `${local}${n}@example.com`;
    emails.add(email);
    const standard = i === documentedCount;
    seeded.push({
      id: faker.string.uuid(),
      username: email,
      email,
      password: SEEDED_PASSWORD,
      first_name: firstName,
      last_name: lastName,
      phone: faker.helpers.maybe(() => `+905${faker.string.numeric(9)}`, { probability: 0.8 }) ?? '',
      groups: standard ? [VIEWER_ROLE] : faker.helpers.arrayElements(roleIds, { min: 0, max: 2 }).sort((a, b) => a - b),
      mfa: faker.datatype.boolean({ probability: 0.3 }),
      reset_pw: faker.datatype.boolean({ probability: 0.1 }),
      reset_2fa: faker.datatype.boolean({ probability: 0.05 }),
      is_active: standard || faker.datatype.boolean({ probability: 0.9 }),
    });
  }
  return AmaniState.fromJSON({
    company,
    secret,
    roles,
    users: seeded,
    credentials: { admin: credential(admin, adminJti!), standard: credential(seeded[documentedCount]!, standardJti!) },
  });
}
