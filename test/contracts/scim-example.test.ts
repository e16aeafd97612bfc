// The SCIM example (examples/scim/) checked as a team would check its own SCIM server: the contract
// suite, from the example's profile, against an independent SCIM server written with node:http
// alone (test/helpers/scim/): silent on the correct one, failing on each broken variant it can see.
// test/cli/apis.test.ts serves the example's module and checks it with the CLI.
import { describe, expect, it } from 'vitest';
// The example is built on the package's exports, so it runs on the package's own build too.
import { exitCodeOf, runContract } from 'usermock/contracts';
import { scimProfile } from '../../examples/scim/profile.ts';
import { BROKEN_KINDS, createScimServer, type BrokenKind } from '../helpers/scim/independent-server.ts';

/**
 * The check that must fail on each broken kind — or, for a fault only an executable model of SCIM
 * would see, `limit` and why the generic checks cannot (the model-based phase exists for the
 * built-in APIs only). A limit is asserted to pass, so that this record stays true.
 */
const CAUGHT_BY: Record<BrokenKind, string | { limit: string }> = {
  'duplicate-accepted': 'duplicate_conflict',
  'case-sensitive-username': 'duplicate_conflict',
  'status-as-number': 'response_schema_conformance',
  'error-without-schemas': 'response_schema_conformance',
  'plain-json': 'content_type_conformance',
  'delete-keeps-user': 'delete_effective',
  'patch-replace-ignored': 'provoked_status',
  'total-results-page-size': { limit: 'the runs list fewer users than a page holds, so the page is every user' },
  'filter-ignored': 'provoked_status',
  'start-index-zero-based': 'created_listed',
  'put-new-id': 'update_persisted',
  'put-merges': 'negative_data_rejection',
  'no-location': 'header_conformance',
  'unknown-id-500': 'not_a_server_error',
  'standard-may-delete': 'admin_required',
  'no-www-authenticate': 'header_conformance',
};

async function checkIndependent(broken?: BrokenKind) {
  const server = await createScimServer({ adminToken: 'admin-token', standardToken: 'read-token', ...(broken ? { broken } : {}) });
  try {
    const report = await runContract({
      api: 'scim',
      profiles: [scimProfile],
      baseUrl: server.url,
      auth: 'Bearer admin-token',
      authStandard: 'Bearer read-token',
      seed: 5,
    });
    const failed = report.results.filter((result) => result.status === 'failed').map((result) => result.check);
    return { code: exitCodeOf(report), failed, report };
  } finally {
    await server.close();
  }
}

describe('usermock check scim', () => {
  it('is silent on an independent, correct SCIM server', async () => {
    const { code, report } = await checkIndependent();
    expect(report.results.flatMap((result) => result.failures.map((failure) => `[${failure.check}] ${failure.message}`))).toEqual([]);
    expect(code).toBe(0);
  });

  it.each(Object.entries(CAUGHT_BY) as Array<[BrokenKind, string | { limit: string }]>)('%s', async (kind, expected) => {
    const { code, failed } = await checkIndependent(kind);
    if (typeof expected === 'string') expect([code, failed], BROKEN_KINDS[kind]).toEqual([1, expect.arrayContaining([expected])]);
    else expect(code, `a limit (${expected.limit}) that is now caught: name the check`).toBe(0);
  });
});
