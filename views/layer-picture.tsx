// The per-layer picture of a run: layer × epoch heatmaps of activation std and back-propagated gradient norm δ on a
// log colour scale, depth profiles at epoch 0 and the last epoch, the theoretical pre-activation variance at
// initialization beside the measured one, saturated and dead fractions, and how many units are distinct.
import { Chart, type ChartSpec } from './chart.js';
import { logPosition, positiveRange, rampColour, rampGradient } from './color.js';
import { formatMetric, formatPercent } from './format.js';

export interface LayerMatrix {
  /** Epoch numbers of the columns (downsampled to a few dozen). */
  epochs: number[];
  /** values[layer][column]. */
  values: number[][];
}

export interface LayerRow {
  layer: number;
  units: number;
  /** Hidden layers have an activation; the last weight layer is the output. */
  output: boolean;
  theoryVar: number | null;
  measuredVar: number | null;
  saturated: number;
  dead: number;
  distinct: number;
  distinctAtInit: number | null;
}

export interface LayerPictureProps {
  activation: string;
  lastEpoch: number;
  actStd: LayerMatrix;
  deltaNorm: LayerMatrix;
  rows: LayerRow[];
  profile: ChartSpec | null;
  /** Whether the activation can saturate (sigmoid, tanh, softsign) or die (ReLU family); others show 0. */
  saturates: boolean;
  dies: boolean;
}

function layerName(row: { layer: number; output: boolean }): string {
  return row.output ? `layer ${row.layer} (output)` : `layer ${row.layer}`;
}

