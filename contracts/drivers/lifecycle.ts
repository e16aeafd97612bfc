// The life of a user: created, read back, listed, refused a duplicate, updated, looked up by an
// id nobody has, removed. Each request carries what it expects; the checks judge it later.
import type { CreatedUser } from '../apis/profile.ts';
import { isSuccess, type Exchange } from '../exchange.ts';
import type { RunContext } from './context.ts';
import { CHECK } from '../checks/names.ts';

export const LIFECYCLE_CHECKS = [
  CHECK.create_read_back,
  CHECK.created_listed,
  CHECK.list_integrity,
  CHECK.duplicate_conflict,
  CHECK.update_persisted,
  CHECK.unknown_id_not_found,
  CHECK.delete_effective,
];

export async function lifecycle(context: RunContext): Promise<void> {
  const { profile } = context;
  const user = await context.user('lifecycle');
  if (!user) return context.block(LIFECYCLE_CHECKS, context.noUserReason);

  await context.send(profile.read(user), {
    purpose: 'reading back the created user',
    check: CHECK.create_read_back,
    expect: { status: 'success', shows: user.shows },
    after: user.history,
  });
  await listing(context, user);

  const key = profile.uniqueKey ?? 'email';
  await context.send(profile.create(user.sent), {
    purpose: `a second create with the same ${key}`,
    check: CHECK.duplicate_conflict,
    expect: { status: [profile.duplicateStatus] },
    after: user.history,
  });
  const sent = user.sent[key];
  if (profile.uniqueIgnoresCase && typeof sent === 'string' && sent.toUpperCase() !== sent) {
    await context.send(profile.create({ ...user.sent, [key]: sent.toUpperCase() }), {
      purpose: `a second create with the same ${key} in capitals (compared whatever its case)`,
      check: CHECK.duplicate_conflict,
      expect: { status: [profile.duplicateStatus] },
      after: user.history,
    });
  }

  await update(context, user);

  for (const call of profile.unknownUser(context.data)) {
    await context.send(call, {
      purpose: 'naming a user that does not exist',
      check: CHECK.unknown_id_not_found,
      expect: { status: [404] },
    });
  }

  await removal(context);
}

/** The list shows every user the run created, once each. */
async function listing(context: RunContext, user: CreatedUser): Promise<void> {
  const list = context.profile.list;
  if (!list) return context.block([CHECK.created_listed, CHECK.list_integrity], `${context.profile.api} documents no list of users`);
  const keys = list.scope === 'all' ? context.users.map((created) => created.key) : [user.key];
  await context.send(list.call(user), {
    purpose: 'listing the users',
    check: CHECK.created_listed,
    expect: { status: 'success', includes: keys },
    after: user.history,
  });
  await context.send(list.call(user), {
    purpose: 'listing the users again',
    check: CHECK.list_integrity,
    expect: { status: 'success', unique: true },
  });
}

/** An update answers the new state and a later read still shows it; fields not sent stay as they were. */
async function update(context: RunContext, user: CreatedUser): Promise<void> {
  const { call, after, because } = context.profile.update(user, context.data);
  const updated = await context.send(call, {
    purpose: 'updating the user',
    check: CHECK.update_persisted,
    expect: { status: 'success', shows: after, because },
    after: user.history,
  });
  if (!isSuccess(updated)) return;
  user.history = [...user.history, updated];
  user.shows = after;
  await context.send(context.profile.read(user), {
    purpose: 'reading the user after the update',
    check: CHECK.update_persisted,
    expect: { status: 'success', shows: after, because },
    after: user.history,
  });
}

/** A removed (deleted or blocked) user reads back as removed. */
async function removal(context: RunContext): Promise<void> {
  const remove = context.profile.remove;
  if (!remove) return context.block(CHECK.delete_effective, `${context.profile.api} documents no way to delete or block a user`);
  const user = await context.user('removal');
  if (!user) return context.block(CHECK.delete_effective, context.noUserReason);
  const removed: Exchange = await context.send(remove.call(user), {
    purpose: `${remove.meaning}`,
    check: CHECK.delete_effective,
    expect: { status: 'success' },
    after: user.history,
  });
  if (!isSuccess(removed)) return;
  context.users.splice(context.users.indexOf(user), 1);
  await context.send(context.profile.read(user), {
    purpose: `reading the user after ${remove.meaning}`,
    check: CHECK.delete_effective,
    expect: remove.afterwards,
    after: [...user.history, removed],
  });
}
