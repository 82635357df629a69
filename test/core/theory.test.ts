import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../workers/core/data.js';
import { createRng } from '../../workers/core/rng.js';
import {
  biasSecondMoment, gaussianExpectation, meanField, meanSquareActivation, meanSquareDerivative,
} from '../../workers/core/theory.js';
import { trainRun } from '../../workers/core/train.js';
import type { ActivationName, ActivationSpec, EpochMetrics, NetworkSpec, RunResult } from '../../workers/core/types.js';
import { parseRunConfig } from '../../workers/run-config.js';

describe('Gaussian expectations', () => {
  it('integrates 1, h² and h⁴ exactly enough', () => {
    expect(gaussianExpectation(() => 1, 3)).toBeCloseTo(1, 12);
    expect(gaussianExpectation((x) => x * x, 3)).toBeCloseTo(3, 9);
    expect(gaussianExpectation((x) => x ** 4, 2)).toBeCloseTo(3 * 4, 8);
  });

  // E[φ(z)²] for z ~ N(0, 1), as in NOTES.md ("The science"), to the 3 digits given there.
  const table: Array<[ActivationName, number]> = [
    ['linear', 1], ['tanh', 0.394], ['sigmoid', 0.293], ['relu', 0.5], ['elu', 0.645], ['gelu', 0.425],
    ['softsign', 0.183], ['selu', 1.0],
  ];
  for (const [activation, expected] of table) {
    it(`gives E[${activation}(z)²] ≈ ${expected}`, () => {
      expect(Math.abs(meanSquareActivation(activation, 1) - expected)).toBeLessThan(1e-3);
    });
  }

  it('is exact where closed forms exist: relu E[φ²] = q/2, E[φ′²] = 1/2, leaky relu (1+a²)q/2', () => {
    expect(meanSquareActivation('relu', 2.5)).toBeCloseTo(1.25, 9);
    expect(meanSquareDerivative('relu', 7)).toBeCloseTo(0.5, 9);
    expect(meanSquareActivation({ name: 'leaky_relu', slope: 0.2 }, 1)).toBeCloseTo((1 + 0.04) / 2, 9);
    // SELU's fixed point: E[selu(z)] = 0 and E[selu(z)²] = 1 for z ~ N(0, 1).
    expect(gaussianExpectation((x) => (x > 0 ? 1.0507009873554805 * x : 1.0507009873554805 * 1.6732632423543772 * Math.expm1(x)), 1)).toBeCloseTo(0, 6);
  });
});

// 20-digit references from mpmath at 40 digits (test/fixtures/theory-references.py, which also checks them
// against the closed forms of relu, linear, leaky_relu and elu′).
type References = Record<string, Record<string, { meanSquareActivation: string; meanSquareDerivative: string }>>;
const references = JSON.parse(readFileSync(new URL('../fixtures/theory-references.json', import.meta.url), 'utf8')) as References;

describe('Gaussian expectations against high-precision references', () => {
  const specOf = (key: string): ActivationSpec => {
    const m = /^leaky_relu\((.+)\)$/.exec(key);
    return m ? { name: 'leaky_relu', slope: Number(m[1]) } : (key as ActivationName);
  };
  for (const [key, byQ] of Object.entries(references)) {
    it(`holds E[${key}(h)²] and E[${key}′(h)²] to 1e-12 relative for q from 1e-4 to 1e5`, () => {
      expect(Object.keys(byQ)).toContain('100000');
      for (const [q, ref] of Object.entries(byQ)) {
        const activation = meanSquareActivation(specOf(key), Number(q));
        const derivative = meanSquareDerivative(specOf(key), Number(q));
        expect(Math.abs(activation / Number(ref.meanSquareActivation) - 1), `E[φ²] at q = ${q}`).toBeLessThan(1e-12);
        expect(Math.abs(derivative / Number(ref.meanSquareDerivative) - 1), `E[φ′²] at q = ${q}`).toBeLessThan(1e-12);
      }
    });
  }

  it('resolves tanh′ at large variance, where a fixed grid in z is 8% off (q = 6400: 0.006649)', () => {
    expect(meanSquareDerivative('tanh', 6400)).toBeCloseTo(Number(references.tanh['6400'].meanSquareDerivative), 14);
    expect(meanSquareDerivative('tanh', 6400)).toBeCloseTo(0.006649, 6);
  });
});