export function LayerMap(props: { id: string; title: string; caption: string; matrix: LayerMatrix; rows: LayerRow[] }): string {
  const all = props.matrix.values.flat();
  // The output row holds logits (another scale): the colour range comes from the hidden layers when there are any.
  const hidden = props.matrix.values.filter((_, l) => props.rows[l] && !props.rows[l].output).flat();
  const range = positiveRange(hidden) ?? positiveRange(all);
  if (props.matrix.epochs.length === 0) {
    return (<p class="empty" safe>{`${props.title}: no epochs yet.`}</p>) as string;
  }
  const { lo, hi } = range ?? { lo: 1, hi: 1 };
  return (
    <figure style="margin:0" aria-labelledby={`${props.id}-title`}>
      <figcaption id={`${props.id}-title`} class="chart-title" safe>
        {props.title}
      </figcaption>
      <div class="scroll-x">
        <table class="layer-map">
          <caption class="visually-hidden" safe>{`${props.title}: rows are layers (input side first), columns epochs.`}</caption>
          <thead>
            <tr>
              <th scope="col">epoch →</th>
              {props.matrix.epochs.map((e, i) =>
                i === 0 || i === props.matrix.epochs.length - 1 || i % 5 === 0 ? <th scope="col">{e}</th> : <th scope="col"></th>,
              )}
            </tr>
          </thead>
          <tbody>
            {props.matrix.values.map((row, l) => (
              <tr>
                <th scope="row" safe>
                  {props.rows[l] ? layerName(props.rows[l]) : `layer ${l}`}
                </th>
                {row.map((v, i) => {
                  const t = logPosition(v, lo, hi);
                  const title = `${layerName(props.rows[l] ?? { layer: l, output: false })}, epoch ${props.matrix.epochs[i]}: ${formatMetric(v)}`;
                  if (v === 0) {
                    return (
                      <td title={title}>
                        <span class="zero"></span>
                      </td>
                    );
                  }
                  const colour = Number.isNaN(t) ? 'transparent' : rampColour('cividis', t).background;
                  return (
                    <td title={title}>
                      <span style={`background:${colour}`} class={Number.isNaN(t) ? 'nan' : undefined}></span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="legend">
        <span class="legend-scale">
          <span class="legend-bar" style={`background:${rampGradient('cividis')}`} aria-hidden="true"></span>
          <span class="legend-ends">
            <span safe>{formatMetric(lo)}</span>
            <span safe>{formatMetric(hi)}</span>
          </span>
        </span>
        <span safe>{props.caption}</span>
        {all.some((v) => v === 0) ? <span><span class="zero-key" aria-hidden="true"></span> hatched: exactly 0</span> : ''}
      </div>
    </figure>
  ) as string;
}

function ratioClass(theory: number | null, measured: number | null): string {
  if (theory === null || measured === null || !(theory > 0) || !(measured > 0)) return '';
  const r = measured / theory;
  return r > 0.5 && r < 2 ? 'ratio-ok' : 'ratio-off';
}

function Bar({ value, kind }: { value: number; kind: 'sat' | 'dead' }): string {
  const pct = Number.isFinite(value) ? Math.max(0, Math.min(1, value)) : 0;
  return (
    <span class={kind === 'dead' ? 'bar dead' : 'bar'} aria-hidden="true">
      <span style={`width:${(pct * 100).toFixed(1)}%`}></span>
    </span>
  ) as string;
}

/** A saturated or dead fraction as a bar and a percentage; "n/a" where the activation (or the output layer) has none. */
function FractionCell({ value, kind, applies }: { value: number; kind: 'sat' | 'dead'; applies: boolean }): string {
  return (
    <td>
      {applies ? (
        <>
          <Bar value={value} kind={kind} /> <span safe>{formatPercent(value)}</span>
        </>
      ) : (
        <span class="muted">n/a</span>
      )}
    </td>
  ) as string;
}

export function LayerPicture(props: LayerPictureProps): string {
  return (
    <div id="run-layers">
      <div class="charts">
        <LayerMap
          id="map-act"
          title="Activation std, layer × epoch"
          caption="log colour scale. A column that darkens toward the bottom rows means the signal shrinks with depth (vanishing); one that brightens, that it grows."
          matrix={props.actStd}
          rows={props.rows}
        />
        <LayerMap
          id="map-delta"
          title="Back-propagated gradient norm δ, layer × epoch"
          caption="log colour scale. δ = ∂L/∂pre-activation. Dark top rows (layers near the input) mean their learning signal vanished."
          matrix={props.deltaNorm}
          rows={props.rows}
        />
      </div>
      {props.profile ? (
        <div style="margin-top:12px">
          <Chart
            id="layer-profile"
            title="Depth profile (log scale): activation std and δ by layer, at initialization and at the last epoch"
            spec={props.profile}
            summary="Flat lines keep the signal's scale across depth; slopes show it shrinking or growing."
          />
        </div>
      ) : (
        ''
      )}
      <div class="table-wrap" style="margin-top:12px">
        <table class="bars">
          <caption class="visually-hidden">Per-layer numbers</caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col" class="num" title="Mean-field prediction of the pre-activation variance at initialization">
                Theory var. (init)
              </th>
              <th scope="col" class="num" title="Measured pre-activation std² at epoch 0">
                Measured var. (epoch 0)
              </th>
              <th scope="col" safe>{`Saturated (epoch ${props.lastEpoch})`}</th>
              <th scope="col" safe>{`Dead (epoch ${props.lastEpoch})`}</th>
              <th scope="col">Symmetry</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                <th scope="row" safe>
                  {layerName(row)}
                </th>
                <td class="num" safe>{formatMetric(row.theoryVar)}</td>
                <td class={`num ${ratioClass(row.theoryVar, row.measuredVar)}`} safe>
                  {formatMetric(row.measuredVar)}
                </td>
                <FractionCell value={row.saturated} kind="sat" applies={props.saturates && !row.output} />
                <FractionCell value={row.dead} kind="dead" applies={props.dies && !row.output} />
                <td safe>
                  {`${row.units} unit${row.units === 1 ? '' : 's'}, ${row.distinct} distinct` +
                    (row.distinctAtInit !== null && row.distinctAtInit !== row.distinct ? ` (${row.distinctAtInit} at init)` : '')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="note">
        Theory: the mean-field variance q of each layer's pre-activations at initialization. Green measured values lie
        within 2× of it; amber ones differ more (finite width, the data, or an initializer the theory does not model).
        Saturated: share of (sample, unit) pairs where the activation's slope is under 5% of its maximum. Dead: units that
        output 0 for every probe sample.
      </p>
    </div>
  ) as string;
}
