// Mean-field theory of a random MLP at initialization (Poole et al. 2016, Schoenholz et al. 2017): the
// pre-activation variance q_l per layer and the backward factor χ_l, to overlay on measured epoch-0 statistics.
//   q_1     = σ_w² · E[x²] + σ_b²                    E[x²]: mean square of the normalized inputs
//   q_{l+1} = σ_w² · E[φ(h)²] + σ_b²,  h ~ N(0, q_l)   σ_w² = fanIn · Var(w), σ_b² = E[b²]
//   χ_l     = σ_{w,l+1}² · E[φ'(h_l)²]                 predicted ‖δ_l‖² / ‖δ_{l+1}‖² between hidden layers
// Assumes i.i.d. zero-mean weights: for zeros/constant weights (σ_w² = 0) q is just σ_b², and lsuv's
// data-dependent rescaling is not modelled (its orthogonal start is).
import { dphi, phi } from './activations.js';
import { initStd } from './init.js';
import type { ActivationSpec, InitSpec, NetworkSpec } from './types.js';

// Composite Simpson over z ∈ [-Z_MAX, Z_MAX] against the standard normal density. The node z = 0 is a panel
// boundary, so the kinks of relu, leaky_relu, elu and selu (all at 0) never fall inside a panel.
const Z_MAX = 10;
const PANELS = 1000; // 2000 intervals, h = 0.01
let nodes: Float64Array | null = null;
let weights: Float64Array | null = null;

function quadrature(): { z: Float64Array; w: Float64Array } {
  if (nodes === null || weights === null) {
    const n = 2 * PANELS + 1;
    const h = (2 * Z_MAX) / (2 * PANELS);
    const z = new Float64Array(n);
    const w = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      z[i] = -Z_MAX + i * h;
      const simpson = i === 0 || i === n - 1 ? 1 : i % 2 === 1 ? 4 : 2;
      w[i] = ((simpson * h) / 3) * Math.exp(-0.5 * z[i] * z[i]) / Math.sqrt(2 * Math.PI);
      total += w[i];
    }
    for (let i = 0; i < n; i++) w[i] /= total; // so E[1] = 1 exactly
    nodes = z;
    weights = w;
  }
  return { z: nodes, w: weights };
}

/**
 * E[f(h)] for h ~ N(0, variance), by Simpson's rule on a fine grid (accurate to ~1e-9 for these φ and φ').
 * The halves z < 0 and z > 0 are integrated separately, with f's one-sided values at 0, so a jump at 0 (the
 * derivative of relu or leaky_relu) costs no accuracy.
 */
export function gaussianExpectation(f: (x: number) => number, variance: number): number {
  if (!(variance > 0)) return variance === 0 ? f(0) : NaN;
  const { z, w } = quadrature();
  const s = Math.sqrt(variance);
  const centre = PANELS; // z[centre] = 0
  let sum = 0;
  for (let i = 0; i < z.length; i++) if (i !== centre) sum += w[i] * f(s * z[i]);
  return sum + 0.5 * w[centre] * (f(-Number.MIN_VALUE) + f(Number.MIN_VALUE));
}

/** E[φ(h)²], h ~ N(0, q). */
export function meanSquareActivation(activation: ActivationSpec, q: number): number {
  return gaussianExpectation((x) => { const y = phi(activation, x); return y * y; }, q);
}

/** E[φ'(h)²], h ~ N(0, q). */
export function meanSquareDerivative(activation: ActivationSpec, q: number): number {
  return gaussianExpectation((x) => { const d = dphi(activation, x); return d * d; }, q);
}

/** σ_w² = fanIn · Var(w) for a (fanOut, fanIn) weight under `init`. */
export function weightVarianceScale(fanOut: number, fanIn: number, init: InitSpec, activation: ActivationSpec): number {
  const std = initStd(fanOut, fanIn, init, activation);
  return fanIn * std * std;
}

/**
 * σ_b² = E[b²] for a bias of length fanOut under `init`, following initBias: constant gives value², normal
 * std² + mean², orthogonal a random unit vector × gain (gain²/fanOut), lsuv zeros; the rest the weight formula.
 */
export function biasSecondMoment(fanOut: number, fanIn: number, init: InitSpec, activation: ActivationSpec): number {
  if (typeof init === 'object') {
    if (init.name === 'constant') return (init.value ?? 0) ** 2;
    if (init.name === 'normal') return (init.std ?? 1) ** 2 + (init.mean ?? 0) ** 2;
  }
  const name = typeof init === 'string' ? init : init.name;
  if (name === 'lsuv' || name === 'constant') return 0; // constant's value defaults to 0
  if (name === 'orthogonal') {
    const std = initStd(1, fanOut, init, activation) * Math.sqrt(Math.max(1, fanOut)); // = gain
    return (std * std) / fanOut;
  }
  const std = initStd(fanOut, fanIn, init, activation);
  return std * std;
}

/** Mean-field predictions at initialization, one entry per weight layer (hidden layers, then the output). */
export interface MeanField {
  preVar: number[]; // q_l: predicted variance of layer l's pre-activations
  chi: number[];    // χ_l for each hidden layer l: predicted ‖δ_l‖² / ‖δ_{l+1}‖² (l+1 may be the output layer)
  sigmaW2: number[];
  sigmaB2: number[];
}

/** The mean-field q_l (and χ_l) for a network whose inputs have mean square `inputMeanSquare`. */
export function meanField(spec: NetworkSpec, inputMeanSquare: number): MeanField {
  const widths = [spec.inputs, ...spec.hidden, spec.outputs];
  const layers = widths.length - 1;
  const biasInit = spec.biasInit ?? 'zeros';
  const preVar: number[] = [];
  const chi: number[] = [];
  const sigmaW2: number[] = [];
  const sigmaB2: number[] = [];
  for (let l = 0; l < layers; l++) {
    const fanIn = widths[l];
    const fanOut = widths[l + 1];
    sigmaW2.push(weightVarianceScale(fanOut, fanIn, spec.init, spec.activation));
    sigmaB2.push(biasSecondMoment(fanOut, fanIn, biasInit, spec.activation));
  }
  let secondMoment = inputMeanSquare;
  for (let l = 0; l < layers; l++) {
    const q = sigmaW2[l] * secondMoment + sigmaB2[l];
    preVar.push(q);
    if (l < layers - 1) secondMoment = meanSquareActivation(spec.activation, q);
  }
  for (let l = 0; l + 1 < layers; l++) {
    chi.push(sigmaW2[l + 1] * meanSquareDerivative(spec.activation, preVar[l]));
  }
  return { preVar, chi, sigmaW2, sigmaB2 };
}

/** Just the q_l of meanField: RunResult.theoryPreVar. */
export function theoryPreVariance(spec: NetworkSpec, inputMeanSquare: number): number[] {
  return meanField(spec, inputMeanSquare).preVar;
}
