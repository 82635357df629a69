// Fixed points, χ₁ and depth scales of signal propagation, against closed forms (linear, relu) and against an
// independent numerical integration with scipy (test/fixtures/signal-propagation-reference.py, printed values).
import { describe, expect, it } from 'vitest';
import {
  correlationMap, criticalWeightVariance, lengthFixedPoint, productExpectation, signalPropagation,
} from '../../workers/core/signal-propagation.js';

const close = (value: number, reference: number, relative = 1e-8) =>
  expect(Math.abs(value - reference)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(reference)));

describe('signal propagation in closed form', () => {
  it('relu: q* = σ_b² / (1 − σ_w²/2), χ₁ = σ_w²/2, ordered below σ_w² = 2 with ξ_c = −1/log(σ_w²/2)', () => {
    const r = signalPropagation('relu', 1, 0.1);
    close(r.qStar, 0.1 / 0.5);
    close(r.chi1, 0.5);
    close(r.chiQ, 0.5);
    expect(r.phase).toBe('ordered');
    expect(r.cStar).toBe(1);
    close(r.xiC, -1 / Math.log(0.5));
  });

  it('linear: q* = σ_b² / (1 − σ_w²), χ₁ = σ_w², and the critical σ_w² is 1 whatever σ_b²', () => {
    const r = signalPropagation('linear', 0.6, 0.2);
    close(r.qStar, 0.2 / 0.4);
    close(r.chi1, 0.6);
    close(criticalWeightVariance('linear', 0.2), 1, 1e-8);
  });

  it('relu correlations follow the arc-cosine kernel: E[φ(u₁)φ(u₂)] = q/(2π)·(√(1−c²) + (π − arccos c)·c)', () => {
    for (const c of [-0.5, 0.3, 0.9]) {
      const kernel = (2 / (2 * Math.PI)) * (Math.sqrt(1 - c * c) + (Math.PI - Math.acos(c)) * c);
      close(productExpectation((x) => Math.max(x, 0), 2, c), kernel, 1e-7);
    }
  });
});

describe('signal propagation against scipy', () => {
  // [σ_w², σ_b², q*, χ₁, c*, χ_c] for tanh, from test/fixtures/signal-propagation-reference.py
  const cases: Array<[number, number, number, number, number, number]> = [
    [0.8, 0.05, 0.138080277966, 0.646838513353, 1, 0.646838513353],
    [1.5, 0.05, 0.418037200533, 0.938636268199, 1, 0.938636268199],
    [2.5, 0.1, 1.14909302916, 1.09980109801, 0.664361346727, 0.928398958281],
    [4.0, 0.3, 2.54836202765, 1.25687168971, 0.575394774363, 0.858405096055],
  ];
  it.each(cases)('tanh at σ_w² = %f, σ_b² = %f', (sw2, sb2, q, chi1, cStar, chiC) => {
    const r = signalPropagation('tanh', sw2, sb2);
    close(r.qStar, q, 1e-9);
    close(r.chi1, chi1, 1e-9);
    close(r.cStar, cStar, 1e-8);
    close(r.chiC, chiC, 1e-8);
    expect(r.phase).toBe(chi1 < 1 ? 'ordered' : 'chaotic');
    if (cStar < 1) close(correlationMap('tanh', sw2, sb2, r.qStar, r.cStar), r.cStar, 1e-9); // a fixed point
    expect(r.xiC).toBeCloseTo(-1 / Math.log(chiC), 6);
  });

  it('puts the order-to-chaos boundary of tanh where χ₁ = 1', () => {
    const w = criticalWeightVariance('tanh', 0.05);
    close(signalPropagation('tanh', w, 0.05).chi1, 1, 1e-8);
    expect(w).toBeGreaterThan(1.5);
    expect(w).toBeLessThan(2.5);
    // without bias the boundary is σ_w² = 1 (q* = 0, where tanh′(0)² = 1)
    close(lengthFixedPoint('tanh', 0.9, 0), 0, 1e-6);
  });
});
