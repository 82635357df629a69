// A sweep's parallel-coordinates view and hyperparameter importance: every run as a line through the settings the
// sweep varies and its final metric (drawn by app.js on a canvas from the JSON built here), brushing that becomes
// the runs table's own filters, and per setting the share of the metric's variance it explains (η²).
import type { RunPoint } from '../../db/run-reads.js';
import type { Store } from '../../db/store.js';
import type { Sweep } from '../../db/types.js';
import { shortAxisName } from '../../views/axis-names.js';
import { rampColour } from '../../views/color.js';
import {
  RANGE_METRIC_FIELDS, RANGE_METRIC_NAMES, sweepUrl, type RangeMetricName, type SweepQuery,
} from '../../views/query.js';
import type {
  ImportanceRow, ParallelAxis, ParallelData, ParallelPageProps, ParallelSelection,
} from '../../views/parallel-page.js';
import { etaSquared, quantileGroups } from '../analysis/importance.js';
import { hiddenShape, storedConfigPath } from '../config-paths.js';
import { HttpError } from '../errors.js';
import { formatAxisValue, formatNumber, hiddenLabel } from './axes.js';
import { METRIC_COLUMN_LABELS, applyRunFilters } from './runs-table.js';
import { parseSweepQuery } from './sweep-query.js';

export const DEFAULT_PARALLEL_METRIC: RangeMetricName = 'final_val_acc';
/** A numeric setting with more distinct values than this (random search) is binned by rank for η². */
const MAX_GROUPS = 10;
const BINS = 5;
/** A numeric axis whose values span at least this ratio is drawn on a log scale. */
const LOG_SPAN = 10;
const RAMP_STOPS = 16;

export interface ParallelQuery {
  metric: RangeMetricName;
  /** The brushed selection, in the runs table's own query keys (status, f.<path>, min./max.). */
  filter: SweepQuery;
}

export function parseMetric(raw: unknown): RangeMetricName {
  if (raw === undefined || raw === '') return DEFAULT_PARALLEL_METRIC;
  if (typeof raw !== 'string' || !(RANGE_METRIC_NAMES as readonly string[]).includes(raw)) {
    throw new HttpError(400, 'bad_query', `metric must be one of ${RANGE_METRIC_NAMES.join(', ')}`);
  }
  return raw as RangeMetricName;
}

export function parseParallelQuery(query: Record<string, unknown>): ParallelQuery {
  const { metric, ...rest } = query;
  return { metric: parseMetric(metric), filter: parseSweepQuery(rest) };
}

function isLoss(metric: RangeMetricName): boolean {
  return metric.endsWith('_loss');
}

/** The stored config paths whose values runPoints reads for the varying paths (init and activation come as labels). */
function pathsToRead(varying: string[]): string[] {
  return [...new Set(varying.filter((p) => p !== 'model.init' && p !== 'model.activation').map(storedConfigPath))];
}

/** Each varying path's value for every run: labels for init and activation, depth and width from model.hidden. */
function readColumns(points: RunPoint[], paths: string[]): unknown[][] {
  const unique = pathsToRead(paths);
  const parsed = points.map((p) => JSON.parse(p.values) as unknown[]);
  return paths.map((path) => {
    if (path === 'model.init') return points.map((p) => p.initLabel);
    if (path === 'model.activation') return points.map((p) => p.activationLabel);
    const at = unique.indexOf(storedConfigPath(path));
    return parsed.map((values) => {
      const value = values[at];
      if (storedConfigPath(path) === path) return value;
      return Array.isArray(value) ? hiddenShape(path, value) : null;
    });
  });
}

function labelOf(path: string, value: unknown): string {
  if (path === 'model.hidden' && Array.isArray(value)) return hiddenLabel(value as number[]);
  return typeof value === 'string' ? value : formatAxisValue(path, value);
}

function sortLabels(labels: Iterable<string>): string[] {
  return [...labels].sort((a, b) => {
    const x = Number(a), y = Number(b);
    return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.localeCompare(b, 'en', { numeric: true });
  });
}

interface Column {
  axis: ParallelAxis;
  /** Per run: the category index, or the number. */
  cells: Array<number | null>;
  /** Per run: its group for η² (a category, a distinct number, or a rank bin), and the groups' labels. */
  groups: Int32Array;
  groupLabels: string[];
  binned: boolean;
}

