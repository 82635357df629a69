// A sweep's parallel-coordinates view and hyperparameter importance. The plot is drawn by app.js on a canvas from
// the JSON in `data-parcoords` (one line per run; 10,000 lines are cheap on a canvas, not as SVG); brushing it
// writes the runs table's own filter keys, so "Open these runs in the table" shows exactly the selected runs.
// Without JavaScript the page keeps the importance table, the selection named in the address and its table link.
import { Card } from './card.js';
import { rampGradient } from './color.js';
import { Layout } from './layout.js';
import type { RangeMetricName } from './query.js';

export interface ParallelAxis {
  path: string;
  label: string;
  kind: 'cat' | 'num';
  log: boolean;
  /** Categorical: the values' labels, in axis order (bottom to top). */
  values?: string[];
  /** Numeric: the range, and the distinct values when few (drawn as ticks). */
  lo?: number;
  hi?: number;
  ticks?: number[];
}

/** What app.js draws: per axis a column of cells (category index or number) and the metric, one entry per run. */
export interface ParallelData {
  sweepId: number;
  axes: ParallelAxis[];
  cells: Array<Array<number | null>>;
  metric: {
    key: RangeMetricName;
    label: string;
    lo: number;
    hi: number;
    log: boolean;
    higherIsBetter: boolean;
    values: Array<number | null>;
  };
  /** One character a run: s succeeded, d diverged, f failed, p no result yet (queued, running, cancelled). */
  status: string;
  /** Viridis, bad end first. */
  ramp: string[];
}

export interface ImportanceRow {
  path: string;
  label: string;
  eta2: number | null;
  /** η² expected when the setting explains nothing: (groups − 1) / (runs − 1). */
  chance: number | null;
  groups: number;
  runsPerGroup: [number, number];
  binned: boolean;
  best: string | null;
  isSeed: boolean;
}

export interface ParallelSelection {
  count: number;
  chips: string[];
  tableUrl: string;
}

export interface ParallelPageProps {
  sweepId: number;
  sweepName: string;
  metric: RangeMetricName;
  metricChoices: Array<{ key: RangeMetricName; label: string }>;
  data: ParallelData;
  json: string;
  total: number;
  pending: number;
  importance: ImportanceRow[];
  importanceRuns: number;
  selection: ParallelSelection;
}

function share(x: number | null): string {
  return x === null ? '—' : x.toFixed(2);
}

function Controls({ props }: { props: ParallelPageProps }): string {
  return (
    <form class="inline-form parallel-controls" method="get" action={`/sweeps/${props.sweepId}/parallel`}>
      <label for="parallel-metric">Final metric</label>
      <select id="parallel-metric" name="metric">
        {props.metricChoices.map((m) => (
          <option value={m.key} selected={m.key === props.metric} safe>{m.label}</option>
        ))}
      </select>
      <button class="btn" type="submit">Show</button>
    </form>
  ) as string;
}

function Selection({ props }: { props: ParallelPageProps }): string {
  const { selection, total } = props;
  return (
    <div class="pc-selection">
      <p class="pc-count" aria-live="polite" safe>
        {selection.chips.length === 0 ? `No selection: all ${total} runs.` : `${selection.count} of ${total} runs selected.`}
      </p>
      <ul class="pc-chips" aria-label="Selection">
        {selection.chips.map((chip) => <li class="chip" safe>{chip}</li>)}
      </ul>
      <a class="btn pc-open" href={selection.tableUrl}>Open these runs in the table</a>
      <a class="btn pc-clear" href={`/sweeps/${props.sweepId}/parallel${props.metric === 'final_val_acc' ? '' : `?metric=${props.metric}`}`}>
        Clear selection
      </a>
    </div>
  ) as string;
}

function Legend({ data }: { data: ParallelData }): string {
  const { metric } = data;
  const fmt = (x: number) => (metric.key.endsWith('_acc') ? `${(x * 100).toFixed(1)}%` : Number(x.toPrecision(3)).toString());
  // the bar runs bad → good, so its right end (yellow) is always the better one
  const [bad, good] = metric.higherIsBetter ? [metric.lo, metric.hi] : [metric.hi, metric.lo];
  return (
    <div class="legend">
      <span class="legend-scale">
        <span class="legend-bar" style={`background:${rampGradient('viridis')}`}></span>
        <span class="legend-ends"><span safe>{fmt(bad)}</span><span safe>{`${fmt(good)} (better)`}</span></span>
      </span>
      <span safe>{`${metric.label}${metric.log ? ', log scale' : ''}: yellow is better.`}</span>
      <span><span class="pc-key pc-key-diverged" aria-hidden="true"></span> diverged (no result)</span>
      <span><span class="pc-key pc-key-failed" aria-hidden="true"></span> failed</span>
      <span><span class="pc-key pc-key-other" aria-hidden="true"></span> not selected</span>
    </div>
  ) as string;
}

