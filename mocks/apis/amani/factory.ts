// A body for Amani's createUser with faker for every field not given: scenarios' users and the
// typed `amani.user()` factory.
import type { Faker } from '@faker-js/faker';
import type { operations } from '../../../specs/generated/amani.types.ts';
import { SEEDED_PASSWORD } from './seed.ts';

/** What `POST /api/v2/user/` takes. */
export type AmaniNewUser = operations['createUser']['requestBody']['content']['application/json'];

/** A user Amani accepts, with the seeded users' password (so it can log in) unless one is given. */
export function newUser(faker: Faker, fields: Partial<AmaniNewUser> = {}): AmaniNewUser {
  const firstName = faker.person.firstName();
  const lastName = faker.person.lastName();
  const local = `${firstName}.${lastName}.${faker.string.alphanumeric(6)}`
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9.-]/g, '');
  return {
    email: `${local}@example.com`,
    password: SEEDED_PASSWORD,
    first_name: firstName,
    last_name: lastName,
    phone: `+905${faker.string.numeric(9)}`,
    ...fields,
  };
}
