// The independent SCIM server does what examples/scim/scim.openapi.yaml says, every answer
// validated against the spec's schema for its operation and status; and each broken variant
// really has its fault (and the correct server has none of them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../../specs/index.ts';
import { BROKEN_KINDS, createScimServer, PATCH_URN, SCIM_JSON, USER_URN, type BrokenKind, type ScimServer } from './independent-server.ts';

const spec = await loadSpec(new URL('../../../examples/scim/scim.openapi.yaml', import.meta.url), { name: 'scim' });
const seeded = spec.seededExamples().find((example) => example.operationId === 'listUsers')!.value as {
  Resources: Array<Record<string, unknown>>;
};
const users = seeded.Resources;
const tokens = { adminToken: 'scim-admin-token', standardToken: 'scim-standard-token' };
const BJENSEN = '2819c223-7f76-453a-919d-413861904646';
const JSMITH = '7d1c3a5e-9b2f-4c6d-8e0a-1f2b3c4d5e6f';
const NOBODY = '00000000-0000-4000-8000-000000000000';

interface Answer {
  status: number;
  headers: Headers;
  json: any;
}

type Who = 'admin' | 'standard' | { header?: string };

/** Sends a request to a server; a body is sent as application/scim+json unless a type is named. */
async function send(
  server: ScimServer,
  method: string,
  path: string,
  options: { who?: Who; body?: unknown; raw?: string; contentType?: string } = {},
): Promise<Answer> {
  const { who = 'admin', body, raw, contentType = SCIM_JSON } = options;
  const headers: Record<string, string> = {};
  const authorization =
    who === 'admin' ? `Bearer ${tokens.adminToken}` : who === 'standard' ? `Bearer ${tokens.standardToken}` : who.header;
  if (authorization !== undefined) headers.authorization = authorization;
  const text = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (text !== undefined) headers['content-type'] = contentType;
  const response = await fetch(server.url + path, { method, headers, body: text });
  const received = await response.text();
  return { status: response.status, headers: response.headers, json: received === '' ? undefined : JSON.parse(received) };
}

/** The answer is one the spec documents for the operation: its status, media type and schema. */
function conforms(operationId: string, answer: Answer): Answer {
  expect(spec.documentsStatus(operationId, answer.status), `${operationId} documents ${answer.status}`).toBe(true);
  const mediaTypes = spec.responseMediaTypes(operationId, answer.status);
  if (mediaTypes.length === 0) {
    expect(answer.json).toBeUndefined();
    return answer;
  }
  expect(answer.headers.get('content-type')).toBe(SCIM_JSON);
  const validate = spec.responseValidator(operationId, answer.status, SCIM_JSON)!;
  expect(validate(answer.json), spec.describeErrors(validate)).toBe(true);
  for (const header of spec.requiredHeaders(operationId, answer.status)) expect(answer.headers.get(header), header).toBeTruthy();
  return answer;
}

const newUser = (userName: string, more: Record<string, unknown> = {}) => ({ schemas: [USER_URN], userName, ...more });
const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_URN], Operations });
const filtered = (filter: string) => `/scim/v2/Users?filter=${encodeURIComponent(filter)}`;

