// The store's run reads: one run, a filtered and sorted page of a sweep's runs, all of them in pages, a run's
// epochs with their layers, several runs' curves column by column, and a sweep's cells.
import type { Database, Statement } from 'better-sqlite3';
import { buildCellSummaries, type CellRunRow } from './cell-summaries.js';
import { InvalidQueryError, NotFoundError } from './errors.js';
import { isRunStatus, type RunStatus } from './run-status.js';
import {
  nanFromNull, RUN_COLUMNS, toEpochMetrics, toLayerStats, toRun, type CurveSqlRow, type EpochSqlRow, type LayerSqlRow,
  type RunSqlRow,
} from './rows.js';
import type { SweepInternals } from './sweep-queries.js';
import {
  RUN_SORT_KEYS, type CellSummary, type EpochMetricsRow, type LayerStatsRow, type ListRunsOptions, type Run,
  type RangeMetric, type RunCurves, type RunPage, type RunSortKey,
} from './types.js';

export interface RunReads {
  getRun(id: number): Run;
  listRuns(sweepId: number, options?: ListRunsOptions): RunPage;
  /**
   * Durations (ms) of a sweep's latest finished runs (succeeded or diverged), latest first, as listRuns sorts by
   * finishedAt: a few numbers for the ETA, read without the runs' configs or a count.
   */
  recentRunDurations(sweepId: number, limit: number): Array<number | null>;
  /** How many runs a sweep has (an index count: no filter is evaluated per run). */
  countRuns(sweepId: number): number;
  /** The runs of a sweep with these ids, by id; ids of other sweeps or of no run are left out. */
  getSweepRuns(sweepId: number, ids: readonly number[]): Run[];
  /** The distinct values of a config path over a sweep's runs, as the JSON texts listRuns' `config` filter takes. */
  configValues(sweepId: number, path: string): string[];
  /** The distinct stored init and activation labels of a sweep's runs, sorted. */
  runLabels(sweepId: number): { initLabels: string[]; activationLabels: string[] };
  iterateRuns(sweepId: number, pageSize?: number): Generator<Run, void, undefined>;
  /** Every run of a sweep in position order with its status, final metrics and its config values at `paths` (JSON
   * text of an array, one value per path, null where missing): what a whole-sweep plot needs, without full configs. */
  runPoints(sweepId: number, paths: readonly string[]): RunPoint[];
  getRunMetrics(runId: number): EpochMetricsRow[];
  getRunCurves(runIds: readonly number[]): RunCurves[];
  cellSummaries(sweepId: number): CellSummary[];
  /** The rows cellSummaries folds (one per run, by cell and seed), for a caller that folds them its own way. */
  cellRunRows(sweepId: number): CellRunRow[];
  /** When each started run of a sweep trained (finishedAt null while it runs), by start time. */
  runSpans(sweepId: number): RunSpan[];
}

export interface RunPoint {
  id: number;
  status: RunStatus;
  initLabel: string;
  activationLabel: string;
  finalTrainAcc: number | null;
  finalValAcc: number | null;
  finalTrainLoss: number | null;
  finalValLoss: number | null;
  /** JSON array text: the config's value at each asked path. */
  values: string;
}

export interface RunSpan {
  startedAt: number;
  finishedAt: number | null;
}

export interface RunState {
  status: RunStatus;
  attempt: number;
  sweepId: number;
}

const SORT_COLUMNS: Record<RunSortKey, string> = {
  id: 'id', position: 'position', seed: 'seed', status: 'status', initLabel: 'init_label',
  activationLabel: 'activation_label', attempt: 'attempt', durationMs: 'duration_ms',
  epochsCompleted: 'epochs_completed', finalTrainLoss: 'final_train_loss', finalTrainAcc: 'final_train_acc',
  finalValLoss: 'final_val_loss', finalValAcc: 'final_val_acc', bestTrainLoss: 'best_train_loss',
  bestTrainAcc: 'best_train_acc', bestValLoss: 'best_val_loss', bestValAcc: 'best_val_acc',
  startedAt: 'started_at', finishedAt: 'finished_at',
};

/** Sort keys whose column is NOT NULL in the schema (db/migrations.ts). */
const NOT_NULL_SORTS: ReadonlySet<RunSortKey> = new Set<RunSortKey>([
  'id', 'position', 'seed', 'status', 'initLabel', 'activationLabel', 'attempt', 'epochsCompleted',
]);

