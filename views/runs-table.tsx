// The sweep's runs table: filter by status and verdict, sort by any column header, page through, tick runs to
// compare. `LiveRows` are the rows a page fetches (GET /sweeps/:id/rows) when the sweep stream names them changed.
import { hxPartial } from './hx-partial.js';
import { verdictWord } from './badges.js';
import { Card } from './card.js';
import { formatCount, formatDuration } from './format.js';
import {
  hasRunFilters, RANGE_METRIC_NAMES, sweepPartUrl, sweepUrl, type RangeMetricName, type RunTableSort, type SweepQuery,
} from './query.js';
import { RunLink, RunOutcomeCells } from './run-cells.js';
import { VERDICTS } from '../workers/core/types.js';

/** The most runs the compare page takes (server/pages/compare.ts checks the same number). */
export const MAX_COMPARE_SELECTION = 8;

export interface RunRowData {
  id: number;
  initLabel: string;
  activationLabel: string;
  seed: number;
  status: string;
  finalValAcc: number | null;
  finalValLoss: number | null;
  epochsCompleted: number;
  epochs: number;
  durationMs: number | null;
  verdicts: Array<{ kind: string; evidence: string }> | null;
  /** Values of the sweep's other varying settings, e.g. "lr 0.05 · clip norm ≤ 1". */
  extra: string;
  /** The chosen extra columns' texts, in the table's column order. */
  cols?: string[];
}

/** A varying config path the table filters by, with its values' labels. */
export interface FilterChoice {
  path: string;
  label: string;
  values: string[];
  /** Every value is a number (lr, depth): the path also takes a range, min.<path> / max.<path>. */
  numeric?: boolean;
}

export interface ColumnChoice {
  key: string;
  label: string;
}

export interface RunsTableProps {
  sweepId: number;
  query: SweepQuery;
  runs: RunRowData[];
  /** Runs matching the filters. */
  total: number;
  /** All of the sweep's runs. */
  sweepTotal: number;
  /** The varying paths (but seed) to filter by, with their values. */
  filterChoices: FilterChoice[];
  /** The chosen extra columns, and every column one may choose (final metrics, then config paths). */
  columns: ColumnChoice[];
  columnChoices: ColumnChoice[];
  pageSize: number;
  /** Whether any run has "extra" varying settings (adds the column). */
  showExtra: boolean;
  /** The run statuses to filter by (the store's, in their order). */
  statuses: readonly string[];
}

export function RunRow({ run, showExtra, labels }: { run: RunRowData; showExtra: boolean; labels?: string[] }): string {
  return (
    // data-label: on a phone each row becomes a card whose cells name themselves (app.css), headers out of sight.
    <tr id={`run-row-${run.id}`}>
      <td class="pick">
        <input type="checkbox" name="runs" value={String(run.id)} form="compare-form" aria-label={`Select run ${run.id} to compare`} />
      </td>
      <td class="run-id">
        <RunLink id={run.id} />
      </td>
      <td data-label="Initializer" safe>{run.initLabel}</td>
      <td data-label="Activation" safe>{run.activationLabel}</td>
      {showExtra ? <td class="wrap" data-label="Other settings" safe>{run.extra}</td> : ''}
      <td class="num" data-label="Seed">{run.seed}</td>
      <RunOutcomeCells run={run} wrap />
      <td class="num" data-label="Epochs" safe>{`${run.epochsCompleted}/${run.epochs}`}</td>
      <td class="num" data-label="Time" safe>{formatDuration(run.durationMs)}</td>
      {(run.cols ?? []).map((text, i) => (
        <td class="wrap" data-label={labels?.[i] ?? ''} safe>{text}</td>
      ))}
    </tr>
  ) as string;
}

/** Rows to swap in place of the page's own (`#run-row-<id>`, morphed so a ticked box and focus survive). */
export function LiveRows({ runs, showExtra, labels }: { runs: RunRowData[]; showExtra: boolean; labels: string[] }): string {
  return runs.map((run) => hxPartial(`#run-row-${run.id}`, RunRow({ run, showExtra, labels }), 'outerMorph')).join('');
}

/** Where the page fetches live rows: the table's chosen columns ride along, so fetched rows keep them. */
function liveRowsUrl(sweepId: number, columns: ColumnChoice[]): string {
  const cols = columns.map((c) => c.key).join(',');
  return `/sweeps/${sweepId}/rows${cols ? `?cols=${encodeURIComponent(cols)}` : ''}`;
}

const COLUMNS: Array<{ key: RunTableSort | null; label: string; num?: boolean; extra?: boolean }> = [
  { key: 'id', label: 'Run' },
  { key: 'initLabel', label: 'Initializer' },
  { key: 'activationLabel', label: 'Activation' },
  { key: null, label: 'Other settings', extra: true },
  { key: 'seed', label: 'Seed', num: true },
  // The outcome in RunOutcomeCells' order: verdicts first, the process status after the numbers.
  { key: null, label: 'Verdicts' },
  { key: 'finalValAcc', label: 'Val. acc.', num: true },
  { key: 'finalValLoss', label: 'Val. loss', num: true },
  { key: 'status', label: 'Status' },
  { key: 'epochsCompleted', label: 'Epochs', num: true },
  { key: 'durationMs', label: 'Time', num: true },
];

