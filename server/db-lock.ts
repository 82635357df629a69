// One writer per database file: a lock file beside it (`<db>.lock`, holding the owner's PID) keeps a second
// `initlab serve` or `initlab sweep` from recovering runs that the first one is still training.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export class DatabaseInUseError extends Error {
  override readonly name = 'DatabaseInUseError';
  readonly code = 'database_in_use';
  readonly status = 409;
  constructor(readonly dbFile: string, readonly pid: number) {
    super(`${dbFile} is in use by another initlab process (pid ${pid}); stop it, or choose another file with --db`);
  }
}

/** Whether a process of this host with this id is alive (EPERM: alive, owned by another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The file a database name really is: symbolic links resolved (the file's own, and its folders'), so every name
 * of one file shares one lock. A file not created yet resolves through its folder.
 */
export function canonicalDatabasePath(dbFile: string): string {
  if (existsSync(dbFile)) return realpathSync(dbFile);
  return join(realpathSync(dirname(dbFile)), basename(dbFile));
}

/**
 * Takes the lock for `dbFile` (a lock left by a dead process is taken over) and returns its release function.
 * The lock sits beside the canonical file, so a symbolic link to a database in use is refused too.
 * Throws DatabaseInUseError while a live process holds it, this one included: a second writer is a mistake.
 */
export function lockDatabase(dbFile: string): () => void {
  mkdirSync(dirname(dbFile), { recursive: true }); // the first start creates the database's folder
  const lockFile = `${canonicalDatabasePath(dbFile)}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(lockFile);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw new DatabaseInUseError(dbFile, pid);
      try {
        unlinkSync(lockFile); // stale: its owner died (kill -9, crash)
      } catch {
        // another process took it over first; try again
      }
    }
  }
  throw new Error(`could not take the lock ${lockFile}`);
}