interface ListParams {
  sweepId: number;
  statuses: string | null;
  verdict: string | null;
  initLabel: string | null;
  activationLabel: string | null;
  config: string | null;
  configRanges: string | null;
  text: string | null;
  minTrainAcc: number | null; maxTrainAcc: number | null;
  minValAcc: number | null; maxValAcc: number | null;
  minTrainLoss: number | null; maxTrainLoss: number | null;
  minValLoss: number | null; maxValLoss: number | null;
}

const RANGE_PARAMS: Record<RangeMetric, string> = {
  finalTrainAcc: 'TrainAcc', finalValAcc: 'ValAcc', finalTrainLoss: 'TrainLoss', finalValLoss: 'ValLoss',
};

/** A dotted config path as an SQLite JSON path ("train.lr" → "$.train.lr"); InvalidQueryError for anything else. */
function jsonPath(path: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/.test(path)) throw new InvalidQueryError(`bad config path '${path}'`);
  return `$.${path}`;
}

function isSortKey(value: string): value is RunSortKey {
  return (RUN_SORT_KEYS as readonly string[]).includes(value);
}

/** Free text as a JSON array of lower-case words (SQLite's lower() folds ASCII only, so the words are ASCII-folded too). */
function textWords(text: string | undefined): string | null {
  const words = (text ?? '').toLowerCase().split(/\s+/).filter((w) => w !== '');
  return words.length === 0 ? null : JSON.stringify(words);
}

export function checkCount(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidQueryError(`${name} must be an integer from 0 to ${max}, got ${value}`);
  }
  return value;
}

