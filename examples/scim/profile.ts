// What `usermock check scim` needs to know of the SCIM API beyond its spec: which operations
// create, read, update, remove and list a user, the field that keys one, what a valid body needs
// that the schema cannot say, and requests for the statuses of PATCH and the list's filter. Every
// other part of the profile comes from the spec. It names no mock: it checks any server of the API.
import { defineContractProfile, loadSpec } from 'usermock';
import type { components, operations } from './scim.types.ts';

const spec = await loadSpec<operations>(new URL('./scim.openapi.yaml', import.meta.url), { name: 'scim' });
const patch = (id: string, ...Operations: Array<components['schemas']['PatchOperation']>) =>
  spec.call('patchUser', { params: { id }, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations } });

/** The SCIM API's profile for one run. */
export const scimProfile = () =>
  defineContractProfile({
    api: 'scim',
    spec,
    operations: { create: 'createUser', read: 'getUser', update: 'replaceUser', remove: 'deleteUser', list: 'listUsers' },
    key: 'id',
    replaces: true,
    uniqueIgnoresCase: true,
    // RFC 7643 §2.4: one primary email at most; §2.5: an empty list is the attribute unassigned (not shown).
    accepted: ({ emails, ...user }) => {
      const listed = Array.isArray(emails) ? emails.map((email, i) => (i === 0 ? email : { ...email, primary: false })) : [];
      return listed.length > 0 ? { ...user, emails: listed } : user;
    },
    provocations: async ({ data }, user) => [
      {
        operationId: 'listUsers',
        status: 400,
        purpose: 'a filter the API does not support',
        call: spec.call('listUsers', { query: { filter: 'title pr' } }),
      },
      {
        operationId: 'patchUser',
        status: 404,
        purpose: 'patching a user nobody is',
        call: patch(data.faker.string.uuid(), { op: 'replace', path: 'active', value: true }),
      },
      ...(user
        ? [
            // Another user of the run holds the userName these two give the run's user (RFC 7644 §3.3: uniqueness).
            ...(['replaceUser', 'patchUser'] as const).map((operationId) => {
              const other = spec.call('createUser', {
                body: { ...user.sent, userName: `${operationId}.${data.nonce}@example.com` } as never,
              });
              const body = { ...user.sent, userName: (other.body as { userName: string }).userName };
              const call =
                operationId === 'replaceUser'
                  ? spec.call('replaceUser', { params: { id: user.key }, body: body as never })
                  : patch(user.key, { op: 'replace', path: 'userName', value: body.userName });
              return { operationId, status: 409, purpose: "giving the user another user's userName", setup: [other], call };
            }),
            {
              operationId: 'patchUser',
              status: 200,
              purpose: 'deactivating a user of the run',
              call: patch(user.key, { op: 'replace', path: 'active', value: false }),
            },
            {
              operationId: 'patchUser',
              status: 400,
              purpose: 'removing without a path (noTarget)',
              call: patch(user.key, { op: 'remove' }),
            },
          ]
        : []),
    ],
  });
