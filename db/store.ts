// The store: every query the server runs against SQLite, prepared once over an injected connection.
// Status changes go through run-status.ts; metric rows are written only via writeMetricsBatch (the metrics writer).
import type { Database, Statement } from 'better-sqlite3';
import { buildCellSummaries, emptyCounts, type CellRunRow } from './cell-summaries.js';
import { ConflictError, InvalidQueryError, NotFoundError } from './errors.js';
import {
  FINAL_RUN_STATUSES, RUN_STATUSES, isRunStatus, transitionRun, transitionSweep, type RunStatus, type SweepStatus,
} from './run-status.js';
import {
  RUN_COLUMNS, SWEEP_COLUMNS, encodeJson, nanFromNull, toRun, toSweep, type RunSqlRow, type SweepSqlRow,
} from './rows.js';
import {
  RUN_SORT_KEYS, type CellSummary, type EpochMetricsRow, type LayerStatsRow, type ListRunsOptions, type NewSweep,
  type Run, type RunCurves, type RunFinals, type RunPage, type RunSortKey, type RunSummary, type StatusCounts,
  type Sweep, type SweepSummary,
} from './types.js';

/** One buffered epoch for writeMetricsBatch; `attempt`, when given, must match the run's current attempt. */
export interface MetricsBatchEntry {
  runId: number;
  attempt?: number;
  metrics: EpochMetricsRow;
}

export interface MetricsBatchResult {
  epochRows: number;      // epoch_metrics rows written
  layerRows: number;      // layer_metrics rows written
  droppedEpochs: number;  // epochs ignored: their run is gone, no longer 'running', or on another attempt
}

export interface Store {
  readonly db: Database;
  // sweeps
  createSweep(input: NewSweep): { id: number; runIds: number[] };
  getSweep(id: number): Sweep;
  listSweeps(): SweepSummary[];
  unfinishedSweepIds(): number[];
  sweepCounts(id: number): StatusCounts;
  setSweepStatus(id: number, status: SweepStatus, at?: number | null): void;
  finishSweepIfDone(id: number, at?: number): 'finished' | 'cancelled' | null;
  cancelSweep(id: number, at?: number): { cancelledRunIds: number[]; runningRunIds: number[] };
  // run lifecycle
  queuedRunIds(sweepId: number, limit?: number): number[];
  startRun(runId: number, startedAt?: number): Run;
  finishRun(runId: number, summary: RunSummary): Run;
  /** Stores a running run's mean-field theory as soon as the worker knows it (before epoch 0); false if not running. */
  setRunTheory(runId: number, theoryPreVar: number[]): boolean;
  failRun(runId: number, error: string, finishedAt?: number, durationMs?: number): Run;
  cancelRun(runId: number, at?: number): RunStatus;
  requeueRun(runId: number): Run;
  requeueRuns(sweepId: number, statuses?: RunStatus[]): number;
  requeueInterrupted(): number;
  // metrics
  insertEpochMetrics(runId: number, metrics: EpochMetricsRow[]): number;
  writeMetricsBatch(entries: readonly MetricsBatchEntry[]): MetricsBatchResult;
  // reading runs
  getRun(id: number): Run;
  listRuns(sweepId: number, options?: ListRunsOptions): RunPage;
  iterateRuns(sweepId: number, pageSize?: number): Generator<Run, void, undefined>;
  getRunMetrics(runId: number): EpochMetricsRow[];
  getRunCurves(runIds: readonly number[]): RunCurves[];
  cellSummaries(sweepId: number): CellSummary[];
}

const SORT_COLUMNS: Record<RunSortKey, string> = {
  id: 'id', position: 'position', seed: 'seed', status: 'status', initLabel: 'init_label',
  activationLabel: 'activation_label', attempt: 'attempt', durationMs: 'duration_ms',
  epochsCompleted: 'epochs_completed', finalTrainLoss: 'final_train_loss', finalTrainAcc: 'final_train_acc',
  finalValLoss: 'final_val_loss', finalValAcc: 'final_val_acc', bestTrainLoss: 'best_train_loss',
  bestTrainAcc: 'best_train_acc', bestValLoss: 'best_val_loss', bestValAcc: 'best_val_acc',
  startedAt: 'started_at', finishedAt: 'finished_at',
};

