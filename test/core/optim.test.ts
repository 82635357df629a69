// Optimizer steps against hand-computed PyTorch updates, weight decay on weights only, and gradient clipping.
import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../../workers/core/types.js';
import { createOptimizer } from '../../workers/core/optim.js';
import { clipGradients, gradNorm } from '../../workers/core/clip.js';
import { computeLayout } from '../../workers/core/network.js';

type Train = RunConfig['train'];
function train(overrides: Partial<Train>): Train {
  return {
    epochs: 1, batchSize: 1, loss: 'mse', optimizer: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false,
    beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: { mode: 'none' }, probeSize: 1,
    ...overrides,
  };
}

// Two layers 2 → 1 → 1: params [w00, w01, b0, w10, b1]; weights at 0, 1, 3 and biases at 2, 4.
const { layout, numParams } = computeLayout({ inputs: 2, outputs: 1, hidden: [1], activation: 'linear', init: 'zeros', loss: 'mse' });
const P0 = [1, -2, 0.5, 3, -1];
const G1 = [0.5, 0.2, -0.3, 0.4, 0.5];
const G2 = [-0.2, 0.1, 0.3, -0.4, 0.0];

function run(config: Train, grads: number[][], start = P0): Float32Array {
  const opt = createOptimizer(config, layout, numParams);
  const params = Float32Array.from(start);
  for (const g of grads) opt.step(params, Float32Array.from(g));
  return params;
}

function expectClose(actual: Float32Array, expected: number[], digits = 6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], digits);
}

describe('layout used by the optimizers', () => {
  it('puts each layer as W then bias', () => {
    expect(numParams).toBe(5);
    expect(layout).toEqual([
      { fanIn: 2, fanOut: 1, wOffset: 0, bOffset: 2 },
      { fanIn: 1, fanOut: 1, wOffset: 3, bOffset: 4 },
    ]);
  });
});

describe('sgd', () => {
  it('takes p -= lr·g', () => {
    const p = run(train({ optimizer: 'sgd', lr: 0.1 }), [G1]);
    expectClose(p, [1 - 0.05, -2 - 0.02, 0.5 + 0.03, 3 - 0.04, -1 - 0.05]);
  });

  it('adds weight decay wd·p to the gradient of weights only', () => {
    const p = run(train({ optimizer: 'sgd', lr: 0.1, weightDecay: 0.01 }), [G1]);
    // w00: 1 - 0.1·(0.5 + 0.01·1) = 0.949; w01: -2 - 0.1·(0.2 - 0.02) = -2.018; w10: 3 - 0.1·(0.4 + 0.03) = 2.957
    expectClose(p, [0.949, -2.018, 0.53, 2.957, -1.05]);
  });
});

describe('momentum', () => {
  it('follows PyTorch: buf = μ·buf + g, p -= lr·buf over two steps', () => {
    const p = run(train({ optimizer: 'momentum', lr: 0.1, momentum: 0.9 }), [G1, G2]);
    // w00: step 1 buf = 0.5, p = 0.95; step 2 buf = 0.45 - 0.2 = 0.25, p = 0.925
    // b0:  step 1 buf = -0.3, p = 0.53; step 2 buf = -0.27 + 0.3 = 0.03, p = 0.527
    expect(p[0]).toBeCloseTo(0.925, 6);
    expect(p[2]).toBeCloseTo(0.527, 6);
    for (let i = 0; i < 5; i++) {
      const buf2 = 0.9 * G1[i] + G2[i];
      expect(p[i]).toBeCloseTo(P0[i] - 0.1 * G1[i] - 0.1 * buf2, 6);
    }
  });

  it('with Nesterov steps by lr·(g + μ·buf)', () => {
    const p = run(train({ optimizer: 'momentum', lr: 0.1, momentum: 0.9, nesterov: true }), [G1, G2]);
    // w00: step 1 buf = 0.5, update 0.5 + 0.45 = 0.95, p = 0.905; step 2 buf = 0.25, update -0.2 + 0.225 = 0.025, p = 0.9025
    expect(p[0]).toBeCloseTo(0.9025, 6);
    for (let i = 0; i < 5; i++) {
      const buf2 = 0.9 * G1[i] + G2[i];
      expect(p[i]).toBeCloseTo(P0[i] - 0.1 * 1.9 * G1[i] - 0.1 * (G2[i] + 0.9 * buf2), 6);
    }
  });

  it('decays weights but not biases', () => {
    const zeros = [0, 0, 0, 0, 0];
    const p = run(train({ optimizer: 'momentum', lr: 0.1, momentum: 0.5, weightDecay: 0.1 }), [zeros, zeros]);
    // weight w: g1 = 0.1w, p1 = w(1 - 0.01); g2 = 0.1·p1, buf2 = 0.5·0.1w + 0.1·0.99w = 0.149w, p2 = 0.99w - 0.0149w
    for (const i of [0, 1, 3]) expect(p[i]).toBeCloseTo(P0[i] * 0.9751, 6);
    for (const i of [2, 4]) expect(p[i]).toBe(P0[i]);
  });
});

