// The claims initialization tutorials make, measured on small runs with fixed seeds. Each test prints its
// per-layer numbers next to the mean-field theory; a claim that fails here is a finding, not a bug to hide.
import { describe, expect, it } from 'vitest';
import { meanField } from '../../workers/core/theory.js';
import { networkSpecFor, trainRun } from '../../workers/core/train.js';
import type { EpochMetrics, LayerStats, RunConfig, RunResult } from '../../workers/core/types.js';
import { parseRunConfig } from '../../workers/run-config.js';

function run(input: object): { config: RunConfig; result: RunResult; first: EpochMetrics; last: EpochMetrics } {
  const config = parseRunConfig(input);
  const result = trainRun(config);
  return { config, result, first: result.epochs[0], last: result.epochs[result.epochs.length - 1] };
}

const hiddenOf = (metrics: EpochMetrics): LayerStats[] => metrics.layers.slice(0, -1);
const deltaPerUnit = (layer: LayerStats) => layer.deltaNorm / Math.sqrt(layer.units); // ‖δ‖/√units
const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e3 || Math.abs(x) < 1e-2 ? x.toExponential(2) : x.toFixed(3));

function printLayers(title: string, result: RunResult, metrics: EpochMetrics): void {
  const rows = metrics.layers.map((l) => [
    l.layer, fmt(l.preStd ** 2), fmt(result.theoryPreVar[l.layer]), fmt(l.actStd), fmt(deltaPerUnit(l)),
    fmt(l.saturatedFrac), fmt(l.deadFrac), l.distinctUnits,
  ].join('\t'));
  console.log(`${title} (epoch ${metrics.epoch}; verdicts ${result.verdicts.map((v) => v.kind).join(', ')})\n`
    + `layer\tpreStd²\ttheory q\tactStd\t‖δ‖/√units\tsat\tdead\tdistinct\n${rows.join('\n')}`);
}

const spirals = { name: 'spirals', samples: 200, classes: 3 };

describe('symmetry: zero and constant initialization', () => {
  const cases = [
    { activation: 'tanh', init: 'zeros' },
    { activation: 'relu', init: 'zeros' },
    { activation: 'sigmoid', init: 'zeros' },
    { activation: 'tanh', init: { name: 'constant', value: 0.1 } },
    { activation: 'relu', init: { name: 'constant', value: 0.1 } },
  ];
  for (const model of cases) {
    it(`leaves every hidden layer with one distinct unit after training (${model.activation}, ${JSON.stringify(model.init)})`, () => {
      const { result, last } = run({
        dataset: spirals, model: { hidden: [16, 16], ...model }, train: { epochs: 5, optimizer: 'momentum', lr: 0.1 },
      });
      printLayers(`symmetry ${model.activation} ${JSON.stringify(model.init)}`, result, last);
      for (const layer of hiddenOf(last)) expect(layer.distinctUnits).toBe(1);
      expect(result.verdicts.map((v) => v.kind)).toContain('symmetric');
    });
  }

  it('gives exactly zero hidden weight gradients under zero init with tanh and relu', () => {
    for (const activation of ['tanh', 'relu']) {
      const { first } = run({ dataset: spirals, model: { hidden: [16, 16], activation, init: 'zeros' }, train: { epochs: 1 } });
      for (const layer of hiddenOf(first)) expect(layer.weightGradNorm).toBe(0);
    }
  });
});

describe('saturation under large N(0, 25) weights', () => {
  for (const activation of ['sigmoid', 'tanh']) {
    it(`saturates most ${activation} units at initialization, unlike Xavier`, () => {
      const model = { hidden: [64, 64, 64], activation };
      const big = run({ dataset: spirals, model: { ...model, init: { name: 'normal', std: 5 } }, train: { epochs: 2 } });
      const xavier = run({ dataset: spirals, model: { ...model, init: 'xavier_uniform' }, train: { epochs: 2 } });
      printLayers(`${activation} N(0, 25)`, big.result, big.first);
      printLayers(`${activation} xavier_uniform`, xavier.result, xavier.first);
      const mean = (m: EpochMetrics) => hiddenOf(m).reduce((s, l) => s + l.saturatedFrac, 0) / hiddenOf(m).length;
      expect(mean(big.first)).toBeGreaterThan(0.6);
      // Past the first layer (fan-in 2) nearly every unit sits on a flat part of φ.
      for (const layer of hiddenOf(big.first).slice(1)) expect(layer.saturatedFrac).toBeGreaterThan(0.85);
      expect(big.result.verdicts.map((v) => v.kind)).toContain('saturated');
      expect(mean(xavier.first)).toBeLessThan(0.05);
    });
  }
});

