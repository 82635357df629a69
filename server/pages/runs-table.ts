// A sweep's runs table: one page of runs, filtered and sorted as the query says, each as a row.
// Filtering happens in the store's SQL (listRuns), so a 10,000-run sweep still decodes only the page's 25 configs.
import { RUN_STATUSES } from '../../db/run-status.js';
import type { Store } from '../../db/store.js';
import type { ListRunsOptions, Run, Sweep } from '../../db/types.js';
import { configValue, isRunConfigPath, listRunConfigPaths, setPath, storedConfigPath } from '../config-paths.js';
import { shortAxisName } from '../../views/axis-names.js';
import { formatMetric, formatPercent } from '../../views/format.js';
import {
  RANGE_METRIC_FIELDS, RANGE_METRIC_NAMES, type RangeMetricName, type SweepQuery,
} from '../../views/query.js';
import type { FilterChoice, RunRowData, RunsTableProps } from '../../views/runs-table.js';
import { HttpError } from '../errors.js';
import { describeSettings, formatAxisValue } from './axes.js';

export const RUNS_PAGE_SIZE = 25;

export const METRIC_COLUMN_LABELS: Record<RangeMetricName, string> = {
  final_train_acc: 'Train acc.', final_val_acc: 'Val. acc.', final_train_loss: 'Train loss', final_val_loss: 'Val. loss',
};

function isRangeMetric(value: string): value is RangeMetricName {
  return (RANGE_METRIC_NAMES as readonly string[]).includes(value);
}

/** A chosen column's header: a final metric's label, or the config path itself. */
function columnLabel(col: string): string {
  return isRangeMetric(col) ? METRIC_COLUMN_LABELS[col] : col;
}

/** A chosen column's cell text for a run: a final metric (accuracy as %), or a config value as an axis label. */
function columnText(run: Run, col: string): string {
  if (isRangeMetric(col)) {
    const value = run[RANGE_METRIC_FIELDS[col]];
    return col.endsWith('_acc') ? formatPercent(value) : formatMetric(value);
  }
  const value = configValue(run.config, col);
  return value === undefined ? '—' : formatAxisValue(col, value);
}

export function toRunRow(run: Run, extraPaths: string[], cols: string[] = []): RunRowData {
  return {
    id: run.id,
    initLabel: run.initLabel,
    activationLabel: run.activationLabel,
    seed: run.seed,
    status: run.status,
    finalValAcc: run.finalValAcc,
    finalValLoss: run.finalValLoss,
    epochsCompleted: run.epochsCompleted,
    epochs: run.config.train.epochs,
    durationMs: run.durationMs,
    verdicts: run.verdicts,
    extra: describeSettings(run, extraPaths),
    cols: cols.map((c) => columnText(run, c)),
  };
}

/** Settings shown in the runs table's "other settings" column: what varies besides init, activation, seed. */
export function extraRunPaths(sweep: Sweep): string[] {
  return sweep.varying.filter((p) => p !== 'seed' && p !== 'model.init' && p !== 'model.activation');
}

interface PathValues {
  choice: FilterChoice;
  /** Label → the stored JSON texts with that label (for listRuns' config filter). */
  texts: Map<string, string[]>;
}

/**
 * Filter choices per store and sweep, kept while the sweep's run count stays the same: a run's config never changes
 * once stored, so only added runs can bring new values (the DISTINCTs read every run's config: ~10 ms at 2,000 runs).
 */
const choiceCache = new WeakMap<Store, Map<number, { runs: number; choices: PathValues[] }>>();

function cachedFilterChoices(store: Store, sweep: Sweep, runs: number): PathValues[] {
  let perSweep = choiceCache.get(store);
  if (perSweep === undefined) choiceCache.set(store, (perSweep = new Map()));
  const hit = perSweep.get(sweep.id);
  if (hit !== undefined && hit.runs === runs) return hit.choices;
  const choices = filterChoices(store, sweep);
  perSweep.set(sweep.id, { runs, choices });
  return choices;
}

