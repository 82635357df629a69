// The store's sweep queries: create a sweep with its runs, read sweeps and their status counts, and move a sweep
// through its states (run-status.ts). Cancelling a sweep cancels runs, so it lives with the run lifecycle.
import type { Database } from 'better-sqlite3';
import { ConflictError, NotFoundError } from './errors.js';
import { emptyCounts } from './cell-summaries.js';
import { transitionSweep, type RunStatus, type SweepStatus } from './run-status.js';
import {
  COUNT_COLUMNS, encodeJson, SWEEP_COLUMNS, toCounts, toSweep, type CountsSqlRow, type SweepSqlRow,
} from './rows.js';
import type { NewSweep, StatusCounts, Sweep, SweepSummary } from './types.js';

export interface SweepQueries {
  createSweep(input: NewSweep): { id: number; runIds: number[] };
  getSweep(id: number): Sweep;
  listSweeps(): SweepSummary[];
  unfinishedSweepIds(): number[];
  sweepCounts(id: number): StatusCounts;
  setSweepStatus(id: number, status: SweepStatus, at?: number | null): void;
  /** The sweep's terminal status once none of its runs is queued or running (finishing it if it was running). */
  finishSweepIfDone(id: number, at?: number): 'finished' | 'cancelled' | null;
}

/** What the other parts of the store use inside their own transactions. */
export interface SweepInternals {
  /** The sweep's status; NotFoundError when there is no such sweep. */
  requireSweepStatus(id: number): SweepStatus;
  /** setSweepStatus without a transaction of its own. */
  moveSweep(id: number, status: SweepStatus, at?: number | null): void;
  /** Back to 'running' (a run of it was queued again). */
  reopenSweep(id: number): void;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

/** SQL for the next id of `table`: above its highest row and above the highest id a delete recorded. */
function nextId(table: 'sweeps' | 'runs'): string {
  return `MAX(COALESCE((SELECT MAX(id) FROM ${table}), 0),
    COALESCE((SELECT max_id FROM id_watermarks WHERE name = '${table}'), 0)) + 1`;
}

export function createSweepQueries(db: Database): { queries: SweepQueries; internals: SweepInternals } {
  const sql = {
    // Ids start above the id_watermarks a delete left (migration 7): a deleted sweep's or run's id is never reused.
    insertSweep: db.prepare<[string, string, string, number | null, number | null, number]>(
      `INSERT INTO sweeps (id, name, spec, varying, run_limit, replay_of, created_at) VALUES (${nextId('sweeps')}, ?, ?, ?, ?, ?, ?)`),
    insertRun: db.prepare<[number, number, string, string, number, string, string]>(
      `INSERT INTO runs (id, sweep_id, position, config, hash, seed, init_label, activation_label)
       VALUES (${nextId('runs')}, ?, ?, ?, ?, ?, ?, ?)`),
    getSweep: db.prepare<[number], SweepSqlRow>(`SELECT ${SWEEP_COLUMNS} FROM sweeps WHERE id = ?`),
    listSweeps: db.prepare<[], SweepSqlRow & CountsSqlRow>(
      `SELECT ${SWEEP_COLUMNS}, COUNT(runs.id) AS total, ${COUNT_COLUMNS}
       FROM sweeps LEFT JOIN runs ON runs.sweep_id = sweeps.id GROUP BY sweeps.id ORDER BY sweeps.id DESC`),
    unfinishedSweeps: db.prepare<[], SweepSqlRow>(
      `SELECT ${SWEEP_COLUMNS} FROM sweeps WHERE status = 'running' ORDER BY id`),
    // One count per status, read from the (sweep_id, status, position) index alone: ~2.5× cheaper than summing a
    // condition per status over every run row (the dashboard's progress, the API and each stream tick ask for it).
    sweepCounts: db.prepare<[number], { status: RunStatus; n: number }>(
      `SELECT status, COUNT(*) AS n FROM runs WHERE sweep_id = ? GROUP BY status`),
    sweepStatus: db.prepare<[number], { status: SweepStatus }>(`SELECT status FROM sweeps WHERE id = ?`),
    setSweepStatus: db.prepare<[SweepStatus, number | null, number]>(
      `UPDATE sweeps SET status = ?, finished_at = ? WHERE id = ?`),
    activeRunCount: db.prepare<[number], { n: number }>(
      `SELECT COUNT(*) AS n FROM runs WHERE sweep_id = ? AND status IN ('queued', 'running')`),
  };

  function requireSweepStatus(id: number): SweepStatus {
    const row = sql.sweepStatus.get(id);
    if (row === undefined) throw new NotFoundError('sweep', id);
    return row.status;
  }

  function moveSweep(id: number, status: SweepStatus, at?: number | null): void {
    const from = requireSweepStatus(id);
    if (from === transitionSweep(from, status, id)) return;
    sql.setSweepStatus.run(status, status === 'running' ? null : at ?? Date.now(), id);
  }

  function reopenSweep(id: number): void {
    if (requireSweepStatus(id) !== 'running') moveSweep(id, 'running');
  }

  const createSweep = db.transaction((input: NewSweep): { id: number; runIds: number[] } => {
    const sweepId = Number(sql.insertSweep.run(input.name, encodeJson(input.spec ?? null), JSON.stringify(input.varying),
      input.runLimit ?? null, input.replayOf ?? null, input.createdAt ?? Date.now()).lastInsertRowid);
    const runIds: number[] = [];
    for (const run of input.runs) {
      try {
        runIds.push(Number(sql.insertRun.run(sweepId, run.position, JSON.stringify(run.config), run.hash, run.seed,
          run.initLabel, run.activationLabel).lastInsertRowid));
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictError(
            `sweep '${input.name}': two runs share config hash ${run.hash} or position ${run.position}`, { cause: error });
        }
        throw error;
      }
    }
    return { id: sweepId, runIds };
  });

  const queries: SweepQueries = {
    createSweep: (input) => createSweep.immediate(input),
    getSweep(id) {
      const row = sql.getSweep.get(id);
      if (row === undefined) throw new NotFoundError('sweep', id);
      return toSweep(row);
    },
    listSweeps: () => sql.listSweeps.all().map((row) => ({ ...toSweep(row), counts: toCounts(row) })),
    unfinishedSweepIds: () => sql.unfinishedSweeps.all().map((row) => row.id),
    sweepCounts(id) {
      requireSweepStatus(id);
      const counts = emptyCounts();
      for (const { status, n } of sql.sweepCounts.all(id)) {
        counts[status] = n;
        counts.total += n;
      }
      return counts;
    },
    setSweepStatus: db.transaction(moveSweep),
    // A cancelled sweep stays cancelled.
    finishSweepIfDone: db.transaction((id: number, at = Date.now()): 'finished' | 'cancelled' | null => {
      const status = requireSweepStatus(id);
      if (sql.activeRunCount.get(id)!.n > 0) return null;
      if (status === 'running') moveSweep(id, 'finished', at);
      return status === 'cancelled' ? 'cancelled' : 'finished';
    }),
  };
  return { queries, internals: { requireSweepStatus, moveSweep, reopenSweep } };
}
