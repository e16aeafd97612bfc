// A body for hoop's createUser with faker for every field not given: scenarios' users and the
// typed `hoop.user()` factory.
import type { Faker } from '@faker-js/faker';
import type { operations } from '../../../specs/generated/hoop.types.ts';
import { ADMIN_GROUP } from './state.ts';

/** What `POST /api/users` takes (the spec's user). */
export type HoopNewUser = operations['createUser']['requestBody']['content']['application/json'];

/** What a scenario's user may give besides the body's fields: `role`, which `newUser` turns into the admin group or its absence. */
export const shorthands = {
  role: {
    type: 'string',
    enum: ['admin', 'standard'],
    description: 'hoop derives the role from the groups: admin puts the user in the admin group, standard keeps it out (it is not sent)',
  },
};

export const TEAM_GROUPS = ['sre', 'dba', 'engineering', 'support', 'security'];

/**
 * A user hoop accepts. hoop derives the role from the groups (`admin`), so a `role` given puts the
 * user in the admin group or keeps it out, and is not sent.
 */
export function newUser(faker: Faker, { role, ...fields }: Partial<HoopNewUser> = {}): HoopNewUser {
  const firstName = faker.person.firstName();
  const lastName = faker.person.lastName();
  const groups = fields.groups ?? faker.helpers.arrayElements(TEAM_GROUPS, { min: 0, max: 2 });
  return {
    email: `${firstName}.${lastName}.${faker.string.alphanumeric(6)}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
    name: `${firstName} ${lastName}`,
    picture: faker.image.avatarGitHub(),
    slack_id: `U${faker.string.alphanumeric({ length: 10, casing: 'upper' })}`,
    status: 'active',
    ...fields,
    groups:
      role === 'admin' && !groups.includes(ADMIN_GROUP)
        ? [ADMIN_GROUP, ...groups]
        : role === 'standard'
          ? groups.filter((group) => group !== ADMIN_GROUP)
          : groups,
  };
}