export function createRunReads(db: Database, sweeps: Pick<SweepInternals, 'requireSweepStatus'>): {
  reads: RunReads;
  /** A run's status, attempt and sweep; NotFoundError when there is no such run. */
  requireRun(id: number): RunState;
} {
  const { requireSweepStatus } = sweeps;
  const sql = {
    runState: db.prepare<[number], RunState>(`SELECT status, attempt, sweep_id AS sweepId FROM runs WHERE id = ?`),
    getRun: db.prepare<[number], RunSqlRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
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
    recentDurations: db.prepare<[number, number], { durationMs: number | null }>(
      `SELECT duration_ms AS durationMs FROM runs WHERE sweep_id = ? AND status IN ('succeeded', 'diverged')
       ORDER BY (finished_at IS NULL), finished_at DESC, position DESC LIMIT ?`),
    sweepRunsById: db.prepare<[number, string], RunSqlRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE sweep_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id`),
    runsPage: db.prepare<[number, number, number], RunSqlRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE sweep_id = ? AND position > ? ORDER BY position LIMIT ?`),
    runSpans: db.prepare<[number], RunSpan>(
      `SELECT started_at AS startedAt, finished_at AS finishedAt FROM runs
       WHERE sweep_id = ? AND started_at IS NOT NULL ORDER BY started_at`),
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
    AND (@activationLabel IS NULL OR activation_label = @activationLabel)
    AND (@config IS NULL OR NOT EXISTS (
      SELECT 1 FROM json_each(@config) AS f
      WHERE COALESCE(runs.config -> json_extract(f.value, '$.path'), 'null')
        NOT IN (SELECT value FROM json_each(f.value, '$.values'))))
    AND (@configRanges IS NULL OR NOT EXISTS (
      SELECT 1 FROM json_each(@configRanges) AS r
      WHERE COALESCE(json_type(runs.config, r.value ->> '$.path') NOT IN ('integer', 'real')
        OR (r.value ->> '$.min' IS NOT NULL AND runs.config ->> (r.value ->> '$.path') < r.value ->> '$.min')
        OR (r.value ->> '$.max' IS NOT NULL AND runs.config ->> (r.value ->> '$.path') > r.value ->> '$.max'), 1)))
    AND (@minTrainAcc IS NULL OR final_train_acc >= @minTrainAcc) AND (@maxTrainAcc IS NULL OR final_train_acc <= @maxTrainAcc)
    AND (@minValAcc IS NULL OR final_val_acc >= @minValAcc) AND (@maxValAcc IS NULL OR final_val_acc <= @maxValAcc)
    AND (@minTrainLoss IS NULL OR final_train_loss >= @minTrainLoss) AND (@maxTrainLoss IS NULL OR final_train_loss <= @maxTrainLoss)
    AND (@minValLoss IS NULL OR final_val_loss >= @minValLoss) AND (@maxValLoss IS NULL OR final_val_loss <= @maxValLoss)
    AND (status != 'diverged' OR COALESCE(@minTrainAcc, @maxTrainAcc, @minValAcc, @maxValAcc, @minTrainLoss,
                                          @maxTrainLoss, @minValLoss, @maxValLoss) IS NULL)
    AND (@text IS NULL OR NOT EXISTS (
      SELECT 1 FROM json_each(@text) AS t
      WHERE instr(lower('#' || runs.id || ' ' || init_label || ' ' || activation_label || ' ' || status || ' '
                        || COALESCE((SELECT group_concat(json_extract(v.value, '$.kind'), ' ')
                                     FROM json_each(runs.verdicts) AS v), '')), t.value) = 0))`;
  const runPointsSql = db.prepare<[string, number], RunPoint>(
    `SELECT id, status, init_label AS initLabel, activation_label AS activationLabel, final_train_acc AS finalTrainAcc,
            final_val_acc AS finalValAcc, final_train_loss AS finalTrainLoss, final_val_loss AS finalValLoss,
            (SELECT json_group_array(json_extract(runs.config, p.value)) FROM json_each(?) AS p) AS "values"
     FROM runs WHERE sweep_id = ? ORDER BY position`);
  const configValuesSql = db.prepare<[string, number], { value: string }>(
    `SELECT DISTINCT COALESCE(config -> ?, 'null') AS value FROM runs WHERE sweep_id = ?`);
  const initLabelsSql = db.prepare<[number], { label: string }>(
    `SELECT DISTINCT init_label AS label FROM runs WHERE sweep_id = ? ORDER BY init_label`);
  const activationLabelsSql = db.prepare<[number], { label: string }>(
    `SELECT DISTINCT activation_label AS label FROM runs WHERE sweep_id = ? ORDER BY activation_label`);
  const countFiltered = db.prepare<[ListParams], { total: number }>(`SELECT COUNT(*) AS total ${LIST_FILTER}`);
  const countAll = db.prepare<[number], { total: number }>(`SELECT COUNT(*) AS total FROM runs WHERE sweep_id = ?`);
  const listStatements = new Map<string, Statement<[Partial<ListParams> & { limit: number; offset: number }], RunSqlRow>>();
  function listStatement(sortBy: RunSortKey, order: 'asc' | 'desc', filtered: boolean) {
    const key = `${sortBy} ${order} ${filtered}`;
    let statement = listStatements.get(key);
    if (statement === undefined) {
      const column = SORT_COLUMNS[sortBy];
      const direction = order === 'desc' ? 'DESC' : 'ASC';
      // Missing values last, ties by position; but a NOT NULL column needs no null test and a unique one no tie
      // break, and without them SQLite walks an index in order (runs_by_sweep for id, the sweep's unique position
      // index for position) and stops at the page instead of sorting every run of the sweep.
      const nullsLast = NOT_NULL_SORTS.has(sortBy) ? '' : `(${column} IS NULL), `;
      const unique = sortBy === 'id' || sortBy === 'position';
      const tieBreak = unique ? '' : `, position ${direction}`;
      if (!filtered && unique) {
        // The table as a page opens it: the page's first key is found in the sweep's index alone (OFFSET over a
        // covering index), then only the page's rows are read; OFFSET over the rows themselves reads every run
        // up to the page (the filter's tests, no-ops then, ran for each too: 1.2 ms for a late page of 2,000 runs).
        const bound = direction === 'ASC' ? '>=' : '<=';
        statement = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE sweep_id = @sweepId AND ${column} ${bound} (
            SELECT ${column} FROM runs WHERE sweep_id = @sweepId ORDER BY ${column} ${direction} LIMIT 1 OFFSET @offset)
          ORDER BY ${column} ${direction} LIMIT @limit`);
      } else {
        statement = db.prepare(`SELECT ${RUN_COLUMNS} ${filtered ? LIST_FILTER : 'FROM runs WHERE sweep_id = @sweepId'}
          ORDER BY ${nullsLast}${column} ${direction}${tieBreak} LIMIT @limit OFFSET @offset`);
      }
      listStatements.set(key, statement);
    }
    return statement;
  }

  function requireRun(id: number): RunState {
    const row = sql.runState.get(id);
    if (row === undefined) throw new NotFoundError('run', id);
    return row;
  }

  function getRun(id: number): Run {
    const row = sql.getRun.get(id);
    if (row === undefined) throw new NotFoundError('run', id);
    return toRun(row);
  }

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
      config: options.config === undefined || options.config.length === 0 ? null
        : JSON.stringify(options.config.map((c) => ({ path: jsonPath(c.path), values: c.values }))),
      configRanges: options.configRanges === undefined || options.configRanges.length === 0 ? null
        : JSON.stringify(options.configRanges.map((c) => {
          checkBound(c.path, c.min);
          checkBound(c.path, c.max);
          return { path: jsonPath(c.path), min: c.min ?? null, max: c.max ?? null };
        })),
      text: textWords(options.text),
      minTrainAcc: null, maxTrainAcc: null, minValAcc: null, maxValAcc: null,
      minTrainLoss: null, maxTrainLoss: null, minValLoss: null, maxValLoss: null,
    };
    for (const [metric, range] of Object.entries(options.ranges ?? {}) as Array<[RangeMetric, { min?: number; max?: number }]>) {
      const name = RANGE_PARAMS[metric];
      if (name === undefined) throw new InvalidQueryError(`cannot filter runs by '${metric}'`);
      if (range.min !== undefined) (params as unknown as Record<string, number>)[`min${name}`] = range.min;
      if (range.max !== undefined) (params as unknown as Record<string, number>)[`max${name}`] = range.max;
    }
    const limit = checkCount('limit', options.limit ?? 100, 10_000);
    const offset = checkCount('offset', options.offset ?? 0);
    // Unfiltered, the sweep's index counts its runs; the filter's per-run tests would cost ~5× as much.
    const unfiltered = Object.entries(params).every(([key, value]) => key === 'sweepId' || value === null);
    const runs = (unfiltered
      ? listStatement(sortBy, order, false).all({ sweepId, limit, offset })
      : listStatement(sortBy, order, true).all({ ...params, limit, offset })).map(toRun);
    return { runs, total: unfiltered ? countAll.get(sweepId)!.total : countFiltered.get(params)!.total };
  }

  function recentRunDurations(sweepId: number, limit: number): Array<number | null> {
    requireSweepStatus(sweepId);
    return sql.recentDurations.all(sweepId, checkCount('limit', limit, 10_000)).map((r) => r.durationMs);
  }

  function countRuns(sweepId: number): number {
    requireSweepStatus(sweepId);
    return countAll.get(sweepId)!.total;
  }

  function getSweepRuns(sweepId: number, ids: readonly number[]): Run[] {
    requireSweepStatus(sweepId);
    return sql.sweepRunsById.all(sweepId, JSON.stringify(ids)).map(toRun);
  }

  function checkBound(path: string, bound: number | undefined): void {
    if (bound !== undefined && !Number.isFinite(bound)) throw new InvalidQueryError(`a range of '${path}' needs finite numbers`);
  }

  function configValues(sweepId: number, path: string): string[] {
    requireSweepStatus(sweepId);
    return configValuesSql.all(jsonPath(path), sweepId).map((r) => r.value);
  }

  function runPoints(sweepId: number, paths: readonly string[]): RunPoint[] {
    requireSweepStatus(sweepId);
    return runPointsSql.all(JSON.stringify(paths.map(jsonPath)), sweepId);
  }

  function runLabels(sweepId: number): { initLabels: string[]; activationLabels: string[] } {
    requireSweepStatus(sweepId);
    return {
      initLabels: initLabelsSql.all(sweepId).map((r) => r.label),
      activationLabels: activationLabelsSql.all(sweepId).map((r) => r.label),
    };
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
      while (next < layers.length && layers[next].epoch === e.epoch) epochLayers.push(toLayerStats(layers[next++]));
      return toEpochMetrics(e, epochLayers);
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
    reads: {
      getRun,
      listRuns,
      countRuns,
      recentRunDurations,
      getSweepRuns,
      configValues,
      runLabels,
      iterateRuns,
      runPoints,
      getRunMetrics,
      getRunCurves,
      cellSummaries(sweepId) {
        requireSweepStatus(sweepId);
        return buildCellSummaries(sql.cellRows.all(sweepId));
      },
      cellRunRows(sweepId) {
        requireSweepStatus(sweepId);
        return sql.cellRows.all(sweepId);
      },
      runSpans(sweepId) {
        requireSweepStatus(sweepId);
        return sql.runSpans.all(sweepId);
      },
    },
    requireRun,
  };
}
