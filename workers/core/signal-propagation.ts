// Signal propagation in deep random networks at their fixed point (Poole et al. 2016, "Exponential expressivity
// in deep neural networks through transient chaos"; Schoenholz et al. 2017, "Deep Information Propagation"):
//   length map       q ↦ σ_w² E[φ(h)²] + σ_b²,  h ~ N(0, q)                  fixed point q*
//   χ₁               σ_w² E[φ′(h)²] at q*: < 1 ordered (correlations → 1), > 1 chaotic (they decorrelate)
//   correlation map  c ↦ (σ_w² E[φ(u₁)φ(u₂)] + σ_b²) / q*,  u₁ = √q* z₁, u₂ = √q* (c z₁ + √(1−c²) z₂)
//                    fixed point c* (1 in the ordered phase, below 1 in the chaotic one)
//   depth scales     ξ_q = −1/log χ_q, χ_q = dq/dq at q* (how fast lengths settle)
//                    ξ_c = −1/log χ_c, χ_c = σ_w² E[φ′(u₁)φ′(u₂)] at c* (how far correlations travel);
//                    Schoenholz et al. find networks trainable up to a depth of about 6 ξ_c.
// Every expectation is theory.ts's adaptive Gauss–Kronrod, nested for the two-dimensional ones.
import { dphi, phi } from './activations.js';
import { gaussianExpectation } from './theory.js';
import type { ActivationSpec } from './types.js';

const MAX_ITERATIONS = 500;
const FIXED_POINT_TOLERANCE = 1e-12;

/** The fixed point q* of the length map, iterated from q = 1 (the map is increasing and concave for the usual φ). */
export function lengthFixedPoint(activation: ActivationSpec, sigmaW2: number, sigmaB2: number): number {
  let q = 1;
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const next = sigmaW2 * gaussianExpectation((x) => phi(activation, x) ** 2, q) + sigmaB2;
    if (!Number.isFinite(next)) return next;
    if (Math.abs(next - q) <= FIXED_POINT_TOLERANCE * Math.max(1, q)) return next;
    q = next;
  }
  return q; // not settled (a linear map at σ_w² = 1 drifts forever): the last iterate
}

/**
 * E[f(u₁, u₂)] for (u₁, u₂) jointly Gaussian with variances q and correlation c: the outer expectation over
 * u₁ ~ N(0, q), the inner over u₂ | u₁ ~ N(c·u₁, q(1 − c²)).
 */
export function bivariateExpectation(f: (u1: number, u2: number) => number, q: number, c: number): number {
  const conditional = q * (1 - c * c);
  if (!(conditional > 0)) return gaussianExpectation((x) => f(x, c >= 0 ? x : -x), q); // |c| = 1: u₂ = ±u₁
  // The inner results carry their own ~1e-11 error, so the outer integral asks for 1e-9, not 1e-12: a tighter
  // outer tolerance only subdivides the inner error, at hundreds of inner integrals per step.
  const inner = (x: number) => gaussianExpectation((y) => f(x, c * x + y), conditional, INNER_TOLERANCE, INNER_TOLERANCE);
  return gaussianExpectation(inner, q, OUTER_TOLERANCE, OUTER_TOLERANCE);
}

const INNER_TOLERANCE = 1e-11;
const OUTER_TOLERANCE = 1e-9;

/**
 * E[g(u₁)·g(u₂)] for the pair above. At c = 0 the two are independent and it is E[g(h)]², two one-dimensional
 * integrals: the nested rule cannot meet a relative tolerance on a mean that is exactly 0 (odd g).
 */
export function productExpectation(g: (x: number) => number, q: number, c: number): number {
  if (c === 0) return gaussianExpectation(g, q) ** 2;
  return bivariateExpectation((a, b) => g(a) * g(b), q, c);
}

/** The correlation map C(c) at the length fixed point q*. */
export function correlationMap(activation: ActivationSpec, sigmaW2: number, sigmaB2: number, qStar: number, c: number): number {
  const product = productExpectation((x) => phi(activation, x), qStar, c);
  return (sigmaW2 * product + sigmaB2) / qStar;
}

export type Phase = 'ordered' | 'chaotic' | 'critical';

export interface SignalPropagation {
  qStar: number;
  chi1: number;        // σ_w² E[φ′(h)²] at q*
  phase: Phase;        // ordered (χ₁ < 1), chaotic (χ₁ > 1) or critical (|χ₁ − 1| < 1e-9)
  cStar: number;       // the stable fixed point of the correlation map
  chiQ: number;        // slope of the length map at q*
  chiC: number;        // slope of the correlation map at c*
  xiQ: number;         // −1/log χ_q (Infinity at χ_q = 1)
  xiC: number;         // −1/log χ_c (Infinity at the order-to-chaos boundary)
}

