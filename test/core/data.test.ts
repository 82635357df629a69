import { describe, expect, it } from 'vitest';
import {
  DatasetError, type Dataset, generateDataset, sampleRows, splitDataset, validationSize,
} from '../../workers/core/data.js';
import { applyNormalization, fitNormalization, normalizeSplit } from '../../workers/core/normalize.js';
import { createRng } from '../../workers/core/rng.js';
import { PROBE_STREAM, prepareRunData, trainRun } from '../../workers/core/train.js';
import type { DatasetName, RunConfig } from '../../workers/core/types.js';
import { parseRunConfig } from '../../workers/run-config.js';

function datasetConfig(name: DatasetName, overrides: Partial<RunConfig['dataset']> = {}): RunConfig['dataset'] {
  return parseRunConfig({ dataset: { name, ...overrides } }).dataset;
}

function classCounts(data: Dataset): number[] {
  const counts = new Array<number>(data.classes).fill(0);
  for (const label of data.labels) counts[label]++;
  return counts;
}

/** Rows as strings, sorted: a multiset to compare partitions. */
function rowKeys(data: Dataset): string[] {
  const keys: string[] = [];
  for (let i = 0; i < data.labels.length; i++) {
    const row = Array.from(data.inputs.subarray(i * data.features, (i + 1) * data.features));
    keys.push(`${row.join(',')}|${data.labels[i]}`);
  }
  return keys.sort();
}

function columnStats(data: Dataset, d: number): { mean: number; std: number; min: number; max: number } {
  const n = data.labels.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = data.inputs[i * data.features + d];
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (data.inputs[i * data.features + d] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n), min, max };
}