function SortHeader({ col, props }: { col: (typeof COLUMNS)[number]; props: RunsTableProps }): string {
  if (col.key === null) return (<th scope="col" safe>{col.label}</th>) as string;
  const { query } = props;
  const active = query.sort === col.key;
  const nextOrder = active && query.order === 'asc' ? 'desc' : 'asc';
  const change = { sort: col.key, order: nextOrder, page: 1 } as const;
  return (
    <th scope="col" class={col.num ? 'num' : undefined} aria-sort={active ? (query.order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <a
        class="sort"
        href={sweepUrl(props.sweepId, query, change)}
        hx-get={sweepPartUrl(props.sweepId, 'runs', query, change)}
        hx-target="#runs-card"
        hx-swap="outerHTML"
      >
        <span safe>{col.label}</span>
        <span aria-hidden="true">{active ? (query.order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
      </a>
    </th>
  ) as string;
}

/**
 * The compare selection: without JavaScript the button sends this page's ticked runs. With it (app.js) the selection
 * lives in the tab's sessionStorage, so it survives table pages, filters, live updates and other sweeps' pages; the
 * button then counts it and is disabled below two (or above the compare page's limit).
 */
function CompareTray(): string {
  return (
    <form id="compare-form" action="/compare" method="get" class="inline-form compare-tray" data-max={String(MAX_COMPARE_SELECTION)}>
      <span class="note compare-count" aria-live="polite"></span>
      <button class="btn compare-clear" type="button" hidden>
        Clear
      </button>
      <button class="btn compare-submit" type="submit">
        Compare selected
      </button>
    </form>
  ) as string;
}

const RANGE_LABELS: Record<RangeMetricName, string> = {
  final_train_acc: 'Train acc.', final_val_acc: 'Val. acc.', final_train_loss: 'Train loss', final_val_loss: 'Val. loss',
};

/** A min and a max input for one query name (`min.<name>`, `max.<name>`), under a legend. */
function RangeFieldset({ name, legend, label, range }: {
  name: string; legend: string; label: string; range: { min?: number; max?: number } | undefined;
}): string {
  const value = (x: number | undefined) => (x === undefined ? '' : String(x));
  return (
    <fieldset class="field range">
      <legend safe>{legend}</legend>
      <label class="visually-hidden" for={`min-${name}`} safe>{`${label} at least`}</label>
      <input id={`min-${name}`} type="number" step="any" name={`min.${name}`} placeholder="min" value={value(range?.min)} />
      <label class="visually-hidden" for={`max-${name}`} safe>{`${label} at most`}</label>
      <input id={`max-${name}`} type="number" step="any" name={`max.${name}`} placeholder="max" value={value(range?.max)} />
    </fieldset>
  ) as string;
}

/** Min and max of the final metrics (accuracies as fractions 0–1, as stored); open when any is set. */
function RangeFields({ query }: { query: SweepQuery }): string {
  const ranges = query.ranges ?? {};
  return (
    <details class="filter-more" open={Object.keys(ranges).length > 0}>
      <summary>Metric ranges</summary>
      <div class="filters">
        {RANGE_METRIC_NAMES.map((m) => (
          <RangeFieldset name={m} legend={`${RANGE_LABELS[m]}${m.endsWith('_acc') ? ' (0–1)' : ''}`} label={RANGE_LABELS[m]} range={ranges[m]} />
        ))}
      </div>
    </details>
  ) as string;
}

/** Min and max of the numeric varying settings (e.g. lr, as the parallel-coordinates view brushes them). */
function SettingRangeFields({ query, choices }: { query: SweepQuery; choices: FilterChoice[] }): string {
  const numeric = choices.filter((c) => c.numeric);
  if (numeric.length === 0) return '';
  const ranges = query.configRanges ?? {};
  return (
    <details class="filter-more" open={Object.keys(ranges).length > 0}>
      <summary>Setting ranges</summary>
      <div class="filters">
        {numeric.map((c) => <RangeFieldset name={c.path} legend={c.label} label={c.label} range={ranges[c.path]} />)}
      </div>
    </details>
  ) as string;
}

/** Extra columns: ticked boxes send cols=a&cols=b (parseSweepQuery also takes cols=a,b, as links write it). */
function ColumnFields(props: RunsTableProps): string {
  const chosen = new Set(props.columns.map((c) => c.key));
  return (
    <details class="filter-more" open={chosen.size > 0}>
      <summary safe>{`Columns${chosen.size > 0 ? ` (${chosen.size} added)` : ''}`}</summary>
      <div class="column-choices">
        {props.columnChoices.map((c) => (
          <label class="check">
            <input type="checkbox" name="cols" value={c.key} checked={chosen.has(c.key)} /> <span safe>{c.label}</span>
          </label>
        ))}
      </div>
    </details>
  ) as string;
}

function Option({ value, label, selected }: { value: string; label: string; selected: boolean }): string {
  return (
    <option value={value} selected={selected} safe>
      {label}
    </option>
  ) as string;
}

export function RunsCard(props: RunsTableProps): string {
  const { query, total, pageSize } = props;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(query.page, pages);
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const columns = COLUMNS.filter((c) => !c.extra || props.showExtra);
  const labels = props.columns.map((c) => c.label);
  const filtered = hasRunFilters(query) || Boolean(query.status) || Boolean(query.verdict);
  const cleared = { filters: undefined, ranges: undefined, configRanges: undefined, q: undefined, status: undefined, verdict: undefined, page: 1 };
  // A reconnected stream may have missed changed rows: the table reloads itself (rows changed while connected are
  // fetched by app.js, with the table's columns, from data-rows-url).
  const trigger = 'runs-stale from:body';
  return (
    <Card
      id="runs-card"
      titleId="runs-title"
      title="Runs"
      caption="Sort by a column header; tick two to eight runs, on any page or sweep, to compare them."
      attrs={{ 'hx-get': sweepPartUrl(props.sweepId, 'runs', query), 'hx-trigger': trigger, 'hx-swap': 'outerHTML' }}
      actions={<CompareTray />}
    >
      <form
        id="runs-filters"
        class="filters"
        action={`/sweeps/${props.sweepId}`}
        method="get"
        hx-get={`/sweeps/${props.sweepId}/runs`}
        hx-trigger="change, submit"
        hx-target="#runs-card"
        hx-swap="outerHTML"
      >
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="order" value={query.order} />
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" name="status">
            <Option value="" label="any status" selected={!query.status} />
            {props.statuses.map((s) => (
              <Option value={s} label={s} selected={query.status === s} />
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-verdict">Verdict</label>
          <select id="filter-verdict" name="verdict">
            <Option value="" label="any verdict" selected={!query.verdict} />
            {VERDICTS.map((v) => (
              <Option value={v} label={verdictWord(v)} selected={query.verdict === v} />
            ))}
          </select>
        </div>
        {props.filterChoices.map((c) => (
          <div class="field">
            <label for={`filter-${c.path}`} safe>{c.label}</label>
            <select id={`filter-${c.path}`} name={`f.${c.path}`}>
              <Option value="" label="any" selected={query.filters?.[c.path] === undefined} />
              {c.values.map((v) => (
                <Option value={v} label={v} selected={query.filters?.[c.path] === v} />
              ))}
            </select>
          </div>
        ))}
        <div class="field">
          <label for="filter-q">Search</label>
          <input id="filter-q" type="search" name="q" value={query.q ?? ''} placeholder="label, verdict or #id" />
        </div>
        <button class="btn" type="submit">
          Filter
        </button>
        {filtered ? (
          <a
            id="runs-clear"
            class="btn"
            href={sweepUrl(props.sweepId, query, cleared)}
            hx-get={sweepPartUrl(props.sweepId, 'runs', query, cleared)}
            hx-target="#runs-card"
            hx-swap="outerHTML"
          >
            Clear filters
          </a>
        ) : (
          ''
        )}
        <RangeFields query={query} />
        <SettingRangeFields query={query} choices={props.filterChoices} />
        <ColumnFields {...props} />
        <span class="note run-count" aria-live="polite" safe>
          {total === 0
            ? `No runs match. Showing 0 of ${formatCount(props.sweepTotal)} runs`
            : `Showing ${formatCount(total)} of ${formatCount(props.sweepTotal)} runs${total > pageSize ? ` · ${formatCount(first)}–${formatCount(last)}` : ''}`}
        </span>
      </form>
      <div class="table-wrap">
        <table class="runs-table">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">Select</span>
              </th>
              {columns.map((col) => (
                <SortHeader col={col} props={props} />
              ))}
              {props.columns.map((c) => (
                <th scope="col" safe>{c.label}</th>
              ))}
            </tr>
          </thead>
          <tbody id="runs-body" data-rows-url={liveRowsUrl(props.sweepId, props.columns)}>
            {props.runs.map((run) => (
              <RunRow run={run} showExtra={props.showExtra} labels={labels} />
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 ? (
        <nav class="pager" aria-label="Run pages">
          <span safe>{`Page ${page} of ${pages}`}</span>
          <span class="btn-row">
            {page > 1 ? (
              <a
                class="btn"
                href={sweepUrl(props.sweepId, query, { page: page - 1 })}
                hx-get={sweepPartUrl(props.sweepId, 'runs', query, { page: page - 1 })}
                hx-target="#runs-card"
                hx-swap="outerHTML"
              >
                ← Previous
              </a>
            ) : (
              ''
            )}
            {page < pages ? (
              <a
                class="btn"
                href={sweepUrl(props.sweepId, query, { page: page + 1 })}
                hx-get={sweepPartUrl(props.sweepId, 'runs', query, { page: page + 1 })}
                hx-target="#runs-card"
                hx-swap="outerHTML"
              >
                Next →
              </a>
            ) : (
              ''
            )}
          </span>
        </nav>
      ) : (
        ''
      )}
    </Card>
  ) as string;
}
