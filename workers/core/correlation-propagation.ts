// How two inputs' pre-activations correlate layer by layer at initialization, measured on a network and predicted
// by the mean-field correlation map (Poole et al. 2016; Schoenholz et al. 2017). Not the fixed-point analysis
// (signal-propagation.ts): here both inputs start from their own lengths and overlap, and the theory is iterated
// from there layer by layer with each layer's own σ_w² and σ_b², as the measurement sees them.
//   q_a^{l+1}  = σ_w² E[φ(√q_a z)²] + σ_b²                  (a = 1, 2)
//   q_12^{l+1} = σ_w² E[φ(u₁) φ(u₂)] + σ_b²,  u_a = √q_a z_a,  corr(z₁, z₂) = c_l
//   c_l        = q_12^l / √(q_1^l q_2^l)
// The measured c_l is the cosine similarity of the two pre-activation vectors of layer l (over its units), which is
// what the theory's c estimates at finite width (its sampling sd is about (1 − c²)/√width).
import { phi } from './activations.js';
import { forward, createWorkspace, type NetworkOf } from './network.js';
import type { FloatArray } from './linear.js';
import { fixedExpectation, fixedPairExpectation } from './depth-scale-curve.js';
import { bivariateExpectation } from './signal-propagation.js';
import { biasSecondMoment, gaussianExpectation, weightVarianceScale } from './theory.js';
import type { ActivationSpec } from './types.js';

export interface CorrelationProfile {
  /** cosine similarity of the two inputs' pre-activations, one per hidden layer */
  measured: number[];
  /** the mean-field c_l for the same layers, iterated from the two inputs */
  theory: number[];
  /** the inputs' own cosine similarity */
  inputCosine: number;
}

function cosine(a: FloatArray, aOffset: number, b: FloatArray, bOffset: number, n: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[aOffset + i];
    const y = b[bOffset + i];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

/** The cosine similarity of x1's and x2's pre-activations at each hidden layer of `net` (one forward of batch 2). */
export function measureCorrelations<T extends FloatArray>(net: NetworkOf<T>, x1: FloatArray, x2: FloatArray): number[] {
  const D = net.spec.inputs;
  const inputs = new Float32Array(2 * D);
  inputs.set(x1.subarray(0, D), 0);
  inputs.set(x2.subarray(0, D), D);
  const ws = createWorkspace(net, 2);
  forward(net, ws, inputs, 2);
  const out: number[] = [];
  for (let l = 0; l < net.spec.hidden.length; l++) {
    const width = net.layout[l].fanOut;
    out.push(cosine(ws.pre[l], 0, ws.pre[l], width, width));
  }
  return out;
}

/**
 * The mean-field c_l at each of `sigmaW2.length` layers, from the inputs' mean squares m1, m2 and mean product m12
 * (per input feature): layer 0 is linear in them, later layers go through φ. sigmaW2[l], sigmaB2[l] are layer l's.
 */
export function correlationIterates(
  activation: ActivationSpec, sigmaW2: number[], sigmaB2: number[], m1: number, m2: number, m12: number,
  precision: Precision = 'adaptive',
): number[] {
  if (precision === 'fixed') return fixedIterates(activation, sigmaW2, sigmaB2, m1, m2, m12);
  let q1 = sigmaW2[0] * m1 + sigmaB2[0];
  let q2 = sigmaW2[0] * m2 + sigmaB2[0];
  let q12 = sigmaW2[0] * m12 + sigmaB2[0];
  const out = [q12 / Math.sqrt(q1 * q2)];
  for (let l = 1; l < sigmaW2.length; l++) {
    const c = Math.max(-1, Math.min(1, q12 / Math.sqrt(q1 * q2)));
    const s1 = Math.sqrt(q1);
    const s2 = Math.sqrt(q2);
    // E[φ(s1 z₁) φ(s2 z₂)] with corr(z₁, z₂) = c; at c = 0 the product of two means (the nested rule cannot
    // meet a relative tolerance on a mean that is exactly 0).
    const product = c === 0
      ? gaussianExpectation((x) => phi(activation, s1 * x), 1) * gaussianExpectation((x) => phi(activation, s2 * x), 1)
      : bivariateExpectation((a, b) => phi(activation, s1 * a) * phi(activation, s2 * b), 1, c);
    const next1 = sigmaW2[l] * gaussianExpectation((x) => phi(activation, x) ** 2, q1) + sigmaB2[l];
    const next2 = sigmaW2[l] * gaussianExpectation((x) => phi(activation, x) ** 2, q2) + sigmaB2[l];
    q12 = sigmaW2[l] * product + sigmaB2[l];
    q1 = next1;
    q2 = next2;
    out.push(q12 / Math.sqrt(q1 * q2));
  }
  return out;
}

/**
 * 'adaptive': the ~1e-9 nested integrals of signal-propagation.ts (~30 ms a layer); 'fixed': depth-scale-curve.ts's
 * fixed rule (~1 ms a layer, ~1e-4 for smooth φ), for pages that draw a 150-layer profile on request.
 */
export type Precision = 'adaptive' | 'fixed';

function fixedIterates(
  activation: ActivationSpec, sigmaW2: number[], sigmaB2: number[], m1: number, m2: number, m12: number,
): number[] {
  const f = (x: number) => phi(activation, x);
  const square = (x: number) => phi(activation, x) ** 2;
  let q1 = sigmaW2[0] * m1 + sigmaB2[0];
  let q2 = sigmaW2[0] * m2 + sigmaB2[0];
  let q12 = sigmaW2[0] * m12 + sigmaB2[0];
  const out = [q12 / Math.sqrt(q1 * q2)];
  for (let l = 1; l < sigmaW2.length; l++) {
    const c = Math.max(-1, Math.min(1, q12 / Math.sqrt(q1 * q2)));
    q12 = sigmaW2[l] * fixedPairExpectation(f, f, Math.sqrt(q1), Math.sqrt(q2), c) + sigmaB2[l];
    q1 = sigmaW2[l] * fixedExpectation(square, q1) + sigmaB2[l];
    q2 = sigmaW2[l] * fixedExpectation(square, q2) + sigmaB2[l];
    out.push(q12 / Math.sqrt(q1 * q2));
  }
  return out;
}

/** Measured and mean-field correlations of x1 and x2 through the hidden layers of `net`, at its current weights. */
export function correlationPropagation<T extends FloatArray>(
  net: NetworkOf<T>, x1: FloatArray, x2: FloatArray, precision: Precision = 'adaptive',
): CorrelationProfile {
  const { spec, layout } = net;
  const D = spec.inputs;
  const sigmaW2: number[] = [];
  const sigmaB2: number[] = [];
  for (let l = 0; l < spec.hidden.length; l++) {
    const { fanIn, fanOut } = layout[l];
    sigmaW2.push(weightVarianceScale(fanOut, fanIn, spec.init, spec.activation));
    sigmaB2.push(biasSecondMoment(fanOut, fanIn, spec.biasInit ?? 'zeros', spec.activation));
  }
  let m1 = 0;
  let m2 = 0;
  let m12 = 0;
  for (let i = 0; i < D; i++) {
    m1 += x1[i] * x1[i];
    m2 += x2[i] * x2[i];
    m12 += x1[i] * x2[i];
  }
  return {
    measured: measureCorrelations(net, x1, x2),
    theory: correlationIterates(spec.activation, sigmaW2, sigmaB2, m1 / D, m2 / D, m12 / D, precision),
    inputCosine: m12 / Math.sqrt(m1 * m2),
  };
}
