// Weight initializers with PyTorch's formulas (torch.nn.init), for a weight of shape (fanOut, fanIn) row-major.
// LSUV's data-dependent rescaling needs a forward pass, so it lives in network.ts; here lsuv is its orthogonal start.
import type { ActivationSpec, Gain, InitName, InitParams, InitSpec } from './types.js';
import type { FloatArray } from './linear.js';
import type { Rng } from './rng.js';
import { leakySlope } from './activations.js';
import { activationName } from './labels.js';

type ResolvedInit = { name: InitName } & InitParams;

function resolveInit(init: InitSpec): ResolvedInit {
  return typeof init === 'string' ? { name: init } : init;
}

/** PyTorch's calculate_gain: linear/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1+a²)), selu 3/4; others 1. */
export function calculateGain(spec: ActivationSpec): number {
  switch (activationName(spec)) {
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': { const a = leakySlope(spec); return Math.sqrt(2 / (1 + a * a)); }
    case 'selu': return 3 / 4;
    default: return 1; // linear, sigmoid; PyTorch has no gain for elu, gelu, softsign, silu
  }
}

function resolveGain(gain: Gain | undefined, activation: ActivationSpec): number {
  if (gain === undefined) return 1;
  return gain === 'auto' ? calculateGain(activation) : gain;
}

/** He's gain √(2/(1+a²)), a = init.slope, else the activation's leaky slope (0 unless leaky_relu). */
function heGain(init: ResolvedInit, activation: ActivationSpec): number {
  const a = init.slope ?? leakySlope(activation);
  return Math.sqrt(2 / (1 + a * a));
}

function heFan(init: ResolvedInit, fanOut: number, fanIn: number): number {
  return init.mode === 'fan_out' ? fanOut : fanIn;
}

function fillUniform(w: FloatArray, n: number, limit: number, rng: Rng): void {
  for (let i = 0; i < n; i++) w[i] = limit * (2 * rng.next() - 1); // U[-limit, limit)
}

function fillNormal(w: FloatArray, n: number, mean: number, std: number, rng: Rng): void {
  for (let i = 0; i < n; i++) w[i] = mean + std * rng.normal();
}

/**
 * Fills w[0 .. fanOut·fanIn) per `init`. lsuv fills its orthogonal start (the rescaling is createNetwork's).
 * Draw order is row-major, one draw per entry (orthogonal: the whole (fanOut, fanIn) normal matrix first).
 */
export function initWeights(
  w: FloatArray, fanOut: number, fanIn: number, init: InitSpec, activation: ActivationSpec, rng: Rng,
): void {
  const spec = resolveInit(init);
  fillByFormula(w, fanOut * fanIn, fanOut, fanIn, spec, activation, rng);
}

/**
 * Fills a bias of length fanOut. Fan-based formulas use the layer's fans, so a bias gets the same element
 * distribution as its weight; orthogonal treats the bias as a (1, fanOut) matrix (a random unit vector × gain);
 * lsuv leaves biases at zero, as Mishkin & Matas do.
 */
export function initBias(
  bias: FloatArray, fanOut: number, fanIn: number, init: InitSpec, activation: ActivationSpec, rng: Rng,
): void {
  const spec = resolveInit(init);
  if (spec.name === 'lsuv') {
    bias.fill(0, 0, fanOut);
    return;
  }
  if (spec.name === 'orthogonal') {
    orthogonalFill(bias, 1, fanOut, resolveGain(spec.gain, activation), rng);
    return;
  }
  fillByFormula(bias, fanOut, fanOut, fanIn, spec, activation, rng);
}

