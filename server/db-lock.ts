// One writer per database file: a lock file beside it (`<db>.lock`, holding the owner's PID) keeps a second
// `initlab serve` or `initlab sweep` from recovering runs that the first one is still training.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class DatabaseInUseError extends Error {
  override readonly name = 'DatabaseInUseError';
  readonly code = 'database_in_use';
  readonly status = 409;
  constructor(readonly dbFile: string, readonly pid: number) {
    super(`${dbFile} is in use by another initlab process (pid ${pid}); stop it, or choose another file with --db`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock for `dbFile` (a lock left by a dead process is taken over) and returns its release function.
 * Throws DatabaseInUseError while a live process holds it, this one included: a second writer is a mistake.
 */
export function lockDatabase(dbFile: string): () => void {
  const lockFile = `${dbFile}.lock`;
  mkdirSync(dirname(dbFile), { recursive: true }); // the first start creates the database's folder
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
