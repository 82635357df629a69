// The phase view of a sweep over the mean-field axes: per panel (activation × the other axis), an SVG grid of σ_w²
// (columns) × depth or σ_b² (rows) coloured by the measured accuracy, with the theory drawn over it: the
// order-to-chaos line χ₁ = 1 and the curve depth = 6 ξ_c (Schoenholz et al. 2017). Below: the trainability
// frontier, per initializer × activation the deepest depth that reached the chosen accuracy.
import { Card } from './card.js';
import { rampColour, rampGradient } from './color.js';
import { Layout } from './layout.js';

export type PhaseYAxis = 'depth' | 'sigmaB2';

export interface PhaseQuery {
  metric: 'train' | 'val';
  threshold: number;
}

export interface PhaseCell {
  x: number;            // σ_w²
  y: number;            // depth or σ_b²
  runs: number;
  succeeded: number;
  diverged: number;
  pending: number;
  meanAcc: number | null; // over the succeeded runs
}

/** Cells by where they fall against the 6 ξ_c curve and whether they reached the threshold (depth panels). */
export interface PhaseAgreement {
  trainableInside: number;
  trainableOutside: number;
  untrainableInside: number;
  untrainableOutside: number;
}

export interface PhasePanel {
  title: string;
  activation: string;
  xs: number[];
  ys: number[];
  cells: PhaseCell[];
  /** the χ₁ = 1 line as (σ_w², y) points */
  chiLine: Array<[number, number]>;
  /** (σ_w², 6 ξ_c) points; empty on σ_b² panels */
  xiCurve: Array<[number, number]>;
  agreement: PhaseAgreement | null;
}

export interface FrontierRow {
  init: string;
  activation: string;
  /** the group's σ_w², and 6 ξ_c there, when all its runs share one σ_w² and σ_b² */
  sigmaW2: number | null;
  theoryDepth: number | null;
  depths: number[];
  reached: number[];
  deepest: number | null;
}

export interface PhasePageProps {
  sweepId: number;
  sweepName: string;
  query: PhaseQuery;
  yAxis: PhaseYAxis | null;
  panels: PhasePanel[];
  frontier: FrontierRow[] | null;
  xiMultiple: number;
}

const LEFT = 64;
const RIGHT = 16;
const TOP = 12;
const BOTTOM = 44;

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** A piecewise-linear map from axis values to the centres of their cells, extended linearly past both ends. */
function axisMap(values: number[], first: number, step: number): (v: number) => number {
  const centres = values.map((_, i) => first + (i + 0.5) * step);
  if (values.length === 1) return () => centres[0];
  return (v: number) => {
    let i = 0;
    while (i < values.length - 2 && v > values[i + 1]) i++;
    const t = (v - values[i]) / (values[i + 1] - values[i]);
    return centres[i] + t * (centres[i + 1] - centres[i]);
  };
}

function polyline(points: Array<[number, number]>): string {
  return points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
}

