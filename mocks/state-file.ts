import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ApiModule } from './core/api.ts';
import { Mock } from './core/mock.ts';
import type { Snapshot } from './core/sessions.ts';
import { SnapshotError } from './core/snapshot.ts';

/** A state file that cannot be used; it is left untouched. */
export class StateFileError extends Error {}

/**
 * Reads the snapshot in a state file: undefined when the file does not exist yet, a
 * StateFileError when it exists but is not a usermock snapshot (torn, corrupt, foreign) or is one
 * the APIs served cannot restore (a field missing or of the wrong type: each is named).
 */
export async function readStateFile(path: string, apis: readonly ApiModule[]): Promise<Snapshot | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`cannot read state file ${path}: ${(error as Error).message}`);
  }
  let snapshot: Partial<Snapshot>;
  try {
    snapshot = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(`state file ${path} is not valid JSON (${(error as Error).message}); it was left as it is — fix or remove it`);
  }
  if (snapshot?.usermock !== 1) {
    throw new StateFileError(`state file ${path} is not a usermock state snapshot; it was left as it is — fix or remove it`);
  }
  try {
    // Checked and restored once here, as the server will, so a damaged snapshot is refused before anything starts.
    new Mock(apis, { snapshot: snapshot as Snapshot });
  } catch (error) {
    if (error instanceof SnapshotError) {
      throw new StateFileError(`state file ${path} is damaged (it was left as it is — fix or remove it):\n${error.list}`);
    }
    throw new StateFileError(
      `state file ${path} is a usermock snapshot that cannot be restored (${(error as Error).message}); it was left as it is — fix or remove it`,
    );
  }
  return snapshot as Snapshot;
}

/**
 * Refuses, before anything starts, a state file that could not be written — its folder missing,
 * not a folder, or read-only — rather than answering every write with a 500 later. It creates and
 * removes the temporary file a write uses beside it; the state file itself is not touched.
 */
export async function assertStateFileWritable(path: string): Promise<void> {
  const folder = dirname(resolve(path));
  const temporary = temporaryFileOf(path);
  try {
    await (await open(temporary, 'w')).close();
    await unlink(temporary);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `its folder ${folder} does not exist (create it first)`
        : code === 'ENOTDIR'
          ? `${folder} is not a folder`
          : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
            ? `its folder ${folder} is not writable (${code})`
            : (error as Error).message;
    throw new StateFileError(`cannot write state file ${path}: ${why}`);
  }
}

/**
 * Writes a snapshot so that a crash at any moment leaves either the old or the new file whole:
 * write a temporary file beside it, fsync it, rename it over the old one, fsync the folder.
 */
export async function writeStateFile(path: string, snapshot: string): Promise<void> {
  const temporary = temporaryFileOf(path);
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(snapshot);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  const folder = openSync(dirname(path), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

/** Where a write puts the new snapshot before renaming it over the state file. */
function temporaryFileOf(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

/**
 * Removes the temporary files a process killed in the middle of a write (`kill -9`) left beside
 * the state file — only those of processes that are gone: one still running may be writing its own.
 * Answers the files removed.
 */
export async function removeLeftoverTemporaries(path: string): Promise<string[]> {
  const folder = dirname(resolve(path));
  const pattern = new RegExp(`^${escapeRegExp(basename(path))}\\.(\\d+)\\.tmp$`);
  const names = await readdir(folder).catch(() => []);
  const leftovers = names.flatMap((name) => {
    const pid = Number(pattern.exec(name)?.[1]);
    return Number.isSafeInteger(pid) && pid !== process.pid && !isRunning(pid) ? [join(folder, name)] : [];
  });
  await Promise.all(leftovers.map((file) => unlink(file).catch(() => undefined)));
  return leftovers;
}

/** Whether a process with this id exists (signal 0 only asks; EPERM: it exists, someone else's). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