describe('the independent SCIM server', () => {
  let server: ScimServer;
  beforeAll(async () => {
    server = await createScimServer({ ...tokens, users });
  });
  afterAll(() => server.close());

  it('lists the seeded users as a ListResponse', async () => {
    const { json } = conforms('listUsers', await send(server, 'GET', '/scim/v2/Users', { who: 'standard' }));
    expect(json).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 3 });
    // The seeded users as the spec's example shows them, at this server's origin.
    expect(json.Resources).toEqual(JSON.parse(JSON.stringify(users).replaceAll('http://127.0.0.1:4010', server.url)));
  });

  it('filters on userName whatever its case, and on externalId exactly', async () => {
    const byName = conforms('listUsers', await send(server, 'GET', filtered('USERNAME EQ "BJensen@Example.com"')));
    expect(byName.json.Resources.map((user: { id: string }) => user.id)).toEqual([BJENSEN]);
    const byExternalId = conforms('listUsers', await send(server, 'GET', filtered('externalId eq "701984"')));
    expect(byExternalId.json.totalResults).toBe(1);
    const none = conforms('listUsers', await send(server, 'GET', filtered('userName eq "nobody@example.com"')));
    expect(none.json).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] });
    for (const filter of ['userName co "jensen"', 'displayName eq "Babs Jensen"', 'userName eq', '']) {
      const refused = conforms('listUsers', await send(server, 'GET', filtered(filter)));
      expect([refused.status, refused.json.scimType]).toEqual([400, 'invalidFilter']);
    }
  });

  it('pages from a 1-based startIndex, count at most the page', async () => {
    const second = conforms('listUsers', await send(server, 'GET', '/scim/v2/Users?startIndex=2&count=1'));
    expect(second.json).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(second.json.Resources[0].id).toBe(JSMITH);
    const empty = conforms('listUsers', await send(server, 'GET', '/scim/v2/Users?count=-5'));
    expect(empty.json).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    const below = conforms('listUsers', await send(server, 'GET', '/scim/v2/Users?startIndex=0'));
    expect(below.json).toMatchObject({ startIndex: 1, itemsPerPage: 3 });
    const notAnInteger = conforms('listUsers', await send(server, 'GET', '/scim/v2/Users?count=ten'));
    expect(notAnInteger.json.scimType).toBe('invalidValue');
  });

  it('creates a user: 201 with id, meta and Location, then reads it', async () => {
    const created = conforms('createUser', await send(server, 'POST', '/scim/v2/Users', { body: newUser('pat.lee@example.com') }));
    expect(created.status).toBe(201);
    const { id, meta } = created.json;
    expect(meta).toMatchObject({ resourceType: 'User', location: `${server.url}/scim/v2/Users/${id}` });
    expect(created.headers.get('location')).toBe(meta.location);
    expect(meta.created).toBe(meta.lastModified);
    const read = conforms('getUser', await send(server, 'GET', `/scim/v2/Users/${id}`, { who: 'standard' }));
    expect(read.json).toEqual(created.json);
    // Sent as application/json too, a null being the attribute unassigned.
    const plain = await send(server, 'POST', '/scim/v2/Users', {
      body: newUser('plain@example.com', { displayName: null }),
      contentType: 'application/json',
    });
    expect(conforms('createUser', plain).json).not.toHaveProperty('displayName');
  });

  it('refuses a userName another user has, whatever its case, with 409 uniqueness', async () => {
    const duplicate = conforms('createUser', await send(server, 'POST', '/scim/v2/Users', { body: newUser('BJENSEN@example.com') }));
    expect([duplicate.status, duplicate.json.scimType, duplicate.json.status]).toEqual([409, 'uniqueness', '409']);
  });

  it('refuses bodies that are not Users with 400', async () => {
    const cases: Array<[{ body?: unknown; raw?: string }, string]> = [
      [{ body: { schemas: [USER_URN], displayName: 'No Name' } }, 'invalidValue'],
      [{ body: { userName: 'no-schemas' } }, 'invalidValue'],
      [{ body: newUser('x', { active: 'yes' }) }, 'invalidValue'],
      [{ body: newUser('x', { password: 'secret' }) }, 'invalidValue'],
      [{ body: newUser('x', { emails: [{ value: 'not-an-email' }] }) }, 'invalidValue'],
      [
        {
          body: newUser('x', {
            emails: [
              { value: 'a@example.com', primary: true },
              { value: 'b@example.com', primary: true },
            ],
          }),
        },
        'invalidValue',
      ],
      [{ raw: '{"userName": "broken",' }, 'invalidSyntax'],
      [{ raw: '[]' }, 'invalidSyntax'],
    ];
    for (const [request, scimType] of cases) {
      const refused = conforms('createUser', await send(server, 'POST', '/scim/v2/Users', request));
      expect([refused.status, refused.json.scimType], JSON.stringify(request)).toEqual([400, scimType]);
    }
  });

  it('modifies a user with PatchOp operations', async () => {
    const path = `/scim/v2/Users/${BJENSEN}`;
    const deactivated = conforms(
      'patchUser',
      await send(server, 'PATCH', path, { body: patchOp({ op: 'replace', path: 'active', value: false }) }),
    );
    expect(deactivated.json.active).toBe(false);
    expect(deactivated.json.meta.created).toBe('2010-01-23T04:56:22Z');
    const renamed = conforms(
      'patchUser',
      await send(server, 'PATCH', path, {
        body: patchOp(
          { op: 'replace', value: { displayName: 'Barbara', name: { givenName: 'Barb' } } },
          { op: 'remove', path: 'name.formatted' },
        ),
      }),
    );
    expect(renamed.json).toMatchObject({ displayName: 'Barbara', name: { givenName: 'Barb', familyName: 'Jensen' } });
    expect(renamed.json.name).not.toHaveProperty('formatted');
    const added = conforms(
      'patchUser',
      await send(server, 'PATCH', path, {
        body: patchOp({ op: 'add', path: 'emails', value: [{ value: 'barb@example.org', type: 'other' }] }),
      }),
    );
    expect(added.json.emails).toHaveLength(3);
    const refusals: Array<[unknown, string]> = [
      [patchOp({ op: 'remove' }), 'noTarget'],
      [patchOp({ op: 'remove', path: 'userName' }), 'mutability'],
      [patchOp({ op: 'replace', value: { userName: null } }), 'mutability'],
      [patchOp({ op: 'replace', path: 'id', value: 'x' }), 'mutability'],
      [patchOp({ op: 'replace', path: 'emails[type eq "work"].value', value: 'x@example.com' }), 'invalidPath'],
      [patchOp({ op: 'replace', path: 'active', value: 'no' }), 'invalidValue'],
      [{ schemas: [USER_URN], Operations: [] }, 'invalidSyntax'],
      [patchOp({ op: 'Replace', path: 'active', value: true }), 'invalidSyntax'],
    ];
    for (const [body, scimType] of refusals) {
      const refused = conforms('patchUser', await send(server, 'PATCH', path, { body }));
      expect([refused.status, refused.json.scimType], JSON.stringify(body)).toEqual([400, scimType]);
    }
    const taken = conforms(
      'patchUser',
      await send(server, 'PATCH', path, { body: patchOp({ op: 'replace', path: 'userName', value: 'JSMITH' }) }),
    );
    expect(taken.status).toBe(409);
    const unknown = conforms('patchUser', await send(server, 'PATCH', `/scim/v2/Users/${NOBODY}`, { body: patchOp({ op: 'remove' }) }));
    expect(unknown.status).toBe(404);
    // All or none: the refused operations changed nothing.
    const after = conforms('getUser', await send(server, 'GET', path));
    expect(after.json).toEqual(added.json);
  });

  it('replaces a user with PUT: what the body leaves out is cleared, id and created kept', async () => {
    const path = `/scim/v2/Users/${JSMITH}`;
    const before = (await send(server, 'GET', path)).json;
    const replaced = conforms(
      'replaceUser',
      await send(server, 'PUT', path, { body: newUser('jsmith', { displayName: 'Johnny', id: 'ignored' }) }),
    );
    expect(replaced.json).toMatchObject({ id: JSMITH, userName: 'jsmith', displayName: 'Johnny', meta: { created: before.meta.created } });
    expect(replaced.json).not.toHaveProperty('emails');
    expect(replaced.json).not.toHaveProperty('name');
    const taken = conforms('replaceUser', await send(server, 'PUT', path, { body: newUser('akim') }));
    expect([taken.status, taken.json.scimType]).toEqual([409, 'uniqueness']);
    const unknown = conforms('replaceUser', await send(server, 'PUT', `/scim/v2/Users/${NOBODY}`, { body: newUser('nobody') }));
    expect(unknown.status).toBe(404);
  });

  it('deletes a user: 204, then 404 and gone from lists, its userName free again', async () => {
    const { json: user } = await send(server, 'POST', '/scim/v2/Users', { body: newUser('short-lived') });
    const path = `/scim/v2/Users/${user.id}`;
    expect(conforms('deleteUser', await send(server, 'DELETE', path, { who: 'standard' })).status).toBe(403);
    expect(conforms('deleteUser', await send(server, 'DELETE', path)).status).toBe(204);
    expect(conforms('getUser', await send(server, 'GET', path)).status).toBe(404);
    expect(conforms('deleteUser', await send(server, 'DELETE', path)).status).toBe(404);
    const listed = conforms('listUsers', await send(server, 'GET', filtered('userName eq "short-lived"')));
    expect(listed.json.totalResults).toBe(0);
    expect(conforms('createUser', await send(server, 'POST', '/scim/v2/Users', { body: newUser('short-lived') })).status).toBe(201);
  });

  it('lets a standard token read but not write (403)', async () => {
    const path = `/scim/v2/Users/${BJENSEN}`;
    expect(conforms('getUser', await send(server, 'GET', path, { who: 'standard' })).status).toBe(200);
    const writes: Array<[string, string, string, unknown]> = [
      ['createUser', 'POST', '/scim/v2/Users', newUser('by-standard')],
      ['replaceUser', 'PUT', path, newUser('bjensen@example.com')],
      ['patchUser', 'PATCH', path, patchOp({ op: 'replace', path: 'active', value: true })],
    ];
    for (const [operationId, method, target, body] of writes) {
      const refused = conforms(operationId, await send(server, method, target, { who: 'standard', body }));
      expect([refused.status, refused.json.status]).toEqual([403, '403']);
    }
  });

  it('answers 401 with a Bearer challenge to a missing, malformed or unknown token', async () => {
    for (const header of [
      undefined,
      'Bearer nope',
      `bearer ${tokens.adminToken}`,
      `Bearer  ${tokens.adminToken}`,
      `Basic ${tokens.adminToken}`,
    ]) {
      for (const [operationId, method, path] of [
        ['listUsers', 'GET', '/scim/v2/Users'],
        ['deleteUser', 'DELETE', `/scim/v2/Users/${BJENSEN}`],
      ] as const) {
        const refused = conforms(operationId, await send(server, method, path, { who: { header } }));
        expect([refused.status, refused.json.status], String(header)).toEqual([401, '401']);
        expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
      }
    }
  });

  it('answers unknown ids with 404 on every operation', async () => {
    for (const [operationId, method, body] of [
      ['getUser', 'GET', undefined],
      ['replaceUser', 'PUT', newUser('nobody')],
      ['patchUser', 'PATCH', patchOp({ op: 'replace', path: 'active', value: true })],
      ['deleteUser', 'DELETE', undefined],
    ] as const) {
      const missing = conforms(operationId, await send(server, method, `/scim/v2/Users/${NOBODY}`, { body }));
      expect([missing.status, missing.json.status]).toEqual([404, '404']);
    }
  });
});

