// Wires the job server's services together: database, store, metrics writer, event bus, executor, scheduler.
// `serve` and the headless `sweep` command both start here; tests build the same graph on a temp file.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openDatabase } from '../db/open.js';
import { createStore, type Store } from '../db/store.js';
import { lockDatabase } from './db-lock.js';
import { claimWriter } from './writer-claim.js';
import { defaultRunBackend, type RunBackend } from './backend-choice.js';
import { createEventBus, type EventBus } from './events.js';
import { createLocalExecutor, type Executor } from './executor.js';
import { createMetricsWriter, type MetricsWriter } from './metrics-writer.js';
import { createScheduler, type Scheduler } from './scheduler.js';

export const DEFAULT_DB_FILE = 'data/initlab.db';

export interface ServiceOptions {
  /** SQLite file; `:memory:` for tests. Default: $INITLAB_DB or ./data/initlab.db. */
  dbFile?: string;
  /** Training threads; default: the machine's cores. */
  threads?: number;
  /** An executor to use instead of the local Piscina pool (tests). */
  executor?: Executor;
  workerFile?: string;
  maxHeapMb?: number;
  /** Stop and fail a run that trains longer than this (off when undefined). */
  runTimeLimitMs?: number;
  maxRunsPerSweep?: number;
  /** The per-run memory budget (--max-run-mb); default derived from the machine's memory and threads. */
  maxRunMb?: number;
  eventIntervalMs?: number;
  /** The backend of runs whose sweep pins none, resolved once (the CLI's --backend); default: this process's default. */
  backend?: RunBackend;
}

export interface Services {
  db: Database;
  dbFile: string;
  store: Store;
  writer: MetricsWriter;
  events: EventBus;
  executor: Executor;
  scheduler: Scheduler;
  /** The default backend every run's task carries unless its sweep pins another. */
  backend: RunBackend;
  /** Stops dispatching, aborts running runs (the next start requeues them), flushes and closes everything. */
  close(): Promise<void>;
}

export function resolveDbFile(option?: string): string {
  const file = option ?? process.env.INITLAB_DB ?? DEFAULT_DB_FILE;
  return file === ':memory:' ? file : resolve(file);
}

/** The database cannot be written: the server and `sweep` refuse to start on it (one line, non-zero exit). */
export class ReadOnlyDatabaseError extends Error {
  override readonly name = 'ReadOnlyDatabaseError';
  readonly code = 'database_read_only';
  constructor(file: string, options?: { cause?: unknown }) {
    super(`the database ${file} is read-only; initlab must write to it (check the permissions of the file, its -wal and -shm files and its folder)`, options);
  }
}

/**
 * Probes a write at start-up: rewriting user_version with its own value is a real write that changes nothing.
 * SQLite opens a write-protected file read-only without complaint, so without this the first write (crash
 * recovery, or every request) would fail instead.
 */
export function checkWritable(db: Database, file: string): void {
  try {
    db.pragma(`user_version = ${Number(db.pragma('user_version', { simple: true }))}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_READONLY' || code?.startsWith('SQLITE_READONLY_') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
      throw new ReadOnlyDatabaseError(file, { cause: error });
    }
    throw error;
  }
}

export function openServices(options: ServiceOptions = {}): Services {
  // Before anything is opened: resolving the default may throw (a bad INITLAB_CPU_PATH).
  const backend = options.backend ?? defaultRunBackend();
  const dbFile = resolveDbFile(options.dbFile);
  const unlock = dbFile === ':memory:' ? () => {} : lockDatabase(dbFile);
  let db: Database;
  try {
    db = openDatabase(dbFile);
  } catch (error) {
    unlock();
    throw error;
  }
  let unclaim: () => void;
  try {
    checkWritable(db, dbFile);
    unclaim = claimWriter(db, dbFile);   // the database's own guard, in case the lock file was deleted by hand
  } catch (error) {
    db.close();
    unlock();
    throw error;
  }
  const store = createStore(db);
  const writer = createMetricsWriter(store);
  const events = createEventBus({ intervalMs: options.eventIntervalMs ?? 250 });
  const executor =
    options.executor ??
    createLocalExecutor({
      threads: options.threads ?? availableParallelism(),
      workerFile: options.workerFile,
      maxHeapMb: options.maxHeapMb,
      runTimeLimitMs: options.runTimeLimitMs,
    });
  const scheduler = createScheduler({
    store,
    executor,
    writer,
    events,
    maxRunsPerSweep: options.maxRunsPerSweep,
    maxRunMb: options.maxRunMb,
    backend,
  });
  let closed = false;
  return {
    db,
    dbFile,
    store,
    writer,
    events,
    executor,
    scheduler,
    backend,
    async close() {
      if (closed) return;
      closed = true;
      await scheduler.close();
      await executor.close();
      writer.close();
      events.close();
      unclaim();
      db.close();
      unlock();
    },
  };
}
