// `initlab backup FILE [--db DB] [--force]`: an online, consistent copy of the database, taken with SQLite's
// backup API through a read-only connection, so it works beside a running server (which keeps writing).
// The copy is written to FILE.partial first and renamed into place, so FILE is never a half-written database.
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase } from '../../db/open.js';
import { resolveDbFile } from '../services.js';
import { parseOptions, UsageError } from './args.js';

const USAGE = 'usage: initlab backup <file> [--db FILE] [--force]';

export async function backupCommand(
  args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  let target: string;
  let dbFile: string;
  try {
    const { values, positionals } = parseOptions(args, {
      db: { type: 'string' },
      force: { type: 'boolean', default: false },
    });
    if (positionals.length !== 1) throw new UsageError(`give exactly one file to write; ${USAGE}`);
    target = positionals[0]!;
    dbFile = resolveDbFile(values.db);
    if (dbFile === ':memory:') throw new UsageError('--db :memory: has nothing to back up');
    if (!existsSync(dbFile)) throw new UsageError(`--db ${dbFile} does not exist`);
    if (existsSync(target) && !values.force) {
      throw new UsageError(`${target} already exists; choose another file, or pass --force to replace it`);
    }
    if (existsSync(target) && statSync(target).isDirectory()) throw new UsageError(`${target} is a folder, not a file`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`initlab backup: ${error.message}\n`);
    return 2;
  }

  const partial = `${target}.partial`;
  let db: ReturnType<typeof openDatabase> | undefined;
  try {
    db = openDatabase(dbFile, { readonly: true });
    rmSync(partial, { force: true });
    await db.backup(partial);
    db.close();
    db = undefined;
    // The copy must open and pass SQLite's own check before it replaces anything. It becomes a single
    // self-contained file (rollback journal, not WAL), so copying FILE alone later is enough.
    const copy = new BetterSqlite3(partial, { fileMustExist: true });
    let counts: { sweeps: number; runs: number };
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
      const count = (table: string) => (copy.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      counts = { sweeps: count('sweeps'), runs: count('runs') };
      // The copy is nobody's: the running writer's claim (server/writer-claim.ts) must not travel with it.
      const claimed = copy.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'writer_claim'`).get();
      if (claimed !== undefined) copy.exec('DELETE FROM writer_claim');
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    renameSync(partial, target);
    const mb = statSync(target).size / 1e6;
    io.stdout.write(`initlab: backed up ${dbFile} to ${target} (${counts.sweeps} sweeps, ${counts.runs} runs, ${mb.toFixed(1)} MB)\n`);
    return 0;
  } catch (error) {
    db?.close();
    rmSync(partial, { force: true });
    io.stderr.write(`initlab backup: ${(error as Error).message}\n`);
    return 1;
  }
}
