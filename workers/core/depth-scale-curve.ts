// The correlation depth scale ξ_c on many σ_w² at once, for drawing the 6 ξ_c curve over a phase diagram.
// signal-propagation.ts computes ξ_c to ~1e-9 with adaptive nested integrals (~0.7 s a point in the chaotic
// phase); a curve needs dozens of points per page, so this uses a fixed rule instead: the trapezoid rule on
// z ∈ [−8, 8] with 160 nodes against the Gaussian weight, which converges geometrically for smooth φ (tanh,
// sigmoid, softsign, gelu) and is good to plotting accuracy (~1e-3) for kinked ones. Tested against
// signalPropagation.
import { dphi, phi } from './activations.js';
import type { ActivationSpec } from './types.js';

const Z_MAX = 8;
const NODES = 160; // even: no node on z = 0, where relu-like φ′ jumps (the symmetric pair splits the step exactly)
const Z: Float64Array = new Float64Array(NODES);
const W: Float64Array = new Float64Array(NODES);
{
  const h = (2 * Z_MAX) / (NODES - 1);
  let sum = 0;
  for (let i = 0; i < NODES; i++) {
    Z[i] = -Z_MAX + i * h;
    W[i] = Math.exp(-0.5 * Z[i] * Z[i]);
    sum += W[i];
  }
  for (let i = 0; i < NODES; i++) W[i] /= sum; // exact for f = 1, and within 1e-15 of h·pdf
}

function expect1(f: (x: number) => number, q: number): number {
  const s = Math.sqrt(q);
  let total = 0;
  for (let i = 0; i < NODES; i++) total += W[i] * f(s * Z[i]);
  return total;
}

/** E[f(u₁) f(u₂)] for u₁, u₂ ~ N(0, q) with correlation c, as Σᵢ wᵢ f(√q zᵢ) Σⱼ wⱼ f(√q (c zᵢ + √(1−c²) zⱼ)). */
function expectProduct(f: (x: number) => number, q: number, c: number): number {
  const s = Math.sqrt(q);
  const r = Math.sqrt(Math.max(0, 1 - c * c));
  let total = 0;
  for (let i = 0; i < NODES; i++) {
    const zi = Z[i];
    let inner = 0;
    for (let j = 0; j < NODES; j++) inner += W[j] * f(s * (c * zi + r * Z[j]));
    total += W[i] * f(s * zi) * inner;
  }
  return total;
}

/**
 * E[f(s₁ z₁) g(s₂ z₂)] for standard normals with correlation c, by the same fixed rule (plotting accuracy): the
 * correlation-propagation view iterates the c-map this way, one layer at a time.
 */
export function fixedPairExpectation(f: (x: number) => number, g: (x: number) => number, s1: number, s2: number, c: number): number {
  const r = Math.sqrt(Math.max(0, 1 - c * c));
  let total = 0;
  for (let i = 0; i < NODES; i++) {
    const zi = Z[i];
    let inner = 0;
    for (let j = 0; j < NODES; j++) inner += W[j] * g(s2 * (c * zi + r * Z[j]));
    total += W[i] * f(s1 * zi) * inner;
  }
  return total;
}

/** E[f(h)], h ~ N(0, q), by the same fixed rule. */
export function fixedExpectation(f: (x: number) => number, q: number): number {
  return expect1(f, q);
}

export interface DepthScalePoint {
  sigmaW2: number;
  chi1: number;
  cStar: number;
  /** −1/log χ_c; Infinity at χ₁ = 1 */
  xiC: number;
}

/** ξ_c (with χ₁ and c*) at one σ_w², to plotting accuracy. */
export function depthScaleAt(activation: ActivationSpec, sigmaW2: number, sigmaB2: number): DepthScalePoint {
  const square = (x: number) => phi(activation, x) ** 2;
  let q = 1;
  for (let i = 0; i < 1000; i++) {
    const next = sigmaW2 * expect1(square, q) + sigmaB2;
    if (!Number.isFinite(next) || Math.abs(next - q) <= 1e-12 * Math.max(1, q)) { q = next; break; }
    q = next;
  }
  const chi1 = sigmaW2 * expect1((x) => dphi(activation, x) ** 2, q);
  let cStar = 1;
  let chiC = chi1;
  if (chi1 > 1 && q > 0) {
    const f = (x: number) => phi(activation, x);
    const gap = (c: number) => (sigmaW2 * expectProduct(f, q, c) + sigmaB2) / q - c;
    // bisection on [lo, hi]: C(c) − c ≥ 0 below the stable fixed point, < 0 just below 1
    let lo = gap(0) >= 0 ? 0 : -1 + 1e-9;
    let hi = 1 - 1e-9;
    if (gap(lo) >= 0 && gap(hi) < 0) {
      for (let i = 0; i < 40 && hi - lo > 1e-9; i++) {
        const mid = 0.5 * (lo + hi);
        if (gap(mid) >= 0) lo = mid;
        else hi = mid;
      }
      cStar = 0.5 * (lo + hi);
      chiC = sigmaW2 * expectProduct((x) => dphi(activation, x), q, cStar);
    }
  }
  const xiC = chiC === 1 ? Infinity : -1 / Math.log(chiC);
  return { sigmaW2, chi1, cStar, xiC: xiC > 0 ? xiC : Infinity };
}

/** ξ_c at each σ_w² of `sigmaW2s` (one activation and σ_b²). */
export function depthScaleCurve(activation: ActivationSpec, sigmaB2: number, sigmaW2s: readonly number[]): DepthScalePoint[] {
  return sigmaW2s.map((w) => depthScaleAt(activation, w, sigmaB2));
}
