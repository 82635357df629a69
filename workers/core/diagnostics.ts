// Per-layer diagnostics on the fixed probe batch, computed once per evaluated epoch right after a
// forwardBackward on that batch (so ws.pre/act/delta and net.grads hold the probe's values).
// Scratch (the previous epoch's parameters, row scales and cluster representatives) is allocated once per run.
import { dphi, maxDerivative } from './activations.js';
import { gradNorm } from './clip.js';
import { activationName } from './labels.js';
import type { Engine } from './engine.js';
import type { Network, Workspace } from './network.js';
import { meanVariance } from './stats.js';
import type { LayerStats } from './types.js';

/** φ'(h) below this fraction of sup φ' counts as saturated (sigmoid, tanh and softsign only). */
export const SATURATION_LEVEL = 0.05;
/** Two units are one when their rows [W_i, b_i] agree entry by entry within this, relative to the larger row. */
export const DISTINCT_TOLERANCE = 1e-6;

const SATURATING = new Set(['sigmoid', 'tanh', 'softsign']);

export interface Diagnostics {
  /** The parameters at the previous evaluation (for updateRatio); meaningful only once hasPrev is true. */
  prevParams: Float32Array;
  hasPrev: boolean;         // false until the first measureProbe, so epoch 0 reports updateRatio 0
  rowScale: Float64Array;   // (max units) max |entry| of each row [W_i, b_i]
  representatives: Int32Array; // (max units) one row index per cluster of equal rows
}

/** Scratch for one run's diagnostics. */
export function createDiagnostics(net: Network): Diagnostics {
  const maxUnits = Math.max(...net.layout.map((l) => l.fanOut));
  return {
    prevParams: new Float32Array(net.numParams),
    hasPrev: false,
    rowScale: new Float64Array(maxUnits),
    representatives: new Int32Array(maxUnits),
  };
}

/** The probe batch: inputs (batch, D) and one-hot targets (batch, K). */
export interface ProbeBatch {
  inputs: Float32Array;
  targets: Float32Array;
  batch: number;
}

export interface ProbeResult {
  loss: number;
  gradNorm: number;      // global ‖∂L/∂θ‖ on the probe batch, before any clipping
  layers: LayerStats[];
}

/**
 * Runs the engine's forwardBackward on the probe batch (overwriting net.grads and ws buffers) and measures every
 * layer. Then remembers the current parameters for the next call's updateRatio.
 */
export function measureProbe(
  diag: Diagnostics, net: Network, ws: Workspace, probe: ProbeBatch, engine: Pick<Engine, 'forwardBackward'>,
): ProbeResult {
  const loss = engine.forwardBackward(probe.inputs, probe.targets, probe.batch);
  const layers: LayerStats[] = [];
  for (let l = 0; l < net.layout.length; l++) layers.push(layerStats(diag, net, ws, probe.batch, l));
  const result = { loss, gradNorm: gradNorm(net.grads), layers };
  diag.prevParams.set(net.params);
  diag.hasPrev = true;
  return result;
}

/** ‖x[from..to)‖₂ in float64. */
export function rangeNorm(x: Float32Array, from: number, to: number): number {
  let sq = 0;
  for (let i = from; i < to; i++) sq += x[i] * x[i];
  return Math.sqrt(sq);
}

/** ‖a[from..to) - b[from..to)‖₂ in float64. */
function rangeDistance(a: Float32Array, b: Float32Array, from: number, to: number): number {
  let sq = 0;
  for (let i = from; i < to; i++) { const d = a[i] - b[i]; sq += d * d; }
  return Math.sqrt(sq);
}

function layerStats(diag: Diagnostics, net: Network, ws: Workspace, batch: number, l: number): LayerStats {
  const { fanIn, fanOut, wOffset, bOffset } = net.layout[l];
  const hidden = l < net.layout.length - 1;
  const n = batch * fanOut;
  const act = meanVariance(ws.act[l], n);
  const pre = meanVariance(ws.pre[l], n);
  const activation = net.spec.activation;

  let saturatedFrac = 0;
  if (hidden && SATURATING.has(activationName(activation))) {
    const limit = SATURATION_LEVEL * maxDerivative(activation);
    let count = 0;
    for (let i = 0; i < n; i++) if (dphi(activation, ws.pre[l][i]) < limit) count++;
    saturatedFrac = count / n;
  }

  let deadFrac = 0;
  if (hidden && activationName(activation) === 'relu') {
    let dead = 0;
    for (let j = 0; j < fanOut; j++) {
      let alive = false;
      for (let b = 0; b < batch && !alive; b++) alive = ws.act[l][b * fanOut + j] !== 0;
      if (!alive) dead++;
    }
    deadFrac = dead / fanOut;
  }

  const weightNorm = rangeNorm(net.params, wOffset, bOffset);
  let updateRatio = 0;
  if (diag.hasPrev) {
    const moved = rangeDistance(net.params, diag.prevParams, wOffset, bOffset);
    const before = rangeNorm(diag.prevParams, wOffset, bOffset);
    // From all-zero weights every bit of the weight is update: 1 if they moved at all, else 0.
    updateRatio = before > 0 ? moved / before : moved > 0 ? 1 : 0;
  }

  return {
    layer: l,
    units: fanOut,
    actMean: act.mean,
    actStd: Math.sqrt(act.variance),
    preStd: Math.sqrt(pre.variance),
    saturatedFrac,
    deadFrac,
    deltaNorm: rangeNorm(ws.delta[l], 0, n),
    weightGradNorm: rangeNorm(net.grads, wOffset, bOffset),
    weightNorm,
    updateRatio,
    distinctUnits: countDistinctUnits(diag, net.params, wOffset, bOffset, fanOut, fanIn),
  };
}

/**
 * Greedy clustering of the rows [W_i, b_i] of a layer: each row joins the first representative it equals
 * within DISTINCT_TOLERANCE × max(its max |entry|, the representative's), else becomes a new one.
 * Returns the number of clusters. O(units² · fanIn) at worst; a differing entry ends a comparison early.
 */
export function countDistinctUnits(
  diag: Diagnostics, params: Float32Array, wOffset: number, bOffset: number, fanOut: number, fanIn: number,
): number {
  const scale = diag.rowScale;
  const reps = diag.representatives;
  for (let i = 0; i < fanOut; i++) {
    let m = Math.abs(params[bOffset + i]);
    const row = wOffset + i * fanIn;
    for (let k = 0; k < fanIn; k++) { const a = Math.abs(params[row + k]); if (a > m) m = a; }
    scale[i] = m;
  }
  let count = 0;
  for (let i = 0; i < fanOut; i++) {
    const row = wOffset + i * fanIn;
    let matched = false;
    for (let c = 0; c < count && !matched; c++) {
      const r = reps[c];
      const tol = DISTINCT_TOLERANCE * Math.max(scale[i], scale[r]);
      const repRow = wOffset + r * fanIn;
      let equal = Math.abs(params[bOffset + i] - params[bOffset + r]) <= tol;
      for (let k = 0; k < fanIn && equal; k++) equal = Math.abs(params[row + k] - params[repRow + k]) <= tol;
      matched = equal;
    }
    if (!matched) reps[count++] = i;
  }
  return count;
}
