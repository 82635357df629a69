// η² against hand computations, and the rank bins used for settings with many distinct values.
import { describe, expect, it } from 'vitest';
import { etaSquared, quantileGroups } from '../../server/analysis/importance.js';

describe('etaSquared', () => {
  it('is SS_between / SS_total: 13.5 / 17.5 for 1, 2, 3 against 4, 5, 6', () => {
    // grand mean 3.5; SS_total = 6.25 + 2.25 + 0.25 + 0.25 + 2.25 + 6.25 = 17.5;
    // group means 2 and 5; SS_between = 3 · 1.5² + 3 · 1.5² = 13.5
    const result = etaSquared([1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1], 2);
    expect(result.eta2).toBeCloseTo(13.5 / 17.5, 12);
    expect(result.groupMeans).toEqual([2, 5]);
    expect(result.groupCounts).toEqual([3, 3]);
    expect(result.n).toBe(6);
    expect(result.chance).toBeCloseTo(1 / 5, 12);   // (k − 1) / (n − 1)
  });

  it('handles unequal groups and an empty group: accuracies 0.9, 0.8 | 0.5, 0.6, 0.4', () => {
    // grand mean 0.64; SS_total = 0.0676 + 0.0256 + 0.0196 + 0.0016 + 0.0576 = 0.172;
    // means 0.85 and 0.5: SS_between = 2 · 0.21² + 3 · 0.14² = 0.0882 + 0.0588 = 0.147
    const result = etaSquared([0.9, 0.8, 0.5, 0.6, 0.4], [0, 0, 2, 2, 2], 3);
    expect(result.eta2).toBeCloseTo(0.147 / 0.172, 10);
    expect(result.groupCounts).toEqual([2, 0, 3]);
    expect(result.groupMeans[0]).toBeCloseTo(0.85, 12);
    expect(result.groupMeans[1]).toBeNull();
    expect(result.groupMeans[2]).toBeCloseTo(0.5, 12);
    expect(result.chance).toBeCloseTo(1 / 4, 12);   // two non-empty groups of five values
  });

  it('is 1 when the groups explain everything, 0 when their means are equal, null without variance', () => {
    expect(etaSquared([0.2, 0.2, 0.9, 0.9], [0, 0, 1, 1], 2).eta2).toBeCloseTo(1, 12);
    expect(etaSquared([0.1, 0.3, 0.3, 0.1], [0, 0, 1, 1], 2).eta2).toBe(0);
    expect(etaSquared([0.5, 0.5, 0.5], [0, 1, 1], 2).eta2).toBeNull();
    expect(etaSquared([], [], 2)).toMatchObject({ eta2: null, chance: null, n: 0 });
  });
});

describe('quantileGroups', () => {
  it('splits values into bins of about equal size by rank, keeping ties together', () => {
    const values = [0.5, 0.1, 0.4, 0.2, 0.3, 0.3, 0.6, 0.8, 0.7, 0.9];
    const { groups, ranges } = quantileGroups(values, 5);
    // sorted: 0.1 0.2 | 0.3 0.3 | 0.4 0.5 | 0.6 0.7 | 0.8 0.9
    expect(ranges).toEqual([[0.1, 0.2], [0.3, 0.3], [0.4, 0.5], [0.6, 0.7], [0.8, 0.9]]);
    expect([...groups]).toEqual([2, 0, 2, 0, 1, 1, 3, 4, 3, 4]);
    const tied = quantileGroups([1, 1, 1, 1, 2, 3], 3);
    expect(tied.ranges).toEqual([[1, 1], [2, 3]]);
  });
});
