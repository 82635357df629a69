// Summary statistics over float buffers, accumulated in float64: the one mean/variance that LSUV (network.ts)
// and the per-layer diagnostics (diagnostics.ts) both use.
import type { FloatArray } from './linear.js';

/** Population mean and variance (mean subtracted, divided by n) of x[0..n); both 0 when n is 0. */
export function meanVariance(x: FloatArray, n: number): { mean: number; variance: number } {
  if (n === 0) return { mean: 0, variance: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) { const d = x[i] - mean; sq += d * d; }
  return { mean, variance: sq / n };
}
