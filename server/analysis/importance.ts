// How much of the variance in a final metric each varied setting explains on its own: η² = SS_between / SS_total
// of the metric grouped by the setting's value (one-way ANOVA's effect size). Pure functions over flat arrays.
// η² of one setting ignores its interactions with the others, and is biased upward with few runs per group: under
// no effect at all its expected value is (k − 1) / (n − 1) for k groups of n runs, which `chance` reports.

export interface EtaSquared {
  /** SS_between / SS_total; null when the metric does not vary (SS_total = 0) or there are no values. */
  eta2: number | null;
  /** (k − 1) / (n − 1): η²'s expected value when the grouping explains nothing; null below two values. */
  chance: number | null;
  n: number;
  /** Per group, in group index order: its runs and its mean (null for an empty group). */
  groupCounts: number[];
  groupMeans: Array<number | null>;
}

/**
 * η² of `values` grouped by `groups` (group index of each value, 0 … groupCount − 1). Two passes: the grand and
 * group means, then the sums of squares around them.
 */
export function etaSquared(values: ArrayLike<number>, groups: ArrayLike<number>, groupCount: number): EtaSquared {
  const n = values.length;
  const sums = new Float64Array(groupCount);
  const counts = new Array<number>(groupCount).fill(0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums[groups[i]] += values[i];
    counts[groups[i]]++;
    total += values[i];
  }
  const groupMeans = counts.map((c, g) => (c > 0 ? sums[g] / c : null));
  if (n === 0) return { eta2: null, chance: null, n, groupCounts: counts, groupMeans };
  const mean = total / n;
  let ssTotal = 0;
  for (let i = 0; i < n; i++) ssTotal += (values[i] - mean) ** 2;
  let ssBetween = 0;
  for (let g = 0; g < groupCount; g++) {
    if (counts[g] > 0) ssBetween += counts[g] * ((groupMeans[g] as number) - mean) ** 2;
  }
  const nonEmpty = counts.filter((c) => c > 0).length;
  return {
    // rounding leaves ~1e-27 where the group means are equal, and can push SS_between past SS_total: clamp to [0, 1]
    eta2: ssTotal > 0 ? (ssBetween <= ssTotal * 1e-12 ? 0 : Math.min(1, ssBetween / ssTotal)) : null,
    chance: n > 1 ? (nonEmpty - 1) / (n - 1) : null,
    n,
    groupCounts: counts,
    groupMeans,
  };
}

/**
 * Group indices for a numeric setting with many distinct values (random search): `bins` groups of about equal
 * size by rank, ties kept in one group. Returns each value's group and each group's [lo, hi].
 */
export function quantileGroups(values: ArrayLike<number>, bins: number): { groups: Int32Array; ranges: Array<[number, number]> } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const groups = new Int32Array(n);
  const ranges: Array<[number, number]> = [];
  let group = -1;
  let start = 0;
  for (let r = 0; r < n; r++) {
    const v = values[order[r]];
    const boundary = Math.floor((start * bins) / n) !== Math.floor((r * bins) / n) || r === 0;
    if (boundary && (r === 0 || v !== values[order[r - 1]])) {
      group++;
      start = r;
      ranges.push([v, v]);
    }
    groups[order[r]] = group;
    ranges[group][1] = v;
  }
  return { groups, ranges };
}
