// Checks that follow a user through its life: created, read back, listed, updated, removed.
import { differences, expectation, isFinding, unlessSuccess, type Outcome, type RunContext } from './context.ts';

export type ScenarioCheck = (context: RunContext) => Promise<Outcome>;

/** A created user can be read back showing what was sent. */
export const createReadBack: ScenarioCheck = async (context) => {
  const user = await context.user('lifecycle');
  if (isFinding(user)) return { findings: [user] };
  const read = await context.send(context.profile.read(user));
  return (
    unlessSuccess(read, 'the created user to be readable') ?? {
      findings: differences(context.profile.expected(user.sent), context.profile.userIn(read), read, 'the read-back'),
    }
  );
};

/** A created user appears in the API's list. */
export const createdListed: ScenarioCheck = async (context) => {
  const list = context.profile.list;
  if (!list) return { findings: [], skipped: `${context.profile.api} has no list of users` };
  const user = await context.user('lifecycle');
  if (isFinding(user)) return { findings: [user] };
  const listed = await context.send(list.call(user));
  return (
    unlessSuccess(listed, 'the list to answer 2xx') ??
    expectation(list.includes(listed, user), `expected the list to include the created user ${user.key}`, listed)
  );
};

/** A second create with the same email is refused with the documented conflict status. */
export const duplicateConflict: ScenarioCheck = async (context) => {
  const user = await context.user('lifecycle');
  if (isFinding(user)) return { findings: [user] };
  const again = await context.send(context.profile.create(user.sent));
  const expected = context.profile.duplicateStatus;
  return expectation(again.response.status === expected, `expected ${expected} for a duplicate email, got ${again.response.status}`, again);
};

/** An update is answered with the new values and a later read still shows them. */
export const updatePersisted: ScenarioCheck = async (context) => {
  const user = await context.user('lifecycle');
  if (isFinding(user)) return { findings: [user] };
  const { call, changes } = context.profile.update(user, context.data);
  const updated = await context.send(call);
  const failed = unlessSuccess(updated, 'the update to succeed');
  if (failed) return failed;
  const read = await context.send(context.profile.read(user));
  return {
    findings: [
      ...differences(changes, context.profile.userIn(updated), updated, 'the update answer'),
      ...differences(changes, context.profile.userIn(read), read, 'a read after the update'),
    ],
  };
};

/** Deleting (or blocking) a user takes effect: a later read shows it. */
export const deleteEffective: ScenarioCheck = async (context) => {
  const remove = context.profile.remove;
  if (!remove) return { findings: [], skipped: `${context.profile.api} cannot delete or block users` };
  const user = await context.user('removal');
  if (isFinding(user)) return { findings: [user] };
  const removed = await context.send(remove.call(user));
  const failed = unlessSuccess(removed, 'the removal to succeed');
  if (failed) return failed;
  const read = await context.send(context.profile.read(user));
  return expectation(remove.effective(read), `expected ${remove.meaning}, got ${read.response.status}`, read);
};
