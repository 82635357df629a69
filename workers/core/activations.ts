// Elementwise activations φ and their exact derivatives: buffer kernels for training, scalars for theory and tests.
// relu and leaky_relu take the derivative at 0 from the left (0 and the slope), as PyTorch does.
import type { ActivationSpec } from './types.js';
import type { FloatArray } from './linear.js';
import { activationName } from './labels.js';
import { erf, normalCdf, normalPdf } from './special.js';

export type { FloatArray } from './linear.js';

export const LEAKY_RELU_DEFAULT_SLOPE = 0.01;
export const SELU_LAMBDA = 1.0507009873554805;
export const SELU_ALPHA = 1.6732632423543772;
export const ELU_ALPHA = 1;
/** sup GELU' = Φ(√2) + √2·φ(√2), where GELU'' = φ(x)(2 - x²) vanishes. */
export const GELU_MAX_DERIVATIVE = 0.5 * (1 + erf(1)) + Math.SQRT2 * normalPdf(Math.SQRT2);
/** sup SiLU' ≈ 1.0998, at x ≈ 2.3994 (Newton, below). */
export const SILU_MAX_DERIVATIVE = siluMaxDerivative();

/** The leaky ReLU slope a (default 0.01); 0 for every other activation. */
export function leakySlope(spec: ActivationSpec): number {
  if (activationName(spec) !== 'leaky_relu') return 0;
  return typeof spec === 'object' && spec.slope !== undefined ? spec.slope : LEAKY_RELU_DEFAULT_SLOPE;
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** The scalar activation φ(x). */
export function phi(spec: ActivationSpec, x: number): number {
  switch (activationName(spec)) {
    case 'linear': return x;
    case 'sigmoid': return sigmoid(x);
    case 'tanh': return Math.tanh(x);
    case 'relu': return x > 0 ? x : 0;
    case 'leaky_relu': return x > 0 ? x : leakySlope(spec) * x;
    case 'elu': return x > 0 ? x : ELU_ALPHA * Math.expm1(x);
    case 'selu': return x > 0 ? SELU_LAMBDA * x : SELU_LAMBDA * SELU_ALPHA * Math.expm1(x);
    case 'gelu': return x * normalCdf(x);
    case 'softsign': return x / (1 + Math.abs(x));
    case 'silu': return x * sigmoid(x);
  }
}

/** The scalar derivative φ'(x). */
export function dphi(spec: ActivationSpec, x: number): number {
  switch (activationName(spec)) {
    case 'linear': return 1;
    case 'sigmoid': { const s = sigmoid(x); return s * (1 - s); }
    case 'tanh': { const t = Math.tanh(x); return 1 - t * t; }
    case 'relu': return x > 0 ? 1 : 0;
    case 'leaky_relu': return x > 0 ? 1 : leakySlope(spec);
    case 'elu': return x > 0 ? 1 : ELU_ALPHA * Math.exp(x);
    case 'selu': return x > 0 ? SELU_LAMBDA : SELU_LAMBDA * SELU_ALPHA * Math.exp(x);
    case 'gelu': return normalCdf(x) + x * normalPdf(x);
    case 'softsign': { const d = 1 + Math.abs(x); return 1 / (d * d); }
    case 'silu': { const s = sigmoid(x); return s * (1 + x * (1 - s)); }
  }
}

/** sup_x φ'(x): the reference for "saturated" (φ' below 5% of it). */
export function maxDerivative(spec: ActivationSpec): number {
  switch (activationName(spec)) {
    case 'linear': return 1;
    case 'sigmoid': return 0.25;
    case 'tanh': return 1;
    case 'relu': return 1;
    case 'leaky_relu': return Math.max(1, leakySlope(spec));
    case 'elu': return 1;
    case 'selu': return SELU_LAMBDA * SELU_ALPHA; // the left limit at 0 (≈ 1.7581) exceeds λ on the right
    case 'gelu': return GELU_MAX_DERIVATIVE;
    case 'softsign': return 1;
    case 'silu': return SILU_MAX_DERIVATIVE;
  }
}

/** SiLU' = σ(1 + x(1-σ)) peaks where SiLU'' = σ(1-σ)(2 + x(1-2σ)) = 0; Newton on g(x) = 2 + x(1-2σ(x)). */
function siluMaxDerivative(): number {
  let x = 2.4;
  for (let i = 0; i < 50; i++) {
    const s = sigmoid(x);
    const g = 2 + x * (1 - 2 * s);
    const dg = 1 - 2 * s - 2 * x * s * (1 - s);
    const step = g / dg;
    x -= step;
    if (Math.abs(step) < 1e-15) break;
  }
  const s = sigmoid(x);
  return s * (1 + x * (1 - s));
}

/** out[i] = φ(pre[i]) for i < n. */
export function activationForward(out: FloatArray, pre: FloatArray, n: number, spec: ActivationSpec): void {
  // pre (n), out (n)
  switch (activationName(spec)) {
    case 'linear':
      for (let i = 0; i < n; i++) out[i] = pre[i];
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = sigmoid(pre[i]);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(pre[i]);
      return;
    case 'relu':
      for (let i = 0; i < n; i++) { const x = pre[i]; out[i] = x > 0 ? x : 0; }
      return;
    case 'leaky_relu': {
      const a = leakySlope(spec);
      for (let i = 0; i < n; i++) { const x = pre[i]; out[i] = x > 0 ? x : a * x; }
      return;
    }
    case 'elu':
      for (let i = 0; i < n; i++) { const x = pre[i]; out[i] = x > 0 ? x : ELU_ALPHA * Math.expm1(x); }
      return;
    case 'selu': {
      const la = SELU_LAMBDA * SELU_ALPHA;
      for (let i = 0; i < n; i++) { const x = pre[i]; out[i] = x > 0 ? SELU_LAMBDA * x : la * Math.expm1(x); }
      return;
    }
    case 'gelu':
      for (let i = 0; i < n; i++) { const x = pre[i]; out[i] = x * normalCdf(x); }
      return;
    case 'softsign':
      for (let i = 0; i < n; i++) { const x = pre[i]; out[i] = x / (1 + Math.abs(x)); }
      return;
    case 'silu':
      for (let i = 0; i < n; i++) { const x = pre[i]; out[i] = x * sigmoid(x); }
      return;
  }
}

/**
 * dpre[i] = dact[i] · φ'(pre[i]) for i < n (overwrites dpre). sigmoid and tanh use act = φ(pre)
 * (σ(1-σ), 1-t², as PyTorch does); the rest compute φ' from pre, which stays exact where φ saturates.
 */
export function activationBackward(
  dpre: FloatArray, dact: FloatArray, pre: FloatArray, act: FloatArray, n: number, spec: ActivationSpec,
): void {
  // dact, pre, act (n) → dpre (n)
  switch (activationName(spec)) {
    case 'linear':
      for (let i = 0; i < n; i++) dpre[i] = dact[i];
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) { const s = act[i]; dpre[i] = dact[i] * s * (1 - s); }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) { const t = act[i]; dpre[i] = dact[i] * (1 - t * t); }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) dpre[i] = pre[i] > 0 ? dact[i] : 0;
      return;
    case 'leaky_relu': {
      const a = leakySlope(spec);
      for (let i = 0; i < n; i++) dpre[i] = pre[i] > 0 ? dact[i] : a * dact[i];
      return;
    }
    case 'elu':
      for (let i = 0; i < n; i++) { const x = pre[i]; dpre[i] = x > 0 ? dact[i] : dact[i] * ELU_ALPHA * Math.exp(x); }
      return;
    case 'selu': {
      const la = SELU_LAMBDA * SELU_ALPHA;
      for (let i = 0; i < n; i++) { const x = pre[i]; dpre[i] = dact[i] * (x > 0 ? SELU_LAMBDA : la * Math.exp(x)); }
      return;
    }
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const x = pre[i];
        dpre[i] = dact[i] * (normalCdf(x) + x * normalPdf(x));
      }
      return;
    case 'softsign':
      for (let i = 0; i < n; i++) { const d = 1 + Math.abs(pre[i]); dpre[i] = dact[i] / (d * d); }
      return;
    case 'silu':
      for (let i = 0; i < n; i++) {
        const x = pre[i];
        const s = sigmoid(x);
        dpre[i] = dact[i] * s * (1 + x * (1 - s));
      }
      return;
  }
}
