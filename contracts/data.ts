import type { Faker } from '@faker-js/faker';
import { generateSync, type JsonSchema } from 'json-schema-faker';
import { seededFaker } from '../specs/faker.ts';
import { schemaFor, type Schema } from '../specs/schema.ts';

/** Every user the suite creates has an email with this prefix, so they are easy to find and remove. */
export const TEST_EMAIL_PREFIX = 'usermock-';

/** A body with one defect, and which rule of the schema it breaks. */
export interface InvalidBody {
  name: string;
  /** The broken keyword (`required`, `type`, `format` …), or `malformed-json` / `not-an-object`. */
  keyword: string;
  field?: string;
  body?: unknown;
  /** Sent as is, for bodies that are not JSON at all. */
  raw?: string;
}

type Properties = Record<string, Schema>;

/** A per-run token of letters and digits: every run's data differs, whatever its seed. */
export function newNonce(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(6)), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');
}

/**
 * Makes request data from the spec's schemas: valid bodies (json-schema-faker, seeded, with
 * realistic values for well-known field names from faker) and invalid variants of them, one
 * defect each. The seed fixes every shape and choice, so a run can be repeated; the run's nonce
 * makes its emails and names unique, so a repeat never meets what an earlier run left behind.
 */
export class DataFactory {
  readonly faker: Faker;
  /** Every password this run gave a user: reports mask them, reproductions make new ones. */
  readonly passwords: string[] = [];
  private counter = 0;

  constructor(
    readonly seed: number,
    readonly nonce: string = newNonce(),
  ) {
    this.faker = seededFaker(seed);
  }

  /** An email no other request of any run used, recognisable as test data. */
  email(): string {
    return `${this.token()}@example.com`;
  }

  /** An internationalised email no other request used (for servers that take `idn-email`). */
  idnEmail(): string {
    return `${this.token()}-zoë@exämple.com`;
  }

  /** A unique token for usernames, group names and the like. */
  token(): string {
    return `${TEST_EMAIL_PREFIX}${this.nonce}-${++this.counter}`;
  }

  /** A password for a user of this run. */
  password(): string {
    const password = `${this.faker.internet.password({ length: 12 })}-${this.nonce}`;
    this.passwords.push(password);
    return password;
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
    const text = schema.type === 'string' || ((schema.anyOf as Schema[] | undefined) ?? []).some((member) => member.type === 'string');
    if (!text || schema.enum) return undefined;
    if (/email$/.test(String(schema.format)) || name === 'email') return this.email();
    if (/^(first_name|nameFirst)$/.test(name)) return this.faker.person.firstName();
    if (/^(last_name|nameLast)$/.test(name)) return this.faker.person.lastName();
    if (name === 'name') return this.faker.person.fullName();
    if (name === 'password') return this.password();
    if (name === 'phone') return this.faker.phone.number({ style: 'international' });
    if (name === 'picture') return this.faker.image.avatarGitHub();
    return undefined;
  }

  /**
   * Variants of a valid body that the schema forbids, one defect each: a required field missing,
   * a wrong type, a bad format, an unknown enum value, a string too long or too short — plus
   * bodies that are not a JSON object at all. Whether the server must refuse one is the spec's
   * `x-request-rules`, not this list's business.
   */
  invalidBodies(schema: Schema, valid: Record<string, unknown>, isValid: (body: unknown) => boolean): InvalidBody[] {
    const requestSchema = schemaFor(schema, 'request');
    const properties = (requestSchema.properties ?? {}) as Properties;
    const variants: InvalidBody[] = [
      { name: 'malformed JSON', keyword: 'malformed-json', raw: '{"email": "broken@example.com",' },
      { name: 'a JSON array instead of an object', keyword: 'not-an-object', raw: '[]' },
      { name: 'a JSON string instead of an object', keyword: 'not-an-object', raw: '"user"' },
      { name: 'JSON null instead of an object', keyword: 'not-an-object', raw: 'null' },
    ];
    for (const field of (requestSchema.required as string[] | undefined) ?? []) {
      const { [field]: _removed, ...rest } = valid;
      variants.push({ name: `${field} missing`, keyword: 'required', field, body: rest });
    }
    const defect = (field: string, keyword: string, name: string, value: unknown) =>
      variants.push({ name, keyword, field, body: { ...valid, [field]: value } });
    for (const [field, declared] of Object.entries(properties)) {
      const property = flatten(declared);
      if (property.readOnly) continue;
      defect(field, 'type', `${field} of the wrong type`, wrongTypeFor(property));
      if (property.format)
        defect(
          field,
          'format',
          `${field} not a valid ${property.format}`,
          /email$/.test(String(property.format)) ? 'not-an-email' : `not-a-${property.format}`,
        );
      if (Array.isArray(property.enum)) defect(field, 'enum', `${field} outside its enum`, 'usermock-unknown-value');
      if (typeof property.maxLength === 'number') defect(field, 'maxLength', `${field} too long`, 'x'.repeat(property.maxLength + 1));
      if (typeof property.minLength === 'number' && property.minLength > 0) defect(field, 'minLength', `${field} too short`, '');
      if (typeof property.pattern === 'string') defect(field, 'pattern', `${field} not matching its pattern`, 'usermock !invalid!');
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
