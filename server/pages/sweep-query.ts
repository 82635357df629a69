// The sweep page's state from a query string: heatmap metric, selected cell, runs-table filters, sort and page.
// Unknown values fall back to the defaults, so a stale link still opens the page.
import { isRunStatus } from '../../db/run-status.js';
import { VERDICTS } from '../../workers/core/types.js';
import {
  DEFAULT_SWEEP_QUERY, HEATMAP_METRICS, RANGE_METRIC_NAMES, RUN_TABLE_SORTS, type HeatmapMetric, type RangeMetricName,
  type RunTableSort, type SweepQuery,
} from '../../views/query.js';

/** A dotted config path's shape; whether the sweep has it is the loader's business (server/pages/runs-table.ts). */
const PATH_SHAPE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
const MAX_TEXT = 200;
const MAX_COLUMNS = 12;

function isRangeMetric(value: string): value is RangeMetricName {
  return (RANGE_METRIC_NAMES as readonly string[]).includes(value);
}

type RunFilterKeys = 'filters' | 'ranges' | 'configRanges' | 'q' | 'cols';

/**
 * The runs table's own filters and columns: f.<path>, min.<metric>, max.<metric>, min.<config path>,
 * max.<config path>, q, cols. Bad parts are dropped.
 */
export function parseRunFilters(query: Record<string, unknown>): Pick<SweepQuery, RunFilterKeys> {
  const out: Pick<SweepQuery, RunFilterKeys> = {};
  const filters: Record<string, string> = {};
  const ranges: NonNullable<SweepQuery['ranges']> = {};
  const configRanges: NonNullable<SweepQuery['configRanges']> = {};
  for (const key of Object.keys(query)) {
    const value = one(query[key]);
    if (value === undefined) continue;
    if (key.startsWith('f.') && PATH_SHAPE.test(key.slice(2)) && value.length <= MAX_TEXT) {
      filters[key.slice(2)] = value;
    }
    const bound = key.startsWith('min.') ? 'min' : key.startsWith('max.') ? 'max' : undefined;
    const name = key.slice(4);
    const number = value.trim() === '' ? NaN : Number(value);
    if (!bound || !Number.isFinite(number)) continue;
    if (isRangeMetric(name)) ranges[name] = { ...ranges[name], [bound]: number };
    else if (PATH_SHAPE.test(name) && Object.keys(configRanges).length < MAX_COLUMNS) {
      configRanges[name] = { ...configRanges[name], [bound]: number };
    }
  }
  if (Object.keys(filters).length > 0) out.filters = filters;
  if (Object.keys(ranges).length > 0) out.ranges = ranges;
  if (Object.keys(configRanges).length > 0) out.configRanges = configRanges;
  const q = one(query.q)?.trim().slice(0, MAX_TEXT);
  if (q) out.q = q;
  const rawCols = Array.isArray(query.cols) ? query.cols : [query.cols];
  const cols = [...new Set(rawCols.flatMap((c) => (typeof c === 'string' ? c.split(',') : [])).map((c) => c.trim()))]
    .filter((c) => isRangeMetric(c) || PATH_SHAPE.test(c))
    .slice(0, MAX_COLUMNS);
  if (cols.length > 0) out.cols = cols;
  return out;
}

/** One query value: the first of a repeated key; empty and non-string values are absent. */
function one(value: unknown): string | undefined {
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isVerdict(value: string): boolean {
  return (VERDICTS as readonly string[]).includes(value);
}

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
    status: status && isRunStatus(status) ? status : undefined,
    verdict: verdict && isVerdict(verdict) ? verdict : undefined,
    ...(row !== undefined && col !== undefined ? { row, col } : {}),
    ...parseRunFilters(query),
  };
}