function buildColumn(path: string, values: unknown[], isSeed: boolean): Column {
  const label = shortAxisName(path);
  const numeric = path !== 'model.init' && path !== 'model.activation' && values.length > 0
    && values.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (numeric) {
    const numbers = values as number[];
    const distinct = [...new Set(numbers)].sort((a, b) => a - b);
    const lo = distinct[0];
    const hi = distinct[distinct.length - 1];
    const axis: ParallelAxis = {
      path, label, kind: 'num', log: lo > 0 && hi / lo >= LOG_SPAN, lo, hi,
      ticks: distinct.length <= 12 ? distinct : undefined,
    };
    if (distinct.length > MAX_GROUPS && !isSeed) {
      const { groups, ranges } = quantileGroups(numbers, BINS);
      return { axis, cells: numbers, groups, groupLabels: ranges.map(([a, b]) => `${formatNumber(a)}–${formatNumber(b)}`), binned: true };
    }
    const index = new Map(distinct.map((v, i) => [v, i]));
    return {
      axis, cells: numbers, groups: Int32Array.from(numbers, (v) => index.get(v)!),
      groupLabels: distinct.map(formatNumber), binned: false,
    };
  }
  const labels = values.map((v) => labelOf(path, v));
  const categories = sortLabels(new Set(labels));
  const index = new Map(categories.map((c, i) => [c, i]));
  const cells = labels.map((l) => index.get(l)!);
  return {
    axis: { path, label, kind: 'cat', log: false, values: categories },
    cells, groups: Int32Array.from(cells), groupLabels: categories, binned: false,
  };
}

/** η² of the metric (log10 of a loss) by each column's groups, over succeeded runs with a value; largest first. */
function importanceRows(columns: Column[], metricValues: Array<number | null>, points: RunPoint[], logScale: boolean): { rows: ImportanceRow[]; used: number } {
  const used: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const v = metricValues[i];
    if (points[i].status === 'succeeded' && v !== null && Number.isFinite(v) && (!logScale || v > 0)) used.push(i);
  }
  const y = Float64Array.from(used, (i) => (logScale ? Math.log10(metricValues[i]!) : metricValues[i]!));
  const rows = columns.map((column): ImportanceRow => {
    const groups = Int32Array.from(used, (i) => column.groups[i]);
    const result = etaSquared(y, groups, column.groupLabels.length);
    const present = result.groupCounts.filter((c) => c > 0);
    return {
      path: column.axis.path,
      label: column.axis.label,
      eta2: result.eta2,
      chance: result.chance,
      groups: present.length,
      runsPerGroup: present.length > 0 ? [Math.min(...present), Math.max(...present)] : [0, 0],
      binned: column.binned,
      best: bestGroup(result.groupMeans, column.groupLabels, logScale),
      isSeed: column.axis.path === 'seed',
    };
  });
  rows.sort((a, b) => (b.eta2 ?? -1) - (a.eta2 ?? -1));
  return { rows, used: used.length };
}

/** The group whose mean is best (highest accuracy, lowest loss), as "label (mean)". */
function bestGroup(means: Array<number | null>, labels: string[], loss: boolean): string | null {
  let best = -1;
  for (let g = 0; g < means.length; g++) {
    if (means[g] === null) continue;
    if (best < 0 || (loss ? means[g]! < means[best]! : means[g]! > means[best]!)) best = g;
  }
  if (best < 0) return null;
  const mean = loss ? 10 ** means[best]! : means[best]!;
  return `${labels[best]} (${loss ? formatNumber(mean) : `${(mean * 100).toFixed(1)}%`})`;
}

interface SweepAnalysis {
  data: ParallelData;
  /** The JSON the page embeds for app.js, serialized once. */
  json: string;
  importance: ImportanceRow[];
  used: number;
  pending: number;
}

/** Analyses per store and sweep, kept while the sweep's status counts stay the same (results change only with them). */
const analysisCache = new WeakMap<Store, Map<string, { key: string; analysis: SweepAnalysis }>>();

function cachedAnalysis(store: Store, sweep: Sweep, metric: RangeMetricName): SweepAnalysis {
  let perSweep = analysisCache.get(store);
  if (perSweep === undefined) analysisCache.set(store, (perSweep = new Map()));
  const key = JSON.stringify(store.sweepCounts(sweep.id));
  const slot = `${sweep.id} ${metric}`;
  const hit = perSweep.get(slot);
  if (hit !== undefined && hit.key === key) return hit.analysis;
  const analysis = analyseSweep(store, sweep, metric);
  perSweep.set(slot, { key, analysis });
  return analysis;
}

/** Status codes in ParallelData.status: s succeeded, d diverged, f failed, p anything without a result yet. */
function statusCode(status: string): string {
  return status === 'succeeded' ? 's' : status === 'diverged' ? 'd' : status === 'failed' ? 'f' : 'p';
}