/** Whether a server shows a kind's fault, from a fresh server's seeded users. */
const faults: Record<BrokenKind, (server: ScimServer) => Promise<boolean>> = {
  'duplicate-accepted': async (server) => (await send(server, 'POST', '/scim/v2/Users', { body: newUser('jsmith') })).status === 201,
  'case-sensitive-username': async (server) =>
    (await send(server, 'GET', filtered('userName eq "JSMITH"'))).json.totalResults === 0 ||
    (await send(server, 'POST', '/scim/v2/Users', { body: newUser('JSmith') })).status === 201,
  'status-as-number': async (server) => typeof (await send(server, 'GET', `/scim/v2/Users/${NOBODY}`)).json.status === 'number',
  'error-without-schemas': async (server) => !('schemas' in (await send(server, 'GET', `/scim/v2/Users/${NOBODY}`)).json),
  'plain-json': async (server) => (await send(server, 'GET', '/scim/v2/Users')).headers.get('content-type') !== SCIM_JSON,
  'delete-keeps-user': async (server) => {
    await send(server, 'DELETE', `/scim/v2/Users/${JSMITH}`);
    return (await send(server, 'GET', `/scim/v2/Users/${JSMITH}`)).status === 200;
  },
  'patch-replace-ignored': async (server) =>
    (await send(server, 'PATCH', `/scim/v2/Users/${JSMITH}`, { body: patchOp({ op: 'replace', path: 'active', value: false }) })).json
      .active !== false,
  'total-results-page-size': async (server) => (await send(server, 'GET', '/scim/v2/Users?count=1')).json.totalResults !== users.length,
  'filter-ignored': async (server) => (await send(server, 'GET', filtered('userName eq "nobody"'))).json.totalResults !== 0,
  'start-index-zero-based': async (server) =>
    (await send(server, 'GET', '/scim/v2/Users?startIndex=1&count=1')).json.Resources[0]?.id !== BJENSEN,
  'put-new-id': async (server) => (await send(server, 'PUT', `/scim/v2/Users/${JSMITH}`, { body: newUser('jsmith') })).json.id !== JSMITH,
  'put-merges': async (server) => 'emails' in (await send(server, 'PUT', `/scim/v2/Users/${JSMITH}`, { body: newUser('jsmith') })).json,
  'no-location': async (server) => {
    const created = await send(server, 'POST', '/scim/v2/Users', { body: newUser('located') });
    return created.json.meta.location === undefined || created.headers.get('location') === null;
  },
  'unknown-id-500': async (server) => (await send(server, 'GET', `/scim/v2/Users/${NOBODY}`)).status === 500,
  'standard-may-delete': async (server) => (await send(server, 'DELETE', `/scim/v2/Users/${JSMITH}`, { who: 'standard' })).status === 204,
  'no-www-authenticate': async (server) =>
    (await send(server, 'GET', '/scim/v2/Users', { who: {} })).headers.get('www-authenticate') === null,
};

describe('the broken variants', () => {
  it('list at least 8 kinds, each described', () => {
    expect(Object.keys(BROKEN_KINDS).length).toBeGreaterThanOrEqual(8);
    for (const description of Object.values(BROKEN_KINDS)) expect(description.length).toBeGreaterThan(20);
  });

  it.each(Object.keys(BROKEN_KINDS) as BrokenKind[])('%s: the fault shows on the broken server, never on the correct one', async (kind) => {
    const correct = await createScimServer({ ...tokens, users });
    const broken = await createScimServer({ ...tokens, users, broken: kind });
    try {
      expect(await faults[kind](correct)).toBe(false);
      expect(await faults[kind](broken)).toBe(true);
    } finally {
      await Promise.all([correct.close(), broken.close()]);
    }
  });
});
