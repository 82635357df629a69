// Power of the two-sided paired t-test and the number of pairs (seeds) a given standardized effect needs.
// The effect size put in is usually estimated from the same few seeds, so the answer is a rough guide, not a plan.
import { noncentralTCdf, normalQuantile, studentTQuantile } from './distributions.js';

/**
 * Power of the two-sided paired t-test at level `alpha` with `n` pairs when the true mean difference is
 * `effectSize` standard deviations of the differences (Cohen's d_z): the noncentral t with n − 1 degrees of freedom
 * and noncentrality d_z·√n beyond ± the critical value.
 */
export function pairedTPower(effectSize: number, n: number, alpha = 0.05): number {
  if (n < 2) return Number.NaN;
  const df = n - 1;
  const critical = studentTQuantile(1 - alpha / 2, df);
  const delta = Math.abs(effectSize) * Math.sqrt(n);
  return 1 - noncentralTCdf(critical, df, delta) + noncentralTCdf(-critical, df, delta);
}

export interface SeedsNeededOptions {
  power?: number;   // default 0.8
  alpha?: number;   // default 0.05
  max?: number;     // give up above this many pairs; default 100,000
}

/**
 * The smallest number of pairs (at least 2) whose paired t-test reaches `power` for a true effect of `effectSize`
 * (d_z); null for no effect (0 or NaN) or when more than `max` pairs would be needed.
 */
export function seedsNeeded(effectSize: number, options: SeedsNeededOptions = {}): number | null {
  const power = options.power ?? 0.8;
  const alpha = options.alpha ?? 0.05;
  const max = options.max ?? 100_000;
  const d = Math.abs(effectSize);
  if (!(d > 0)) return null;
  if (d === Infinity) return 2;
  // Start from the normal approximation, which never asks for more than the t-test needs, then step up.
  const zSum = -normalQuantile(alpha / 2) - normalQuantile(1 - power);
  let n = Math.max(2, Math.floor((zSum / d) ** 2));
  if (n > max) return null;
  while (n > 2 && pairedTPower(d, n - 1, alpha) >= power) n--;
  while (pairedTPower(d, n, alpha) < power) {
    n++;
    if (n > max) return null;
  }
  return n;
}
