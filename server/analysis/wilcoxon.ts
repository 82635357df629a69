// The Wilcoxon signed-rank test of paired differences, two-sided, choosing its method the way scipy.stats.wilcoxon
// (1.17, method='auto', correction=False) does, so a p-value here can be reproduced with one scipy call.
import { normalSf } from './distributions.js';

/**
 * How the p-value was computed:
 * - 'exact': no ties and no zero differences, n ≤ 50: the exact null distribution of R+ (by dynamic programming);
 * - 'permutation': ties or zeros, n ≤ 13: all 2^n sign flips of the observed ranks, which is exact given the ties
 *   (scipy enumerates them in `permutation_test`; here the same distribution comes from the same DP over half-ranks);
 * - 'asymptotic': otherwise, the normal approximation with the tie correction of the variance (and, with
 *   zeroMethod 'pratt', Cureton's correction for the zeros), without continuity correction.
 */
export type WilcoxonMethod = 'exact' | 'permutation' | 'asymptotic';

/** 'wilcox' drops zero differences before ranking (scipy's default); 'pratt' ranks them, then gives them no sign. */
export type ZeroMethod = 'wilcox' | 'pratt';

export interface WilcoxonOptions {
  zeroMethod?: ZeroMethod;
  /**
   * Differences within this distance of each other are ties, and within it of 0 are zeros. 0 (the default) compares
   * exactly, as scipy does; the paired comparison passes a tolerance so that accuracies like 0.93 − 0.91 and
   * 0.95 − 0.93, unequal only in the last bits, tie.
   */
  tolerance?: number;
}

export interface WilcoxonResult {
  /** min(R+, R−), scipy's two-sided statistic. */
  statistic: number;
  rankSumPositive: number;
  rankSumNegative: number;
  pValue: number;
  method: WilcoxonMethod;
  /** Differences that took part (zeros excluded with 'wilcox'). */
  n: number;
  zeros: number;
  hasTies: boolean;
  /** The standardized R+ of the normal approximation; null unless method is 'asymptotic'. */
  z: number | null;
}

/** Average ranks (1-based) of values already sorted ascending, ties as groups of equal keys. */
function averageRanks(sortedKeys: readonly number[]): { ranks: number[]; tieGroups: number[] } {
  const ranks = new Array<number>(sortedKeys.length);
  const tieGroups: number[] = [];
  for (let i = 0; i < sortedKeys.length;) {
    let j = i;
    while (j + 1 < sortedKeys.length && sortedKeys[j + 1] === sortedKeys[i]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    if (j > i) tieGroups.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, tieGroups };
}

/**
 * The null distribution of Σ wᵢ·[dᵢ > 0] when each sign is + or − with probability 1/2: probabilities indexed by
 * the sum of integer weights (here twice the ranks, so average ranks of ties stay integers).
 */
function signFlipDistribution(weights: readonly number[]): Float64Array {
  const total = weights.reduce((s, w) => s + w, 0);
  let pmf = new Float64Array(total + 1);
  pmf[0] = 1;
  let reach = 0;
  for (const w of weights) {
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= reach; s++) {
      if (pmf[s] === 0) continue;
      next[s] += pmf[s] / 2;
      next[s + w] += pmf[s] / 2;
    }
    reach += w;
    pmf = next;
  }
  return pmf;
}

/** Two-sided Wilcoxon signed-rank test of `differences` (x − y per pair) against a median of 0. */
export function wilcoxonSignedRank(differences: readonly number[], options: WilcoxonOptions = {}): WilcoxonResult {
  const zeroMethod = options.zeroMethod ?? 'wilcox';
  const tolerance = options.tolerance ?? 0;
  if (differences.some((d) => !Number.isFinite(d))) throw new RangeError('differences must be finite numbers');
  // Snap to the tolerance grid so "equal within tolerance" is an equivalence (ties are exact key equality).
  const keyed = differences.map((d) => (tolerance > 0 ? Math.round(d / tolerance) : d));
  const zeros = keyed.filter((k) => k === 0).length;
  const ranked = differences
    .map((d, i) => ({ d, key: Math.abs(keyed[i]), zero: keyed[i] === 0 }))
    .filter((x) => zeroMethod === 'pratt' || !x.zero)
    .sort((x, y) => x.key - y.key);
  const n = ranked.length;
  const { ranks, tieGroups } = averageRanks(ranked.map((x) => x.key));
  let rankSumPositive = 0;
  let rankSumNegative = 0;
  ranked.forEach((x, i) => {
    if (x.zero) return;
    if (x.d > 0) rankSumPositive += ranks[i];
    else rankSumNegative += ranks[i];
  });
  const statistic = Math.min(rankSumPositive, rankSumNegative);
  // With 'pratt' the zeros form the lowest tie group, which is not a tie among signed values.
  const signedTieGroups = zeroMethod === 'pratt' && zeros > 1 ? tieGroups.slice(1) : tieGroups;
  const hasTies = tieGroups.length > 0;
  const base = { statistic, rankSumPositive, rankSumNegative, n, zeros, hasTies };

  const size = differences.length;   // scipy decides on the sample size before zeros are dropped
  const method: WilcoxonMethod = size > 50 ? 'asymptotic'
    : !hasTies && zeros === 0 ? 'exact'
      : size <= 13 ? 'permutation' : 'asymptotic';

  if (method !== 'asymptotic') {
    // Only signed (non-zero) differences flip; their doubled ranks are integers even when ties average them.
    const weights = ranked.flatMap((x, i) => (x.zero ? [] : [Math.round(2 * ranks[i])]));
    const pmf = signFlipDistribution(weights);
    const observed = Math.round(2 * rankSumPositive);
    let lower = 0;
    let upper = 0;
    for (let s = 0; s < pmf.length; s++) {
      if (s <= observed) lower += pmf[s];
      if (s >= observed) upper += pmf[s];
    }
    return { ...base, pValue: Math.min(1, 2 * Math.min(lower, upper)), method, z: null };
  }

  let mean = (n * (n + 1)) / 4;
  let variance = n * (n + 1) * (2 * n + 1);
  if (zeroMethod === 'pratt') {
    mean -= (zeros * (zeros + 1)) / 4;
    variance -= zeros * (zeros + 1) * (2 * zeros + 1);
  }
  const tieCorrection = signedTieGroups.reduce((s, t) => s + t ** 3 - t, 0);
  const se = Math.sqrt((variance - tieCorrection / 2) / 24);
  if (se === 0) return { ...base, pValue: Number.NaN, method, z: null };   // nothing left to rank (scipy: NaN)
  const z = (rankSumPositive - mean) / se;
  return { ...base, pValue: Math.min(1, 2 * normalSf(Math.abs(z))), method, z };
}
