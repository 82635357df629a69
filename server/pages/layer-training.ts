// Per-layer activation mean and saturation over training, one line per hidden layer: Glorot & Bengio's (2010)
// Figure 2 (sigmoid's top hidden layer driven toward 0 early) and their saturation plots, from the stored epochs.
import type { EpochMetricsRow, Run } from '../../db/types.js';
import { SATURATING_ACTIVATIONS } from '../../workers/core/diagnostics.js';
import { downsampleIndices, type ChartSpec } from '../../views/chart.js';
import type { LayerTrainingProps } from '../../views/layer-training.js';

/** At most this many layers get a line (the first ones and the top one), so a 100-layer run stays readable. */
const MAX_LINES = 8;

function pickLayers(hidden: number): number[] {
  if (hidden <= MAX_LINES) return Array.from({ length: hidden }, (_, l) => l);
  const step = (hidden - 1) / (MAX_LINES - 1);
  return [...new Set(Array.from({ length: MAX_LINES }, (_, i) => Math.round(i * step)))];
}

/** Null for runs whose activation does not saturate (their saturation is 0 by definition) or with no epochs. */
export function loadLayerTraining(run: Run, metrics: EpochMetricsRow[]): LayerTrainingProps | null {
  const activation = run.activationLabel.replace(/\(.*$/, '');
  if (!SATURATING_ACTIVATIONS.has(activation) || metrics.length === 0) return null;
  // the stored layers are the hidden ones then the output; trust them over the config if they disagree
  const stored = Math.min(...metrics.map((m) => m.layers.length)) - 1;
  const hidden = Math.min(run.config.model.hidden.length, stored);
  if (hidden <= 0) return null;
  const columns = downsampleIndices(metrics.length, 200).map((i) => metrics[i]);
  const x = columns.map((m) => m.epoch);
  const layers = pickLayers(hidden);
  const chart = (yLabel: string, pick: (l: EpochMetricsRow['layers'][number]) => number, yRange?: [number, number]): ChartSpec => ({
    x,
    xLabel: 'epoch',
    yLabel,
    yRange,
    series: layers.map((l, i) => ({
      label: l === hidden - 1 ? `layer ${l + 1} (top)` : `layer ${l + 1}`,
      values: columns.map((m) => (m.layers[l] ? pick(m.layers[l]) : null)),
      style: i,
    })),
    height: 220,
  });
  const top = hidden - 1;
  const first = metrics[0].layers[top];
  const last = metrics[metrics.length - 1].layers[top];
  return {
    activation,
    mean: chart('mean activation', (l) => l.actMean),
    saturated: chart('saturated fraction', (l) => l.saturatedFrac, [0, 1]),
    summary: `Top hidden layer: mean activation ${first.actMean.toFixed(3)} at epoch 0, ${last.actMean.toFixed(3)} at epoch `
      + `${metrics[metrics.length - 1].epoch}; saturated ${(100 * first.saturatedFrac).toFixed(0)}% → ${(100 * last.saturatedFrac).toFixed(0)}%.`,
    shownLayers: layers.length,
    hiddenLayers: hidden,
  };
}
