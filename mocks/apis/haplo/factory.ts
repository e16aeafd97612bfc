// A body for Haplo's createUser with faker for every field not given: scenarios' users and the
// typed `haplo.user()` factory.
import type { Faker } from '@faker-js/faker';
import type { operations } from '../../../specs/generated/haplo.types.ts';

/** What `POST /api/v0-user/create` takes. */
export type HaploNewUser = operations['createUser']['requestBody']['content']['application/json'];

/** A person Haplo accepts (its API group in `directGroupMembership` makes them an admin of the API). */
export function newUser(faker: Faker, fields: Partial<HaploNewUser> = {}): HaploNewUser {
  const nameFirst = faker.person.firstName();
  const nameLast = faker.person.lastName();
  const local = `${nameFirst}.${nameLast}.${faker.string.alphanumeric(6)}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
  return { nameFirst, nameLast, email: `${local}@example.ac.uk`, ...fields };
}