export function analyseSweep(store: Store, sweep: Sweep, metric: RangeMetricName): SweepAnalysis {
  const varying = sweep.varying;
  const points = store.runPoints(sweep.id, pathsToRead(varying));
  const raw = readColumns(points, varying);
  const columns = varying.map((path, i) => buildColumn(path, raw[i], path === 'seed'));
  const field = RANGE_METRIC_FIELDS[metric];
  // a diverged run's stored metric is the untrained network's (or NaN): it has no result
  const metricValues = points.map((p) => (p.status === 'diverged' ? null : p[field]));
  const loss = isLoss(metric);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of metricValues) {
    if (v === null || !Number.isFinite(v) || (loss && v <= 0)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo === Infinity) [lo, hi] = loss ? [0.01, 1] : [0, 1];
  const { rows, used } = importanceRows(columns, metricValues, points, loss);
  const plotted = columns.filter((c) => c.axis.path !== 'seed');
  const data: ParallelData = {
    sweepId: sweep.id,
    axes: plotted.map((c) => c.axis),
    cells: plotted.map((c) => c.cells),
    metric: {
      key: metric, label: METRIC_COLUMN_LABELS[metric], lo, hi,
      log: loss && lo > 0 && hi / lo >= LOG_SPAN, higherIsBetter: !loss,
      values: metricValues.map((v) => (v === null || !Number.isFinite(v) ? null : v)),
    },
    status: points.map((p) => statusCode(p.status)).join(''),
    ramp: Array.from({ length: RAMP_STOPS }, (_, i) => rampColour('viridis', i / (RAMP_STOPS - 1)).background),
  };
  const pending = points.filter((p) => p.status === 'queued' || p.status === 'running').length;
  return { data, json: JSON.stringify(data), importance: rows, used, pending };
}

/** The brushed selection as applied to the runs table: its count, the table's address and one chip per filter. */
function selectionOf(store: Store, sweep: Sweep, filter: SweepQuery): ParallelSelection {
  // only what brushing makes: status (a metric axis's diverged/failed slot), f.<path>, min./max.
  const applied = applyRunFilters(store, sweep, {
    ...filter, verdict: undefined, q: undefined,
    status: filter.status === 'diverged' || filter.status === 'failed' ? filter.status : undefined,
  });
  const { query } = applied;
  const total = store.listRuns(sweep.id, { ...applied.options, limit: 0 }).total;
  const chips: string[] = [];
  const labelOfPath = (path: string) => applied.choices.find((c) => c.path === path)?.label ?? path;
  for (const [path, label] of Object.entries(query.filters ?? {})) chips.push(`${labelOfPath(path)} = ${label}`);
  const range = (name: string, r: { min?: number; max?: number }) =>
    r.min !== undefined && r.max !== undefined ? `${name} ${r.min} – ${r.max}`
      : r.min !== undefined ? `${name} ≥ ${r.min}` : `${name} ≤ ${r.max}`;
  for (const [path, r] of Object.entries(query.configRanges ?? {})) chips.push(range(labelOfPath(path), r));
  for (const [name, r] of Object.entries(query.ranges ?? {})) {
    if (r) chips.push(range(METRIC_COLUMN_LABELS[name as RangeMetricName], r));
  }
  if (query.status) chips.push(`status = ${query.status}`);
  const tableQuery: SweepQuery = {
    metric: 'acc', sort: 'id', order: 'asc', page: 1, status: query.status,
    filters: query.filters, configRanges: query.configRanges, ranges: query.ranges,
  };
  return { count: total, chips, tableUrl: `${sweepUrl(sweep.id, tableQuery)}#runs-card` };
}

export function loadParallelPage(store: Store, sweep: Sweep, query: ParallelQuery): ParallelPageProps {
  const analysis = cachedAnalysis(store, sweep, query.metric);
  return {
    sweepId: sweep.id,
    sweepName: sweep.name,
    metric: query.metric,
    metricChoices: RANGE_METRIC_NAMES.map((m) => ({ key: m, label: METRIC_COLUMN_LABELS[m] })),
    data: analysis.data,
    json: analysis.json,
    total: analysis.data.status.length,
    pending: analysis.pending,
    importance: analysis.importance,
    importanceRuns: analysis.used,
    selection: selectionOf(store, sweep, query.filter),
  };
}

/** The importance summary as the JSON API answers it. */
export function importanceJson(store: Store, sweep: Sweep, metric: RangeMetricName) {
  const analysis = cachedAnalysis(store, sweep, metric);
  return {
    sweepId: sweep.id,
    metric,
    scale: isLoss(metric) ? 'log10' : 'linear',
    runs: analysis.used,
    pending: analysis.pending,
    settings: analysis.importance.map((row) => ({
      path: row.path,
      eta2: row.eta2,
      chance: row.chance,
      groups: row.groups,
      runsPerGroup: row.runsPerGroup,
      binned: row.binned,
      best: row.best,
    })),
  };
}