/** Columns a re-queued run starts over with (its previous attempt's results are discarded with its metrics). */
const RESET_RESULTS = `error = NULL, verdicts = NULL, divergence = NULL, theory_pre_var = NULL, started_at = NULL,
  finished_at = NULL, duration_ms = NULL, epochs_completed = 0, final_train_loss = NULL, final_train_acc = NULL,
  final_val_loss = NULL, final_val_acc = NULL, best_train_loss = NULL, best_train_acc = NULL, best_val_loss = NULL,
  best_val_acc = NULL, backend = NULL, cpu_path = NULL`;

const COUNT_COLUMNS = RUN_STATUSES.map((s) => `COALESCE(SUM(runs.status = '${s}'), 0) AS ${s}`).join(', ');

type CountsSqlRow = Record<RunStatus, number> & { total: number };

function toCounts(row: CountsSqlRow): StatusCounts {
  const counts = emptyCounts();
  for (const status of RUN_STATUSES) counts[status] = row[status];
  counts.total = row.total;
  return counts;
}

function isSortKey(value: string): value is RunSortKey {
  return (RUN_SORT_KEYS as readonly string[]).includes(value);
}

function checkCount(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidQueryError(`${name} must be an integer from 0 to ${max}, got ${value}`);
  }
  return value;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