describe('a 10-layer tanh network', () => {
  const model = { hidden: Array<number>(10).fill(64), activation: 'tanh' };

  it('under N(0, 1) back-propagates a δ that grows toward the input, as mean-field χ predicts', () => {
    const { config, result, first } = run({ dataset: spirals, model: { ...model, init: { name: 'normal', std: 1 } }, train: { epochs: 1 } });
    printLayers('tanh ×10, N(0, 1)', result, first);
    const hidden = hiddenOf(first);
    for (let l = 0; l + 1 < hidden.length; l++) expect(deltaPerUnit(hidden[l])).toBeGreaterThan(deltaPerUnit(hidden[l + 1]));
    const ratio = deltaPerUnit(hidden[0]) / deltaPerUnit(hidden[hidden.length - 1]);
    expect(ratio).toBeGreaterThan(10);
    // Per-layer growth of ‖δ‖ against √χ from theory, geometric means over hidden layers 1..9 → 0..8.
    const theory = meanField(networkSpecFor(config, 2, 3), 1);
    let measuredLog = 0;
    let theoryLog = 0;
    for (let l = 0; l + 1 < hidden.length; l++) {
      measuredLog += Math.log(hidden[l].deltaNorm / hidden[l + 1].deltaNorm);
      theoryLog += 0.5 * Math.log(theory.chi[l]);
    }
    const perLayer = Math.exp(measuredLog / (hidden.length - 1));
    const predicted = Math.exp(theoryLog / (hidden.length - 1));
    console.log(`tanh ×10 N(0,1): δ first/last hidden ×${fmt(ratio)}; per layer ×${fmt(perLayer)} measured, √χ = ${fmt(predicted)} in theory`);
    expect(Math.abs(perLayer / predicted - 1)).toBeLessThan(0.25);
    expect(result.verdicts.map((v) => v.kind)).toContain('exploding');
  });

  it('under Xavier keeps the δ ratio between the first and last hidden layers within 10×', () => {
    const { result, first } = run({ dataset: spirals, model: { ...model, init: 'xavier_normal' }, train: { epochs: 1 } });
    printLayers('tanh ×10, xavier_normal', result, first);
    const hidden = hiddenOf(first);
    const ratio = deltaPerUnit(hidden[0]) / deltaPerUnit(hidden[hidden.length - 1]);
    console.log(`tanh ×10 xavier: δ first/last hidden ×${fmt(ratio)}`);
    expect(ratio).toBeGreaterThan(0.1);
    expect(ratio).toBeLessThan(10);
  });
});

describe('a 20-layer ReLU network of width 64, at initialization', () => {
  const model = { hidden: Array<number>(20).fill(64), activation: 'relu' };
  for (const seed of [1, 2, 3]) {
    it(`has a last-layer activation std below 1e-2 under Xavier and within [0.3, 3] under He (seed ${seed})`, () => {
      const xavier = run({ dataset: spirals, model: { ...model, init: 'xavier_normal' }, train: { epochs: 1 }, seed });
      const he = run({ dataset: spirals, model: { ...model, init: 'he_normal' }, train: { epochs: 1 }, seed });
      if (seed === 1) {
        printLayers('relu ×20, xavier_normal', xavier.result, xavier.first);
        printLayers('relu ×20, he_normal', he.result, he.first);
      }
      const lastXavier = hiddenOf(xavier.first).at(-1)!.actStd;
      const lastHe = hiddenOf(he.first).at(-1)!.actStd;
      console.log(`relu ×20 seed ${seed}: last hidden actStd xavier ${fmt(lastXavier)}, he ${fmt(lastHe)}`);
      expect(lastXavier).toBeLessThan(1e-2);
      expect(lastHe).toBeGreaterThanOrEqual(0.3);
      expect(lastHe).toBeLessThanOrEqual(3);
      expect(xavier.result.verdicts.map((v) => v.kind)).toContain('vanishing');
    });
  }
});

describe('SELU with lecun_normal', () => {
  it('keeps every layer’s activation std within [0.5, 2] over 20 layers', () => {
    for (const seed of [1, 2, 3]) {
      const { result, first } = run({
        dataset: spirals, model: { hidden: Array<number>(20).fill(64), activation: 'selu', init: 'lecun_normal' },
        train: { epochs: 1 }, seed,
      });
      if (seed === 1) printLayers('selu ×20, lecun_normal', result, first);
      const stds = hiddenOf(first).map((l) => l.actStd);
      console.log(`selu ×20 seed ${seed}: activation std from ${fmt(Math.min(...stds))} to ${fmt(Math.max(...stds))}`);
      for (const std of stds) {
        expect(std).toBeGreaterThanOrEqual(0.5);
        expect(std).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe('gradient clipping', () => {
  it('turns a diverging deep ReLU run at a high learning rate into one that finishes', () => {
    const input = {
      dataset: { name: 'spirals', samples: 400, classes: 3 },
      model: { hidden: Array<number>(10).fill(32), activation: 'relu', init: 'he_normal' },
      train: { epochs: 3, optimizer: 'momentum', lr: 0.3 },
      seed: 1,
    };
    const free = run(input);
    const clipped = run({ ...input, train: { ...input.train, clip: { mode: 'norm', max: 1 } } });
    console.log(`10×32 He/ReLU, momentum lr 0.3: without clipping ${free.result.status} ${JSON.stringify(free.result.divergence)}; `
      + `with clip norm 1 ${clipped.result.status}, clipped steps per epoch ${clipped.result.epochs.slice(1).map((e) => e.clippedSteps).join(',')}, `
      + `val acc ${fmt(clipped.last.valAcc)}, verdicts ${clipped.result.verdicts.map((v) => v.kind).join(', ')}`);
    expect(free.result.status).toBe('diverged');
    expect(clipped.result.status).toBe('succeeded');
    expect(clipped.result.epochs).toHaveLength(4);
    expect(clipped.result.epochs.slice(1).some((e) => e.clipped)).toBe(true);
  });
});
