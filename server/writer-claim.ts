// The database's own guard against a second writer: a one-row claim (pid, host, random token) written inside an
// IMMEDIATE transaction at start-up. It backs up the lock file (server/db-lock.ts), which a user can delete by hand.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3';
import { DatabaseInUseError, isAlive } from './db-lock.js';

interface ClaimRow { pid: number; host: string; token: string }

/**
 * Claims `db` for this process and returns the release function (it deletes the claim, if still ours).
 * A claim left by a live process of this host refuses the start with DatabaseInUseError. A claim whose process is
 * dead (kill -9, power loss) is taken over, and so is one from another host: SQLite's WAL mode needs shared memory,
 * so two hosts can never write one database file, and such a claim is a copy's leftover.
 * Why not `PRAGMA locking_mode=EXCLUSIVE`: in WAL mode it holds the database's exclusive lock after the first
 * write, so readers (`initlab export`, `initlab backup`, a second reader) get SQLITE_BUSY too.
 */
export function claimWriter(db: Database, dbFile: string): () => void {
  const token = randomUUID();
  const host = hostname();
  db.transaction(() => {
    const claim = db.prepare<[], ClaimRow>('SELECT pid, host, token FROM writer_claim WHERE id = 1').get();
    if (claim !== undefined && claim.host === host && isAlive(claim.pid)) throw new DatabaseInUseError(dbFile, claim.pid);
    db.prepare('INSERT OR REPLACE INTO writer_claim (id, pid, host, token, claimed_at) VALUES (1, ?, ?, ?, ?)')
      .run(process.pid, host, token, Date.now());
  }).immediate();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    db.prepare('DELETE FROM writer_claim WHERE id = 1 AND token = ?').run(token);
  };
}
