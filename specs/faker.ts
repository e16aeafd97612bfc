import type { Faker } from '@faker-js/faker';
import { faker as englishFaker } from '@faker-js/faker/locale/en';

// The package's main entry loads every locale (~130 ms); the English one alone loads in ~20 ms,
// which is most of `usermock serve`'s start-up. Its instance's class makes independent ones.
const EnglishFaker = englishFaker.constructor as typeof Faker;

/** A faker of its own (English data), seeded: the same seed gives the same values. */
export function seededFaker(seed: number): Faker {
  return new EnglishFaker({ locale: englishFaker.rawDefinitions, seed });
}
