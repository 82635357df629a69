// The store's own row types. The metric rows mirror workers/core/types.ts structurally (a type test keeps them
// assignable both ways); a run's config is the core's RunConfig itself, the one type db/ takes from outside (the
// pure core, type-only: see README's dependency rule). Timestamps are milliseconds since the epoch.
import type { RunConfig } from '../workers/core/types.js';
import type { RunStatus, SweepStatus } from './run-status.js';

/** Per-layer diagnostics of one epoch (same fields as the core's LayerStats). */
export interface LayerStatsRow {
  layer: number;
  units: number;
  actMean: number;
  actStd: number;
  preStd: number;
  saturatedFrac: number;
  deadFrac: number;
  deltaNorm: number;
  weightGradNorm: number;
  weightNorm: number;
  updateRatio: number;
  distinctUnits: number;
}

/** One evaluated epoch (same fields as the core's EpochMetrics). */
export interface EpochMetricsRow {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  gradNorm: number;
  clipped: boolean;
  clippedSteps: number;
  layers: LayerStatsRow[];
}

export interface VerdictRow {
  kind: string;
  evidence: string;
  value?: number;
}

export interface DivergenceRow {
  epoch: number;
  step: number;
  layer: number | null;
  quantity: string;
}

export type StatusCounts = Record<RunStatus, number> & { total: number };

export interface NewRun {
  // The resolved config (the server writes expandSweep's RunConfigs), stored as JSON and read back as RunConfig.
  // `unknown` on the write side so fixtures may store partial configs; every reader gets the typed RunConfig.
  config: unknown;
  hash: string;             // config hash, unique within the sweep
  seed: number;
  initLabel: string;
  activationLabel: string;
  position: number;         // dispatch order within the sweep, unique within the sweep
}

export interface NewSweep {
  name: string;
  spec: unknown;            // the sweep spec as submitted, stored as JSON
  varying: string[];        // dotted config paths that vary across the sweep's runs
  runs: NewRun[];
  runLimit?: number | null; // at most this many runs of the sweep in flight at once; null = no per-sweep cap
  replayOf?: number | null; // the run this sweep replays (scheduler.replay); null or absent for any other sweep
  createdAt?: number;
}

export interface Sweep {
  id: number;
  name: string;
  spec: unknown;
  varying: string[];
  status: SweepStatus;
  runLimit: number | null;
  /** The run this sweep replays, when scheduler.replay made it (the run may have been deleted since). */
  replayOf: number | null;
  createdAt: number;
  finishedAt: number | null;
  /** Markdown text the user wrote about the sweep ('' when none); stored as typed, rendered safely by views. */
  notes: string;
  /** Labels, in the order given, without duplicates. */
  tags: string[];
  /** When the sweep was archived (hidden from the sweep list by default); null when it is not. */
  archivedAt: number | null;
}

/** What updateSweep changes; absent fields stay as they are. `archived` sets or clears archivedAt. */
export interface SweepEdit {
  name?: string;
  notes?: string;
  tags?: string[];
  archived?: boolean;
}

/** The rows deleteSweep removes (and sweepDeletePreview counts): the sweep's runs and their metric rows. */
export interface SweepDeletion {
  runs: number;
  epochRows: number;
  layerRows: number;
}

export interface SweepSummary extends Sweep {
  counts: StatusCounts;
}

/** Loss and accuracy summary columns of a run; null where the run has no epochs or the value was NaN. */
export interface RunFinals {
  finalTrainLoss: number | null;
  finalTrainAcc: number | null;
  finalValLoss: number | null;
  finalValAcc: number | null;
  bestTrainLoss: number | null;   // min over epochs
  bestTrainAcc: number | null;    // max over epochs
  bestValLoss: number | null;
  bestValAcc: number | null;
}

export interface Run extends RunFinals {
  id: number;
  sweepId: number;
  position: number;
  config: RunConfig;
  hash: string;
  seed: number;
  initLabel: string;
  activationLabel: string;
  status: RunStatus;
  attempt: number;                // 1 on creation, +1 each time the run is queued again
  error: string | null;
  verdicts: VerdictRow[] | null;  // null until the run finishes
  divergence: DivergenceRow | null;
  theoryPreVar: number[] | null;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  epochsCompleted: number;
  /** The engine that computed the run and its CPU path ('native' · 'avx512', 'ts' · 'js'); null until it finishes. */
  backend: RunBackendName | null;
  cpuPath: string | null;
  /** Cluster mode: the worker host that trains or trained it (set when a host picks it up); null on the local pool. */
  host: string | null;
}

