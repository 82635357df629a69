// The sweep page's state lives in its URL: heatmap metric, selected cell, runs-table filters, sort and page.
// These helpers build those URLs so every link and htmx request keeps the rest of the state.

export const HEATMAP_METRICS = ['acc', 'loss', 'verdict'] as const;
export type HeatmapMetric = (typeof HEATMAP_METRICS)[number];

export const RUN_TABLE_SORTS = [
  'id', 'initLabel', 'activationLabel', 'seed', 'status', 'finalValAcc', 'finalValLoss', 'epochsCompleted', 'durationMs',
] as const;
export type RunTableSort = (typeof RUN_TABLE_SORTS)[number];

/** Final metrics the runs table filters by range and shows as chosen columns: URL name → store field. */
export const RANGE_METRIC_FIELDS = {
  final_train_acc: 'finalTrainAcc', final_val_acc: 'finalValAcc', final_train_loss: 'finalTrainLoss', final_val_loss: 'finalValLoss',
} as const;
export type RangeMetricName = keyof typeof RANGE_METRIC_FIELDS;
export const RANGE_METRIC_NAMES = Object.keys(RANGE_METRIC_FIELDS) as RangeMetricName[];

export interface SweepQuery {
  metric: HeatmapMetric;
  /** The selected heatmap cell: row and column values as labelled on the axes. */
  row?: string;
  col?: string;
  status?: string;
  verdict?: string;
  sort: RunTableSort;
  order: 'asc' | 'desc';
  page: number;
  /** Runs-table filters: a varying config path → the value's label (`f.<path>=<label>`). */
  filters?: Record<string, string>;
  /** Final-metric ranges (`min.<metric>`, `max.<metric>`). */
  ranges?: Partial<Record<RangeMetricName, { min?: number; max?: number }>>;
  /** Ranges of numeric varying settings (`min.<config path>`, `max.<config path>`), e.g. train.lr. */
  configRanges?: Record<string, { min?: number; max?: number }>;
  /** Free text over run labels (`q=`). */
  q?: string;
  /** Extra runs-table columns: config paths or final metric names (`cols=a,b`). */
  cols?: string[];
}

export const DEFAULT_SWEEP_QUERY: SweepQuery = { metric: 'acc', sort: 'id', order: 'asc', page: 1 };

/** Query string of the non-default parts of `query` (leading "?" included, or "" when all default). */
export function sweepQueryString(query: SweepQuery): string {
  const params = new URLSearchParams();
  if (query.metric !== DEFAULT_SWEEP_QUERY.metric) params.set('metric', query.metric);
  if (query.row !== undefined && query.col !== undefined) {
    params.set('row', query.row);
    params.set('col', query.col);
  }
  if (query.status) params.set('status', query.status);
  if (query.verdict) params.set('verdict', query.verdict);
  for (const [path, label] of Object.entries(query.filters ?? {})) params.set(`f.${path}`, label);
  for (const [metric, range] of Object.entries(query.ranges ?? {})) {
    if (range?.min !== undefined) params.set(`min.${metric}`, String(range.min));
    if (range?.max !== undefined) params.set(`max.${metric}`, String(range.max));
  }
  for (const [path, range] of Object.entries(query.configRanges ?? {})) {
    if (range.min !== undefined) params.set(`min.${path}`, String(range.min));
    if (range.max !== undefined) params.set(`max.${path}`, String(range.max));
  }
  if (query.q) params.set('q', query.q);
  if (query.cols && query.cols.length > 0) params.set('cols', query.cols.join(','));
  if (query.sort !== DEFAULT_SWEEP_QUERY.sort) params.set('sort', query.sort);
  if (query.order !== DEFAULT_SWEEP_QUERY.order) params.set('order', query.order);
  if (query.page !== 1) params.set('page', String(query.page));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Whether the runs table has any of its own filters beyond status and verdict. */
export function hasRunFilters(query: SweepQuery): boolean {
  return Object.keys(query.filters ?? {}).length > 0 || Object.keys(query.ranges ?? {}).length > 0
    || Object.keys(query.configRanges ?? {}).length > 0 || Boolean(query.q);
}

/** The sweep page's own URL for a state (what the address bar shows). */
export function sweepUrl(sweepId: number, query: SweepQuery, change: Partial<SweepQuery> = {}): string {
  return `/sweeps/${sweepId}${sweepQueryString({ ...query, ...change })}`;
}

/** A partial's URL for the same state: /sweeps/:id/<part>?... */
export function sweepPartUrl(sweepId: number, part: string, query: SweepQuery, change: Partial<SweepQuery> = {}): string {
  return `/sweeps/${sweepId}/${part}${sweepQueryString({ ...query, ...change })}`;
}
