// Measured correlation propagation at initialization against the mean-field correlation map.
import { describe, expect, it } from 'vitest';
import { correlationIterates, correlationPropagation, measureCorrelations } from '../../workers/core/correlation-propagation.js';
import { createNetwork } from '../../workers/core/network.js';
import { createRng } from '../../workers/core/rng.js';
import { signalPropagation } from '../../workers/core/signal-propagation.js';
import type { NetworkSpec } from '../../workers/core/types.js';

const D = 100;
const WIDTH = 1000;
const DEPTH = 10;
const SEEDS = 8;
const SIGMA_B2 = 0.05;

/** Two N(0, I) inputs with correlation 0.6 (the same pair for every network). */
function inputPair(): [Float32Array, Float32Array] {
  const rng = createRng(7, 0);
  const x1 = new Float32Array(D);
  const x2 = new Float32Array(D);
  for (let i = 0; i < D; i++) {
    const a = rng.normal();
    x1[i] = a;
    x2[i] = 0.6 * a + 0.8 * rng.normal();
  }
  return [x1, x2];
}

const tanhSpec = (sigmaW2: number, width = WIDTH, depth = DEPTH): NetworkSpec => ({
  inputs: D, outputs: 2, hidden: new Array<number>(depth).fill(width), activation: 'tanh', loss: 'cross_entropy',
  init: { name: 'lecun_normal', gain: Math.sqrt(sigmaW2) }, biasInit: { name: 'normal', std: Math.sqrt(SIGMA_B2) },
});

describe('correlation propagation at initialization', () => {
  const [x1, x2] = inputPair();

  // Tolerance: at width N the cosine of two layers' pre-activations has sampling sd ≈ (1 − c²)/√N ≤ 0.032 at
  // N = 1000; the mean over 8 seeds ≈ 0.011. Each layer's error is carried on with slope χ_c ≤ ~1 here, so after
  // 10 layers it is at most ≈ √10 · 0.011 ≈ 0.035 (1 sd), plus finite-width drift of order depth/N = 0.01.
  // 0.05 is ~1.4 sd at the deepest layer and 4 sd at the first; a 32-seed run at width 500 (outside the suite)
  // agreed to 0.03 over 12 layers, with no systematic offset at the first layers.
  const TOLERANCE = 0.05;

  for (const sigmaW2 of [1, 4]) {
    it(`follows the mean-field c-map within ${TOLERANCE} at every layer of a 10 × 1000 tanh net, σ_w² = ${sigmaW2}, σ_b² = 0.05 (mean of 8 seeds)`, () => {
      const measured = new Array<number>(DEPTH).fill(0);
      let theory: number[] = [];
      for (let seed = 1; seed <= SEEDS; seed++) {
        const profile = correlationPropagation(createNetwork(tanhSpec(sigmaW2), seed), x1, x2);
        profile.measured.forEach((c, l) => { measured[l] += c / SEEDS; });
        theory = profile.theory;
        expect(profile.inputCosine).toBeGreaterThan(0.4); // 0.6 in distribution, 0.49 for this draw
      }
      expect(theory).toHaveLength(DEPTH);
      for (let l = 0; l < DEPTH; l++) expect(Math.abs(measured[l] - theory[l]), `layer ${l}`).toBeLessThan(TOLERANCE);
    });
  }

  it('tells the phases apart by more than the tolerance: ordered correlations rise toward 1, chaotic ones fall', () => {
    const ordered = measureCorrelations(createNetwork(tanhSpec(1), 1), x1, x2);
    const chaotic = measureCorrelations(createNetwork(tanhSpec(4), 1), x1, x2);
    expect(ordered[DEPTH - 1]).toBeGreaterThan(0.9);
    expect(chaotic[DEPTH - 1]).toBeLessThan(0.4);
  });

  it('iterates to the c-map fixed point c* of signal-propagation.ts when the inputs start at q*', () => {
    for (const sigmaW2 of [2.5, 4]) {
      const { qStar, cStar } = signalPropagation('tanh', sigmaW2, SIGMA_B2);
      // mean squares per feature chosen so layer 0 lands on q*: σ_w² m + σ_b² = q*
      const m = (qStar - SIGMA_B2) / sigmaW2;
      const layers = 120; // ξ_c ≤ 12 here: the gap to c* shrinks by e^(−120/12) ≈ 5e-5
      const cs = correlationIterates('tanh', new Array(layers).fill(sigmaW2), new Array(layers).fill(SIGMA_B2), m, m, 0.5 * m);
      expect(cs[layers - 1]).toBeCloseTo(cStar, 3);
    }
  });

  it('gives the same iterate to 1e-4 with the fixed rule a page uses as with the adaptive integrals', () => {
    const w = [1.2, 4, 4, 2.5, 2.5, 1];
    const b = [0.05, 0.05, 0.05, 0.3, 0.3, 0.05];
    const adaptive = correlationIterates('tanh', w, b, 1, 1.5, 0.4);
    const fixed = correlationIterates('tanh', w, b, 1, 1.5, 0.4, 'fixed');
    for (let l = 0; l < w.length; l++) expect(Math.abs(fixed[l] - adaptive[l])).toBeLessThan(1e-4);
  });

  it('keeps a linear layer exact: c₀ = (σ_w² x₁·x₂/n + σ_b²)/√(q₁ q₂)', () => {
    const [c0] = correlationIterates('tanh', [2], [0.5], 1, 4, 1);
    expect(c0).toBeCloseTo((2 + 0.5) / Math.sqrt(2.5 * 8.5), 12);
  });
});
