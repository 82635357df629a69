// The sweep page's state lives in its URL: heatmap metric, selected cell, runs-table filters, sort and page.
// These helpers build those URLs so every link and htmx request keeps the rest of the state.

export const HEATMAP_METRICS = ['acc', 'loss', 'verdict'] as const;
export type HeatmapMetric = (typeof HEATMAP_METRICS)[number];

export const RUN_TABLE_SORTS = [
  'id', 'initLabel', 'activationLabel', 'seed', 'status', 'finalValAcc', 'finalValLoss', 'epochsCompleted', 'durationMs',
] as const;
export type RunTableSort = (typeof RUN_TABLE_SORTS)[number];

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
  if (query.sort !== DEFAULT_SWEEP_QUERY.sort) params.set('sort', query.sort);
  if (query.order !== DEFAULT_SWEEP_QUERY.order) params.set('order', query.order);
  if (query.page !== 1) params.set('page', String(query.page));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The sweep page's own URL for a state (what the address bar shows). */
export function sweepUrl(sweepId: number, query: SweepQuery, change: Partial<SweepQuery> = {}): string {
  return `/sweeps/${sweepId}${sweepQueryString({ ...query, ...change })}`;
}

/** A partial's URL for the same state: /sweeps/:id/<part>?... */
export function sweepPartUrl(sweepId: number, part: string, query: SweepQuery, change: Partial<SweepQuery> = {}): string {
  return `/sweeps/${sweepId}/${part}${sweepQueryString({ ...query, ...change })}`;
}
