import type { SchemaObject } from 'ajv';

const string = { type: 'string' } as const;
const orNull = { type: ['string', 'null'] } as const;
const secret = { type: 'string', minLength: 1 } as const;
const flag = { type: 'boolean' } as const;
const id = { type: 'integer', minimum: 1 } as const;

/**
 * What `restore` takes: a state file's `haplo`, as `HaploSnapshot` says. Not typed against it as
 * hoop's and Amani's are: ajv's schema type cannot express a required `string | null`; the seeded
 * and served states are checked against it instead (test/mock/snapshot.test.ts).
 */
export const snapshotSchema: SchemaObject = {
  type: 'object',
  required: ['nextId', 'principals', 'keys'],
  properties: {
    nextId: id,
    principals: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'id',
          'nameFirst',
          'nameLast',
          'name',
          'code',
          'email',
          'ref',
          'isGroup',
          'isActive',
          'isSuperUser',
          'isServiceUser',
          'isAnonymous',
          'localeId',
          'tags',
          'groups',
        ],
        properties: {
          id,
          nameFirst: orNull,
          nameLast: orNull,
          name: orNull,
          code: orNull,
          email: orNull,
          ref: orNull,
          isGroup: flag,
          isActive: flag,
          isSuperUser: flag,
          isServiceUser: flag,
          isAnonymous: flag,
          localeId: string,
          tags: { type: 'object', required: [], additionalProperties: string },
          groups: { type: 'array', items: id },
        },
      },
    },
    keys: {
      type: 'object',
      required: ['admin', 'standard', 'byKey'],
      properties: { admin: secret, standard: secret, byKey: { type: 'object', required: [], additionalProperties: id } },
    },
  },
};
