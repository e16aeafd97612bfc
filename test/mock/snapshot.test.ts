// Snapshots checked for meaning (mocks/core/snapshot.ts): every state the mock makes passes its
// APIs' snapshot schemas, and a damaged one is refused naming each field and what it should be.
import { describe, expect, it } from 'vitest';
import { API_MODULES, createMock, type Snapshot } from '../../mocks/index.ts';
import { checkSnapshot, SnapshotError } from '../../mocks/core/snapshot.ts';
// The SCIM example is built on the package's exports: it is served by the package's own build.
import { API_MODULES as BUILT_API_MODULES, createMock as createBuiltMock } from 'usermock';
import { scim } from '../../examples/scim/module.ts';

type Damageable = Snapshot & { sessions: Record<string, Record<string, any>> };

/** A served state as a state file holds it: seeded, then written to through each API, in two sessions. */
function servedSnapshot(users = 4): Damageable {
  const mock = createMock({ users });
  for (const session of [undefined, 'other']) {
    mock.addUser('hoop', { email: 'h@example.com', password: 'secret-password' }, session);
    mock.addUser('amani', { email: 'a@example.com' }, session);
    mock.addUser('haplo', { email: 'p@example.com', tags: { username: 'p', team: 'x' } }, session);
  }
  // Through JSON, as in a file: a snapshot object may share rows between sessions.
  return JSON.parse(JSON.stringify(mock.snapshot()));
}

/** The problems checking `snapshot` finds, in words. */
function problems(snapshot: unknown): string[] {
  try {
    checkSnapshot(snapshot, API_MODULES);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotError);
    return (error as SnapshotError).problems;
  }
}

describe('snapshot schemas', () => {
  it('accept every state the mock makes, seeded and served (so the schemas cannot drift from toJSON)', () => {
    expect(problems(servedSnapshot())).toEqual([]);
    expect(problems(createMock({ users: 0, seed: 9 }).snapshot())).toEqual([]);
    for (const api of API_MODULES) expect(api.snapshotSchema, api.name).toBeDefined();
  });

  it('refuse a damaged one, naming each field by its place in the file and what it should be', () => {
    const snapshot = servedSnapshot();
    snapshot.sessions.default!.haplo.nextId = 'abc';
    delete snapshot.sessions.default!.amani.secret;
    snapshot.sessions.other!.hoop.users[1].groups = 'sre';
    snapshot.sessions.other!.haplo.principals[0].email = 42;
    snapshot.sessions.other!.amani.users[0].is_active = 'yes';
    snapshot.sessions.other!.haplo.keys.byKey = { key: 'one' };
    expect(problems(snapshot)).toEqual([
      'sessions.default.amani.secret: expected string, found nothing',
      'sessions.default.haplo.nextId: expected integer, found "abc"',
      'sessions.other.hoop.users[1].groups: expected array, found "sre"',
      'sessions.other.amani.users[0].is_active: expected boolean, found "yes"',
      'sessions.other.haplo.principals[0].email: expected string or null, found 42',
      'sessions.other.haplo.keys.byKey.key: expected integer, found "one"',
    ]);
    expect(() => createMock({ snapshot })).toThrow(/sessions\.default\.haplo\.nextId: expected integer, found "abc"/);
  });

  it('refuse a damaged envelope, and list the first few of many problems', () => {
    expect(problems({ usermock: 1, seed: 'one', users: -1, sessions: [] })).toEqual([
      'seed: expected integer, found "one"',
      'users: expected at least 0, found -1',
      'sessions: expected object, found []',
    ]);
    const snapshot = servedSnapshot(20);
    for (const user of snapshot.sessions.default!.hoop.users) user.verified = 'no';
    const error = (() => {
      try {
        return createMock({ snapshot });
      } catch (thrown) {
        return thrown as SnapshotError;
      }
    })() as SnapshotError;
    expect(error.problems.length).toBeGreaterThan(10);
    expect(error.message.split('\n')).toHaveLength(12);
    expect(error.message).toContain(`and ${error.problems.length - 10} more`);
  });

  it('leave alone an API module that states no schema, and APIs the mock does not serve', () => {
    expect(scim.snapshotSchema).toBeUndefined();
    const apis = [...BUILT_API_MODULES, scim];
    const snapshot = JSON.parse(JSON.stringify(createBuiltMock({ apis, users: 2 }).snapshot())) as Damageable;
    snapshot.sessions.default!.elsewhere = { anything: true };
    expect(() => createBuiltMock({ apis, snapshot })).not.toThrow();
  });
});
