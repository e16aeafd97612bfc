// Checks that follow a user through its life: created, read back, listed, updated, removed.
import { differences, isFinding, isSuccess, type Outcome, type RunContext } from './context.ts';

export type ScenarioCheck = (context: RunContext) => Promise<Outcome>;

/** A created user can be read back showing what was sent. */
export const createReadBack: ScenarioCheck = async (context) => {
  const user = await context.user('lifecycle');
  if (isFinding(user)) return { findings: [user] };
  const read = await context.send(context.profile.read(user));
  if (!isSuccess(read))
    return { findings: [{ message: `expected the created user to be readable, got ${read.response.status}`, exchange: read }] };
  return { findings: differences(context.profile.expected(user.sent), context.profile.userIn(read), read, 'the read-back') };
};

/** A created user appears in the API's list. */
export const createdListed: ScenarioCheck = async (context) => {
  const list = context.profile.list;
  if (!list) return { findings: [], skipped: `${context.profile.api} has no list of users` };
  const user = await context.user('lifecycle');
  if (isFinding(user)) return { findings: [user] };
  const listed = await context.send(list.call(user));
  if (!isSuccess(listed))
    return { findings: [{ message: `expected the list to answer 2xx, got ${listed.response.status}`, exchange: listed }] };
  return {
    findings: list.includes(listed, user)
      ? []
      : [{ message: `expected the list to include the created user ${user.key}`, exchange: listed }],
  };
};

/** A second create with the same email is refused with the documented conflict status. */
export const duplicateConflict: ScenarioCheck = async (context) => {
  const user = await context.user('lifecycle');
  if (isFinding(user)) return { findings: [user] };
  const again = await context.send(context.profile.create(user.sent));
  const expected = context.profile.duplicateStatus;
  return {
    findings:
      again.response.status === expected
        ? []
        : [{ message: `expected ${expected} for a duplicate email, got ${again.response.status}`, exchange: again }],
  };
};

/** An update is answered with the new values and a later read still shows them. */
export const updatePersisted: ScenarioCheck = async (context) => {
  const user = await context.user('lifecycle');
  if (isFinding(user)) return { findings: [user] };
  const { call, changes } = context.profile.update(user, context.data);
  const updated = await context.send(call);
  if (!isSuccess(updated))
    return { findings: [{ message: `expected the update to succeed, got ${updated.response.status}`, exchange: updated }] };
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
  if (!isSuccess(removed))
    return { findings: [{ message: `expected the removal to succeed, got ${removed.response.status}`, exchange: removed }] };
  const read = await context.send(context.profile.read(user));
  return {
    findings: remove.effective(read) ? [] : [{ message: `expected ${remove.meaning}, got ${read.response.status}`, exchange: read }],
  };
};
