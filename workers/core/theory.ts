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

// E[f(h)] for h ~ N(0, q) is ∫ f(±√q·z) ϕ(z) dz over the two half-lines z > 0, by globally adaptive
// Gauss–Kronrod (7/15 points, as QUADPACK's QAG) on z ∈ (0, Z_MAX]. A fixed grid in z cannot work for every q:
// at q = 1e5 tanh′² lives in |z| < 0.01. So each half-line starts split at the Gaussian's scales (z = 1/2 … 8)
// and at the activations' scales (x = √q·z = 1/4 … 64, where tanh, sigmoid, softsign, elu and gelu bend), and
// the interval with the largest error estimate |K15 − G7| is bisected until the estimates sum to below
// REL_TOL × |E[f]| (or ABS_TOL × E[|f|], for f whose mean cancels). Kronrod nodes are interior, so f is never
// evaluated at 0: the kinks of relu, leaky_relu, elu and selu (all at 0) sit on the boundary of the halves.
// The tail beyond Z_MAX = 10 weighs 7.6e-24.
const Z_MAX = 10;
const REL_TOL = 1e-12;
const ABS_TOL = 1e-15;
const MAX_INTERVALS = 2000;
const INV_SQRT_2PI = 0.3989422804014327;

// Kronrod nodes on [-1, 1] (the positive half; index 7 is the centre); Gauss nodes are the odd indices.
const XK = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0,
];
const WK = [
  0.022935322010529224963732008058970, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
const WG = [0.129484966168869693270611432679082, 0.279705391489276667901467771423780, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

/** One Gauss–Kronrod 7/15 panel of g over [a, b]: the K15 estimate, |K15 − G7|, and the K15 estimate of ∫|g|. */
function kronrod15(g: (z: number) => number, a: number, b: number): { value: number; error: number; abs: number } {
  const centre = 0.5 * (a + b);
  const half = 0.5 * (b - a);
  const fc = g(centre);
  let k = WK[7] * fc;
  let gauss = WG[3] * fc;
  let abs = WK[7] * Math.abs(fc);
  for (let j = 0; j < 7; j++) {
    const f1 = g(centre - half * XK[j]);
    const f2 = g(centre + half * XK[j]);
    k += WK[j] * (f1 + f2);
    abs += WK[j] * (Math.abs(f1) + Math.abs(f2));
    if (j % 2 === 1) gauss += WG[(j - 1) / 2] * (f1 + f2);
  }
  return { value: k * half, error: Math.abs((k - gauss) * half), abs: abs * half };
}

interface Panel { sign: number; a: number; b: number; value: number; error: number; abs: number }

/** The starting breakpoints on (0, Z_MAX] for standard deviation s: Gaussian scales and activation scales. */
function breakpoints(s: number): number[] {
  const points = new Set<number>([Z_MAX, 0.5, 1, 2, 4, 8]);
  for (let x = 0.25; x <= 64; x *= 2) if (x / s < Z_MAX) points.add(x / s);
  return [...points].filter((z) => z > 0 && z <= Z_MAX).sort((p, q) => p - q);
}

/**
 * E[f(h)] for h ~ N(0, variance), by adaptive Gauss–Kronrod on each half-line (above): estimated relative
 * error below relTol (default 1e-12, REL_TOL; nested integrals pass looser ones, relTol and absTol, the latter
 * relative to E[|f|] for means that cancel); for every φ² and φ′² at q from 1e-4 to 1e5 the result is within 1e-15 of
 * 20-digit references (test/core/theory.test.ts), at 240–700 evaluations of f a call. f is never
 * evaluated at h = 0, so a jump there (the derivative of relu or leaky_relu) costs no accuracy.
 */
export function gaussianExpectation(f: (x: number) => number, variance: number, relTol = REL_TOL, absTol = ABS_TOL): number {
  if (!(variance > 0)) return variance === 0 ? f(0) : NaN;
  const s = Math.sqrt(variance);
  const panels: Panel[] = [];
  for (const sign of [-1, 1]) {
    const g = (z: number) => f(sign * s * z) * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    let a = 0;
    for (const b of breakpoints(s)) {
      panels.push({ sign, a, b, ...kronrod15(g, a, b) });
      a = b;
    }
  }
  for (;;) {
    let value = 0;
    let error = 0;
    let abs = 0;
    let worst = 0;
    for (let i = 0; i < panels.length; i++) {
      value += panels[i].value;
      error += panels[i].error;
      abs += panels[i].abs;
      if (panels[i].error > panels[worst].error) worst = i;
    }
    if (!(error > Math.max(relTol * Math.abs(value), absTol * abs)) || panels.length >= MAX_INTERVALS) return value;
    const { sign, a, b } = panels[worst];
    const g = (z: number) => f(sign * s * z) * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    const mid = 0.5 * (a + b);
    panels[worst] = { sign, a, b: mid, ...kronrod15(g, a, mid) };
    panels.push({ sign, a: mid, b, ...kronrod15(g, mid, b) });
  }
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
