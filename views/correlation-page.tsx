// A run's correlation propagation at initialization: two probe inputs' pre-activation cosine per hidden layer
// (measured on the run's own initial network) beside the mean-field c-map iterated from the same two inputs.
import { Card } from './card.js';
import { Layout } from './layout.js';

export interface CorrelationPageProps {
  runId: number;
  sweepId: number;
  title: string;
  rows: [number, number];
  labels: [number, number];
  inputCosine: number;
  measured: number[];
  theory: number[];
  /** why there is no profile (e.g. a one-row probe batch), instead of one */
  unavailable: string | null;
}

const W = 720;
const H = 300;
const L = 56;
const R = 16;
const T = 14;
const B = 40;

function path(values: number[], x: (l: number) => number, y: (c: number) => number): string {
  return values.map((c, l) => `${x(l).toFixed(1)},${y(c).toFixed(1)}`).join(' ');
}

function Chart({ props }: { props: CorrelationPageProps }): string {
  const n = props.measured.length;
  const all = [...props.measured, ...props.theory, props.inputCosine].filter(Number.isFinite);
  const lo = Math.min(0, ...all);
  const x = (l: number) => L + (n <= 1 ? 0.5 : l / (n - 1)) * (W - L - R);
  const y = (c: number) => T + ((1 - c) / (1 - lo || 1)) * (H - T - B);
  const ticks = lo < 0 ? [-1, -0.5, 0, 0.5, 1].filter((t) => t >= lo) : [0, 0.25, 0.5, 0.75, 1];
  return (
    <svg class="corr-svg" width={String(W)} height={String(H)} viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="corr-svg-title">
      <title id="corr-svg-title">Cosine similarity per hidden layer: measured (blue, solid, dots) and mean-field c-map (orange, dashed)</title>
      {ticks.map((t) => (
        <g>
          <line x1={String(L)} x2={String(W - R)} y1={String(y(t))} y2={String(y(t))} stroke="#ccc" stroke-width="1" />
          <text x={String(L - 6)} y={String(y(t) + 4)} text-anchor="end" font-size="11" safe>{String(t)}</text>
        </g>
      ))}
      <polyline class="corr-theory" points={path(props.theory, x, y)} fill="none" stroke="#D55E00" stroke-width="2" stroke-dasharray="6 4" />
      <polyline class="corr-measured" points={path(props.measured, x, y)} fill="none" stroke="#0072B2" stroke-width="2" />
      {n <= 60 ? props.measured.map((c, l) => <circle cx={String(x(l))} cy={String(y(c))} r="3" fill="#0072B2" />) : ''}
      <text x={String(L)} y={String(H - 22)} font-size="11">1</text>
      <text x={String(W - R)} y={String(H - 22)} text-anchor="end" font-size="11" safe>{String(n)}</text>
      <text x={String((L + W - R) / 2)} y={String(H - 6)} text-anchor="middle" font-size="12">hidden layer</text>
      <text x="14" y={String((T + H - B) / 2)} text-anchor="middle" font-size="12" transform={`rotate(-90 14 ${(T + H - B) / 2})`}>cosine similarity c</text>
    </svg>
  ) as string;
}

export function CorrelationPage(props: CorrelationPageProps): string {
  const gaps = props.measured.map((c, l) => Math.abs(c - props.theory[l]));
  const maxGap = gaps.length > 0 ? Math.max(...gaps) : 0;
  return Layout({
    title: `Run #${props.runId}: correlations at initialization`,
    children: (
      <>
        <div class="crumbs">
          <a href="/">Sweeps</a> / <a href={`/sweeps/${props.sweepId}`} safe>{`#${props.sweepId}`}</a> /{' '}
          <a href={`/runs/${props.runId}`} safe>{`run #${props.runId}`}</a> / <span>correlations</span>
        </div>
        <div class="page-head">
          <h1 safe>{`Run #${props.runId}: correlations at initialization`}</h1>
          <span class="sub" safe>{props.title}</span>
        </div>
        {props.unavailable !== null ? (
          <Card titleId="corr-none" title="No correlation profile">
            <p class="note" safe>{props.unavailable}</p>
          </Card>
        ) : (
          <Card titleId="corr-title" title="How two inputs' correlation travels through the layers"
            caption={`Probe rows ${props.rows[0]} and ${props.rows[1]} (classes ${props.labels[0]} and ${props.labels[1]}), input cosine ${props.inputCosine.toFixed(3)}, on this run's network before any step. Solid blue: measured cosine of their pre-activations; dashed orange: the mean-field c-map from the same inputs (Poole et al. 2016). Ordered phase: c → 1 (inputs become indistinguishable); chaotic: c → c* < 1.`}>
            <div class="scroll-x">
              <Chart props={props} />
            </div>
            <p class="note corr-gap" safe>
              {`Largest gap between measurement and theory: ${maxGap.toFixed(3)} (at finite width the measured cosine scatters by about (1 − c²)/√width per layer).`}
            </p>
            <details>
              <summary>Values per layer</summary>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr><th scope="col">layer</th><th scope="col">measured</th><th scope="col">c-map</th></tr>
                  </thead>
                  <tbody>
                    {props.measured.map((c, l) => (
                      <tr>
                        <td class="num" safe>{String(l + 1)}</td>
                        <td class="num" safe>{c.toFixed(4)}</td>
                        <td class="num" safe>{props.theory[l].toFixed(4)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </Card>
        )}
      </>
    ),
  });
}
