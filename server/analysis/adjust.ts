// Multiple-comparison adjustment of a family of p-values: Holm's step-down (controls the family-wise error rate)
// and Benjamini–Hochberg's step-up (controls the false discovery rate). Same values as statsmodels'
// multipletests(method='holm' / 'fdr_bh'). A null (no test possible) stays null and is not counted in the family.

function testedIndices(pValues: readonly (number | null)[]): number[] {
  const indices: number[] = [];
  pValues.forEach((p, i) => {
    if (p !== null && !Number.isNaN(p)) indices.push(i);
  });
  return indices;
}

/** Holm (1979): the k-th smallest of m p-values times (m − k + 1), made monotone, capped at 1. */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const order = testedIndices(pValues).sort((i, j) => pValues[i]! - pValues[j]!);
  const m = order.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  order.forEach((index, k) => {
    running = Math.max(running, Math.min(1, (m - k) * pValues[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Benjamini–Hochberg (1995): the k-th smallest of m p-values times m / k, made monotone from the top, capped at 1. */
export function benjaminiHochbergAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const order = testedIndices(pValues).sort((i, j) => pValues[i]! - pValues[j]!);
  const m = order.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const index = order[k];
    running = Math.min(running, (m / (k + 1)) * pValues[index]!);
    adjusted[index] = Math.min(1, running);
  }
  return adjusted;
}
