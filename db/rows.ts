// Mapping between SQL rows and the store's types: column lists, row shapes, JSON columns, non-finite numbers.
// JSON has no NaN or Infinity, so numbers inside JSON columns (verdict values, theoryPreVar) that are not finite are
// written as the strings "NaN", "Infinity", "-Infinity" and turned back into numbers when read.
import type { RunConfig } from '../workers/core/types.js';
import { emptyCounts } from './cell-summaries.js';
import { RUN_STATUSES, type RunStatus, type SweepStatus } from './run-status.js';
import type { DivergenceRow, EpochMetricsRow, LayerStatsRow, Run, StatusCounts, Sweep, VerdictRow } from './types.js';

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };

function encodeNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** JSON text for a column; non-finite numbers become "NaN" / "Infinity" / "-Infinity". */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, encodeNonFinite);
}

export function decodeNumberArray(text: string | null): number[] | null {
  if (text === null) return null;
  return (JSON.parse(text) as unknown[]).map((v) => (typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : (v as number)));
}

export function decodeVerdicts(text: string | null): VerdictRow[] | null {
  if (text === null) return null;
  return JSON.parse(text, (key, value: unknown) =>
    key === 'value' && typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value] : value) as VerdictRow[];
}

/** SQLite stores NaN as NULL; metric columns are never otherwise NULL, so NULL reads back as NaN. */
export function nanFromNull(value: number | null): number {
  return value === null ? Number.NaN : value;
}

export const SWEEP_COLUMNS = `sweeps.id AS id, sweeps.name AS name, sweeps.spec AS spec, sweeps.varying AS varying,
  sweeps.status AS status, sweeps.run_limit AS runLimit, sweeps.replay_of AS replayOf, sweeps.created_at AS createdAt,
  sweeps.finished_at AS finishedAt, sweeps.notes AS notes, sweeps.tags AS tags, sweeps.archived_at AS archivedAt`;

export interface SweepSqlRow {
  id: number;
  name: string;
  spec: string;
  varying: string;
  status: SweepStatus;
  runLimit: number | null;
  replayOf: number | null;
  createdAt: number;
  finishedAt: number | null;
  notes: string;
  tags: string;
  archivedAt: number | null;
}

export function toSweep(row: SweepSqlRow): Sweep {
  return {
    ...row, spec: JSON.parse(row.spec), varying: JSON.parse(row.varying) as string[], tags: JSON.parse(row.tags) as string[],
  };
}

export const RUN_COLUMNS = `runs.id AS id, runs.sweep_id AS sweepId, runs.position AS position, runs.config AS config,
  runs.hash AS hash, runs.seed AS seed, runs.init_label AS initLabel, runs.activation_label AS activationLabel,
  runs.status AS status, runs.attempt AS attempt, runs.error AS error, runs.verdicts AS verdicts,
  runs.divergence AS divergence, runs.theory_pre_var AS theoryPreVar, runs.started_at AS startedAt,
  runs.finished_at AS finishedAt, runs.duration_ms AS durationMs, runs.epochs_completed AS epochsCompleted,
  runs.final_train_loss AS finalTrainLoss, runs.final_train_acc AS finalTrainAcc,
  runs.final_val_loss AS finalValLoss, runs.final_val_acc AS finalValAcc,
  runs.best_train_loss AS bestTrainLoss, runs.best_train_acc AS bestTrainAcc,
  runs.best_val_loss AS bestValLoss, runs.best_val_acc AS bestValAcc, runs.backend AS backend,
  runs.cpu_path AS cpuPath, runs.host AS host`;

export interface RunSqlRow extends Omit<Run, 'config' | 'verdicts' | 'divergence' | 'theoryPreVar' | 'status'> {
  status: RunStatus;
  config: string;
  verdicts: string | null;
  divergence: string | null;
  theoryPreVar: string | null;
}

/**
 * A run's config column as the RunConfig it was written as. The store writes only NewRun.config, which the type
 * system holds to RunConfig (the server builds it with parseRunConfig), so reading it back needs no second check.
 */
export function decodeRunConfig(text: string): RunConfig {
  return JSON.parse(text) as RunConfig;
}

export function toRun(row: RunSqlRow): Run {
  return {
    ...row,
    config: decodeRunConfig(row.config),
    verdicts: decodeVerdicts(row.verdicts),
    divergence: row.divergence === null ? null : (JSON.parse(row.divergence) as DivergenceRow),
    theoryPreVar: decodeNumberArray(row.theoryPreVar),
  };
}

export type CountsSqlRow = Record<RunStatus, number> & { total: number };

export function toCounts(row: CountsSqlRow): StatusCounts {
  const counts = emptyCounts();
  for (const status of RUN_STATUSES) counts[status] = row[status];
  counts.total = row.total;
  return counts;
}

/** `COALESCE(SUM(runs.status = 'queued'), 0) AS queued, ...`: a CountsSqlRow's status columns over joined runs. */
export const COUNT_COLUMNS = RUN_STATUSES.map((s) => `COALESCE(SUM(runs.status = '${s}'), 0) AS ${s}`).join(', ');

export interface EpochSqlRow {
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

export interface LayerSqlRow {
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

export type CurveSqlRow = Omit<EpochSqlRow, 'clipped' | 'clippedSteps'> & { runId: number };

export function toLayerStats(l: LayerSqlRow): LayerStatsRow {
  return {
    layer: l.layer, units: l.units, actMean: nanFromNull(l.actMean), actStd: nanFromNull(l.actStd),
    preStd: nanFromNull(l.preStd), saturatedFrac: nanFromNull(l.saturatedFrac), deadFrac: nanFromNull(l.deadFrac),
    deltaNorm: nanFromNull(l.deltaNorm), weightGradNorm: nanFromNull(l.weightGradNorm),
    weightNorm: nanFromNull(l.weightNorm), updateRatio: nanFromNull(l.updateRatio), distinctUnits: l.distinctUnits,
  };
}

export function toEpochMetrics(e: EpochSqlRow, layers: LayerStatsRow[]): EpochMetricsRow {
  return {
    epoch: e.epoch, step: e.step, trainLoss: nanFromNull(e.trainLoss), trainAcc: nanFromNull(e.trainAcc),
    valLoss: nanFromNull(e.valLoss), valAcc: nanFromNull(e.valAcc), gradNorm: nanFromNull(e.gradNorm),
    clipped: e.clipped === 1, clippedSteps: e.clippedSteps, layers,
  };
}
