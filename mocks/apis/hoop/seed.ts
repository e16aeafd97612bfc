// hoop's seeded organisation: the users the spec's examples show, then faker users.
import { apiSpec } from '../../../specs/index.ts';
import type { SeedOptions } from '../../core/api.ts';
import { isObject } from '../../core/http.ts';
import { ADMIN_GROUP, HoopState, roleOf, type HoopStatus, type HoopRecord } from './state.ts';
import { TEAM_GROUPS } from './factory.ts';
import { string, strings } from './wire.ts';

/**
 * The users the spec's examples marked `x-usermock-seed` show (the organization listed by
 * `GET /api/users`), each once, in document order. Every example naming an existing user or group
 * (`admin`, `sre`, `dba`: their groups) is about one of them, so the examples run against the state
 * `usermock serve` starts with. Fresh objects on every call: the state mutates its users.
 */
function documentedUsers(): HoopRecord[] {
  const users = new Map<string, HoopRecord>();
  for (const example of apiSpec('hoop').seededExamples()) {
    const records = Array.isArray(example.value) ? (example.value as unknown[]) : [example.value];
    for (const record of records) {
      if (!isObject(record) || typeof record.email !== 'string' || users.has(record.email)) continue;
      users.set(record.email, {
        id: string(record.id),
        email: record.email,
        name: string(record.name),
        picture: string(record.picture),
        slack_id: string(record.slack_id),
        groups: [...strings(record.groups)],
        status: (record.status as HoopStatus | undefined) ?? 'active',
        verified: record.verified === true,
        ...(typeof record.password === 'string' ? { password: record.password } : {}),
      });
    }
  }
  return [...users.values()];
}

/**
 * The documented users first (they count towards `users`: the first `users` of them when there are
 * more), then faker users up to `users`. The admin credential belongs to the first active admin,
 * the standard one to the first active non-admin: with the spec's examples, Jane Doe and John Smith.
 * Never fewer than those two users.
 */
export function seed({ faker, users: asked }: SeedOptions): HoopState {
  // The users the two credentials belong to always exist, whatever was asked.
  const users = Math.max(asked, 2);
  const state = new HoopState(
    { id: faker.string.uuid(), name: faker.company.name() },
    { admin: faker.string.alphanumeric(40), standard: faker.string.alphanumeric(40), byToken: {} },
  );
  for (const user of documentedUsers().slice(0, users)) state.put(user);
  // Without documented users, the first faker user is the admin and the second a standard user.
  for (let i = state.users.size; i < users; i++) {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const groups = faker.helpers.arrayElements(TEAM_GROUPS, { min: 0, max: 2 });
    if (i === 0) groups.unshift(ADMIN_GROUP);
    state.put({
      id: faker.string.uuid(),
      email: `${firstName}.${lastName}.${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
      name: `${firstName} ${lastName}`,
      picture: faker.image.avatarGitHub(),
      slack_id: `U${faker.string.alphanumeric({ length: 10, casing: 'upper' })}`,
      groups: i === 1 ? groups.filter((group) => group !== ADMIN_GROUP) : groups,
      status:
        i < 2
          ? 'active'
          : faker.helpers.weightedArrayElement([
              { weight: 8, value: 'active' },
              { weight: 1, value: 'inactive' },
              { weight: 1, value: 'invited' },
            ]),
      verified: true,
    });
  }
  const active = [...state.users.values()].filter((user) => user.status === 'active');
  const admin = active.find((user) => roleOf(user) === 'admin');
  const standard = active.find((user) => roleOf(user) !== 'admin');
  if (admin) state.tokens.byToken[state.tokens.admin] = admin.id;
  if (standard) state.tokens.byToken[state.tokens.standard] = standard.id;
  return state;
}
