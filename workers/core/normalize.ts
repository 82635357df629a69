// Input normalization fitted on the training split only, then applied to every split: x' = (x - shift) · scale.
// standard = z-score per feature, minmax = [0, 1] per feature, none = identity. Statistics accumulate in float64.
import type { Dataset, Split } from './data.js';
import type { Normalization } from './types.js';

/** Per-feature affine map x' = (x - shift) · scale, fitted on one data set. */
export interface NormalizationStats {
  mode: Normalization;
  shift: Float64Array; // (D)
  scale: Float64Array; // (D)
}

/** Below this spread a feature is constant: it is centred but not scaled (scale 1), e.g. MNIST's blank border. */
export const MIN_SPREAD = 1e-8;

/** Fits the per-feature shift and scale on `data` (the training split). */
export function fitNormalization(data: Dataset, mode: Normalization): NormalizationStats {
  const D = data.features;
  const N = data.labels.length;
  const x = data.inputs;
  const shift = new Float64Array(D);
  const scale = new Float64Array(D).fill(1);
  if (mode === 'none' || N === 0) return { mode, shift, scale };
  if (mode === 'standard') {
    const sumSq = new Float64Array(D);
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < D; d++) shift[d] += x[n * D + d];
    }
    for (let d = 0; d < D; d++) shift[d] /= N;
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < D; d++) {
        const c = x[n * D + d] - shift[d];
        sumSq[d] += c * c;
      }
    }
    for (let d = 0; d < D; d++) {
      const std = Math.sqrt(sumSq[d] / N); // population std, as scikit-learn's StandardScaler
      scale[d] = std > MIN_SPREAD ? 1 / std : 1;
    }
    return { mode, shift, scale };
  }
  // minmax
  const max = new Float64Array(D).fill(-Infinity);
  shift.fill(Infinity);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      const v = x[n * D + d];
      if (v < shift[d]) shift[d] = v;
      if (v > max[d]) max[d] = v;
    }
  }
  for (let d = 0; d < D; d++) {
    const range = max[d] - shift[d];
    scale[d] = range > MIN_SPREAD ? 1 / range : 1;
  }
  return { mode, shift, scale };
}

/** Applies a fitted normalization to `data` in place. */
export function applyNormalization(data: Dataset, stats: NormalizationStats): void {
  if (stats.mode === 'none') return;
  const D = data.features;
  const x = data.inputs;
  const N = data.labels.length;
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      const i = n * D + d;
      x[i] = (x[i] - stats.shift[d]) * stats.scale[d];
    }
  }
}

/** Fits on the training split and normalizes both splits in place; returns the statistics used. */
export function normalizeSplit(split: Split, mode: Normalization): NormalizationStats {
  const stats = fitNormalization(split.train, mode);
  applyNormalization(split.train, stats);
  applyNormalization(split.val, stats);
  return stats;
}

/** The mean square of all input entries, E[x²] (the mean-field theory's input second moment). */
export function meanSquare(data: Dataset): number {
  const x = data.inputs;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return x.length === 0 ? 0 : sum / x.length;
}