/** Each varying path (but seed) with its values' labels, read from the sweep's runs (one DISTINCT each). */
function filterChoices(store: Store, sweep: Sweep): PathValues[] {
  const labels = store.runLabels(sweep.id);
  return sweep.varying.filter((p) => p !== 'seed').map((path) => {
    if (path === 'model.init' || path === 'model.activation') {
      const values = path === 'model.init' ? labels.initLabels : labels.activationLabels;
      return { choice: { path, label: shortAxisName(path), values }, texts: new Map() };
    }
    const texts = new Map<string, string[]>();
    for (const text of store.configValues(sweep.id, storedConfigPath(path))) {
      const config: Record<string, unknown> = {};
      setPath(config, storedConfigPath(path), JSON.parse(text) as unknown);
      const label = formatAxisValue(path, configValue(config, path) ?? null);
      texts.set(label, [...(texts.get(label) ?? []), text]);
    }
    const values = [...texts.keys()].sort((a, b) => {
      const x = Number(a), y = Number(b);
      return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.localeCompare(b, 'en', { numeric: true });
    });
    return { choice: { path, label: shortAxisName(path), values }, texts };
  });
}

/** Whether every value of a varying path is a number (lr, depth, width): such a path also takes a range. */
export function isNumericChoice(choice: FilterChoice): boolean {
  return choice.values.length > 0 && choice.values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
}

export interface AppliedFilters {
  /** The store options for the filters the sweep can honour (no sort or paging). */
  options: ListRunsOptions;
  /** The query with only those filters kept. */
  query: SweepQuery;
  choices: FilterChoice[];
  sweepTotal: number;
}

/**
 * The runs-table filters of a query as listRuns options: status, verdict, f.<path>, min./max. of a metric or of a
 * numeric varying setting, q. What the sweep cannot honour (a path that does not vary, a value no run has, a range
 * over a setting that is not a number) is dropped, as parseSweepQuery drops unknown values, so the form and links
 * show what was applied. The parallel-coordinates view builds its links to the table with the same rules.
 */
export function applyRunFilters(store: Store, sweep: Sweep, query: SweepQuery): AppliedFilters {
  const options: ListRunsOptions = {};
  if (query.status) options.status = query.status;
  if (query.verdict) options.verdict = query.verdict;
  const sweepTotal = store.countRuns(sweep.id);
  const choices = cachedFilterChoices(store, sweep, sweepTotal);
  const filters: Record<string, string> = {};
  const configRanges: NonNullable<SweepQuery['configRanges']> = {};
  const config: Array<{ path: string; values: string[] }> = [];
  const numericRanges: Array<{ path: string; min?: number; max?: number }> = [];
  for (const { choice, texts } of choices) {
    const label = query.filters?.[choice.path];
    if (label !== undefined && choice.values.includes(label)) {
      filters[choice.path] = label;
      if (choice.path === 'model.init') options.initLabel = label;
      else if (choice.path === 'model.activation') options.activationLabel = label;
      else config.push({ path: storedConfigPath(choice.path), values: texts.get(label)! });
    }
    const range = query.configRanges?.[choice.path];
    if (range === undefined || !isNumericChoice(choice)) continue;
    configRanges[choice.path] = range;
    if (storedConfigPath(choice.path) !== choice.path) {
      // depth and width are read from model.hidden: the range becomes the stored values whose label lies in it
      const inside = (label: string) => {
        const x = Number(label);
        return (range.min === undefined || x >= range.min) && (range.max === undefined || x <= range.max);
      };
      config.push({ path: storedConfigPath(choice.path), values: choice.values.filter(inside).flatMap((l) => texts.get(l)!) });
    } else {
      numericRanges.push({ path: choice.path, ...range });
    }
  }
  if (config.length > 0) options.config = config;
  if (numericRanges.length > 0) options.configRanges = numericRanges;
  if (query.ranges) {
    options.ranges = {};
    for (const [name, range] of Object.entries(query.ranges) as Array<[RangeMetricName, { min?: number; max?: number }]>) {
      options.ranges[RANGE_METRIC_FIELDS[name]] = range;
    }
  }
  if (query.q) options.text = query.q;
  return {
    options,
    query: {
      ...query,
      filters: Object.keys(filters).length > 0 ? filters : undefined,
      configRanges: Object.keys(configRanges).length > 0 ? configRanges : undefined,
    },
    choices: choices.map((c) => ({ ...c.choice, numeric: isNumericChoice(c.choice) })),
    sweepTotal,
  };
}

