// Opens (or creates) the initlab SQLite database with the pragmas the server relies on, and migrates it.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { applyMigrations } from './migrations.js';

export type { Database } from 'better-sqlite3';

export interface OpenOptions {
  readonly?: boolean;       // a read-only connection (e.g. a second reader); skips migrations
  busyTimeoutMs?: number;   // how long a statement waits for another connection's lock (default 5000)
}

/**
 * `file` is a path (its folder is created) or ':memory:'. WAL lets readers run beside the one writer;
 * synchronous=NORMAL is durable across process crashes (WAL) and ~10x faster than FULL for small transactions.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database {
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory && !options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('foreign_keys = ON');
    // A reader of a WAL database needs its -shm file: where it is missing and cannot be created (a read-only
    // folder), SQLite fails at the first read; reading the schema here makes that an error of the open.
    if (options.readonly) db.prepare('SELECT count(*) FROM sqlite_schema').get();
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');   // ':memory:' answers 'memory'; that is fine
      db.pragma('synchronous = NORMAL');
      applyMigrations(db);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The one-line reason a database could not be opened, with the remedy where SQLite's own words do not give one. */
export function describeOpenError(error: unknown, file: string): string {
  if ((error as { code?: string }).code === 'SQLITE_READONLY_DIRECTORY') {
    return `cannot read ${file}: its folder is read-only, and SQLite needs to create ${file}-shm beside a WAL database `
      + '(make the folder writable, or copy the database to one that is)';
  }
  return `cannot open ${file}: ${(error as Error).message}`;
}