function fillByFormula(
  w: FloatArray, n: number, fanOut: number, fanIn: number,
  spec: ResolvedInit, activation: ActivationSpec, rng: Rng,
): void {
  switch (spec.name) {
    case 'zeros':
      w.fill(0, 0, n);
      return;
    case 'constant':
      w.fill(spec.value ?? 0, 0, n);
      return;
    case 'normal':
      fillNormal(w, n, spec.mean ?? 0, spec.std ?? 1, rng);
      return;
    case 'uniform':
      fillUniform(w, n, spec.limit ?? 1, rng);
      return;
    case 'xavier_uniform':
      fillUniform(w, n, resolveGain(spec.gain, activation) * Math.sqrt(6 / (fanIn + fanOut)), rng);
      return;
    case 'xavier_normal':
      fillNormal(w, n, 0, resolveGain(spec.gain, activation) * Math.sqrt(2 / (fanIn + fanOut)), rng);
      return;
    case 'he_uniform':
      fillUniform(w, n, heGain(spec, activation) * Math.sqrt(3 / heFan(spec, fanOut, fanIn)), rng);
      return;
    case 'he_normal':
      fillNormal(w, n, 0, heGain(spec, activation) / Math.sqrt(heFan(spec, fanOut, fanIn)), rng);
      return;
    case 'lecun_uniform':
      fillUniform(w, n, resolveGain(spec.gain, activation) * Math.sqrt(3 / fanIn), rng);
      return;
    case 'lecun_normal':
      fillNormal(w, n, 0, resolveGain(spec.gain, activation) / Math.sqrt(fanIn), rng);
      return;
    case 'orthogonal':
    case 'lsuv':
      orthogonalFill(w, fanOut, fanIn, resolveGain(spec.gain, activation), rng);
      return;
  }
}

function columnNorm(q: Float64Array, from: number, m: number): number {
  let s = 0;
  for (let i = from; i < from + m; i++) s += q[i] * q[i];
  return Math.sqrt(s);
}

/**
 * PyTorch's orthogonal_: a (rows, cols) N(0,1) matrix, transposed if rows < cols, reduced QR, Q's columns times
 * sign(diag R), transposed back, times gain. Modified Gram–Schmidt in float64 (with a selective second pass)
 * yields R with a positive diagonal, which is exactly that sign-fixed Q. Rows are orthonormal when
 * rows ≤ cols (W·Wᵀ = gain²·I), columns otherwise (Wᵀ·W = gain²·I). O(max·min²) time: ~0.15 s CPU for
 * 256×256, ~3.5 s for 1024×1024.
 */
function orthogonalFill(w: FloatArray, rows: number, cols: number, gain: number, rng: Rng): void {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) a[i] = rng.normal();
  // The tall matrix M (m, n), m ≥ n, stored column by column: q[j·m .. (j+1)·m) is column j.
  const transposed = rows < cols;
  const m = transposed ? cols : rows;
  const n = transposed ? rows : cols;
  const q = new Float64Array(m * n);
  if (transposed) {
    q.set(a); // column j of Aᵀ is row j of A
  } else {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) q[c * m + r] = a[r * cols + c];
  }
  for (let j = 0; j < n; j++) {
    const vj = j * m;
    let norm = columnNorm(q, vj, m);
    // A second pass only when the first cancelled most of the column (Kahan–Parlett: "twice is enough").
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const vk = k * m;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[vk + i] * q[vj + i];
        for (let i = 0; i < m; i++) q[vj + i] -= dot * q[vk + i];
      }
      const before = norm;
      norm = columnNorm(q, vj, m);
      if (norm > Math.SQRT1_2 * before) break;
    }
    const inv = 1 / norm;
    for (let i = 0; i < m; i++) q[vj + i] *= inv;
  }
  if (transposed) {
    for (let i = 0; i < rows * cols; i++) w[i] = gain * q[i]; // W = Qᵀ: row r of W is column r of Q
  } else {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) w[r * cols + c] = gain * q[c * m + r];
  }
}

/**
 * The weight std the formula implies, for mean-field theory (σ_w² = fanIn · std²). 0 for zeros and constant;
 * uniform(±a) has std a/√3; orthogonal (and lsuv, before rescaling) gain/√max(fanIn, fanOut).
 */
export function initStd(fanOut: number, fanIn: number, init: InitSpec, activation: ActivationSpec): number {
  const spec = resolveInit(init);
  switch (spec.name) {
    case 'zeros':
    case 'constant':
      return 0;
    case 'normal':
      return spec.std ?? 1;
    case 'uniform':
      return (spec.limit ?? 1) / Math.sqrt(3);
    case 'xavier_uniform':
    case 'xavier_normal':
      return resolveGain(spec.gain, activation) * Math.sqrt(2 / (fanIn + fanOut));
    case 'he_uniform':
    case 'he_normal':
      return heGain(spec, activation) / Math.sqrt(heFan(spec, fanOut, fanIn));
    case 'lecun_uniform':
    case 'lecun_normal':
      return resolveGain(spec.gain, activation) / Math.sqrt(fanIn);
    case 'orthogonal':
    case 'lsuv':
      return resolveGain(spec.gain, activation) / Math.sqrt(Math.max(fanIn, fanOut));
  }
}