export function loadRunsTable(store: Store, sweep: Sweep, query: SweepQuery): RunsTableProps {
  const applied = applyRunFilters(store, sweep, query);
  const { sweepTotal } = applied;
  const options: ListRunsOptions = {
    ...applied.options,
    sortBy: query.sort,
    order: query.order,
    limit: RUNS_PAGE_SIZE,
    offset: (query.page - 1) * RUNS_PAGE_SIZE,
  };
  const cols = (query.cols ?? []).filter((c) => isRangeMetric(c) || isRunConfigPath(c));
  query = { ...applied.query, cols: cols.length > 0 ? cols : undefined };

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
    runs: page.runs.map((r) => toRunRow(r, extra, cols)),
    total: page.total,
    sweepTotal,
    pageSize: RUNS_PAGE_SIZE,
    showExtra: extra.length > 0,
    statuses: RUN_STATUSES,
    filterChoices: applied.choices,
    columns: cols.map((c) => ({ key: c, label: columnLabel(c) })),
    columnChoices: [
      ...RANGE_METRIC_NAMES.map((m) => ({ key: m, label: METRIC_COLUMN_LABELS[m] })),
      ...listRunConfigPaths().map((p) => ({ key: p, label: p })),
    ],
  };
}

/** The most rows one request for live rows may name: a table page shows RUNS_PAGE_SIZE. */
export const MAX_LIVE_ROWS = 4 * RUNS_PAGE_SIZE;

/** A query value as one string: a repeated key or a non-string is refused, naming the field. */
function oneText(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, 'bad_query', `${field}: must be given once, as plain text`);
  return value;
}

/**
 * The live rows request (GET /sweeps/:id/rows?ids=3,4&cols=a,b): run ids (1 to MAX_LIVE_ROWS of them) and the
 * table's chosen columns, as its page has them. Anything else is a 400 naming the field.
 */
export function parseLiveRowsQuery(query: Record<string, unknown>): { ids: number[]; cols: string[] } {
  const idsText = oneText(query.ids, 'ids');
  if (idsText === undefined || idsText.trim() === '') throw new HttpError(400, 'bad_query', 'ids: required, run ids separated by commas (ids=3,4)');
  const ids = new Set<number>();
  for (const part of idsText.split(',')) {
    const id = /^\s*\d{1,15}\s*$/.test(part) ? Number(part) : NaN;
    if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(400, 'bad_query', `ids: '${part.slice(0, 20)}' is not a run id`);
    ids.add(id);
  }
  if (ids.size > MAX_LIVE_ROWS) throw new HttpError(400, 'bad_query', `ids: at most ${MAX_LIVE_ROWS} runs, got ${ids.size}`);
  const colsText = oneText(query.cols, 'cols');
  const cols = colsText === undefined || colsText === '' ? [] : colsText.split(',');
  for (const col of cols) {
    if (!isRangeMetric(col) && !isRunConfigPath(col)) throw new HttpError(400, 'bad_query', `cols: unknown column '${col.slice(0, 60)}'`);
  }
  return { ids: [...ids], cols };
}

/** The rows of these runs of a sweep, as the runs table renders them with these chosen columns (ids of no run of the sweep are left out). */
export function loadLiveRows(store: Store, sweep: Sweep, ids: readonly number[], cols: readonly string[]) {
  const extra = extraRunPaths(sweep);
  return {
    runs: store.getSweepRuns(sweep.id, ids).map((r) => toRunRow(r, extra, [...cols])),
    showExtra: extra.length > 0,
    labels: cols.map(columnLabel),
  };
}
