// Verdicts: what a finished (or diverged) run's metrics say about its initialization, each with its numbers.
// Every threshold is a named constant below and documented in docs/training.md. Several verdicts may apply;
// `healthy` only when none of the others does. Hidden layers are every layer but the last (the output).
import type { Divergence, EpochMetrics, LayerStats, Verdict } from './types.js';

export const VERDICT_THRESHOLDS = {
  /** symmetric: a hidden layer ends with fewer distinct units than this fraction of its width. */
  symmetricFraction: 0.5,
  /** saturated: the mean saturatedFrac over hidden layers, at epoch 0 or at the end, is at least this. */
  saturatedFraction: 0.5,
  /** dead: some hidden layer's deadFrac, at epoch 0 or at the end, is at least this. */
  deadFraction: 0.5,
  /** vanishing / exploding: an end-to-end ratio at epoch 0 below 1/this or above this. */
  depthRatio: 10,
  /** not_learning: validation loss improved by less than this fraction from epoch 0 to its best. */
  minImprovement: 0.01,
} as const;

function hiddenLayers(metrics: EpochMetrics): LayerStats[] {
  return metrics.layers.slice(0, -1);
}

function format(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

function percent(x: number): string {
  return `${format(100 * x)}%`;
}

/**
 * ‖δ‖/√units over the probe batch, so layers of different widths compare fairly. Not an RMS (that would also
 * divide by √batch), but the batch is the same for every layer, so ratios between layers are the RMS ratios.
 */
function deltaPerUnit(layer: LayerStats): number {
  return layer.deltaNorm / Math.sqrt(layer.units);
}

function symmetricVerdict(last: EpochMetrics): Verdict | null {
  let worst: LayerStats | null = null;
  for (const layer of hiddenLayers(last)) {
    if (layer.distinctUnits < VERDICT_THRESHOLDS.symmetricFraction * layer.units) {
      if (worst === null || layer.distinctUnits / layer.units < worst.distinctUnits / worst.units) worst = layer;
    }
  }
  if (worst === null) return null;
  return {
    kind: 'symmetric',
    value: worst.distinctUnits / worst.units,
    evidence: `hidden layer ${worst.layer} ends epoch ${last.epoch} with ${worst.distinctUnits} distinct unit(s) `
      + `of ${worst.units} (fewer than half)`,
  };
}

function meanOf(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function saturatedVerdict(first: EpochMetrics, last: EpochMetrics): Verdict | null {
  const atStart = meanOf(hiddenLayers(first).map((l) => l.saturatedFrac));
  const atEnd = meanOf(hiddenLayers(last).map((l) => l.saturatedFrac));
  const value = Math.max(atStart, atEnd);
  if (!(value >= VERDICT_THRESHOLDS.saturatedFraction)) return null;
  const when = atStart >= atEnd ? `epoch ${first.epoch}` : `epoch ${last.epoch}`;
  return {
    kind: 'saturated',
    value,
    evidence: `${percent(value)} of hidden (sample, unit) entries have φ' below 5% of its maximum at ${when} `
      + `(epoch ${first.epoch}: ${percent(atStart)}, epoch ${last.epoch}: ${percent(atEnd)}; threshold `
      + `${percent(VERDICT_THRESHOLDS.saturatedFraction)})`,
  };
}

function deadVerdict(first: EpochMetrics, last: EpochMetrics): Verdict | null {
  let best: { layer: LayerStats; epoch: number } | null = null;
  for (const metrics of [first, last]) {
    for (const layer of hiddenLayers(metrics)) {
      if (best === null || layer.deadFrac > best.layer.deadFrac) best = { layer, epoch: metrics.epoch };
    }
  }
  if (best === null || !(best.layer.deadFrac >= VERDICT_THRESHOLDS.deadFraction)) return null;
  const dead = Math.round(best.layer.deadFrac * best.layer.units);
  return {
    kind: 'dead',
    value: best.layer.deadFrac,
    evidence: `hidden layer ${best.layer.layer} has ${dead} of ${best.layer.units} units outputting 0 for every `
      + `probe sample at epoch ${best.epoch} (${percent(best.layer.deadFrac)}; threshold `
      + `${percent(VERDICT_THRESHOLDS.deadFraction)})`,
  };
}

/** The epoch-0 end-to-end ratios: activation std last/first hidden layer, ‖δ‖/√units first/last hidden layer. */
export function depthRatios(first: EpochMetrics): { activation: number; delta: number } | null {
  const hidden = hiddenLayers(first);
  if (hidden.length < 2) return null;
  const a = hidden[0];
  const b = hidden[hidden.length - 1];
  return { activation: b.actStd / a.actStd, delta: deltaPerUnit(a) / deltaPerUnit(b) };
}

function depthVerdicts(first: EpochMetrics): Verdict[] {
  const ratios = depthRatios(first);
  if (ratios === null) return [];
  const hidden = hiddenLayers(first);
  const a = hidden[0];
  const b = hidden[hidden.length - 1];
  const limit = VERDICT_THRESHOLDS.depthRatio;
  const actText = `activation std ${format(a.actStd)} (layer ${a.layer}) → ${format(b.actStd)} (layer ${b.layer}), `
    + `×${format(ratios.activation)}`;
  const deltaText = `‖δ‖/√units ${format(deltaPerUnit(b))} (layer ${b.layer}) → ${format(deltaPerUnit(a))} `
    + `(layer ${a.layer}) toward the input, ×${format(ratios.delta)}`;
  const verdicts: Verdict[] = [];
  const vanishing: string[] = [];
  const exploding: string[] = [];
  // NaN ratios (0/0, as under zero init) decide nothing: the comparisons below are false for NaN.
  if (ratios.activation < 1 / limit) vanishing.push(actText);
  if (ratios.delta < 1 / limit) vanishing.push(deltaText);
  if (ratios.activation > limit) exploding.push(actText);
  if (ratios.delta > limit) exploding.push(deltaText);
  if (vanishing.length > 0) {
    const candidates = [ratios.activation, ratios.delta].filter((r) => r < 1 / limit);
    verdicts.push({
      kind: 'vanishing',
      value: Math.min(...candidates),
      evidence: `at epoch ${first.epoch}: ${vanishing.join('; ')} (shrinks more than ${limit}×)`,
    });
  }
  if (exploding.length > 0) {
    const candidates = [ratios.activation, ratios.delta].filter((r) => r > limit);
    verdicts.push({
      kind: 'exploding',
      value: Math.max(...candidates),
      evidence: `at epoch ${first.epoch}: ${exploding.join('; ')} (grows more than ${limit}×)`,
    });
  }
  return verdicts;
}

function divergedVerdict(divergence: Divergence): Verdict {
  const where = divergence.layer === null ? '' : ` in layer ${divergence.layer}`;
  return {
    kind: 'diverged',
    value: divergence.step,
    evidence: `a non-finite ${divergence.quantity}${where} stopped the run at epoch ${divergence.epoch}, `
      + `step ${divergence.step}`,
  };
}

function notLearningVerdict(epochs: EpochMetrics[]): Verdict | null {
  const start = epochs[0].valLoss;
  let best = Infinity;
  let bestEpoch = -1;
  for (const metrics of epochs.slice(1)) {
    if (metrics.valLoss < best) { best = metrics.valLoss; bestEpoch = metrics.epoch; }
  }
  if (bestEpoch < 0 || !Number.isFinite(start) || start === 0) return null;
  const improvement = (start - best) / Math.abs(start);
  if (!(improvement < VERDICT_THRESHOLDS.minImprovement)) return null;
  return {
    kind: 'not_learning',
    value: improvement,
    evidence: `validation loss went from ${format(start)} at epoch ${epochs[0].epoch} to at best ${format(best)} `
      + `(epoch ${bestEpoch}), a ${percent(improvement)} improvement (threshold `
      + `${percent(VERDICT_THRESHOLDS.minImprovement)})`,
  };
}

/** The verdicts for a run's evaluated epochs (epoch 0 first) and its divergence, if any. */
export function computeVerdicts(epochs: EpochMetrics[], divergence: Divergence | null): Verdict[] {
  const verdicts: Verdict[] = [];
  if (epochs.length > 0) {
    const first = epochs[0];
    const last = epochs[epochs.length - 1];
    const symmetric = symmetricVerdict(last);
    if (symmetric) verdicts.push(symmetric);
    const saturated = saturatedVerdict(first, last);
    if (saturated) verdicts.push(saturated);
    const dead = deadVerdict(first, last);
    if (dead) verdicts.push(dead);
    verdicts.push(...depthVerdicts(first));
  }
  if (divergence !== null) verdicts.push(divergedVerdict(divergence));
  if (epochs.length > 1) {
    const notLearning = notLearningVerdict(epochs);
    if (notLearning) verdicts.push(notLearning);
  }
  if (verdicts.length === 0) {
    const last = epochs.at(-1);
    verdicts.push({
      kind: 'healthy',
      evidence: last === undefined
        ? 'no epoch was evaluated'
        : `no other verdict applies; validation loss ${format(epochs[0].valLoss)} → ${format(last.valLoss)}, `
          + `accuracy ${percent(last.valAcc)} at epoch ${last.epoch}`,
    });
  }
  return verdicts;
}