describe('mean-field pre-activation variance', () => {
  const spec = (over: Partial<NetworkSpec>): NetworkSpec => ({
    inputs: 64, outputs: 64, hidden: [64, 64, 64, 64], activation: 'relu', init: 'he_normal', loss: 'cross_entropy', ...over,
  });

  it('keeps q constant through He-initialized ReLU layers', () => {
    const { preVar } = meanField(spec({}), 1);
    for (const q of preVar) expect(q).toBeCloseTo(2, 6);
  });

  it('halves q per ReLU layer under Xavier at equal widths (σ_w² = 1)', () => {
    const { preVar } = meanField(spec({ init: 'xavier_normal' }), 1);
    for (let l = 1; l < preVar.length; l++) expect(preVar[l] / preVar[l - 1]).toBeCloseTo(0.5, 6);
  });

  it('gives χ = σ_w²·E[φ′²]: 1 for He ReLU, about 4.3 for tanh under N(0, 1) at width 64', () => {
    expect(meanField(spec({}), 1).chi[1]).toBeCloseTo(1, 6);
    const tanh = meanField(spec({ activation: 'tanh', init: { name: 'normal', std: 1 } }), 1);
    expect(tanh.chi[2]).toBeGreaterThan(4);
    expect(tanh.chi[2]).toBeLessThan(4.6);
  });

  it('gives σ_w² = gain² for lecun_normal with a gain, at every fan-in (the phase diagram axis)', () => {
    for (const gain of [0.5, 1, 1.5, 2]) {
      const { sigmaW2 } = meanField(spec({ activation: 'tanh', init: { name: 'lecun_normal', gain }, inputs: 3, hidden: [17, 64] }), 1);
      for (const w of sigmaW2) expect(w).toBeCloseTo(gain * gain, 12);
    }
  });

  it('adds σ_b² = E[b²] per layer, and gives σ_b² alone for zero-variance weights', () => {
    expect(biasSecondMoment(10, 5, { name: 'constant', value: 0.3 }, 'tanh')).toBeCloseTo(0.09, 12);
    expect(biasSecondMoment(10, 5, { name: 'normal', std: 0.2, mean: 0.1 }, 'tanh')).toBeCloseTo(0.05, 12);
    expect(biasSecondMoment(10, 5, 'zeros', 'tanh')).toBe(0);
    expect(biasSecondMoment(16, 5, 'orthogonal', 'tanh')).toBeCloseTo(1 / 16, 12);
    const { preVar } = meanField(spec({ init: 'zeros', biasInit: { name: 'constant', value: 0.5 } }), 1);
    for (const q of preVar) expect(q).toBeCloseTo(0.25, 12);
  });
});

describe('theory against measurement', () => {
  /** 300 samples of 16 i.i.d. N(0, 1) features with random labels in [0, 4). */
  function gaussianInputs(): Dataset {
    const rng = createRng(99, 0);
    const inputs = new Float32Array(300 * 16);
    for (let i = 0; i < inputs.length; i++) inputs[i] = rng.normal();
    const labels = new Int32Array(300);
    for (let i = 0; i < 300; i++) labels[i] = Math.floor(rng.next() * 4);
    return { inputs, labels, features: 16, classes: 4 };
  }

  function epochZero(model: object): { metrics: EpochMetrics; result: RunResult } {
    let metrics: EpochMetrics | undefined;
    const config = parseRunConfig({ model, train: { epochs: 1, batchSize: 256, probeSize: 256 }, seed: 5 });
    const result = trainRun(config, (m) => { if (m.epoch === 0) metrics = m; }, { data: gaussianInputs() });
    return { metrics: metrics!, result };
  }

  const cases = [
    { model: { hidden: [512, 512], activation: 'tanh', init: 'lecun_normal' } },
    { model: { hidden: [512, 512], activation: 'tanh', init: { name: 'normal', std: 0.1 } } },
    { model: { hidden: [512, 512], activation: 'relu', init: 'he_normal' } },
  ];
  for (const { model } of cases) {
    it(`matches measured epoch-0 preStd² of wide hidden layers within 15% (${model.activation}, ${JSON.stringify(model.init)})`, () => {
      const { metrics, result } = epochZero(model);
      for (const layer of metrics.layers.slice(0, -1)) {
        const measured = layer.preStd ** 2;
        const predicted = result.theoryPreVar[layer.layer];
        console.log(`theory ${JSON.stringify(model)} layer ${layer.layer}: measured ${measured.toFixed(4)}, q ${predicted.toFixed(4)}`);
        expect(Math.abs(measured / predicted - 1)).toBeLessThan(0.15);
      }
    });
  }
});
