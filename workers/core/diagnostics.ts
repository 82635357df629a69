// Per-layer diagnostics on the fixed probe batch, computed once per evaluated epoch right after a
// forwardBackward on that batch (so ws.pre/act/delta and net.grads hold the probe's values). The statistics over
// the probe's activations (batch × units per layer) come from the engine (measureActivations below is the
// TypeScript one; the native engine computes the same in C++); those over the parameters are computed here.
// Scratch (the previous epoch's parameters, row scales and cluster representatives) is allocated once per run.
import { dphi, maxDerivative } from './activations.js';
import { gradNorm } from './clip.js';
import { activationName } from './labels.js';
import type { Network, Workspace } from './network.js';
import type { ActivationSpec } from './types.js';
import { meanVariance } from './stats.js';
import type { LayerStats } from './types.js';

/** φ'(h) below this fraction of sup φ' counts as saturated (sigmoid, tanh and softsign only). */
export const SATURATION_LEVEL = 0.05;
/** Two units are one when their rows [W_i, b_i] agree entry by entry within this, relative to the larger row. */
export const DISTINCT_TOLERANCE = 1e-6;

/** The activations whose φ' falls towards 0 for large |x|: the only ones a unit can saturate under. */
export const SATURATING_ACTIVATIONS: ReadonlySet<string> = new Set(['sigmoid', 'tanh', 'softsign']);

/**
 * |x| beyond which φ'(x) < SATURATION_LEVEL · sup φ' (sigmoid, tanh, softsign: φ' is even and falls with |x|);
 * Infinity for activations that do not saturate. Found once by bisection on dphi in float64, so "saturated" is a
 * comparison per value in either engine.
 */
export function saturationBound(activation: ActivationSpec): number {
  if (!SATURATING_ACTIVATIONS.has(activationName(activation))) return Infinity;
  const limit = SATURATION_LEVEL * maxDerivative(activation);
  let lo = 0;
  let hi = 1;
  while (dphi(activation, hi) >= limit) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 0; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (dphi(activation, mid) < limit) hi = mid;
    else lo = mid;
  }
  return lo; // the largest |x| found with φ' ≥ limit: |x| > lo is saturated
}

/** Values per layer in measureActivations' output. */
export const ACTIVATION_STATS = 6;
/** Where each statistic sits in a layer's ACTIVATION_STATS values. */
export const STAT = { actMean: 0, actVariance: 1, preVariance: 2, saturatedFrac: 3, deadFrac: 4, deltaNorm: 5 } as const;

/**
 * The statistics of the last forwardBackward's first `batch` rows, per layer l at out[l·ACTIVATION_STATS + STAT.*]:
 * activation mean and variance, pre-activation variance (population, float64), the saturated fraction
 * (|pre| > bound, hidden layers), the dead fraction (relu hidden layers: units that output 0 for every row) and
 * ‖δ‖. The TypeScript engine's version; the native engine computes the same.
 */
export function measureActivations(net: Network, ws: Workspace, batch: number, bound: number, out: Float64Array): void {
  const last = net.layout.length - 1;
  const relu = activationName(net.spec.activation) === 'relu';
  for (let l = 0; l <= last; l++) {
    const fanOut = net.layout[l].fanOut;
    const n = batch * fanOut;
    const act = meanVariance(ws.act[l], n);
    const o = l * ACTIVATION_STATS;
    out[o + STAT.actMean] = act.mean;
    out[o + STAT.actVariance] = act.variance;
    out[o + STAT.preVariance] = meanVariance(ws.pre[l], n).variance;
    let saturated = 0;
    if (l < last && bound !== Infinity) {
      const pre = ws.pre[l];
      for (let i = 0; i < n; i++) if (Math.abs(pre[i]) > bound) saturated++;
    }
    out[o + STAT.saturatedFrac] = saturated / n;
    let dead = 0;
    if (l < last && relu) {
      const a = ws.act[l];
      for (let j = 0; j < fanOut; j++) {
        let alive = false;
        for (let b = 0; b < batch && !alive; b++) alive = a[b * fanOut + j] !== 0;
        if (!alive) dead++;
      }
    }
    out[o + STAT.deadFrac] = dead / fanOut;
    out[o + STAT.deltaNorm] = rangeNorm(ws.delta[l], 0, n);
  }
}

export interface Diagnostics {
  saturationBound: number;  // saturationBound(net.spec.activation), computed once
  activationStats: Float64Array; // (layers, ACTIVATION_STATS) scratch for the engine's measureActivations
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
    saturationBound: saturationBound(net.spec.activation),
    activationStats: new Float64Array(net.layout.length * ACTIVATION_STATS),
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
 * The two engine calls a probe needs: a part of engine.ts's Engine, named here by shape because engine.ts imports
 * this file (measureActivations), and the type import back would close a cycle.
 */
export interface ProbeEngine {
  forwardBackward(inputs: Float32Array, targets: Float32Array, n: number): number;
  measureActivations(n: number, saturationBound: number, out: Float64Array): void;
}

/**
 * Runs the engine's forwardBackward on the probe batch (overwriting net.grads and ws buffers) and measures every
 * layer. Then remembers the current parameters for the next call's updateRatio.
 */
export function measureProbe(
  diag: Diagnostics, net: Network, probe: ProbeBatch, engine: ProbeEngine,
): ProbeResult {
  const loss = engine.forwardBackward(probe.inputs, probe.targets, probe.batch);
  engine.measureActivations(probe.batch, diag.saturationBound, diag.activationStats);
  const layers: LayerStats[] = [];
  for (let l = 0; l < net.layout.length; l++) layers.push(layerStats(diag, net, l));
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

function layerStats(diag: Diagnostics, net: Network, l: number): LayerStats {
  const { fanIn, fanOut, wOffset, bOffset } = net.layout[l];
  const stats = diag.activationStats.subarray(l * ACTIVATION_STATS, (l + 1) * ACTIVATION_STATS);
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
    actMean: stats[STAT.actMean],
    actStd: Math.sqrt(stats[STAT.actVariance]),
    preStd: Math.sqrt(stats[STAT.preVariance]),
    saturatedFrac: stats[STAT.saturatedFrac],
    deadFrac: stats[STAT.deadFrac],
    deltaNorm: stats[STAT.deltaNorm],
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
