// Versioned schema: an ordered list of steps; PRAGMA user_version records how many have been applied.
// Each step runs in its own transaction. Never edit a released step; append a new one.
import type { Database } from 'better-sqlite3';
import { SchemaVersionError } from './errors.js';

export interface Migration {
  version: number;   // 1-based, equal to its index + 1
  name: string;
  up: (db: Database) => void;
}

// Numbers: metric columns are REAL. SQLite stores NaN as NULL, so in epoch_metrics / layer_metrics NULL means NaN
// (every epoch reports every field); ±Infinity is stored as a REAL infinity (the 1e999 literal) and reads back
// as ±Infinity. In runs, the final_* / best_* columns are NULL when there is no value (no epochs, or NaN).
// Times are INTEGER milliseconds since the Unix epoch. JSON columns hold text checked by json_valid.
const initialSchema = `
CREATE TABLE sweeps (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL,
  spec         TEXT    NOT NULL CHECK (json_valid(spec)),
  varying      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(varying) AND json_type(varying) = 'array'),
  status       TEXT    NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'cancelled')),
  run_limit    INTEGER CHECK (run_limit IS NULL OR run_limit > 0),
  created_at   INTEGER NOT NULL,
  finished_at  INTEGER
);

CREATE TABLE runs (
  id                INTEGER PRIMARY KEY,
  sweep_id          INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  position          INTEGER NOT NULL,
  config            TEXT    NOT NULL CHECK (json_valid(config)),
  hash              TEXT    NOT NULL,
  seed              INTEGER NOT NULL,
  init_label        TEXT    NOT NULL,
  activation_label  TEXT    NOT NULL,
  status            TEXT    NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'succeeded', 'diverged', 'failed', 'cancelled')),
  attempt           INTEGER NOT NULL DEFAULT 1,
  error             TEXT,
  verdicts          TEXT    CHECK (verdicts IS NULL OR json_valid(verdicts)),
  divergence        TEXT    CHECK (divergence IS NULL OR json_valid(divergence)),
  theory_pre_var    TEXT    CHECK (theory_pre_var IS NULL OR json_valid(theory_pre_var)),
  started_at        INTEGER,
  finished_at       INTEGER,
  duration_ms       REAL,
  epochs_completed  INTEGER NOT NULL DEFAULT 0,
  final_train_loss  REAL,
  final_train_acc   REAL,
  final_val_loss    REAL,
  final_val_acc     REAL,
  best_train_loss   REAL,
  best_train_acc    REAL,
  best_val_loss     REAL,
  best_val_acc      REAL,
  UNIQUE (sweep_id, hash),
  UNIQUE (sweep_id, position)           -- also the index for "runs of a sweep in dispatch order"
);
CREATE INDEX runs_by_sweep_status ON runs (sweep_id, status, position);   -- claim next queued, counts, filters
CREATE INDEX runs_by_sweep_cell ON runs (sweep_id, init_label, activation_label, seed); -- heatmap, pivot
CREATE INDEX runs_by_status ON runs (status) WHERE status = 'running';    -- crash recovery at start-up

-- The run state machine of db/run-status.ts, enforced once more at the bottom (a test checks they agree).
CREATE TRIGGER runs_status_transition BEFORE UPDATE OF status ON runs
WHEN OLD.status <> NEW.status AND NOT (
     (OLD.status = 'queued'  AND NEW.status IN ('running', 'cancelled'))
  OR (OLD.status = 'running' AND NEW.status IN ('succeeded', 'diverged', 'failed', 'cancelled', 'queued'))
  OR (OLD.status IN ('succeeded', 'diverged', 'failed', 'cancelled') AND NEW.status = 'queued'))
BEGIN
  SELECT RAISE(ABORT, 'illegal run status transition');
END;

CREATE TABLE epoch_metrics (
  run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch          INTEGER NOT NULL,
  step           INTEGER NOT NULL,
  train_loss     REAL,
  train_acc      REAL,
  val_loss       REAL,
  val_acc        REAL,
  grad_norm      REAL,
  clipped        INTEGER NOT NULL CHECK (clipped IN (0, 1)),
  clipped_steps  INTEGER NOT NULL,
  PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;

CREATE TABLE layer_metrics (
  run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch             INTEGER NOT NULL,
  layer             INTEGER NOT NULL,
  units             INTEGER NOT NULL,
  act_mean          REAL,
  act_std           REAL,
  pre_std           REAL,
  saturated_frac    REAL,
  dead_frac         REAL,
  delta_norm        REAL,
  weight_grad_norm  REAL,
  weight_norm       REAL,
  update_ratio      REAL,
  distinct_units    INTEGER NOT NULL,
  PRIMARY KEY (run_id, epoch, layer)
) WITHOUT ROWID;
`;