/** Training backends (the names of workers/core/engine.ts's BACKENDS, mirrored: db/ imports nothing else). */
export type RunBackendName = 'ts' | 'native';

/** What finishRun takes: the worker's result minus its epochs (those arrive through the metrics writer). */
export interface RunSummary {
  status: 'succeeded' | 'diverged';
  verdicts: VerdictRow[];
  divergence: DivergenceRow | null;
  theoryPreVar: number[];
  durationMs: number;
  epochsCompleted: number;
  finishedAt?: number;
  /** The backend and CPU path that computed the run; stored as NULL when omitted. */
  backend?: RunBackendName;
  cpuPath?: string;
  /** Cluster mode: the worker host that computed the run; when omitted, the host recorded at start (if any) stays. */
  host?: string;
  /** Summary columns; computed from the stored epoch_metrics when omitted. */
  finals?: RunFinals;
}

export const RUN_SORT_KEYS = [
  'id', 'position', 'seed', 'status', 'initLabel', 'activationLabel', 'attempt', 'durationMs', 'epochsCompleted',
  'finalTrainLoss', 'finalTrainAcc', 'finalValLoss', 'finalValAcc', 'bestTrainLoss', 'bestTrainAcc',
  'bestValLoss', 'bestValAcc', 'startedAt', 'finishedAt',
] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

/**
 * Filters, sort and page for listRuns. `status` and `sortBy` also take plain strings (e.g. straight from a query
 * string): the store checks them and throws InvalidQueryError (HTTP 400) for anything outside the unions.
 */
export interface ListRunsOptions {
  status?: RunStatus | readonly RunStatus[] | string;
  verdict?: string;               // runs with at least one verdict of this kind
  initLabel?: string;
  activationLabel?: string;
  /** Runs whose config value at each path (dotted, e.g. "train.lr") is one of the values, as JSON texts (see configValues). */
  config?: ReadonlyArray<{ path: string; values: readonly string[] }>;
  /** Runs whose numeric config value at each path lies in [min, max] (either end optional); a run whose value there
   * is missing or not a number never matches. */
  configRanges?: ReadonlyArray<{ path: string; min?: number; max?: number }>;
  /** Runs whose final metric lies in [min, max] (either end optional); a run without the metric never matches. */
  ranges?: Partial<Record<RangeMetric, { min?: number; max?: number }>>;
  /** Runs whose labels (id, init, activation, status, verdict kinds) contain every whitespace-separated word, any case. */
  text?: string;
  sortBy?: RunSortKey | string;   // a RunSortKey; default 'position'; nulls always sort last
  order?: 'asc' | 'desc' | string; // default 'asc'
  limit?: number;                 // default 100, at most 10,000
  offset?: number;
}

export const RANGE_METRICS = ['finalTrainAcc', 'finalValAcc', 'finalTrainLoss', 'finalValLoss'] as const;
export type RangeMetric = (typeof RANGE_METRICS)[number];

export interface RunPage {
  runs: Run[];
  total: number;                  // matching runs, ignoring limit/offset
}

/** Epoch-level series of one run, column-oriented for charts (uPlot takes arrays). NaN where stored as NaN. */
export interface RunCurves {
  runId: number;
  epoch: number[];
  step: number[];
  trainLoss: number[];
  trainAcc: number[];
  valLoss: number[];
  valAcc: number[];
  gradNorm: number[];
}

/** Mean and sample standard deviation (n − 1) over a cell's seeds; NaN values are left out, so n may be < count. */
export interface MetricStat {
  n: number;
  mean: number | null;            // null when n = 0
  sd: number | null;              // null when n < 2
  values: number[];               // in seed order
}

export const CELL_METRICS = [
  'finalValAcc', 'finalValLoss', 'finalTrainAcc', 'finalTrainLoss', 'bestValAcc', 'bestValLoss',
] as const;
export type CellMetric = (typeof CELL_METRICS)[number];

/** One (initializer, activation) cell of a sweep, over its seeds and other varying settings. */
export interface CellSummary {
  initLabel: string;
  activationLabel: string;
  firstPosition: number;          // smallest run position in the cell: orders cells as the spec listed them
  counts: StatusCounts;
  /** Over the cell's succeeded and diverged runs (the runs with results). */
  metrics: Record<CellMetric, MetricStat>;
  /** How many runs carry each verdict kind (a run with two verdicts counts twice). */
  verdicts: Record<string, number>;
}