describe('synthetic data sets', () => {
  const cases: Array<{ name: DatasetName; classes: number; expectClasses: number }> = [
    { name: 'spirals', classes: 3, expectClasses: 3 },
    { name: 'spirals', classes: 5, expectClasses: 5 },
    { name: 'circles', classes: 4, expectClasses: 2 },
    { name: 'xor', classes: 3, expectClasses: 2 },
    { name: 'moons', classes: 7, expectClasses: 2 },
    { name: 'gaussians', classes: 4, expectClasses: 4 },
  ];
  for (const { name, classes, expectClasses } of cases) {
    it(`generates ${name} (classes ${classes}) as N×2 inputs with ${expectClasses} non-empty classes`, () => {
      const data = generateDataset(datasetConfig(name, { samples: 301, classes }), createRng(5, 0));
      expect(data.features).toBe(2);
      expect(data.classes).toBe(expectClasses);
      expect(data.inputs.length).toBe(301 * 2);
      expect(data.labels.length).toBe(301);
      const counts = classCounts(data);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(301);
      for (const count of counts) expect(count).toBeGreaterThan(0);
      expect(data.inputs.every(Number.isFinite)).toBe(true);
    });
  }

  it('deals spirals, circles, moons and gaussians out evenly over their classes', () => {
    for (const name of ['spirals', 'circles', 'moons', 'gaussians'] as const) {
      const counts = classCounts(generateDataset(datasetConfig(name, { samples: 301, classes: 2 }), createRng(1, 0)));
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it('labels xor by the signs of the noiseless point', () => {
    const data = generateDataset(datasetConfig('xor', { samples: 500, noise: 0 }), createRng(2, 0));
    for (let i = 0; i < 500; i++) {
      const x = data.inputs[2 * i];
      const y = data.inputs[2 * i + 1];
      expect(data.labels[i]).toBe((x > 0) !== (y > 0) ? 1 : 0);
    }
  });

  it('puts noiseless circles on radius 1 (class 0) and 0.5 (class 1)', () => {
    const data = generateDataset(datasetConfig('circles', { samples: 100, noise: 0 }), createRng(3, 0));
    for (let i = 0; i < 100; i++) {
      const r = Math.hypot(data.inputs[2 * i], data.inputs[2 * i + 1]);
      expect(r).toBeCloseTo(data.labels[i] === 0 ? 1 : 0.5, 5);
    }
  });

  it('scales the spread with noise', () => {
    const spread = (noise: number) => {
      const data = generateDataset(datasetConfig('gaussians', { samples: 2000, classes: 2, noise }), createRng(4, 0));
      return columnStats(data, 1).std;
    };
    expect(spread(0.5)).toBeGreaterThan(spread(0.05));
  });

  it('is deterministic in the seed and differs between seeds', () => {
    const config = datasetConfig('spirals', { samples: 200, classes: 3 });
    const a = generateDataset(config, createRng(11, 0));
    const b = generateDataset(config, createRng(11, 0));
    const c = generateDataset(config, createRng(12, 0));
    expect(b.inputs).toEqual(a.inputs);
    expect(b.labels).toEqual(a.labels);
    expect(c.inputs).not.toEqual(a.inputs);
  });

  it('refuses iris and mnist, which need the Node-side loader', () => {
    expect(() => generateDataset(datasetConfig('iris'), createRng(1, 0))).toThrow(DatasetError);
    expect(() => generateDataset(datasetConfig('mnist'), createRng(1, 0))).toThrow(/runTraining/);
    expect(() => trainRun(parseRunConfig({ dataset: { name: 'mnist' } }))).toThrow(DatasetError);
  });
});

describe('train/validation split', () => {
  it('puts round(N·valFraction) rows in validation and the rest in training, a partition of the data', () => {
    const data = generateDataset(datasetConfig('moons', { samples: 250 }), createRng(7, 0));
    const split = splitDataset(data, 0.2, createRng(7, 0));
    expect(split.val.labels.length).toBe(50);
    expect(split.train.labels.length).toBe(200);
    const joined: Dataset = {
      inputs: Float32Array.from([...split.train.inputs, ...split.val.inputs]),
      labels: Int32Array.from([...split.train.labels, ...split.val.labels]),
      features: 2,
      classes: 2,
    };
    expect(rowKeys(joined)).toEqual(rowKeys(data));
  });

  it('keeps both splits non-empty at extreme fractions', () => {
    expect(validationSize(10, 0.01)).toBe(1);
    expect(validationSize(10, 0.99)).toBe(9);
    expect(validationSize(1000, 0.25)).toBe(250);
  });

  it('shuffles by the seed: the same seed gives the same split', () => {
    const data = generateDataset(datasetConfig('xor', { samples: 100 }), createRng(1, 0));
    const a = splitDataset(data, 0.3, createRng(9, 0));
    const b = splitDataset(data, 0.3, createRng(9, 0));
    const c = splitDataset(data, 0.3, createRng(10, 0));
    expect(b.val.inputs).toEqual(a.val.inputs);
    expect(c.val.inputs).not.toEqual(a.val.inputs);
  });

  it('samples distinct rows for a subset, and all rows in order when asked for as many', () => {
    const data = generateDataset(datasetConfig('gaussians', { samples: 60, classes: 3 }), createRng(1, 0));
    const subset = sampleRows(data, 20, createRng(2, 0));
    expect(subset.labels.length).toBe(20);
    expect(new Set(rowKeys(subset)).size).toBe(20);
    const all = sampleRows(data, 100, createRng(2, 0));
    expect(all.inputs).toEqual(data.inputs);
  });
});

describe('normalization', () => {
  const split = () => {
    const data = generateDataset(datasetConfig('moons', { samples: 400, noise: 0.3 }), createRng(3, 0));
    return splitDataset(data, 0.25, createRng(3, 0));
  };

  it('standard: z-scores the training split with its own mean and std', () => {
    const s = split();
    normalizeSplit(s, 'standard');
    for (let d = 0; d < 2; d++) {
      const stats = columnStats(s.train, d);
      expect(stats.mean).toBeCloseTo(0, 5);
      expect(stats.std).toBeCloseTo(1, 5);
    }
  });

  it('standard: applies the training statistics (not its own) to validation', () => {
    const raw = split();
    const trainStats = [columnStats(raw.train, 0), columnStats(raw.train, 1)];
    const valRaw = Float32Array.from(raw.val.inputs);
    normalizeSplit(raw, 'standard');
    for (let i = 0; i < raw.val.labels.length; i++) {
      for (let d = 0; d < 2; d++) {
        const expected = (valRaw[2 * i + d] - trainStats[d].mean) / trainStats[d].std;
        expect(raw.val.inputs[2 * i + d]).toBeCloseTo(expected, 4);
      }
    }
    // Validation's own mean is not forced to zero.
    expect(Math.abs(columnStats(raw.val, 0).mean)).toBeGreaterThan(1e-4);
  });

  it('minmax: maps the training split onto [0, 1] and validation by the same map', () => {
    const raw = split();
    const trainStats = [columnStats(raw.train, 0), columnStats(raw.train, 1)];
    const valRaw = Float32Array.from(raw.val.inputs);
    normalizeSplit(raw, 'minmax');
    for (let d = 0; d < 2; d++) {
      const stats = columnStats(raw.train, d);
      expect(stats.min).toBeCloseTo(0, 6);
      expect(stats.max).toBeCloseTo(1, 6);
      const range = trainStats[d].max - trainStats[d].min;
      expect(raw.val.inputs[d]).toBeCloseTo((valRaw[d] - trainStats[d].min) / range, 4);
    }
  });

  it('none: leaves the inputs untouched', () => {
    const raw = split();
    const before = Float32Array.from(raw.train.inputs);
    normalizeSplit(raw, 'none');
    expect(raw.train.inputs).toEqual(before);
  });

  it('centres but does not scale a constant feature', () => {
    const data: Dataset = {
      inputs: Float32Array.from([3, 1, 3, 2, 3, 3]), labels: Int32Array.from([0, 1, 0]), features: 2, classes: 2,
    };
    const stats = fitNormalization(data, 'standard');
    applyNormalization(data, stats);
    expect([data.inputs[0], data.inputs[2], data.inputs[4]]).toEqual([0, 0, 0]);
    expect(Number.isFinite(data.inputs[1])).toBe(true);
  });
});

describe('the data stream', () => {
  // 400 training rows: more than the default probe of 256, so a probe drawn from the data stream would move
  // the shuffles (with fewer rows than the probe, sampleRows takes them all without a draw and hides that).
  const configWith = (model: object, train: object = {}) => parseRunConfig({
    dataset: { name: 'spirals', samples: 500, classes: 3 }, model, train: { epochs: 3, batchSize: 16, ...train }, seed: 21,
  });
  const orders = (config: RunConfig) => {
    const seen: number[][] = [];
    trainRun(config, undefined, { onShuffle: (_epoch, order) => seen.push(Array.from(order)) });
    return seen;
  };

  it('prepares the same split and probe batch whatever the model', () => {
    const a = prepareRunData(configWith({ hidden: [8], activation: 'tanh', init: 'xavier_uniform' }));
    const b = prepareRunData(configWith({ hidden: [32, 32], activation: 'relu', init: 'lsuv' }, { optimizer: 'adam' }));
    expect(b.train.inputs).toEqual(a.train.inputs);
    expect(b.val.inputs).toEqual(a.val.inputs);
    expect(b.probe.inputs).toEqual(a.probe.inputs);
  });

  it('feeds the same batch order to runs with the same seed, whatever their initializer or activation', () => {
    const reference = orders(configWith({ hidden: [8], activation: 'tanh', init: 'xavier_uniform' }));
    expect(reference).toHaveLength(3);
    expect(reference[0]).toHaveLength(400);
    expect(reference[1]).not.toEqual(reference[0]);
    expect(orders(configWith({ hidden: [16, 16], activation: 'relu', init: 'he_normal' }))).toEqual(reference);
    expect(orders(configWith({ hidden: [8], activation: 'selu', init: 'lsuv' }, { optimizer: 'momentum', lr: 0.01 })))
      .toEqual(reference);
    expect(orders(configWith({ hidden: [4], activation: 'sigmoid', init: 'zeros', biasInit: { name: 'normal', std: 0.1 } })))
      .toEqual(reference);
  });

  it('feeds the same batch order and split whatever the probe size, which only changes the probe batch', () => {
    const model = { hidden: [8], activation: 'tanh', init: 'xavier_uniform' };
    const small = configWith(model, { probeSize: 64 });
    const large = configWith(model, { probeSize: 256 });
    const reference = orders(small);
    expect(reference).toHaveLength(3);
    expect(orders(large)).toEqual(reference);
    expect(orders(configWith(model, { probeSize: 5000 }))).toEqual(reference); // all 400 rows, no draw at all
    const a = prepareRunData(small);
    const b = prepareRunData(large);
    expect(b.train.inputs).toEqual(a.train.inputs);
    expect(b.val.inputs).toEqual(a.val.inputs);
    expect([a.probe.size, b.probe.size]).toEqual([64, 256]);
  });

  it('draws the probe batch from its own stream, PROBE_STREAM, over the training split', () => {
    const config = configWith({ hidden: [8] }, { probeSize: 100 });
    const data = prepareRunData(config);
    const training: Dataset = { inputs: data.train.inputs, labels: data.train.labels, features: 2, classes: 3 };
    const expected = sampleRows(training, 100, createRng(config.seed, PROBE_STREAM));
    expect(PROBE_STREAM).toBe(4);
    expect(data.probe.inputs).toEqual(expected.inputs);
    expect(Array.from(data.probe.labels)).toEqual(Array.from(expected.labels));
  });
});
