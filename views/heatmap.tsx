// The sweep heatmap: rows × columns (initializers × activations, or the sweep's varying settings), one cell per
// combination with the mean ± sd over seeds, a dot per seed, failure/divergence marks and the dominant verdicts.
// `HeatmapCard` is the swappable unit (metric switch, SSE); `HeatmapGrid` is what the stream re-renders.
import { VerdictBadge, verdictGlyph, verdictWord } from './badges.js';
import { VERDICTS } from '../workers/core/types.js';
import { Card } from './card.js';
import { linearPosition, logPosition, rampColour, rampGradient } from './color.js';
import { formatCount, formatMetric, formatPercent } from './format.js';
import type { Counts } from './progress.js';
import { sweepPartUrl, sweepUrl, type HeatmapMetric, type SweepQuery } from './query.js';

export interface MetricStat {
  n: number;
  mean: number | null;
  sd: number | null;
  values: number[];
}

export interface HeatCell {
  row: string;
  col: string;
  counts: Counts;
  /** Final validation accuracy and loss over the cell's runs with results. */
  acc: MetricStat;
  loss: MetricStat;
  /** Runs per verdict kind. */
  verdicts: Record<string, number>;
}

export interface HeatmapProps {
  sweepId: number;
  query: SweepQuery;
  rowAxis: string;
  colAxis: string;
  rows: string[];
  cols: string[];
  cells: HeatCell[];
  /** Settings that vary but are not an axis: cells pool over them too. */
  pooled: string[];
  /** Whether the card keeps a live stream open (the sweep still has queued or running runs). */
  live: boolean;
}

interface Scale {
  lo: number;
  hi: number;
  log: boolean;
}

const METRIC_LABELS: Record<HeatmapMetric, string> = {
  acc: 'Final validation accuracy',
  loss: 'Final validation loss',
  verdict: 'Verdict',
};

function cellKey(row: string, col: string): string {
  return JSON.stringify([row, col]);
}