// Which engine computed a run ('ts' or 'native', as workers/core/engine.ts names them) and the instruction set its
// kernels used ('js' for ts; 'avx512', 'avx2', 'sse2' or 'generic' natively). Written with the run's result, so
// NULL while a run is queued, running or failed, and in runs finished before this step.
const runBackend = `
ALTER TABLE runs ADD COLUMN backend TEXT CHECK (backend IS NULL OR backend IN ('ts', 'native'));
ALTER TABLE runs ADD COLUMN cpu_path TEXT;
`;

// The run a sweep replays, set by scheduler.replay; a sweep is never taken for a replay by its name. No foreign key:
// the original may be deleted, and the replay's page then says so. Sweeps made by replay before this step carry
// both marks replay wrote, the name "replay of run N (…)" and the description "Replays run N of sweep …", and only
// those are filled in; a sweep a user merely named like that stays NULL.
function addReplayOf(db: Database): void {
  db.exec(`ALTER TABLE sweeps ADD COLUMN replay_of INTEGER CHECK (replay_of IS NULL OR replay_of > 0)`);
  const sweeps = db.prepare<[], { id: number; name: string; description: unknown }>(
    `SELECT id, name, json_extract(spec, '$.description') AS description FROM sweeps WHERE name LIKE 'replay of run %'`).all();
  const set = db.prepare<[number, number]>(`UPDATE sweeps SET replay_of = ? WHERE id = ?`);
  for (const { id, name, description } of sweeps) {
    const named = /^replay of run (\d+) \(/.exec(name);
    const described = typeof description === 'string' ? /^Replays run (\d+) of sweep \d+ /.exec(description) : null;
    if (named && described && named[1] === described[1]) set.run(Number(named[1]), id);
  }
}

// How many times a run was left 'running' by a process that died (crash recovery at start-up counts them), so a run
// that takes the process down every time is failed after a cap instead of re-queued forever. A user's re-run resets it.
const runInterruptions = `
ALTER TABLE runs ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0 CHECK (interruptions >= 0);
`;

// Cluster mode: the worker host that trained a run (`initlab worker --name`); NULL for runs of the job server's own
// pool and for runs finished before cluster mode.
const runHost = `
ALTER TABLE runs ADD COLUMN host TEXT;
`;

// The process that writes this database (server/writer-claim.ts): one row, claimed at start-up inside a write
// transaction and deleted on a clean close, so a second writer is refused even when the lock file beside the
// database was deleted by hand. Readers never touch it.
const writerClaim = `
CREATE TABLE writer_claim (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  pid        INTEGER NOT NULL,
  host       TEXT NOT NULL,
  token      TEXT NOT NULL,
  claimed_at INTEGER NOT NULL
);
`;

// Sweep management: Markdown notes (plain text, rendered safely by the dashboard), tags (a JSON array of strings:
// a sweep has a handful, always read with it, so a table would buy nothing) and when it was archived (NULL: not
// archived; archived sweeps are hidden from the sweep list by default and otherwise untouched).
const sweepManagement = `
ALTER TABLE sweeps ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE sweeps ADD COLUMN tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array');
ALTER TABLE sweeps ADD COLUMN archived_at INTEGER;

-- Ids are never reused once a sweep is deleted: SQLite hands out MAX(id) + 1, so deleting the newest sweep would
-- give its id (and its runs' ids) to the next one, and a bookmark, or a replay's replay_of, would point at another
-- sweep or run. Deleting records the highest ids it saw here; inserts start above them.
CREATE TABLE id_watermarks (
  name    TEXT PRIMARY KEY CHECK (name IN ('sweeps', 'runs')),
  max_id  INTEGER NOT NULL
);
`;

// A sweep's runs in id order (the runs table's default sort): an index on sweep_id holds each sweep's rowids in
// order, so a page of the table reads its 25 rows instead of sorting every run of the sweep.
const runsBySweep = `CREATE INDEX runs_by_sweep ON runs (sweep_id);`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: (db) => db.exec(initialSchema) },
  { version: 2, name: 'runs record their backend and CPU path', up: (db) => db.exec(runBackend) },
  { version: 3, name: 'sweeps record the run they replay', up: addReplayOf },
  { version: 4, name: 'runs count their interruptions', up: (db) => db.exec(runInterruptions) },
  { version: 5, name: 'runs record the worker host that trained them', up: (db) => db.exec(runHost) },
  { version: 6, name: 'the writing process claims the database', up: (db) => db.exec(writerClaim) },
  { version: 7, name: 'sweeps carry notes, tags and an archived time', up: (db) => db.exec(sweepManagement) },
  { version: 8, name: 'runs of a sweep in id order', up: (db) => db.exec(runsBySweep) },
];

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the steps after the database's user_version, each in a transaction that also bumps user_version,
 * so a failing step leaves the database at the previous version. Returns the versions applied.
 */
export function applyMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration '${m.name}' has version ${m.version}, expected ${i + 1}`);
  });
  const current = schemaVersion(db);
  if (current > migrations.length) throw new SchemaVersionError(current, migrations.length);
  const applied: number[] = [];
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
