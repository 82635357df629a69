// The sweep page's state from a query string: heatmap metric, selected cell, runs-table filters, sort and page.
// Unknown values fall back to the defaults, so a stale link still opens the page.
import { isRunStatus } from '../../db/run-status.js';
import { VERDICTS } from '../../workers/core/types.js';
import {
  DEFAULT_SWEEP_QUERY, HEATMAP_METRICS, RUN_TABLE_SORTS, type HeatmapMetric, type RunTableSort, type SweepQuery,
} from '../../views/query.js';

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
  };
}