export function createStore(db: Database): Store {
  const sql = {
    insertSweep: db.prepare<[string, string, string, number | null, number]>(
      `INSERT INTO sweeps (name, spec, varying, run_limit, created_at) VALUES (?, ?, ?, ?, ?)`),
    insertRun: db.prepare<[number, number, string, string, number, string, string]>(
      `INSERT INTO runs (sweep_id, position, config, hash, seed, init_label, activation_label)
       VALUES (?, ?, ?, ?, ?, ?, ?)`),
    getSweep: db.prepare<[number], SweepSqlRow>(`SELECT ${SWEEP_COLUMNS} FROM sweeps WHERE id = ?`),
    listSweeps: db.prepare<[], SweepSqlRow & CountsSqlRow>(
      `SELECT ${SWEEP_COLUMNS}, COUNT(runs.id) AS total, ${COUNT_COLUMNS}
       FROM sweeps LEFT JOIN runs ON runs.sweep_id = sweeps.id GROUP BY sweeps.id ORDER BY sweeps.id DESC`),
    unfinishedSweeps: db.prepare<[], SweepSqlRow>(
      `SELECT ${SWEEP_COLUMNS} FROM sweeps WHERE status = 'running' ORDER BY id`),
    sweepCounts: db.prepare<[number], CountsSqlRow & { id: number | null }>(
      `SELECT sweeps.id AS id, COUNT(runs.id) AS total, ${COUNT_COLUMNS}
       FROM sweeps LEFT JOIN runs ON runs.sweep_id = sweeps.id WHERE sweeps.id = ?`),
    sweepStatus: db.prepare<[number], { status: SweepStatus }>(`SELECT status FROM sweeps WHERE id = ?`),
    setSweepStatus: db.prepare<[SweepStatus, number | null, number]>(
      `UPDATE sweeps SET status = ?, finished_at = ? WHERE id = ?`),
    activeRunCount: db.prepare<[number], { n: number }>(
      `SELECT COUNT(*) AS n FROM runs WHERE sweep_id = ? AND status IN ('queued', 'running')`),

    runStatus: db.prepare<[number], { status: RunStatus; attempt: number; sweepId: number }>(
      `SELECT status, attempt, sweep_id AS sweepId FROM runs WHERE id = ?`),
    getRun: db.prepare<[number], RunSqlRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
    runIdsByStatus: db.prepare<[number, RunStatus, number], { id: number }>(
      `SELECT id FROM runs WHERE sweep_id = ? AND status = ? ORDER BY position LIMIT ?`),
    startRun: db.prepare<[number, number]>(`UPDATE runs SET status = 'running', started_at = ? WHERE id = ?`),
    setRunTheory: db.prepare<[string | null, number]>(
      `UPDATE runs SET theory_pre_var = ? WHERE id = ? AND status = 'running'`),
    finishRun: db.prepare<[Record<string, unknown>]>(
      `UPDATE runs SET status = @status, verdicts = @verdicts, divergence = @divergence,
         theory_pre_var = @theoryPreVar, finished_at = @finishedAt, duration_ms = @durationMs,
         epochs_completed = @epochsCompleted, final_train_loss = @finalTrainLoss, final_train_acc = @finalTrainAcc,
         final_val_loss = @finalValLoss, final_val_acc = @finalValAcc, best_train_loss = @bestTrainLoss,
         best_train_acc = @bestTrainAcc, best_val_loss = @bestValLoss, best_val_acc = @bestValAcc,
         backend = @backend, cpu_path = @cpuPath
       WHERE id = @id`),
    computeFinals: db.prepare<[number, number], RunFinals>(
      `SELECT last.train_loss AS finalTrainLoss, last.train_acc AS finalTrainAcc, last.val_loss AS finalValLoss,
              last.val_acc AS finalValAcc, agg.bestTrainLoss, agg.bestTrainAcc, agg.bestValLoss, agg.bestValAcc
       FROM (SELECT MAX(epoch) AS lastEpoch, MIN(train_loss) AS bestTrainLoss, MAX(train_acc) AS bestTrainAcc,
                    MIN(val_loss) AS bestValLoss, MAX(val_acc) AS bestValAcc
             FROM epoch_metrics WHERE run_id = ?) AS agg
       LEFT JOIN epoch_metrics AS last ON last.run_id = ? AND last.epoch = agg.lastEpoch`),
    failRun: db.prepare<[string, number, number | null, number]>(
      `UPDATE runs SET status = 'failed', error = ?, finished_at = ?, duration_ms = ? WHERE id = ?`),
    cancelRun: db.prepare<[number, number]>(`UPDATE runs SET status = 'cancelled', finished_at = ? WHERE id = ?`),
    requeueRun: db.prepare<[number]>(
      `UPDATE runs SET status = 'queued', attempt = attempt + 1, ${RESET_RESULTS} WHERE id = ?`),
    runningRuns: db.prepare<[], { id: number; sweepId: number; sweepStatus: SweepStatus }>(
      `SELECT runs.id AS id, runs.sweep_id AS sweepId, sweeps.status AS sweepStatus
       FROM runs JOIN sweeps ON sweeps.id = runs.sweep_id WHERE runs.status = 'running'`),

    deleteEpochs: db.prepare<[number]>(`DELETE FROM epoch_metrics WHERE run_id = ?`),
    deleteLayers: db.prepare<[number]>(`DELETE FROM layer_metrics WHERE run_id = ?`),
    // OR REPLACE: an epoch delivered twice (a replayed message) keeps the latest copy instead of failing the batch.
    insertEpoch: db.prepare<[number, number, number, number, number, number, number, number, number, number]>(
      `INSERT OR REPLACE INTO epoch_metrics (run_id, epoch, step, train_loss, train_acc, val_loss, val_acc,
         grad_norm, clipped, clipped_steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertLayer: db.prepare<
      [number, number, number, number, number, number, number, number, number, number, number, number, number, number]>(
      `INSERT OR REPLACE INTO layer_metrics (run_id, epoch, layer, units, act_mean, act_std, pre_std, saturated_frac,
         dead_frac, delta_norm, weight_grad_norm, weight_norm, update_ratio, distinct_units)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    epochRows: db.prepare<[number], EpochSqlRow>(
      `SELECT epoch, step, train_loss AS trainLoss, train_acc AS trainAcc, val_loss AS valLoss, val_acc AS valAcc,
              grad_norm AS gradNorm, clipped, clipped_steps AS clippedSteps
       FROM epoch_metrics WHERE run_id = ? ORDER BY epoch`),
    layerRows: db.prepare<[number], LayerSqlRow>(
      `SELECT epoch, layer, units, act_mean AS actMean, act_std AS actStd, pre_std AS preStd,
              saturated_frac AS saturatedFrac, dead_frac AS deadFrac, delta_norm AS deltaNorm,
              weight_grad_norm AS weightGradNorm, weight_norm AS weightNorm, update_ratio AS updateRatio,
              distinct_units AS distinctUnits
       FROM layer_metrics WHERE run_id = ? ORDER BY epoch, layer`),
    existingRunIds: db.prepare<[string], { id: number }>(
      `SELECT id FROM runs WHERE id IN (SELECT value FROM json_each(?))`),
    curveRows: db.prepare<[string], CurveSqlRow>(
      `SELECT run_id AS runId, epoch, step, train_loss AS trainLoss, train_acc AS trainAcc, val_loss AS valLoss,
              val_acc AS valAcc, grad_norm AS gradNorm
       FROM epoch_metrics WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, epoch`),

    runsPage: db.prepare<[number, number, number], RunSqlRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE sweep_id = ? AND position > ? ORDER BY position LIMIT ?`),
    cellRows: db.prepare<[number], CellRunRow>(
      `SELECT init_label AS initLabel, activation_label AS activationLabel, position, status, verdicts,
              final_val_acc AS finalValAcc, final_val_loss AS finalValLoss, final_train_acc AS finalTrainAcc,
              final_train_loss AS finalTrainLoss, best_val_acc AS bestValAcc, best_val_loss AS bestValLoss
       FROM runs WHERE sweep_id = ? ORDER BY init_label, activation_label, seed, position`),
  };

  // listRuns: one statement per (sort key, order), prepared on first use and kept.
  const LIST_FILTER = `FROM runs WHERE sweep_id = @sweepId
    AND (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
    AND (@verdict IS NULL OR EXISTS (SELECT 1 FROM json_each(runs.verdicts) AS v
                                     WHERE json_extract(v.value, '$.kind') = @verdict))
    AND (@initLabel IS NULL OR init_label = @initLabel)
    AND (@activationLabel IS NULL OR activation_label = @activationLabel)`;
  const countRuns = db.prepare<[ListParams], { total: number }>(`SELECT COUNT(*) AS total ${LIST_FILTER}`);
  const listStatements = new Map<string, Statement<[ListParams & { limit: number; offset: number }], RunSqlRow>>();
  function listStatement(sortBy: RunSortKey, order: 'asc' | 'desc') {
    const key = `${sortBy} ${order}`;
    let statement = listStatements.get(key);
    if (statement === undefined) {
      const column = SORT_COLUMNS[sortBy];
      const direction = order === 'desc' ? 'DESC' : 'ASC';
      statement = db.prepare(`SELECT ${RUN_COLUMNS} ${LIST_FILTER}
        ORDER BY (${column} IS NULL), ${column} ${direction}, position ${direction} LIMIT @limit OFFSET @offset`);
      listStatements.set(key, statement);
    }
    return statement;
  }

  function requireSweepStatus(id: number): SweepStatus {
    const row = sql.sweepStatus.get(id);
    if (row === undefined) throw new NotFoundError('sweep', id);
    return row.status;
  }

  function requireRun(id: number): { status: RunStatus; attempt: number; sweepId: number } {
    const row = sql.runStatus.get(id);
    if (row === undefined) throw new NotFoundError('run', id);
    return row;
  }

  function getRun(id: number): Run {
    const row = sql.getRun.get(id);
    if (row === undefined) throw new NotFoundError('run', id);
    return toRun(row);
  }

  function setSweepStatus(id: number, status: SweepStatus, at?: number | null): void {
    const from = requireSweepStatus(id);
    if (from === transitionSweep(from, status, id)) return;
    sql.setSweepStatus.run(status, status === 'running' ? null : at ?? Date.now(), id);
  }

  function reopenSweep(id: number): void {
    if (requireSweepStatus(id) !== 'running') setSweepStatus(id, 'running');
  }

  function deleteMetrics(runId: number): void {
    sql.deleteLayers.run(runId);
    sql.deleteEpochs.run(runId);
  }

  function insertEpochMetrics(runId: number, metrics: EpochMetricsRow[]): number {
    let rows = 0;
    for (const m of metrics) {
      sql.insertEpoch.run(runId, m.epoch, m.step, m.trainLoss, m.trainAcc, m.valLoss, m.valAcc, m.gradNorm,
        m.clipped ? 1 : 0, m.clippedSteps);
      rows += 1;
      for (const l of m.layers) {
        sql.insertLayer.run(runId, m.epoch, l.layer, l.units, l.actMean, l.actStd, l.preStd, l.saturatedFrac,
          l.deadFrac, l.deltaNorm, l.weightGradNorm, l.weightNorm, l.updateRatio, l.distinctUnits);
        rows += 1;
      }
    }
    return rows;
  }

  const createSweep = db.transaction((input: NewSweep): { id: number; runIds: number[] } => {
    const sweepId = Number(sql.insertSweep.run(input.name, encodeJson(input.spec ?? null), JSON.stringify(input.varying),
      input.runLimit ?? null, input.createdAt ?? Date.now()).lastInsertRowid);
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


  const startRun = db.transaction((runId: number, startedAt = Date.now()): Run => {
    transitionRun(requireRun(runId).status, 'running', runId);
    sql.startRun.run(startedAt, runId);
    return getRun(runId);
  });

  const finishRun = db.transaction((runId: number, summary: RunSummary): Run => {
    transitionRun(requireRun(runId).status, summary.status, runId);
    const finals = summary.finals ?? sql.computeFinals.get(runId, runId)!;
    sql.finishRun.run({
      ...finals,
      id: runId,
      status: summary.status,
      verdicts: encodeJson(summary.verdicts),
      divergence: summary.divergence === null ? null : encodeJson(summary.divergence),
      theoryPreVar: encodeJson(summary.theoryPreVar),
      finishedAt: summary.finishedAt ?? Date.now(),
      durationMs: summary.durationMs,
      epochsCompleted: summary.epochsCompleted,
      backend: summary.backend ?? null,
      cpuPath: summary.cpuPath ?? null,
    });
    return getRun(runId);
  });

  const failRun = db.transaction((runId: number, error: string, finishedAt = Date.now(), durationMs?: number): Run => {
    transitionRun(requireRun(runId).status, 'failed', runId);
    sql.failRun.run(error, finishedAt, durationMs ?? null, runId);
    return getRun(runId);
  });

  const cancelRun = db.transaction((runId: number, at = Date.now()): RunStatus => {
    const { status } = requireRun(runId);
    transitionRun(status, 'cancelled', runId);
    sql.cancelRun.run(at, runId);
    return status;
  });

  function cancelAll(sweepId: number, status: 'queued' | 'running', at: number): number[] {
    transitionRun(status, 'cancelled');
    const ids = sql.runIdsByStatus.all(sweepId, status, -1).map((r) => r.id);
    for (const id of ids) sql.cancelRun.run(at, id);
    return ids;
  }


  const cancelSweep = db.transaction((sweepId: number, at = Date.now()) => {
    requireSweepStatus(sweepId);
    const cancelledRunIds = cancelAll(sweepId, 'queued', at);
    const runningRunIds = cancelAll(sweepId, 'running', at);
    setSweepStatus(sweepId, 'cancelled', at);
    return { cancelledRunIds, runningRunIds };
  });

  const requeueRun = db.transaction((runId: number): Run => {
    const run = requireRun(runId);
    transitionRun(run.status, 'queued', runId);
    deleteMetrics(runId);
    sql.requeueRun.run(runId);
    reopenSweep(run.sweepId);
    return getRun(runId);
  });

  const requeueRuns = db.transaction(
    (sweepId: number, statuses: RunStatus[] = ['failed', 'diverged', 'cancelled']): number => {
      requireSweepStatus(sweepId);
      let count = 0;
      for (const status of new Set(statuses)) {
        // Only finished runs: a running run still has a worker (crash recovery is requeueInterrupted / requeueRun).
        if (!(FINAL_RUN_STATUSES as readonly string[]).includes(status)) {
          throw new InvalidQueryError(`re-runs take finished statuses (${FINAL_RUN_STATUSES.join(', ')}), not '${status}'`);
        }
        transitionRun(status, 'queued');
        for (const { id } of sql.runIdsByStatus.all(sweepId, status, -1)) {
          deleteMetrics(id);
          sql.requeueRun.run(id);
          count += 1;
        }
      }
      if (count > 0) reopenSweep(sweepId);
      return count;
    });

  const requeueInterrupted = db.transaction((): number => {
    const at = Date.now();
    let requeued = 0;
    const reopened = new Set<number>();
    for (const run of sql.runningRuns.all()) {
      if (run.sweepStatus === 'cancelled') {
        // The user cancelled the sweep before the crash: finish the cancellation instead of resurrecting it.
        transitionRun('running', 'cancelled', run.id);
        sql.cancelRun.run(at, run.id);
        continue;
      }
      transitionRun('running', 'queued', run.id);
      deleteMetrics(run.id);
      sql.requeueRun.run(run.id);
      reopened.add(run.sweepId);
      requeued += 1;
    }
    for (const sweepId of reopened) reopenSweep(sweepId);
    return requeued;
  });

  const writeMetricsBatch = db.transaction((entries: readonly MetricsBatchEntry[]): MetricsBatchResult => {
    const result: MetricsBatchResult = { epochRows: 0, layerRows: 0, droppedEpochs: 0 };
    const current = new Map<number, { status: RunStatus; attempt: number } | null>();
    for (const entry of entries) {
      let run = current.get(entry.runId);
      if (run === undefined) {
        run = sql.runStatus.get(entry.runId) ?? null;
        current.set(entry.runId, run);
      }
      // Late epochs of a run that was cancelled, requeued or deleted meanwhile belong to no live attempt.
      if (run === null || run.status !== 'running' || (entry.attempt !== undefined && entry.attempt !== run.attempt)) {
        result.droppedEpochs += 1;
        continue;
      }
      const rows = insertEpochMetrics(entry.runId, [entry.metrics]);
      result.epochRows += 1;
      result.layerRows += rows - 1;
    }
    return result;
  });

  function listRuns(sweepId: number, options: ListRunsOptions = {}): RunPage {
    requireSweepStatus(sweepId);
    const sortBy = options.sortBy ?? 'position';
    if (!isSortKey(sortBy)) throw new InvalidQueryError(`cannot sort runs by '${sortBy}'`);
    const order = options.order ?? 'asc';
    if (order !== 'asc' && order !== 'desc') throw new InvalidQueryError(`order must be 'asc' or 'desc'`);
    const statuses: readonly string[] | undefined = options.status === undefined ? undefined
      : typeof options.status === 'string' ? [options.status] : options.status;
    for (const status of statuses ?? []) {
      if (!isRunStatus(status)) throw new InvalidQueryError(`unknown run status '${String(status)}'`);
    }
    const params: ListParams = {
      sweepId,
      statuses: statuses === undefined ? null : JSON.stringify(statuses),
      verdict: options.verdict ?? null,
      initLabel: options.initLabel ?? null,
      activationLabel: options.activationLabel ?? null,
    };
    const limit = checkCount('limit', options.limit ?? 100, 10_000);
    const offset = checkCount('offset', options.offset ?? 0);
    const runs = listStatement(sortBy, order).all({ ...params, limit, offset }).map(toRun);
    return { runs, total: countRuns.get(params)!.total };
  }

  // Pages by position instead of holding a cursor: better-sqlite3 refuses every write on the connection while an
  // .iterate() is open, and a streaming export pauses (awaiting 'drain') while the metrics writer must keep writing.
  function* iterateRuns(sweepId: number, pageSize = 500): Generator<Run, void, undefined> {
    requireSweepStatus(sweepId);
    if (checkCount('pageSize', pageSize) === 0) throw new InvalidQueryError('pageSize must be at least 1');
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const page = sql.runsPage.all(sweepId, after, pageSize);
      for (const row of page) yield toRun(row);
      if (page.length < pageSize) return;
      after = page[page.length - 1].position;
    }
  }

  function getRunMetrics(runId: number): EpochMetricsRow[] {
    requireRun(runId);
    const layers = sql.layerRows.all(runId);
    let next = 0;
    return sql.epochRows.all(runId).map((e) => {
      const epochLayers: LayerStatsRow[] = [];
      while (next < layers.length && layers[next].epoch < e.epoch) next += 1;
      while (next < layers.length && layers[next].epoch === e.epoch) {
        const l = layers[next++];
        epochLayers.push({
          layer: l.layer, units: l.units, actMean: nanFromNull(l.actMean), actStd: nanFromNull(l.actStd),
          preStd: nanFromNull(l.preStd), saturatedFrac: nanFromNull(l.saturatedFrac), deadFrac: nanFromNull(l.deadFrac),
          deltaNorm: nanFromNull(l.deltaNorm), weightGradNorm: nanFromNull(l.weightGradNorm),
          weightNorm: nanFromNull(l.weightNorm), updateRatio: nanFromNull(l.updateRatio), distinctUnits: l.distinctUnits,
        });
      }
      return {
        epoch: e.epoch, step: e.step, trainLoss: nanFromNull(e.trainLoss), trainAcc: nanFromNull(e.trainAcc),
        valLoss: nanFromNull(e.valLoss), valAcc: nanFromNull(e.valAcc), gradNorm: nanFromNull(e.gradNorm),
        clipped: e.clipped === 1, clippedSteps: e.clippedSteps, layers: epochLayers,
      };
    });
  }

  function getRunCurves(runIds: readonly number[]): RunCurves[] {
    const idsJson = JSON.stringify(runIds);
    const existing = new Set(sql.existingRunIds.all(idsJson).map((r) => r.id));
    const curves = new Map<number, RunCurves>();
    for (const id of runIds) {
      if (existing.has(id) && !curves.has(id)) {
        curves.set(id, { runId: id, epoch: [], step: [], trainLoss: [], trainAcc: [], valLoss: [], valAcc: [], gradNorm: [] });
      }
    }
    for (const row of sql.curveRows.iterate(idsJson)) {
      const c = curves.get(row.runId)!;
      c.epoch.push(row.epoch);
      c.step.push(row.step);
      c.trainLoss.push(nanFromNull(row.trainLoss));
      c.trainAcc.push(nanFromNull(row.trainAcc));
      c.valLoss.push(nanFromNull(row.valLoss));
      c.valAcc.push(nanFromNull(row.valAcc));
      c.gradNorm.push(nanFromNull(row.gradNorm));
    }
    return [...curves.values()];
  }

  return {
    db,
    createSweep: (input) => createSweep.immediate(input),
    getSweep(id) {
      const row = sql.getSweep.get(id);
      if (row === undefined) throw new NotFoundError('sweep', id);
      return toSweep(row);
    },
    listSweeps: () => sql.listSweeps.all().map((row) => ({ ...toSweep(row), counts: toCounts(row) })),
    unfinishedSweepIds: () => sql.unfinishedSweeps.all().map((row) => row.id),
    sweepCounts(id) {
      const row = sql.sweepCounts.get(id)!;
      if (row.id === null) throw new NotFoundError('sweep', id);
      return toCounts(row);
    },
    setSweepStatus: db.transaction(setSweepStatus),
    // The sweep's terminal status once none of its runs is queued or running (finishing it if it was running),
    // else null. A cancelled sweep stays cancelled.
    finishSweepIfDone: db.transaction((id: number, at = Date.now()): 'finished' | 'cancelled' | null => {
      const status = requireSweepStatus(id);
      if (sql.activeRunCount.get(id)!.n > 0) return null;
      if (status === 'running') setSweepStatus(id, 'finished', at);
      return status === 'cancelled' ? 'cancelled' : 'finished';
    }),
    cancelSweep: (id, at) => cancelSweep.immediate(id, at),
    queuedRunIds(sweepId, limit) {
      requireSweepStatus(sweepId);
      const max = limit === undefined ? -1 : checkCount('limit', limit);
      return sql.runIdsByStatus.all(sweepId, 'queued', max).map((r) => r.id);
    },
    startRun: (runId, startedAt) => startRun.immediate(runId, startedAt),
    finishRun: (runId, summary) => finishRun.immediate(runId, summary),
    setRunTheory: (runId, theoryPreVar) => sql.setRunTheory.run(encodeJson(theoryPreVar), runId).changes === 1,
    failRun: (runId, error, finishedAt, durationMs) => failRun.immediate(runId, error, finishedAt, durationMs),
    cancelRun: (runId, at) => cancelRun.immediate(runId, at),
    requeueRun: (runId) => requeueRun.immediate(runId),
    requeueRuns: (sweepId, statuses) => requeueRuns.immediate(sweepId, statuses),
    requeueInterrupted: () => requeueInterrupted.immediate(),
    insertEpochMetrics,
    writeMetricsBatch: (entries) => writeMetricsBatch.immediate(entries),
    getRun,
    listRuns,
    iterateRuns,
    getRunMetrics,
    getRunCurves,
    cellSummaries(sweepId) {
      requireSweepStatus(sweepId);
      return buildCellSummaries(sql.cellRows.all(sweepId));
    },
  };
}

interface ListParams {
  sweepId: number;
  statuses: string | null;
  verdict: string | null;
  initLabel: string | null;
  activationLabel: string | null;
}

interface EpochSqlRow {
  epoch: number;
  step: number;
  trainLoss: number | null;
  trainAcc: number | null;
  valLoss: number | null;
  valAcc: number | null;
  gradNorm: number | null;
  clipped: number;
  clippedSteps: number;
}

interface LayerSqlRow {
  epoch: number;
  layer: number;
  units: number;
  actMean: number | null;
  actStd: number | null;
  preStd: number | null;
  saturatedFrac: number | null;
  deadFrac: number | null;
  deltaNorm: number | null;
  weightGradNorm: number | null;
  weightNorm: number | null;
  updateRatio: number | null;
  distinctUnits: number;
}

type CurveSqlRow = Omit<EpochSqlRow, 'clipped' | 'clippedSteps'> & { runId: number };