function PanelSvg({ panel, yAxis, index, query }: { panel: PhasePanel; yAxis: PhaseYAxis; index: number; query: PhaseQuery }): string {
  const nx = panel.xs.length;
  const ny = panel.ys.length;
  const cw = Math.max(44, Math.min(80, Math.floor(760 / nx)));
  const ch = Math.max(24, Math.min(40, Math.floor(420 / ny)));
  const width = LEFT + nx * cw + RIGHT;
  const height = TOP + ny * ch + BOTTOM;
  const plotBottom = TOP + ny * ch;
  const xOf = axisMap(panel.xs, LEFT, cw);
  // rows: the smallest y at the bottom, so depth grows upward as in the papers' figures
  const yOfRaw = axisMap(panel.ys, 0, ch);
  const yOf = (v: number) => plotBottom - yOfRaw(v);
  const clipId = `phase-clip-${index}`;
  const yLabel = yAxis === 'depth' ? 'depth (hidden layers)' : 'σ_b²';
  const metricName = query.metric === 'train' ? 'train' : 'validation';
  const curve = panel.xiCurve
    .filter(([, d]) => Number.isFinite(d))
    .map(([w, d]) => [xOf(w), yOf(Math.min(d, panel.ys[ny - 1] * 50))] as [number, number]);
  return (
    <svg
      class="phase-svg" width={String(width)} height={String(height)} viewBox={`0 0 ${width} ${height}`}
      role="img" aria-labelledby={`phase-title-${index}`}
    >
      <title id={`phase-title-${index}`} safe>
        {`${panel.title}: final ${metricName} accuracy by σ_w² and ${yLabel}, with the χ₁ = 1 line${panel.xiCurve.length > 0 ? ' and the 6 ξ_c curve' : ''}`}
      </title>
      <defs>
        <clipPath id={clipId}>
          <rect x={String(LEFT)} y={String(TOP)} width={String(nx * cw)} height={String(ny * ch)} />
        </clipPath>
        <pattern id={`hatch-${index}`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="6" height="6" fill="#d9d9d9" />
          <line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="2" />
        </pattern>
      </defs>
      {panel.cells.map((cell) => {
        const i = panel.xs.indexOf(cell.x);
        const j = panel.ys.indexOf(cell.y);
        const x = LEFT + i * cw;
        const y = plotBottom - (j + 1) * ch;
        const colour = cell.meanAcc !== null ? rampColour('viridis', cell.meanAcc) : null;
        const fill = colour ? colour.background : cell.diverged > 0 ? `url(#hatch-${index})` : 'var(--card, #fff)';
        const label = cell.meanAcc !== null ? percent(cell.meanAcc) : cell.diverged > 0 ? 'div' : cell.pending > 0 ? '…' : '—';
        const tip = `σ_w² = ${fmt(cell.x)}, ${yAxis === 'depth' ? `depth ${cell.y}` : `σ_b² = ${fmt(cell.y)}`}: `
          + (cell.meanAcc !== null ? `mean ${metricName} accuracy ${cell.meanAcc.toFixed(3)} over ${cell.succeeded} run(s)` : 'no result')
          + (cell.diverged > 0 ? `, ${cell.diverged} diverged` : '') + (cell.pending > 0 ? `, ${cell.pending} pending` : '');
        return (
          <g class="phase-cell" data-x={String(cell.x)} data-y={String(cell.y)}>
            <title safe>{tip}</title>
            <rect x={String(x)} y={String(y)} width={String(cw - 1)} height={String(ch - 1)} fill={fill} />
            <text x={String(x + cw / 2)} y={String(y + ch / 2 + 4)} text-anchor="middle" font-size="11"
              fill={colour ? colour.text : '#333'} safe>{label}</text>
          </g>
        );
      })}
      <g clip-path={`url(#${clipId})`}>
        {panel.chiLine.length > 1 ? (
          <polyline class="phase-chi" points={polyline(panel.chiLine.map(([w, v]) => [xOf(w), yAxis === 'depth' ? (v === panel.ys[0] ? plotBottom : TOP) : yOf(v)]))}
            fill="none" stroke="#ffffff" stroke-width="4" />
        ) : ''}
        {panel.chiLine.length > 1 ? (
          <polyline class="phase-chi" points={polyline(panel.chiLine.map(([w, v]) => [xOf(w), yAxis === 'depth' ? (v === panel.ys[0] ? plotBottom : TOP) : yOf(v)]))}
            fill="none" stroke="#d55e00" stroke-width="2" stroke-dasharray="6 4" />
        ) : ''}
        {curve.length > 1 ? <polyline points={polyline(curve)} fill="none" stroke="#ffffff" stroke-width="4" /> : ''}
        {curve.length > 1 ? <polyline class="phase-xi" points={polyline(curve)} fill="none" stroke="#000000" stroke-width="2" /> : ''}
      </g>
      {panel.xs.map((w, i) => (
        <text x={String(LEFT + (i + 0.5) * cw)} y={String(plotBottom + 14)} text-anchor="middle" font-size="11" safe>{fmt(w)}</text>
      ))}
      {panel.ys.map((v, j) => (
        <text x={String(LEFT - 6)} y={String(plotBottom - (j + 0.5) * ch + 4)} text-anchor="end" font-size="11" safe>{fmt(v)}</text>
      ))}
      <text x={String(LEFT + (nx * cw) / 2)} y={String(plotBottom + 34)} text-anchor="middle" font-size="12">σ_w² (weight variance × fan-in)</text>
      <text x="14" y={String(TOP + (ny * ch) / 2)} text-anchor="middle" font-size="12"
        transform={`rotate(-90 14 ${TOP + (ny * ch) / 2})`}>{yLabel}</text>
    </svg>
  ) as string;
}

function AgreementNote({ agreement, threshold, multiple }: { agreement: PhaseAgreement; threshold: number; multiple: number }): string {
  const a = agreement;
  const measured = a.trainableInside + a.trainableOutside + a.untrainableInside + a.untrainableOutside;
  if (measured === 0) return (<p class="note">No finished cells yet.</p>) as string;
  const agree = a.trainableInside + a.untrainableOutside;
  const trainable = a.trainableInside + a.trainableOutside;
  return (
    <p class="note phase-agreement" safe>
      {`Of ${measured} finished cells, ${trainable} reached ${percent(threshold)}: ${a.trainableInside} inside depth ≤ ${multiple} ξ_c, `
        + `${a.trainableOutside} beyond it. Of the ${measured - trainable} that did not, ${a.untrainableInside} lie inside the curve and `
        + `${a.untrainableOutside} beyond it. The curve classifies ${agree} of ${measured} cells as measured (${percent(agree / measured)}).`}
    </p>
  ) as string;
}

function Frontier({ rows, query }: { rows: FrontierRow[]; query: PhaseQuery }): string {
  return (
    <div class="table-wrap">
      <table class="phase-frontier">
        <thead>
          <tr>
            <th scope="col">initializer</th>
            <th scope="col">activation</th>
            <th scope="col">σ_w²</th>
            <th scope="col" safe>{`deepest depth ≥ ${percent(query.threshold)}`}</th>
            <th scope="col">6 ξ_c (theory)</th>
            <th scope="col">depths that reached it</th>
            <th scope="col">depths tried</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              <td safe>{row.init}</td>
              <td safe>{row.activation}</td>
              <td class="num" safe>{row.sigmaW2 === null ? '—' : fmt(row.sigmaW2)}</td>
              <td class="num" safe>{row.deepest === null ? 'none' : String(row.deepest)}</td>
              <td class="num" safe>{row.theoryDepth === null ? '—' : Number.isFinite(row.theoryDepth) && row.theoryDepth < 1e4 ? row.theoryDepth.toFixed(0) : '∞ (critical)'}</td>
              <td>{row.reached.length > 0 ? row.reached.join(', ') : '—'}</td>
              <td safe>{row.depths.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  ) as string;
}

function Controls({ props }: { props: PhasePageProps }): string {
  return (
    <form class="phase-controls" method="get" action={`/sweeps/${props.sweepId}/phase`}
      style="display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin-bottom:12px">
      <label>
        accuracy{' '}
        <select name="metric" style="width:auto;display:inline-block">
          <option value="train" selected={props.query.metric === 'train'}>final train</option>
          <option value="val" selected={props.query.metric === 'val'}>final validation</option>
        </select>
      </label>{' '}
      <label>
        trainable at ≥{' '}
        <input name="acc" type="number" min="0.01" max="1" step="0.01" value={String(props.query.threshold)}
          style="width:6em;display:inline-block" />
      </label>{' '}
      <button class="btn" type="submit">Apply</button>
    </form>
  ) as string;
}

/** The phase view does not follow the live stream: while runs are pending it says so, with a reload link. */
function SnapshotNote({ props }: { props: PhasePageProps }): string {
  const pending = props.panels.reduce((sum, panel) => sum + panel.cells.reduce((s, c) => s + c.pending, 0), 0);
  if (pending === 0) return '';
  const search = `?metric=${props.query.metric}&acc=${props.query.threshold}`;
  return (
    <p class="note phase-snapshot">
      <span safe>{`${pending} ${pending === 1 ? 'run is' : 'runs are'} still queued or running. This view is a snapshot taken when the page loaded; it does not follow the live stream. `}</span>
      <a href={`/sweeps/${props.sweepId}/phase${search}`}>Reload</a> to update it.
    </p>
  ) as string;
}

export function PhasePage(props: PhasePageProps): string {
  const caption = props.yAxis === 'depth'
    ? `Each cell: mean final ${props.query.metric === 'train' ? 'train' : 'validation'} accuracy over its seeds (viridis, yellow = better; hatched = diverged). `
      + `Dashed orange: χ₁ = 1, order (left) to chaos (right). Black: depth = ${props.xiMultiple} ξ_c, under which Schoenholz et al. find networks trainable.`
    : 'Each cell: mean final accuracy over its seeds (viridis, yellow = better). Dashed orange: χ₁ = 1, order (left) to chaos (right).';
  return Layout({
    title: `${props.sweepName}: phase view`,
    children: (
      <>
        <div class="crumbs">
          <a href="/">Sweeps</a> / <a href={`/sweeps/${props.sweepId}`} safe>{`#${props.sweepId}`}</a> / <span>phase view</span>
        </div>
        <div class="page-head">
          <h1 safe>{`${props.sweepName}: phase view`}</h1>
        </div>
        <Controls props={props} />
        <SnapshotNote props={props} />
        {props.yAxis === null ? (
          <Card titleId="phase-none" title="No phase diagram for this sweep"
            caption="A phase diagram needs σ_w² to vary, and depth or σ_b² too (e.g. grid model.init.gain with lecun_normal, and model.depth or model.biasInit.std).">
            <p class="note">σ_w² and σ_b² are read from each run's resolved initializers, so any initializer counts.</p>
          </Card>
        ) : (
          props.panels.map((panel, index) => (
            <Card titleId={`phase-panel-${index}`} title={panel.title} caption={caption}>
              <div class="scroll-x">
                <PanelSvg panel={panel} yAxis={props.yAxis as PhaseYAxis} index={index} query={props.query} />
              </div>
              <div class="legend">
                <span>accuracy 0</span>
                <span class="legend-bar" style={`background:${rampGradient('viridis')}`}></span>
                <span>1 (better)</span>
              </div>
              {panel.agreement ? <AgreementNote agreement={panel.agreement} threshold={props.query.threshold} multiple={props.xiMultiple} /> : ''}
            </Card>
          ))
        )}
        {props.frontier ? (
          <Card titleId="phase-frontier" title="Trainability frontier"
            caption={`Per initializer × activation, the deepest depth whose mean accuracy reached ${percent(props.query.threshold)} with no diverged run.`}>
            <Frontier rows={props.frontier} query={props.query} />
          </Card>
        ) : ''}
      </>
    ),
  });
}
