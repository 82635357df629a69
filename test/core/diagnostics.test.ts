// The saturation bound the engines count against: the |x| where φ' falls below 5% of its maximum.
import { describe, expect, it } from 'vitest';
import { dphi, maxDerivative, SATURATION_LEVEL, saturationBound } from '../../workers/core/index.js';

describe('saturationBound', () => {
  it.each(['sigmoid', 'tanh', 'softsign'] as const)('is where %s′ crosses 5% of its maximum', (activation) => {
    const bound = saturationBound(activation);
    const limit = SATURATION_LEVEL * maxDerivative(activation);
    expect(dphi(activation, bound)).toBeGreaterThanOrEqual(limit);
    expect(dphi(activation, bound * (1 + 1e-12))).toBeLessThan(limit);
    expect(dphi(activation, -bound * (1 + 1e-12))).toBeLessThan(limit);
  });

  it('matches the closed forms: tanh′ = 1 - t², softsign′ = 1/(1 + |x|)²', () => {
    expect(saturationBound('tanh')).toBeCloseTo(Math.atanh(Math.sqrt(1 - SATURATION_LEVEL)), 9);
    expect(saturationBound('softsign')).toBeCloseTo(1 / Math.sqrt(SATURATION_LEVEL) - 1, 9);
  });

  it('is infinite for activations that do not saturate', () => {
    for (const activation of ['relu', 'linear', 'selu', 'gelu'] as const) expect(saturationBound(activation)).toBe(Infinity);
  });
});
