// The plotting-grade ξ_c of depth-scale-curve.ts against signal-propagation.ts's adaptive integrals.
import { describe, expect, it } from 'vitest';
import { depthScaleAt, depthScaleCurve } from '../../workers/core/depth-scale-curve.js';
import { signalPropagation } from '../../workers/core/signal-propagation.js';

describe('depth scale curve', () => {
  for (const [activation, sigmaW2, sigmaB2] of [
    ['tanh', 1, 0.05], ['tanh', 1.5, 0.05], ['tanh', 2.5, 0.05], ['tanh', 4, 0.05], ['tanh', 3, 0.3],
    ['sigmoid', 20, 0.05], ['relu', 1.5, 0.1],
  ] as const) {
    it(`matches signalPropagation's ξ_c, χ₁ and c* within 0.1% for ${activation} at σ_w² = ${sigmaW2}, σ_b² = ${sigmaB2}`, () => {
      const exact = signalPropagation(activation, sigmaW2, sigmaB2);
      const fast = depthScaleAt(activation, sigmaW2, sigmaB2);
      expect(Math.abs(fast.chi1 / exact.chi1 - 1)).toBeLessThan(1e-3);
      expect(Math.abs(fast.cStar - exact.cStar)).toBeLessThan(1e-3);
      expect(Math.abs(fast.xiC / exact.xiC - 1)).toBeLessThan(1e-3);
    });
  }

  it('peaks at the order-to-chaos boundary (σ_w² ≈ 1.76 for tanh at σ_b² = 0.05) and is finite on both sides', () => {
    const curve = depthScaleCurve('tanh', 0.05, [1, 1.5, 1.7, 1.76, 1.8, 2, 3, 4]);
    const peak = curve.reduce((a, b) => (b.xiC > a.xiC ? b : a));
    expect(peak.sigmaW2).toBe(1.76);
    expect(curve[0].xiC).toBeLessThan(5);
    expect(curve[7].xiC).toBeLessThan(10);
  });
});