function scaleFor(metric: HeatmapMetric, cells: HeatCell[]): Scale {
  if (metric === 'verdict') return { lo: 0, hi: 1, log: false };
  if (metric === 'acc') {
    let lo = 1;
    for (const c of cells) for (const v of c.acc.values) if (Number.isFinite(v)) lo = Math.min(lo, v);
    // Chance level of a 2-class set is 0.5: start there unless something did worse.
    return { lo: Math.min(0.5, Math.floor(lo * 10) / 10), hi: 1, log: false };
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of cells) {
    for (const v of c.loss.values) {
      if (!(v > 0) || !Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (lo === Infinity) return { lo: 0.01, hi: 10, log: true };
  if (hi / lo < 10) {
    const mid = Math.sqrt(lo * hi);
    lo = Math.min(lo, mid / Math.sqrt(10));
    hi = Math.max(hi, mid * Math.sqrt(10));
  }
  return { lo, hi, log: true };
}

/** Where a value sits on the colour ramp, 1 = the good end (high accuracy, low loss). */
function goodness(metric: HeatmapMetric, value: number, scale: Scale): number {
  if (metric === 'loss') return 1 - logPosition(value, scale.lo, scale.hi);
  return linearPosition(value, scale.lo, scale.hi);
}

function formatValue(metric: HeatmapMetric, value: number | null): string {
  if (value === null) return '—';
  return metric === 'acc' ? formatPercent(value) : formatMetric(value);
}

function healthyFraction(cell: HeatCell): number | null {
  const judged = cell.counts.succeeded + cell.counts.diverged;
  if (judged === 0) return null;
  return (cell.verdicts.healthy ?? 0) / judged;
}

/** Verdicts by count, most frequent first; ties keep the severity order of the list. */
function rankedVerdicts(cell: HeatCell): Array<[string, number]> {
  return Object.entries(cell.verdicts).sort((a, b) => b[1] - a[1]);
}

/** Above this many seeds a cell shows a range strip (min–max, quartile box, median) instead of one dot each. */
const MAX_DOTS = 16;

function quantile(sorted: number[], q: number): number {
  const x = (sorted.length - 1) * q;
  const i = Math.floor(x);
  return sorted[i] + (sorted[Math.min(i + 1, sorted.length - 1)] - sorted[i]) * (x - i);
}

function Dots({ values, metric, scale }: { values: number[]; metric: HeatmapMetric; scale: Scale }): string {
  if (metric === 'verdict' || values.length === 0) return '';
  if (values.length > MAX_DOTS) {
    const ts = values.map((v) => goodness(metric, v, scale)).filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
    if (ts.length === 0) return '';
    const pct = (t: number) => `${(t * 100).toFixed(1)}%`;
    const q1 = quantile(ts, 0.25);
    const q3 = quantile(ts, 0.75);
    return (
      <span class="dots" aria-hidden="true">
        <span class="range" style={`left:${pct(ts[0])};width:${pct(ts[ts.length - 1] - ts[0])}`}></span>
        <span class="iqr" style={`left:${pct(q1)};width:${pct(q3 - q1)}`}></span>
        <span class="median" style={`left:${pct(quantile(ts, 0.5))}`}></span>
      </span>
    ) as string;
  }
  return (
    <span class="dots" aria-hidden="true">
      {values.map((v) => {
        const t = goodness(metric, v, scale);
        if (Number.isNaN(t)) return '';
        return <span class="dot" style={`left:${(t * 100).toFixed(1)}%`}></span>;
      })}
    </span>
  ) as string;
}

/** The values behind a cell for its tooltip: all of them for a few seeds, else the range. */
function listValues(values: number[], format: (v: number) => string): string {
  if (values.length <= 12) return values.map(format).join(', ');
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return `from ${format(lo)} to ${format(hi)}`;
}

function cellTitle(cell: HeatCell, props: HeatmapProps): string {
  const parts = [`${props.rowAxis} ${cell.row}, ${props.colAxis} ${cell.col}`];
  const c = cell.counts;
  parts.push(`${c.succeeded} done, ${c.running} running, ${c.queued} queued, ${c.failed} failed, ${c.diverged} diverged of ${c.total}`);
  if (cell.acc.mean !== null) {
    parts.push(`val. accuracy ${formatPercent(cell.acc.mean)}${cell.acc.sd !== null ? ` ± ${formatPercent(cell.acc.sd)}` : ''} (n=${cell.acc.n}): ${listValues(cell.acc.values, (v) => formatPercent(v))}`);
  }
  if (cell.loss.mean !== null) {
    parts.push(`val. loss ${formatMetric(cell.loss.mean)}${cell.loss.sd !== null ? ` ± ${formatMetric(cell.loss.sd)}` : ''}: ${listValues(cell.loss.values, (v) => formatMetric(v))}`);
  }
  if (c.diverged > 0) parts.push(`${c.diverged} diverged: no final result, left out of the means`);
  const verdicts = rankedVerdicts(cell);
  if (verdicts.length > 0) parts.push(`verdicts: ${verdicts.map(([k, n]) => `${verdictWord(k)} ×${n}`).join(', ')}`);
  return parts.join('. ');
}

function Cell({ cell, props, scale }: { cell: HeatCell; props: HeatmapProps; scale: Scale }): string {
  const metric = props.query.metric;
  const selected = props.query.row === cell.row && props.query.col === cell.col;
  const stat = metric === 'loss' ? cell.loss : cell.acc;
  const c = cell.counts;
  const finished = c.succeeded + c.diverged + c.failed + c.cancelled;
  const hasResult = metric === 'verdict' ? healthyFraction(cell) !== null : stat.mean !== null;
  // A link to the page with this cell open (it works without JavaScript); htmx fetches just the panel instead.
  const hx = {
    href: `${sweepUrl(props.sweepId, props.query, { row: cell.row, col: cell.col })}#cell-detail`,
    'hx-get': sweepPartUrl(props.sweepId, 'cell', props.query, { row: cell.row, col: cell.col }),
    'hx-target': '#cell-detail',
    'hx-swap': 'innerHTML',
    'aria-current': selected ? 'true' : undefined,
    'data-row': cell.row,
    'data-col': cell.col,
  };
  // The accessible name starts with where the cell is; its text then reads the value.
  const where = <span class="visually-hidden" safe>{`${props.rowAxis} ${cell.row}, ${props.colAxis} ${cell.col}: `}</span>;
  const marks: string[] = [];
  if (c.diverged > 0) marks.push(`${verdictGlyph('diverged')} ${c.diverged} diverged`);
  if (c.failed > 0) marks.push(`! ${c.failed} failed`);
  if (c.cancelled > 0) marks.push(`■ ${c.cancelled} cancelled`);
  const pendingNote = finished < c.total ? `${finished}/${c.total} done` : '';

  if (!hasResult) {
    // Nothing left to run and runs diverged: no result to place on the scale, so the cell is hatched in its own colour.
    const settled = c.running + c.queued === 0;
    const word = c.running > 0 ? 'running' : c.queued > 0 ? 'queued' : c.diverged > 0 ? `${verdictGlyph('diverged')} diverged` : c.failed > 0 ? 'failed' : 'no result';
    const meta = settled && c.diverged > 0 ? `${c.diverged} of ${c.total} diverged` : pendingNote || `${c.total} runs`;
    return (
      <a class={settled && c.diverged > 0 ? 'cell pending diverged' : 'cell pending'} title={cellTitle(cell, props)} {...hx}>
        {where}
        <span class="cell-value" safe>{word}</span>
        <span class="cell-meta" safe>{meta}</span>
        {marks.length > 0 && !(settled && c.diverged === c.total) ? <span class="marks" safe>{marks.join(' · ')}</span> : ''}
      </a>
    ) as string;
  }

  let t: number;
  let main: string;
  let sub = '';
  if (metric === 'verdict') {
    const fraction = healthyFraction(cell)!;
    t = fraction;
    const top = rankedVerdicts(cell)[0];
    main = top ? `${verdictGlyph(top[0])} ${verdictWord(top[0])}` : '—';
    sub = `${formatPercent(fraction, 0)} healthy`;
  } else {
    t = goodness(metric, stat.mean!, scale);
    main = formatValue(metric, stat.mean);
    if (stat.sd !== null) sub = `± ${formatValue(metric, stat.sd)}`;
  }
  const colour = rampColour('viridis', Number.isNaN(t) ? 0 : t);
  const badges = rankedVerdicts(cell).slice(0, 2);
  return (
    <a class="cell" style={`background:${colour.background};color:${colour.text}`} title={cellTitle(cell, props)} {...hx}>
      {where}
      <span class="cell-value">
        <span safe>{main}</span> <span class="cell-sd" safe>{sub}</span>
      </span>
      <Dots values={stat.values} metric={metric} scale={scale} />
      <span class="cell-meta">
        {metric !== 'verdict'
          ? badges.map(([kind, n]) => <VerdictBadge kind={kind} count={n} />)
          : ''}
        <span safe>{pendingNote || `n=${metric === 'verdict' ? c.succeeded + c.diverged : stat.n}`}</span>
        {metric !== 'verdict' && c.diverged > 0 ? <span class="visually-hidden" safe>{` (mean without ${c.diverged} diverged)`}</span> : ''}
      </span>
      {marks.length > 0 ? <span class="marks" safe>{marks.join(' · ')}</span> : ''}
    </a>
  ) as string;
}

function Legend({ metric, scale }: { metric: HeatmapMetric; scale: Scale }): string {
  let left: string;
  let right: string;
  let what: string;
  if (metric === 'acc') {
    left = formatPercent(scale.lo, 0);
    right = formatPercent(scale.hi, 0);
    what = 'Mean final validation accuracy over seeds (linear scale).';
  } else if (metric === 'loss') {
    left = formatMetric(scale.hi);
    right = formatMetric(scale.lo);
    what = 'Mean final validation loss over seeds (log scale, high loss on the left; it spans the losses of runs that did not diverge).';
  } else {
    left = '0% healthy';
    right = '100% healthy';
    what = 'Share of finished runs judged healthy; the word is the most frequent verdict.';
  }
  return (
    <div class="legend">
      <span class="legend-scale">
        <span class="legend-bar" style={`background:${rampGradient('viridis')}`} aria-hidden="true"></span>
        <span class="legend-ends">
          <span safe>{left}</span>
          <span safe>{right}</span>
        </span>
      </span>
      <span>
        <strong>Bright yellow is better</strong>, dark purple worse. <span safe>{what}</span> Dots: one per seed,
        placed on the same scale (many seeds: range, quartile box and median). ✕ diverged, ! failed.{' '}
        <span class="glyph-key" safe>{`Verdicts: ${VERDICTS.map((k) => `${verdictGlyph(k)} ${verdictWord(k)}`).join(', ')}.`}</span>{' '}
        {metric === 'verdict' ? (
          ''
        ) : (
          <>
            Diverged runs have no final result: means and dots leave them out (a cell shows how many), and a cell whose
            runs all diverged is <span class="legend-diverged">hatched red</span>, off the scale.
          </>
        )}
      </span>
    </div>
  ) as string;
}

/**
 * An axis label that a narrow column may wrap only between its parts ("xavier_<wbr>uniform",
 * "normal(<wbr>std=<wbr>5)"), never in the middle of a word.
 */
function AxisLabel({ label }: { label: string }): string {
  const parts = label.split(/(?<=[_(=,])/);
  return parts.map((part, i) => (i === 0 ? '' : '<wbr>') + (<span safe>{part}</span>)).join('');
}

/** The grid alone: the SSE stream re-renders this into #heatmap-grid. */
export function HeatmapGrid(props: HeatmapProps): string {
  const { rows, cols } = props;
  if (rows.length === 0 || cols.length === 0) return (<p class="empty">This sweep has no runs.</p>) as string;
  const metric = props.query.metric;
  const byKey = new Map(props.cells.map((c) => [cellKey(c.row, c.col), c]));
  const scale = scaleFor(metric, props.cells);
  return (
    <>
      <div class="scroll-x">
        <table class="heatmap">
          <caption class="visually-hidden" safe>
            {`${METRIC_LABELS[metric]} by ${props.rowAxis} (rows) and ${props.colAxis} (columns)`}
          </caption>
          <thead>
            <tr>
              <th scope="col">
                <span class="axis-name" safe>{`${props.rowAxis} ↓ · ${props.colAxis} →`}</span>
              </th>
              {cols.map((col) => (
                <th scope="col">
                  <AxisLabel label={col} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <th scope="row">
                  <AxisLabel label={row} />
                </th>
                {cols.map((col) => {
                  const cell = byKey.get(cellKey(row, col));
                  return <td>{cell ? <Cell cell={cell} props={props} scale={scale} /> : <span class="muted">·</span>}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Legend metric={metric} scale={scale} />
      {props.pooled.length > 0 ? (
        <p class="note" safe>
          {`Each cell pools its seeds and every value of: ${props.pooled.join(', ')}.`}
        </p>
      ) : (
        ''
      )}
    </>
  ) as string;
}

/** Radio buttons that re-colour the heatmap; the selected cell rides along so its detail stays open. */
function MetricPicker(props: HeatmapProps): string {
  const metric = props.query.metric;
  return (
    <form
      class="metric-picker"
      action={`/sweeps/${props.sweepId}`}
      method="get"
      hx-get={`/sweeps/${props.sweepId}/heatmap`}
      hx-trigger="change"
      hx-target="#heatmap-card"
      hx-swap="outerHTML"
    >
      <fieldset class="metric-picker">
        <legend>Colour by</legend>
        {(['acc', 'loss', 'verdict'] as const).map((m) => (
          <label>
            <input type="radio" name="metric" value={m} checked={m === metric} />
            <span safe>{METRIC_LABELS[m]}</span>
          </label>
        ))}
      </fieldset>
      {props.query.row !== undefined ? <input type="hidden" name="row" value={props.query.row} /> : ''}
      {props.query.col !== undefined ? <input type="hidden" name="col" value={props.query.col} /> : ''}
      <noscript>
        <button class="btn" type="submit">
          Show
        </button>
      </noscript>
    </form>
  ) as string;
}

/** The heatmap card: metric picker, grid and (while the sweep runs) the page's one live stream. */
export function HeatmapCard(props: HeatmapProps): string {
  const streamUrl = `/sweeps/${props.sweepId}/stream${props.query.metric === 'acc' ? '' : `?metric=${props.query.metric}`}`;
  const cellCount = props.cells.length;
  return (
    <Card
      id="heatmap-card"
      titleId="heatmap-title"
      title={`${props.rowAxis} × ${props.colAxis}`}
      caption={`${formatCount(cellCount)} cells, mean ± sd over seeds. Click a cell for its runs' curves (arrow keys move between cells).`}
      actions={<MetricPicker {...props} />}
    >
      {/* Not a live region: the grid re-renders twice a second while runs finish (the progress line's status speaks). */}
      <div id="heatmap-grid">
        <HeatmapGrid {...props} />
      </div>
      {props.live ? (
        <div id="sweep-stream" hidden {...{ 'hx-sse:connect': streamUrl, 'hx-sse:close': 'close' }}></div>
      ) : (
        ''
      )}
    </Card>
  ) as string;
}

