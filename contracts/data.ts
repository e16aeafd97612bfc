import type { Faker } from '@faker-js/faker';
import { generateSync, type JsonSchema } from 'json-schema-faker';
import { seededFaker } from '../mocks/core/faker.ts';
import { schemaFor, type Schema } from '../specs/schema.ts';

/** Every user the suite creates has an email with this prefix, so they are easy to find and remove. */
export const TEST_EMAIL_PREFIX = 'usermock-';

/** Names that exercise non-ASCII handling: accents, other scripts, an emoji outside the BMP. */
export const UNICODE_NAMES = { first: 'Zoë-Ångström', last: 'Łukasiewicz 李雷 🙂', full: 'Zoë Ångström 李雷 🙂' };

/** A body the server should refuse, and why. */
export interface InvalidBody {
  name: string;
  body?: unknown;
  /** Sent as is, for bodies that are not JSON at all. */
  raw?: string;
}

type Properties = Record<string, Schema>;

/**
 * Makes request data from the spec's schemas: valid bodies (json-schema-faker, seeded, with
 * realistic values for well-known field names from faker) and invalid variants of them, one
 * defect each. The same seed makes the same data, so a run can be repeated exactly.
 */
export class DataFactory {
  readonly faker: Faker;
  private counter = 0;

  constructor(readonly seed: number) {
    this.faker = seededFaker(seed);
  }

  /** An email no earlier request of this run used, recognisable as test data. */
  email(): string {
    return `${TEST_EMAIL_PREFIX}${this.seed}-${++this.counter}-${this.faker.string.alphanumeric({ length: 6, casing: 'lower' })}@example.com`;
  }

  /** A short unique token for usernames and names. */
  token(): string {
    return `usermock${this.seed}x${++this.counter}`;
  }

  /** A valid body for a request schema: every property, server-assigned (readOnly) ones left out. */
  body(schema: Schema): Record<string, unknown> {
    const requestSchema = withoutReadOnly(schemaFor(schema, 'request'));
    const generated = generateSync(requestSchema as JsonSchema, {
      seed: this.faker.number.int(2 ** 31),
      optionalsProbability: 1,
    }) as Record<string, unknown>;
    for (const name of Object.keys(generated)) {
      const realistic = this.realistic(name, flatten((requestSchema.properties as Properties)[name] ?? {}));
      if (realistic !== undefined) generated[name] = realistic;
    }
    return generated;
  }

  private realistic(name: string, schema: Schema): unknown {
    if (schema.type !== 'string' || schema.enum) return undefined;
    if (schema.format === 'email' || name === 'email') return this.email();
    if (/^(first_name|nameFirst)$/.test(name)) return this.faker.person.firstName();
    if (/^(last_name|nameLast)$/.test(name)) return this.faker.person.lastName();
    if (name === 'name') return this.faker.person.fullName();
    if (name === 'password') return this.faker.internet.password({ length: 16 });
    if (name === 'phone') return this.faker.phone.number({ style: 'international' });
    if (name === 'picture') return this.faker.image.avatarGitHub();
    return undefined;
  }

  /**
   * Variants of a valid body that the schema forbids, one defect each: a required field missing,
   * a wrong type, a bad format, an unknown enum value, a string over its maximum length, non-ASCII
   * where an email is expected — plus bodies that are not a JSON object at all.
   */
  invalidBodies(schema: Schema, valid: Record<string, unknown>, isValid: (body: unknown) => boolean): InvalidBody[] {
    const requestSchema = schemaFor(schema, 'request');
    const properties = (requestSchema.properties ?? {}) as Properties;
    const variants: InvalidBody[] = [
      { name: 'malformed JSON', raw: '{"email": "broken@example.com",' },
      { name: 'JSON array instead of an object', raw: '[]' },
      { name: 'JSON string instead of an object', raw: '"user"' },
      { name: 'JSON null', raw: 'null' },
    ];
    for (const field of (requestSchema.required as string[] | undefined) ?? []) {
      const { [field]: _removed, ...rest } = valid;
      variants.push({ name: `required ${field} missing`, body: rest });
    }
    for (const [field, declared] of Object.entries(properties)) {
      const property = flatten(declared);
      if (property.readOnly) continue;
      variants.push({ name: `${field} of the wrong type`, body: { ...valid, [field]: wrongTypeFor(property) } });
      if (property.format === 'email') {
        variants.push({ name: `${field} not an email`, body: { ...valid, [field]: 'not-an-email' } });
        variants.push({ name: `${field} with non-ASCII`, body: { ...valid, [field]: 'zoë@exämple.cöm' } });
      } else if (property.format) {
        variants.push({ name: `${field} not a ${property.format}`, body: { ...valid, [field]: `not-a-${property.format}` } });
      }
      if (Array.isArray(property.enum))
        variants.push({ name: `${field} outside its enum`, body: { ...valid, [field]: 'usermock-unknown-value' } });
      if (typeof property.maxLength === 'number')
        variants.push({ name: `${field} too long`, body: { ...valid, [field]: 'x'.repeat(property.maxLength + 1) } });
    }
    // Only what the spec itself forbids is a defect; a variant the schema allows is dropped.
    return variants.filter((variant) => variant.raw !== undefined || !isValid(variant.body));
  }
}

/** A value of a type the property does not allow (never null, which `nullable` may allow). */
function wrongTypeFor(property: Schema): unknown {
  switch (property.type) {
    case 'string':
      return { unexpected: 'object' };
    case 'array':
    case 'object':
    case 'integer':
    case 'number':
    case 'boolean':
      return 'not-a-' + property.type;
    default:
      return { unexpected: 'object' };
  }
}

/** A property with its `allOf` members merged in, so `type`, `enum` and `format` are at the top. */
function flatten(property: Schema): Schema {
  const members = (property.allOf as Schema[] | undefined) ?? [];
  return Object.assign({}, ...members.map(flatten), property);
}

function withoutReadOnly(schema: Schema): Schema {
  const properties = schema.properties as Properties | undefined;
  if (!properties) return schema;
  return { ...schema, properties: Object.fromEntries(Object.entries(properties).filter(([, property]) => !property.readOnly)) };
}
