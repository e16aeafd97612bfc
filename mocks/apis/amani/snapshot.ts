import type { JSONSchemaType } from 'ajv';
import type { AmaniSnapshot } from './state.ts';

const string = { type: 'string' } as const;
const secret = { type: 'string', minLength: 1 } as const;
const flag = { type: 'boolean' } as const;

/** What `restore` takes: a state file's `amani` (typed against `AmaniSnapshot`, so the two cannot drift apart). */
export const snapshotSchema: JSONSchemaType<AmaniSnapshot> = {
  type: 'object',
  required: ['company', 'secret', 'roles', 'users', 'credentials'],
  properties: {
    company: string,
    // Signs every token: without it no credential the mock printed, nor any login, would verify.
    secret,
    roles: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'permissions'],
        properties: { id: { type: 'integer' }, name: string, permissions: { type: 'array', items: string } },
      },
    },
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'id',
          'username',
          'email',
          'password',
          'first_name',
          'last_name',
          'phone',
          'groups',
          'mfa',
          'reset_pw',
          'reset_2fa',
          'is_active',
        ],
        properties: {
          id: secret,
          username: string,
          email: string,
          password: string,
          first_name: string,
          last_name: string,
          phone: string,
          groups: { type: 'array', items: { type: 'integer' } },
          mfa: flag,
          reset_pw: flag,
          reset_2fa: flag,
          is_active: flag,
        },
      },
    },
    credentials: { type: 'object', required: ['admin', 'standard'], properties: { admin: secret, standard: secret } },
  },
};
