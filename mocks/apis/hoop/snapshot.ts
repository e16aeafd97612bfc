import type { JSONSchemaType } from 'ajv';
import type { HoopSnapshot } from './state.ts';

const string = { type: 'string' } as const;
const secret = { type: 'string', minLength: 1 } as const;

/** What `restore` takes: a state file's `hoop` (typed against `HoopSnapshot`, so the two cannot drift apart). */
export const snapshotSchema: JSONSchemaType<HoopSnapshot> = {
  type: 'object',
  required: ['org', 'users', 'groups', 'tokens'],
  properties: {
    org: { type: 'object', required: ['id', 'name'], properties: { id: string, name: string } },
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'email', 'name', 'picture', 'slack_id', 'groups', 'status', 'verified'],
        properties: {
          id: secret,
          email: string,
          name: string,
          picture: string,
          slack_id: string,
          groups: { type: 'array', items: string },
          status: string,
          verified: { type: 'boolean' },
          password: { ...string, nullable: true },
        },
      },
    },
    groups: { type: 'array', items: string },
    tokens: {
      type: 'object',
      required: ['admin', 'standard', 'byToken'],
      properties: {
        admin: secret,
        standard: secret,
        byToken: { type: 'object', required: [], additionalProperties: string },
      },
    },
  },
};
