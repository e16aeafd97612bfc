// Typed factories for tests: a user each API accepts, with the fields that matter to the test and
// faker for the rest — `hoop.user({ role: 'admin' })`. Send it (`POST`), put it in a scenario, or
// add it with `mock.addUser('hoop', …)`.
import { seededFaker } from '../specs/faker.ts';
import { newUser as newAmaniUser, type AmaniNewUser } from './apis/amani/factory.ts';
import { newUser as newHaploUser, type HaploNewUser } from './apis/haplo/factory.ts';
import { newUser as newHoopUser, type HoopNewUser } from './apis/hoop/factory.ts';

// One stream for every factory call: each call gives a new user (its email unique), the same
// sequence in every run.
const faker = seededFaker(20_261_130);

export const hoop = {
  /** A body `POST /api/users` accepts; `role: 'admin'` puts the user in hoop's admin group. */
  user: (fields: Partial<HoopNewUser> = {}): HoopNewUser => newHoopUser(faker, fields),
};
export const amani = {
  /** A body `POST /api/v2/user/` accepts, with the seeded users' password unless one is given. */
  user: (fields: Partial<AmaniNewUser> = {}): AmaniNewUser => newAmaniUser(faker, fields),
};
export const haplo = {
  /** A body `POST /api/v0-user/create` accepts. */
  user: (fields: Partial<HaploNewUser> = {}): HaploNewUser => newHaploUser(faker, fields),
};
