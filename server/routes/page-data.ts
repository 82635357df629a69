// Loads what the dashboard's pages and streams render: store rows in, view props out. Shared by pages.ts (full
// pages and htmx partials) and streams.ts (the same partials over SSE), so both always render the same thing.
// No HTML here and no express: parsing, queries, aggregation, downsampling.
import { buildCellSummaries, type CellRunRow } from '../../db/cell-summaries.js';
import type { Store } from '../../db/store.js';
import type { CellSummary, EpochMetricsRow, ListRunsOptions, Run, RunSortKey, Sweep } from '../../db/types.js';
import type { RunConfig } from '../../workers/core/types.js';
import { getPath, isPlainObject } from '../config-paths.js';
import { estimateRunCost } from '../sweep-spec.js';
import type { CellDetailProps, CellRun } from '../../views/cell-detail.js';
import { downsampleIndices, type ChartSpec } from '../../views/chart.js';
import type { CompareRun, ComparePageProps, ConfigDiffRow } from '../../views/compare-page.js';
import type { HeatCell, HeatmapProps } from '../../views/heatmap.js';
import type { LayerMatrix, LayerPictureProps, LayerRow } from '../../views/layer-picture.js';
import type { Counts } from '../../views/progress.js';
import {
  DEFAULT_SWEEP_QUERY, HEATMAP_METRICS, RUN_TABLE_SORTS, type HeatmapMetric, type RunTableSort, type SweepQuery,
} from '../../views/query.js';
import type { ReplayCheck, RunHeadProps, RunPageProps } from '../../views/run-page.js';
import { RUN_STATUS_OPTIONS, VERDICT_OPTIONS, type RunRowData, type RunsTableProps } from '../../views/runs-table.js';
import type { SweepListProps } from '../../views/sweep-list.js';
import type { SpecItem, SweepProgressProps } from '../../views/sweep-page.js';

export const RUNS_PAGE_SIZE = 25;
export const SWEEPS_PAGE_SIZE = 50;
/** Columns of a layer × epoch map: enough to see a trend, few enough for a phone. */
const LAYER_MAP_COLUMNS = 40;
/** Runs drawn in a cell's charts. */
const CELL_CHART_RUNS = 8;
export const MAX_COMPARE_RUNS = 8;

// ---- query parsing ------------------------------------------------------------------------------------------

