// A run's per-layer picture: layer × epoch maps of activation std and δ norm, a table per layer (theory against
// measurement at init, saturation, dead and distinct units now) and the depth profile at the first and last epoch.
import type { EpochMetricsRow, Run } from '../../db/types.js';
import { SATURATING_ACTIVATIONS } from '../../workers/core/diagnostics.js';
import { downsampleIndices, type ChartSpec } from '../../views/chart.js';
import { PROFILE_CHART_HEIGHT, PROFILE_LINES } from '../../views/chart-styles.js';
import type { LayerMatrix, LayerPictureProps, LayerRow } from '../../views/layer-picture.js';

/** Columns of a layer × epoch map: enough to see a trend, few enough for a phone. */
const LAYER_MAP_COLUMNS = 40;

type LayerStats = EpochMetricsRow['layers'][number];

function layerMatrix(metrics: EpochMetricsRow[], pick: (l: LayerStats) => number): LayerMatrix {
  const columns = downsampleIndices(metrics.length, LAYER_MAP_COLUMNS).map((i) => metrics[i]);
  const depth = Math.max(0, ...metrics.map((m) => m.layers.length));
  return {
    epochs: columns.map((m) => m.epoch),
    values: Array.from({ length: depth }, (_, l) => columns.map((m) => (m.layers[l] ? pick(m.layers[l]) : Number.NaN))),
  };
}

export function loadLayerPicture(run: Run, metrics: EpochMetricsRow[]): LayerPictureProps {
  const activation = run.activationLabel;
  const activationName = activation.replace(/\(.*$/, '');
  const first = metrics[0];
  const last = metrics[metrics.length - 1];
  const depth = last ? last.layers.length : 0;
  const rows: LayerRow[] = Array.from({ length: depth }, (_, l) => {
    const now = last.layers[l];
    const init = first?.layers[l];
    const theory = run.theoryPreVar?.[l];
    return {
      layer: l,
      units: now.units,
      output: l === depth - 1,
      theoryVar: theory !== undefined && Number.isFinite(theory) ? theory : null,
      measuredVar: init && Number.isFinite(init.preStd) ? init.preStd * init.preStd : null,
      saturated: now.saturatedFrac,
      dead: now.deadFrac,
      distinct: now.distinctUnits,
      distinctAtInit: init ? init.distinctUnits : null,
    };
  });
  let profile: ChartSpec | null = null;
  if (first && depth > 0) {
    const at = (m: EpochMetricsRow, pick: (l: LayerStats) => number) =>
      Array.from({ length: depth }, (_, l) => (m.layers[l] ? pick(m.layers[l]) : null));
    profile = {
      x: Array.from({ length: depth }, (_, l) => l),
      xLabel: 'layer (input side first)',
      yLabel: 'std / norm',
      yLog: true,
      series: [
        { label: 'activation std, epoch 0', values: at(first, (l) => l.actStd), ...PROFILE_LINES.activationAtInit },
        { label: `activation std, epoch ${last.epoch}`, values: at(last, (l) => l.actStd), ...PROFILE_LINES.activationNow },
        { label: 'δ norm, epoch 0', values: at(first, (l) => l.deltaNorm), ...PROFILE_LINES.deltaAtInit },
        { label: `δ norm, epoch ${last.epoch}`, values: at(last, (l) => l.deltaNorm), ...PROFILE_LINES.deltaNow },
      ],
      height: PROFILE_CHART_HEIGHT,
    };
  }
  return {
    activation: activation + (run.config.model.hidden.length === 0 ? ' (no hidden layers)' : ''),
    lastEpoch: last ? last.epoch : 0,
    actStd: layerMatrix(metrics, (l) => l.actStd),
    deltaNorm: layerMatrix(metrics, (l) => l.deltaNorm),
    rows,
    profile,
    saturates: SATURATING_ACTIVATIONS.has(activationName),
    dies: activationName === 'relu',
  };
}