/**
 * The mean-field fixed points and depth scales of an infinitely deep network with weight variance σ_w²/fanIn
 * and bias variance σ_b² (σ_w² = fanIn · Var(w), as theory.ts's weightVarianceScale).
 */
export function signalPropagation(activation: ActivationSpec, sigmaW2: number, sigmaB2: number): SignalPropagation {
  const qStar = lengthFixedPoint(activation, sigmaW2, sigmaB2);
  const chi1 = chiAt(activation, sigmaW2, qStar);
  // dq_{l+1}/dq_l = σ_w² d/dq E[φ(√q z)²] = σ_w² E[φ(h) φ′(h) h] / q  (differentiating under the integral)
  const chiQ = qStar > 0
    ? (sigmaW2 * gaussianExpectation((x) => phi(activation, x) * dphi(activation, x) * x, qStar)) / qStar
    : 0;
  const phase: Phase = Math.abs(chi1 - 1) < 1e-9 ? 'critical' : chi1 < 1 ? 'ordered' : 'chaotic';
  let cStar = 1;
  if (phase === 'chaotic') {
    // C(c) − c is positive below the stable fixed point and negative just below 1 (where C′(1) = χ₁ > 1).
    const gap = (c: number) => correlationMap(activation, sigmaW2, sigmaB2, qStar, c) - c;
    let lo = 0;
    let gLo = gap(lo);
    if (gLo < 0) { lo = -1 + 1e-9; gLo = gap(lo); } // the fixed point can sit below 0
    const hi = 1 - 1e-9;
    const gHi = gap(hi);
    if (gLo >= 0 && gHi < 0) cStar = regulaFalsi(gap, lo, gLo, hi, gHi);
  }
  const chiC = cStar >= 1
    ? chi1
    : sigmaW2 * productExpectation((x) => dphi(activation, x), qStar, cStar);
  const depth = (chi: number) => (chi === 1 ? Infinity : -1 / Math.log(chi));
  return { qStar, chi1, phase, cStar, chiQ, chiC, xiQ: depth(Math.abs(chiQ)), xiC: depth(chiC) };
}

/** χ₁ = σ_w² E[φ′(h)²] at a given q. */
function chiAt(activation: ActivationSpec, sigmaW2: number, q: number): number {
  return sigmaW2 * gaussianExpectation((x) => dphi(activation, x) ** 2, q);
}

/**
 * A root of g in [a, b] (g(a) ≥ 0 > g(b)) by regula falsi with the Illinois modification: superlinear, so the
 * correlation map (a two-dimensional integral per evaluation) is evaluated ~10 times, not 40.
 */
function regulaFalsi(g: (c: number) => number, a: number, ga: number, b: number, gb: number): number {
  let side = 0;
  let c = a;
  for (let i = 0; i < 60; i++) {
    c = (a * gb - b * ga) / (gb - ga);
    const gc = g(c);
    if (Math.abs(gc) < 1e-13 || b - a < 1e-12) return c;
    if ((gc >= 0) === (ga >= 0)) {
      a = c;
      ga = gc;
      if (side === -1) gb /= 2;
      side = -1;
    } else {
      b = c;
      gb = gc;
      if (side === 1) ga /= 2;
      side = 1;
    }
  }
  return c;
}

/**
 * The σ_w² where χ₁ = 1 for a given σ_b² (the order-to-chaos boundary), by bisection on [lo, hi]; NaN when χ₁ − 1
 * does not change sign there (e.g. relu, whose boundary σ_w² = 2 holds only at σ_b² = 0).
 */
export function criticalWeightVariance(activation: ActivationSpec, sigmaB2: number, lo = 0.05, hi = 20): number {
  const f = (w: number) => chiAt(activation, w, lengthFixedPoint(activation, w, sigmaB2)) - 1;
  let a = lo;
  let b = hi;
  let fa = f(a);
  if (fa * f(b) > 0) return NaN;
  for (let i = 0; i < 60 && b - a > 1e-10 * b; i++) {
    const m = 0.5 * (a + b);
    const fm = f(m);
    if ((fm < 0) === (fa < 0)) {
      a = m;
      fa = fm;
    } else {
      b = m;
    }
  }
  return 0.5 * (a + b);
}