describe('adam', () => {
  it('follows PyTorch with bias correction over two steps', () => {
    const p = run(train({ optimizer: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 }), [G1, G2]);
    // w00, step 1: m = 0.05, v = 0.00025; m̂ = 0.5, √v̂ = 0.5; p = 1 - 0.1·0.5/(0.5 + 1e-8)
    const p1 = 1 - (0.1 * 0.5) / (0.5 + 1e-8);
    // step 2 (g = -0.2): m = 0.045 - 0.02 = 0.025; v = 0.999·0.00025 + 0.001·0.04 = 0.00028975;
    // 1 - β1² = 0.19, 1 - β2² = 0.001999
    const p2 = p1 - (0.1 * (0.025 / 0.19)) / (Math.sqrt(0.00028975 / 0.001999) + 1e-8);
    expect(p[0]).toBeCloseTo(p2, 6);
    expect(p2).toBeCloseTo(0.8654394, 6);
    // b1 has g2 = 0: m = 0.045, v = 0.00024975; p = p1 - 0.1·(0.045/0.19)/(√(0.00024975/0.001999) + eps)
    const b1 = -1 - (0.1 * 0.5) / (0.5 + 1e-8);
    expect(p[4]).toBeCloseTo(b1 - (0.1 * (0.045 / 0.19)) / (Math.sqrt(0.00024975 / 0.001999) + 1e-8), 6);
  });

  it('moves every parameter by about lr on its first step, whatever the gradient scale', () => {
    const p = run(train({ optimizer: 'adam', lr: 0.01 }), [[1e-3, -50, 2, 1e4, -0.3]]);
    const signs = [1, -1, 1, 1, -1];
    for (let i = 0; i < 5; i++) expect(p[i]).toBeCloseTo(P0[i] - 0.01 * signs[i], 5);
  });

  it('adds L2 weight decay to the gradient of weights only (Adam, not AdamW)', () => {
    const zeros = [0, 0, 0, 0, 0];
    const p = run(train({ optimizer: 'adam', lr: 0.01, weightDecay: 0.5 }), [zeros]);
    // weights: g = 0.5·w, first step moves by lr·sign(w); biases: g = 0, no move
    expectClose(p, [1 - 0.01, -2 + 0.01, 0.5, 3 - 0.01, -1]);
  });
});

describe('clipping', () => {
  it('gradNorm is the global L2 norm, accumulated in float64', () => {
    expect(gradNorm(Float32Array.from([3, 4]))).toBe(5);
    const many = new Float32Array(1_000_000).fill(0.1);
    const exact = Math.sqrt(1_000_000) * Math.fround(0.1);
    expect(Math.abs(gradNorm(many) - exact) / exact).toBeLessThan(1e-9); // a float32 running sum would be far off
  });

  it('by norm scales by max/(‖g‖ + 1e-6) when ‖g‖ > max and reports the pre-clip norm', () => {
    const g = Float32Array.from([3, 0, -4]);
    expect(clipGradients(g, { mode: 'norm', max: 1 })).toEqual({ norm: 5, clipped: true });
    const coef = 1 / (5 + 1e-6);
    expectClose(g, [3 * coef, 0, -4 * coef], 7);
    expect(gradNorm(g)).toBeLessThan(1);
    expect(gradNorm(g)).toBeCloseTo(1, 6);
  });

  it('by norm leaves gradients alone when ‖g‖ ≤ max', () => {
    const g = Float32Array.from([3, 0, -4]);
    expect(clipGradients(g, { mode: 'norm', max: 5 })).toEqual({ norm: 5, clipped: false });
    expect(Array.from(g)).toEqual([3, 0, -4]);
  });

  it('by value clamps each entry to [-max, max] and says whether any changed', () => {
    const g = Float32Array.from([-3, 0.5, 2, -0.25]);
    const result = clipGradients(g, { mode: 'value', max: 1 });
    expect(result.clipped).toBe(true);
    expect(result.norm).toBeCloseTo(Math.sqrt(9 + 0.25 + 4 + 0.0625), 12);
    expect(Array.from(g)).toEqual([-1, 0.5, 1, -0.25]);
    const small = Float32Array.from([0.5, -1]);
    expect(clipGradients(small, { mode: 'value', max: 1 }).clipped).toBe(false);
    expect(Array.from(small)).toEqual([0.5, -1]);
  });

  it('by value leaves non-finite gradients untouched, so the divergence check still sees where they are', () => {
    const g = Float32Array.from([Infinity, 1, -Infinity, 0.5]);
    const result = clipGradients(g, { mode: 'value', max: 1 });
    expect(result).toEqual({ norm: Infinity, clipped: false });
    expect(Array.from(g)).toEqual([Infinity, 1, -Infinity, 0.5]);
    const withNaN = Float32Array.from([NaN, 3]);
    expect(Number.isNaN(clipGradients(withNaN, { mode: 'value', max: 1 }).norm)).toBe(true);
    expect(Array.from(withNaN)).toEqual([NaN, 3]);
  });

  it('by norm leaves gradients untouched when their norm is not finite', () => {
    const g = Float32Array.from([Infinity, 3, -4]);
    expect(clipGradients(g, { mode: 'norm', max: 1 })).toEqual({ norm: Infinity, clipped: false });
    expect(Array.from(g)).toEqual([Infinity, 3, -4]);
  });

  it('with mode none only measures', () => {
    const g = Float32Array.from([30, 40]);
    expect(clipGradients(g, { mode: 'none' })).toEqual({ norm: 50, clipped: false });
    expect(Array.from(g)).toEqual([30, 40]);
  });
});