function one(value: unknown): string | undefined {
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The sweep page state from a query string; unknown values fall back to the defaults (a stale link still works). */
export function parseSweepQuery(query: Record<string, unknown>): SweepQuery {
  const metric = one(query.metric);
  const sort = one(query.sort);
  const status = one(query.status);
  const verdict = one(query.verdict);
  const page = Number(one(query.page) ?? '1');
  const row = one(query.row);
  const col = one(query.col);
  return {
    metric: (HEATMAP_METRICS as readonly string[]).includes(metric ?? '') ? (metric as HeatmapMetric) : DEFAULT_SWEEP_QUERY.metric,
    sort: (RUN_TABLE_SORTS as readonly string[]).includes(sort ?? '') ? (sort as RunTableSort) : DEFAULT_SWEEP_QUERY.sort,
    order: one(query.order) === 'desc' ? 'desc' : 'asc',
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
    status: status && RUN_STATUS_OPTIONS.includes(status) ? status : undefined,
    verdict: verdict && VERDICT_OPTIONS.includes(verdict) ? verdict : undefined,
    ...(row !== undefined && col !== undefined ? { row, col } : {}),
  };
}

// ---- axes and labels ------------------------------------------------------------------------------------------

const AXIS_NAMES: Record<string, string> = {
  'model.init': 'initializer',
  'model.activation': 'activation',
  'model.hidden': 'hidden widths',
  'model.biasInit': 'bias init',
  'train.lr': 'learning rate',
  'train.clip': 'clipping',
  'train.optimizer': 'optimizer',
  'train.batchSize': 'batch size',
  'train.epochs': 'epochs',
  'train.weightDecay': 'weight decay',
  'dataset.normalize': 'input normalization',
  'dataset.name': 'data set',
  'dataset.noise': 'noise',
  'dataset.samples': 'samples',
  seed: 'seed',
};

export function axisName(path: string): string {
  return AXIS_NAMES[path] ?? path;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

/** A config value as an axis label: 0.05, "norm ≤ 1", "64×3", "normal(std=0.01)". */
export function formatAxisValue(path: string, value: unknown): string {
  if (typeof value === 'number') return round(value);
  if (typeof value === 'string') return value;
  if (path === 'train.clip' && isPlainObject(value)) {
    return value.mode === 'none' ? 'none' : `${String(value.mode)} ≤ ${String(value.max ?? 1)}`;
  }
  if (path === 'model.hidden' && Array.isArray(value)) return hiddenLabel(value as number[]);
  if (isPlainObject(value) && typeof value.name === 'string') {
    const params = Object.entries(value)
      .filter(([k]) => k !== 'name')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : String(v)}`);
    return params.length === 0 ? value.name : `${value.name}(${params.join(',')})`;
  }
  return JSON.stringify(value) ?? 'null';
}

function hiddenLabel(hidden: number[]): string {
  if (hidden.length === 0) return 'none (linear model)';
  return hidden.every((w) => w === hidden[0]) ? `${hidden.length} × ${hidden[0]}` : hidden.join('-');
}

export interface Axes {
  row: string;
  col: string;
  /** Varying settings (other than seed) pooled inside each cell. */
  pooled: string[];
}

/** Rows: initializers if they vary, else the first varying setting; columns: activations, else the next one. */
export function chooseAxes(varying: string[]): Axes {
  const v = varying.filter((p) => p !== 'seed');
  const row = v.includes('model.init') ? 'model.init' : v.find((p) => p !== 'model.activation') ?? 'model.init';
  const col = v.includes('model.activation') ? 'model.activation' : v.find((p) => p !== row) ?? 'model.activation';
  return { row, col, pooled: v.filter((p) => p !== row && p !== col) };
}

function axisLabelOf(run: Pick<Run, 'config' | 'initLabel' | 'activationLabel'>, path: string): string {
  if (path === 'model.init') return run.initLabel;
  if (path === 'model.activation') return run.activationLabel;
  return formatAxisValue(path, getPath(run.config, path));
}

const SHORT_NAMES: Record<string, string> = {
  'train.lr': 'lr', 'train.clip': 'clip', 'dataset.normalize': 'inputs', 'model.hidden': 'hidden',
  'train.batchSize': 'batch', 'train.optimizer': 'opt.', 'train.weightDecay': 'wd',
};

/** "lr 0.05 · clip norm ≤ 1": a run's values of the given settings, for table cells. */
function describeSettings(run: Pick<Run, 'config' | 'initLabel' | 'activationLabel'>, paths: string[]): string {
  return paths.map((p) => `${SHORT_NAMES[p] ?? axisName(p)} ${axisLabelOf(run, p)}`).join(' · ');
}

// ---- sweeps list ----------------------------------------------------------------------------------------------

export function loadSweepList(store: Store, page: number): SweepListProps {
  const all = store.listSweeps();
  const pages = Math.max(1, Math.ceil(all.length / SWEEPS_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const sweeps = all.slice((current - 1) * SWEEPS_PAGE_SIZE, current * SWEEPS_PAGE_SIZE).map((s) => ({
    id: s.id,
    name: s.name,
    status: s.status,
    counts: s.counts,
    createdAt: s.createdAt,
    finishedAt: s.finishedAt,
  }));
  return { sweeps, total: all.length, page: current, pageSize: SWEEPS_PAGE_SIZE };
}

// ---- durations ------------------------------------------------------------------------------------------------

/** Multiply-adds per millisecond of one thread, before any run was timed on this machine. */
const DEFAULT_MACS_PER_MS = 2e5;
let calibration: { macsPerMs: number; at: number } | null = null;

/**
 * Throughput of one training thread in estimateRunCost units per ms: the median over the most recent finished runs
 * of the last few sweeps (runs of different shapes reach different rates, so one sweep alone misleads), cached for
 * a minute; a default when nothing has run yet.
 */
export function macsPerMs(store: Store): number {
  const now = Date.now();
  if (calibration && now - calibration.at < 60_000) return calibration.macsPerMs;
  const rates: number[] = [];
  for (const sweep of store.listSweeps().slice(0, 8)) {
    if (sweep.counts.succeeded === 0) continue;
    const { runs } = store.listRuns(sweep.id, { status: 'succeeded', sortBy: 'finishedAt', order: 'desc', limit: 10 });
    for (const run of runs) {
      if (run.durationMs === null || run.durationMs <= 0) continue;
      rates.push(estimateRunCost(run.config as RunConfig) / run.durationMs);
    }
  }
  rates.sort((a, b) => a - b);
  const value = rates.length > 0 ? rates[Math.floor(rates.length / 2)] : DEFAULT_MACS_PER_MS;
  calibration = { macsPerMs: value, at: now };
  return value;
}

/** Forget the cached calibration (tests). */
export function resetCalibration(): void {
  calibration = null;
}

// ---- sweep page -------------------------------------------------------------------------------------------

function activeRuns(counts: Counts): number {
  return counts.queued + counts.running;
}

export function loadProgress(store: Store, sweep: Sweep, threads: number): SweepProgressProps {
  const counts = store.sweepCounts(sweep.id);
  let etaMs: number | null = null;
  if (activeRuns(counts) > 0) {
    const { runs } = store.listRuns(sweep.id, {
      status: ['succeeded', 'diverged'], sortBy: 'finishedAt', order: 'desc', limit: 30,
    });
    const timed = runs.filter((r) => r.durationMs !== null && r.durationMs > 0);
    let perRunMs: number;
    if (timed.length > 0) {
      perRunMs = timed.reduce((sum, r) => sum + r.durationMs!, 0) / timed.length;
    } else {
      const next = store.listRuns(sweep.id, { status: ['queued', 'running'], limit: 1 }).runs[0];
      perRunMs = next ? estimateRunCost(next.config as RunConfig) / macsPerMs(store) : 0;
    }
    etaMs = ((counts.queued + counts.running * 0.5) * perRunMs) / Math.max(1, threads);
  }
  return { sweepId: sweep.id, status: sweep.status, counts, etaMs, createdAt: sweep.createdAt, finishedAt: sweep.finishedAt };
}

function specValues(sweep: Sweep, path: string): string | null {
  const spec = sweep.spec as { grid?: Record<string, unknown[]>; random?: { space?: Record<string, unknown> } };
  const values = spec.grid?.[path];
  if (Array.isArray(values)) return values.map((v) => formatAxisValue(path, v)).join(', ');
  if (spec.random?.space && path in spec.random.space) return 'drawn at random';
  return null;
}

/** The spec in one glance: data, network, training, clipping, normalization, initializers, activations, seeds. */
export function loadSpecSummary(store: Store, sweep: Sweep): SpecItem[] {
  const first = store.listRuns(sweep.id, { limit: 1 }).runs[0];
  if (!first) return [];
  const c = first.config as RunConfig;
  const varies = (prefix: string) => sweep.varying.some((p) => p === prefix || p.startsWith(`${prefix}.`));
  const item = (label: string, value: string, path: string): SpecItem =>
    varies(path) ? { label, value: specValues(sweep, path) ?? 'several values', varies: true } : { label, value };
  const synthetic = c.dataset.name !== 'iris' && c.dataset.name !== 'mnist';
  const data = [
    c.dataset.name,
    `${c.dataset.samples.toLocaleString('en-US')} samples`,
    synthetic ? `noise ${round(c.dataset.noise)}` : '',
    c.dataset.name === 'spirals' || c.dataset.name === 'gaussians' ? `${c.dataset.classes} classes` : '',
  ].filter(Boolean).join(' · ');
  const clip = c.train.clip.mode === 'none' ? 'none' : `${c.train.clip.mode} ≤ ${c.train.clip.max}`;
  const items: SpecItem[] = [
    varies('dataset.name') || varies('dataset.samples') || varies('dataset.noise')
      ? { label: 'Data', value: `${data} (some settings vary)`, varies: false }
      : { label: 'Data', value: data },
    item('Network (depth × width)', hiddenLabel(c.model.hidden), 'model.hidden'),
    item('Epochs', String(c.train.epochs), 'train.epochs'),
    item('Batch', String(c.train.batchSize), 'train.batchSize'),
    item('Optimizer', c.train.optimizer, 'train.optimizer'),
    item('Learning rate', round(c.train.lr), 'train.lr'),
    item('Clipping', clip, 'train.clip'),
    item('Normalization', c.dataset.normalize, 'dataset.normalize'),
    item('Initializers', first.initLabel, 'model.init'),
    item('Activations', first.activationLabel, 'model.activation'),
    item('Seeds', String(c.seed), 'seed'),
  ];
  return items;
}

function toHeatCell(cell: CellSummary): HeatCell {
  return {
    row: cell.initLabel,
    col: cell.activationLabel,
    counts: cell.counts,
    acc: cell.metrics.finalValAcc,
    loss: cell.metrics.finalValLoss,
    verdicts: cell.verdicts,
  };
}

/** Labels in order of first appearance (the spec's order); all-numeric labels sort numerically instead. */
function axisOrder(labels: string[]): string[] {
  const unique = [...new Set(labels)];
  if (unique.every((l) => l !== '' && Number.isFinite(Number(l)))) unique.sort((a, b) => Number(a) - Number(b));
  return unique;
}

// Cell summaries read every run of a sweep (5,000 rows: ~30 ms), while they only change when a run changes status:
// a run's results are written when it finishes, and re-running a run re-creates the same numbers (training is
// deterministic). So they are cached per sweep and axes, keyed by the sweep's status counts.
const CELL_CACHE_SIZE = 32;
const cellCache = new WeakMap<Store, Map<string, CellSummary[]>>();

function countsKey(counts: Counts): string {
  return `${counts.queued},${counts.running},${counts.succeeded},${counts.diverged},${counts.failed},${counts.cancelled}`;
}

/** Cells over any two axes (cached by status counts; see above). */
export function loadCells(store: Store, sweep: Sweep, axes: Axes, counts: Counts = store.sweepCounts(sweep.id)): CellSummary[] {
  let cache = cellCache.get(store);
  if (!cache) {
    cache = new Map();
    cellCache.set(store, cache);
  }
  const key = `${sweep.id}|${axes.row}|${axes.col}|${countsKey(counts)}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // most recently used goes last
    cache.set(key, hit);
    return hit;
  }
  for (const old of cache.keys()) {
    if (old.startsWith(`${sweep.id}|`)) cache.delete(old); // older counts of this sweep are stale
  }
  const cells = computeCells(store, sweep, axes);
  cache.set(key, cells);
  if (cache.size > CELL_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return cells;
}

/** Init × activation straight from the store; other axes by folding the runs. */
function computeCells(store: Store, sweep: Sweep, axes: Axes): CellSummary[] {
  if (axes.row === 'model.init' && axes.col === 'model.activation') return store.cellSummaries(sweep.id);
  const rows: CellRunRow[] = [];
  for (const run of store.iterateRuns(sweep.id)) {
    rows.push({
      initLabel: axisLabelOf(run, axes.row),
      activationLabel: axisLabelOf(run, axes.col),
      position: run.position,
      status: run.status,
      verdicts: run.verdicts === null ? null : JSON.stringify(run.verdicts),
      finalValAcc: run.finalValAcc,
      finalValLoss: run.finalValLoss,
      finalTrainAcc: run.finalTrainAcc,
      finalTrainLoss: run.finalTrainLoss,
      bestValAcc: run.bestValAcc,
      bestValLoss: run.bestValLoss,
    });
  }
  return buildCellSummaries(rows);
}

export function loadHeatmap(store: Store, sweep: Sweep, query: SweepQuery, live: boolean, counts?: Counts): HeatmapProps {
  const axes = chooseAxes(sweep.varying);
  const cells = loadCells(store, sweep, axes, counts);
  return {
    sweepId: sweep.id,
    query,
    rowAxis: axisName(axes.row),
    colAxis: axisName(axes.col),
    rows: axisOrder(cells.map((c) => c.initLabel)),
    cols: axisOrder(cells.map((c) => c.activationLabel)),
    cells: cells.map(toHeatCell),
    pooled: axes.pooled.map(axisName),
    live,
  };
}

/** The runs of one heatmap cell, by seed. */
function cellRuns(store: Store, sweep: Sweep, axes: Axes, row: string, col: string): Run[] {
  if (axes.row === 'model.init' && axes.col === 'model.activation') {
    return store.listRuns(sweep.id, { initLabel: row, activationLabel: col, sortBy: 'seed', limit: 10_000 }).runs;
  }
  const runs: Run[] = [];
  for (const run of store.iterateRuns(sweep.id)) {
    if (axisLabelOf(run, axes.row) === row && axisLabelOf(run, axes.col) === col) runs.push(run);
  }
  return runs.sort((a, b) => a.seed - b.seed || a.position - b.position);
}

function runVerdicts(run: Run): Array<{ kind: string; evidence: string }> | null {
  return run.verdicts;
}

/** An x axis 0..maxEpoch (downsampled) and each series' value at those epochs (null where a run has none). */
function epochAxis(maxEpoch: number): number[] {
  const length = Math.max(0, maxEpoch + 1);
  return downsampleIndices(length);
}

function valuesAt(epochs: number[], values: number[], x: number[]): Array<number | null> {
  const byEpoch = new Map<number, number>();
  epochs.forEach((e, i) => byEpoch.set(e, values[i]));
  return x.map((e) => byEpoch.get(e) ?? null);
}

export function loadCellDetail(store: Store, sweep: Sweep, row: string, col: string): CellDetailProps | null {
  const axes = chooseAxes(sweep.varying);
  const runs = cellRuns(store, sweep, axes, row, col);
  if (runs.length === 0) return null;
  const charted = runs.slice(0, CELL_CHART_RUNS);
  const curves = store.getRunCurves(charted.map((r) => r.id));
  const maxEpoch = Math.max(-1, ...curves.map((c) => (c.epoch.length ? c.epoch[c.epoch.length - 1] : -1)));
  let loss: ChartSpec | null = null;
  if (maxEpoch >= 0) {
    const x = epochAxis(maxEpoch);
    loss = {
      x,
      xLabel: 'epoch',
      yLabel: 'loss',
      yLog: true,
      series: curves.flatMap((c, i) => {
        const run = charted.find((r) => r.id === c.runId)!;
        return [
          { label: `#${run.id} seed ${run.seed} validation`, values: valuesAt(c.epoch, c.valLoss, x), style: i, width: 2.25 },
          { label: `#${run.id} seed ${run.seed} training`, values: valuesAt(c.epoch, c.trainLoss, x), style: i, width: 1 },
        ];
      }),
    };
  }
  let layers: ChartSpec | null = null;
  let layersNote: string | undefined;
  const lastLayers = charted.map((run) => {
    const metrics = store.getRunMetrics(run.id);
    return { run, layers: metrics.length ? metrics[metrics.length - 1].layers : [] };
  });
  const depth = Math.max(0, ...lastLayers.map((l) => l.layers.length));
  if (depth > 0) {
    layers = {
      x: Array.from({ length: depth }, (_, i) => i),
      xLabel: 'layer',
      yLabel: 'activation std',
      yLog: true,
      series: lastLayers.map(({ run, layers: ls }, i) => ({
        label: `#${run.id} seed ${run.seed}`,
        values: Array.from({ length: depth }, (_, l) => ls[l]?.actStd ?? null),
        style: i,
      })),
      height: 200,
    };
    if (!layers.series.some((s) => s.values.some((v) => v !== null && v > 0 && Number.isFinite(v)))) {
      layers = null;
      layersNote = 'Activation std is 0 (or not finite) in every layer at the last epoch: no signal reaches the output.';
    }
  }
  const extraPaths = axes.pooled;
  return {
    sweepId: sweep.id,
    rowAxis: axisName(axes.row),
    colAxis: axisName(axes.col),
    row,
    col,
    total: runs.length,
    runs: runs.map((run): CellRun => ({
      id: run.id,
      seed: run.seed,
      status: run.status,
      finalValAcc: run.finalValAcc,
      finalValLoss: run.finalValLoss,
      verdicts: runVerdicts(run),
      extra: describeSettings(run, extraPaths),
    })),
    loss,
    layers,
    layersNote,
  };
}

export function toRunRow(run: Run, extraPaths: string[]): RunRowData {
  const config = run.config as RunConfig;
  return {
    id: run.id,
    initLabel: run.initLabel,
    activationLabel: run.activationLabel,
    seed: run.seed,
    status: run.status,
    finalValAcc: run.finalValAcc,
    finalValLoss: run.finalValLoss,
    epochsCompleted: run.epochsCompleted,
    epochs: config.train.epochs,
    durationMs: run.durationMs,
    verdicts: runVerdicts(run),
    extra: describeSettings(run, extraPaths),
  };
}

/** Settings shown in the runs table's "other settings" column: what varies besides init, activation, seed. */
export function extraRunPaths(sweep: Sweep): string[] {
  return sweep.varying.filter((p) => p !== 'seed' && p !== 'model.init' && p !== 'model.activation');
}

export function loadRunsTable(store: Store, sweep: Sweep, query: SweepQuery): RunsTableProps {
  const options: ListRunsOptions = {
    sortBy: query.sort as RunSortKey,
    order: query.order,
    limit: RUNS_PAGE_SIZE,
    offset: (query.page - 1) * RUNS_PAGE_SIZE,
  };
  if (query.status) options.status = query.status as ListRunsOptions['status'];
  if (query.verdict) options.verdict = query.verdict;
  let page = store.listRuns(sweep.id, options);
  // A page past the end (runs were filtered away meanwhile): show the last page instead of an empty table.
  if (page.runs.length === 0 && page.total > 0 && query.page > 1) {
    const last = Math.ceil(page.total / RUNS_PAGE_SIZE);
    page = store.listRuns(sweep.id, { ...options, offset: (last - 1) * RUNS_PAGE_SIZE });
    query = { ...query, page: last };
  }
  const extra = extraRunPaths(sweep);
  return {
    sweepId: sweep.id,
    query,
    runs: page.runs.map((r) => toRunRow(r, extra)),
    total: page.total,
    pageSize: RUNS_PAGE_SIZE,
    showExtra: extra.length > 0,
  };
}

export function isSweepActive(counts: Counts): boolean {
  return activeRuns(counts) > 0;
}

// ---- run page -----------------------------------------------------------------------------------------------

const SATURATING = new Set(['sigmoid', 'tanh', 'softsign']);

export function runHead(run: Run): RunHeadProps {
  return {
    id: run.id,
    status: run.status,
    epochsCompleted: run.epochsCompleted,
    epochs: (run.config as RunConfig).train.epochs,
    durationMs: run.durationMs,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    finalValAcc: run.finalValAcc,
    finalValLoss: run.finalValLoss,
    error: run.error,
    divergence: run.divergence,
    verdicts: run.verdicts,
    backend: run.backend,
    cpuPath: run.cpuPath,
  };
}

/** While a run trains its summary columns are empty: fill the head from the latest stored epoch. */
export function liveRunHead(run: Run, metrics: EpochMetricsRow[]): RunHeadProps {
  const head = runHead(run);
  const last = metrics[metrics.length - 1];
  if (last && run.status === 'running') {
    head.epochsCompleted = last.epoch;
    head.finalValAcc = last.valAcc;
    head.finalValLoss = last.valLoss;
  }
  return head;
}

function layerMatrix(metrics: EpochMetricsRow[], pick: (l: EpochMetricsRow['layers'][number]) => number): LayerMatrix {
  const columns = downsampleIndices(metrics.length, LAYER_MAP_COLUMNS).map((i) => metrics[i]);
  const depth = Math.max(0, ...metrics.map((m) => m.layers.length));
  return {
    epochs: columns.map((m) => m.epoch),
    values: Array.from({ length: depth }, (_, l) => columns.map((m) => (m.layers[l] ? pick(m.layers[l]) : Number.NaN))),
  };
}

export function loadLayerPicture(run: Run, metrics: EpochMetricsRow[]): LayerPictureProps {
  const config = run.config as RunConfig;
  const activation = run.activationLabel;
  const first = metrics[0];
  const last = metrics[metrics.length - 1];
  const depth = last ? last.layers.length : 0;
  const rows: LayerRow[] = Array.from({ length: depth }, (_, l) => {
    const now = last.layers[l];
    const init = first?.layers[l];
    const theory = run.theoryPreVar?.[l];
    return {
      layer: l,
      units: now.units,
      output: l === depth - 1,
      theoryVar: theory !== undefined && Number.isFinite(theory) ? theory : null,
      measuredVar: init && Number.isFinite(init.preStd) ? init.preStd * init.preStd : null,
      saturated: now.saturatedFrac,
      dead: now.deadFrac,
      distinct: now.distinctUnits,
      distinctAtInit: init ? init.distinctUnits : null,
    };
  });
  let profile: ChartSpec | null = null;
  if (first && depth > 0) {
    const at = (m: EpochMetricsRow, pick: (l: EpochMetricsRow['layers'][number]) => number) =>
      Array.from({ length: depth }, (_, l) => (m.layers[l] ? pick(m.layers[l]) : null));
    profile = {
      x: Array.from({ length: depth }, (_, l) => l),
      xLabel: 'layer (input side first)',
      yLabel: 'std / norm',
      yLog: true,
      series: [
        { label: 'activation std, epoch 0', values: at(first, (l) => l.actStd), style: 0, dash: [6, 3] },
        { label: `activation std, epoch ${last.epoch}`, values: at(last, (l) => l.actStd), style: 0, dash: [] },
        { label: 'δ norm, epoch 0', values: at(first, (l) => l.deltaNorm), style: 3, dash: [6, 3] },
        { label: `δ norm, epoch ${last.epoch}`, values: at(last, (l) => l.deltaNorm), style: 3, dash: [] },
      ],
      height: 220,
    };
  }
  return {
    activation: activation + (config.model.hidden.length === 0 ? ' (no hidden layers)' : ''),
    lastEpoch: last ? last.epoch : 0,
    actStd: layerMatrix(metrics, (l) => l.actStd),
    deltaNorm: layerMatrix(metrics, (l) => l.deltaNorm),
    rows,
    profile,
    saturates: SATURATING.has(activation.replace(/\(.*$/, '')),
    dies: activation.replace(/\(.*$/, '') === 'relu',
  };
}

/** The run's loss and accuracy charts (train dashed, validation solid), downsampled to ≤ 500 points. */
export function runCharts(metrics: EpochMetricsRow[]): { loss: ChartSpec; acc: ChartSpec } {
  const picked = downsampleIndices(metrics.length).map((i) => metrics[i]);
  const x = picked.map((m) => m.epoch);
  const pick = (f: (m: EpochMetricsRow) => number) => picked.map(f);
  return {
    loss: {
      x, xLabel: 'epoch', yLabel: 'loss', yLog: true, live: 'loss',
      series: [
        { label: 'training loss', values: pick((m) => m.trainLoss), style: 0, dash: [6, 3] },
        { label: 'validation loss', values: pick((m) => m.valLoss), style: 3, dash: [] },
      ],
    },
    acc: {
      x, xLabel: 'epoch', yLabel: 'accuracy', yRange: [0, 1], live: 'acc',
      series: [
        { label: 'training accuracy', values: pick((m) => m.trainAcc), style: 0, dash: [6, 3] },
        { label: 'validation accuracy', values: pick((m) => m.valAcc), style: 3, dash: [] },
      ],
    },
  };
}

/** Dotted paths and display values of a config (arrays stay whole: "model.hidden" → [64,64]). */
export function flattenConfig(value: unknown, prefix = ''): Array<{ path: string; value: string }> {
  if (!isPlainObject(value)) return [{ path: prefix, value: typeof value === 'string' ? value : JSON.stringify(value) ?? 'null' }];
  return Object.entries(value).flatMap(([key, v]) => flattenConfig(v, prefix === '' ? key : `${prefix}.${key}`));
}

function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** Compares two runs' stored metrics exactly, field by field and layer by layer. */
export function compareMetrics(a: EpochMetricsRow[], b: EpochMetricsRow[]): { identical: boolean; detail: string } {
  if (a.length !== b.length) {
    return { identical: false, detail: `the runs have ${a.length} and ${b.length} epochs` };
  }
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    for (const key of ['trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'gradNorm'] as const) {
      if (!sameNumber(x[key], y[key])) {
        return { identical: false, detail: `differs first at epoch ${x.epoch}: ${key} ${x[key]} vs ${y[key]}` };
      }
    }
    for (let l = 0; l < Math.max(x.layers.length, y.layers.length); l++) {
      const p = x.layers[l];
      const q = y.layers[l];
      if (!p || !q) return { identical: false, detail: `epoch ${x.epoch} has a different number of layers` };
      for (const key of Object.keys(p) as Array<keyof typeof p>) {
        if (!sameNumber(p[key], q[key])) {
          return { identical: false, detail: `differs first at epoch ${x.epoch}, layer ${l}: ${key} ${p[key]} vs ${q[key]}` };
        }
      }
    }
  }
  return { identical: true, detail: `all ${a.length} epochs match the original bit for bit (losses, accuracies and every per-layer statistic).` };
}

/** The original run a replay sweep re-ran, from the stored spec (or its name, "replay of run N (...)"). */
export function replayOf(sweep: Sweep): number | null {
  const spec = sweep.spec as { replayOf?: unknown };
  if (typeof spec?.replayOf === 'number') return spec.replayOf;
  const match = /^replay of run (\d+)\b/.exec(sweep.name);
  return match ? Number(match[1]) : null;
}

function loadReplayCheck(store: Store, run: Run, sweep: Sweep, metrics: EpochMetricsRow[]): ReplayCheck | null {
  const originalId = replayOf(sweep);
  if (originalId === null) return null;
  let original: Run;
  try {
    original = store.getRun(originalId);
  } catch {
    return { originalId, identical: null, detail: 'the original run no longer exists.' };
  }
  if (run.status === 'queued' || run.status === 'running') {
    return { originalId, identical: null, detail: 'the comparison with the original appears when this run finishes.' };
  }
  if (original.status !== 'succeeded' && original.status !== 'diverged') {
    return { originalId, identical: null, detail: `the original ${original.status}; nothing to compare.` };
  }
  return { originalId, ...compareMetrics(store.getRunMetrics(originalId), metrics) };
}

export function loadRunPage(store: Store, runId: number): RunPageProps {
  const run = store.getRun(runId);
  const sweep = store.getSweep(run.sweepId);
  const metrics = store.getRunMetrics(runId);
  const { loss, acc } = runCharts(metrics);
  const live = run.status === 'queued' || run.status === 'running';
  return {
    run: {
      ...liveRunHead(run, metrics),
      sweepId: sweep.id,
      sweepName: sweep.name,
      initLabel: run.initLabel,
      activationLabel: run.activationLabel,
      seed: run.seed,
    },
    loss,
    acc,
    layers: loadLayerPicture(run, metrics),
    config: flattenConfig(run.config),
    configJson: JSON.stringify(run.config, null, 2),
    replay: loadReplayCheck(store, run, sweep, metrics),
    live,
    lastEpoch: metrics.length ? metrics[metrics.length - 1].epoch : -1,
  };
}

// ---- compare --------------------------------------------------------------------------------------------------

/** "1,2,3" or runs=1&runs=2: positive integer ids, de-duplicated, in the given order. */
export function parseRunIds(raw: unknown): number[] {
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(/[\s,]+/) : []));
  const ids: number[] = [];
  for (const part of parts) {
    if (part === '') continue;
    if (!/^\d+$/.test(part)) return [Number.NaN];
    const id = Number(part);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

export function loadCompare(store: Store, ids: number[]): ComparePageProps {
  const runs = ids.map((id) => store.getRun(id));
  const sweeps = new Map<number, Sweep>();
  const metrics = runs.map((r) => store.getRunMetrics(r.id));
  const maxEpoch = Math.max(-1, ...metrics.map((m) => (m.length ? m[m.length - 1].epoch : -1)));
  const x = epochAxis(maxEpoch);
  const series = (pick: (m: EpochMetricsRow) => number) =>
    runs.map((run, i) => ({
      label: `#${run.id} ${run.initLabel} × ${run.activationLabel}, seed ${run.seed}`,
      values: valuesAt(metrics[i].map((m) => m.epoch), metrics[i].map(pick), x),
      style: i,
    }));
  const compareRuns: CompareRun[] = runs.map((run, i) => {
    let sweep = sweeps.get(run.sweepId);
    if (!sweep) {
      sweep = store.getSweep(run.sweepId);
      sweeps.set(sweep.id, sweep);
    }
    const picture = loadLayerPicture(run, metrics[i]);
    return {
      id: run.id,
      label: `${run.initLabel} × ${run.activationLabel}, seed ${run.seed}`,
      sweepId: sweep.id,
      sweepName: sweep.name,
      status: run.status,
      finalValAcc: run.finalValAcc,
      finalValLoss: run.finalValLoss,
      verdicts: run.verdicts,
      actStd: picture.actStd,
      deltaNorm: picture.deltaNorm,
      rows: picture.rows,
    };
  });
  const flat = runs.map((r) => new Map(flattenConfig(r.config).map((e) => [e.path, e.value])));
  const paths = [...new Set(flat.flatMap((m) => [...m.keys()]))];
  const config: ConfigDiffRow[] = paths.map((path) => {
    const values = flat.map((m) => m.get(path) ?? '—');
    return { path, values, differs: values.some((v) => v !== values[0]) };
  });
  return {
    runs: compareRuns,
    loss: { x, xLabel: 'epoch', yLabel: 'validation loss', yLog: true, series: series((m) => m.valLoss) },
    acc: { x, xLabel: 'epoch', yLabel: 'validation accuracy', yRange: [0, 1], series: series((m) => m.valAcc) },
    config,
  };
}