function ImportanceTable({ props }: { props: ParallelPageProps }): string {
  const loss = props.metric.endsWith('_loss');
  return (
    <div class="table-wrap">
      <table class="importance">
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">η² (share of variance)</th>
            <th scope="col" class="num">η² if it did nothing</th>
            <th scope="col" class="num">Groups</th>
            <th scope="col" class="num">Runs a group</th>
            <th scope="col">Best group (mean)</th>
          </tr>
        </thead>
        <tbody>
          {props.importance.map((row) => (
            <tr data-path={row.path}>
              <th scope="row">
                <span safe>{row.label}</span>
                {row.isSeed ? <span class="note"> (noise reference)</span> : ''}
                {row.binned ? <span class="note"> (5 bins by rank)</span> : ''}
              </th>
              <td class="importance-cell">
                <span class="bar importance-bar" aria-hidden="true">
                  <span style={`width:${Math.round((row.eta2 ?? 0) * 100)}%`}></span>
                  {row.chance !== null ? <i style={`left:${Math.min(100, Math.round(row.chance * 100))}%`}></i> : ''}
                </span>{' '}
                <span class="num importance-value" safe>{share(row.eta2)}</span>
              </td>
              <td class="num" safe>{share(row.chance)}</td>
              <td class="num" safe>{String(row.groups)}</td>
              <td class="num" safe>{row.runsPerGroup[0] === row.runsPerGroup[1] ? String(row.runsPerGroup[0]) : `${row.runsPerGroup[0]}–${row.runsPerGroup[1]}`}</td>
              <td safe>{row.best ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="note importance-note" safe>
        {`η² = between-group sum of squares ÷ total sum of squares of the final ${loss ? 'log₁₀ loss' : 'accuracy'}, over the `
          + `${props.importanceRuns} succeeded runs with a result (diverged, failed and unfinished runs are left out). `
          + 'Each setting is taken alone: η² ignores interactions (a setting that only matters with one activation shows a '
          + 'small share), and the shares of correlated settings overlap, so they need not add up to 1. With few runs a '
          + 'group it is noisy and biased upward: even a setting that does nothing gets about the "if it did nothing" value '
          + '((groups − 1) ÷ (runs − 1), the tick on each bar)'
          + (props.importance.some((row) => row.isSeed) ? '; the seed row shows what noise alone explains.' : '.')}
      </p>
    </div>
  ) as string;
}

export function ParallelPage(props: ParallelPageProps): string {
  const { data } = props;
  const withResult = [...data.status].filter((s) => s === 's').length;
  const caption = 'One line per run through each setting the sweep varies, then its final metric. Drag along an axis '
    + 'to select a range (on a categorical axis, click a value); lines outside the selection turn grey.';
  return Layout({
    title: `${props.sweepName}: parallel coordinates`,
    children: (
      <>
        <div class="crumbs">
          <a href="/">Sweeps</a> / <a href={`/sweeps/${props.sweepId}`} safe>{props.sweepName}</a> / <span>parallel coordinates</span>
        </div>
        <div class="page-head">
          <h1 safe>{`${props.sweepName}: parallel coordinates`}</h1>
        </div>
        <Controls props={props} />
        {props.pending > 0 ? (
          <p class="note pc-snapshot">
            <span safe>{`${props.pending} ${props.pending === 1 ? 'run is' : 'runs are'} still queued or running: this view is a snapshot taken when the page loaded. `}</span>
            <a href={`/sweeps/${props.sweepId}/parallel?metric=${props.metric}`}>Reload</a> to update it.
          </p>
        ) : ''}
        <Card titleId="pc-title" title="Parallel coordinates" caption={caption}>
          {data.axes.length === 0 ? (
            <p class="note">This sweep varies nothing but the seed: there is nothing to lay out.</p>
          ) : (
            <div class="pc" data-parcoords={props.json}>
              <div class="pc-plot">
                <canvas class="pc-canvas" role="img"
                  aria-label={`${props.total} runs over ${data.axes.map((a) => a.label).join(', ')} and ${data.metric.label}; ${withResult} with a result.`}></canvas>
              </div>
              <p class="note pc-nojs">The plot needs JavaScript; the selection below still opens in the runs table.</p>
              <Legend data={data} />
              <script src="/assets/parcoords.js" defer></script>
            </div>
          )}
          <Selection props={props} />
        </Card>
        <Card titleId="importance-title" title="Hyperparameter importance"
          caption={`How much of the variance in ${data.metric.label.toLowerCase()} each varied setting explains on its own (η²), largest first.`}>
          {props.importance.length === 0 ? <p class="note">This sweep varies no setting.</p> : <ImportanceTable props={props} />}
        </Card>
      </>
    ),
  });
}
