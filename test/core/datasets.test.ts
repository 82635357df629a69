import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../workers/core/rng.js';
import { parseRunConfig } from '../../workers/run-config.js';
import { forgetMnist, loadDataset, mnistSourceFiles, loadIrisAll, loadMnistAll, MNIST_FEATURES, parseNumberList } from '../../workers/datasets.js';
import { mnistSourceKey, readMnistCache } from '../../workers/mnist-cache.js';
import type { Dataset } from '../../workers/core/data.js';
import { runTraining } from '../../workers/run.js';

describe('iris', () => {
  it('loads 150 flowers of 4 features in 3 classes of 50', () => {
    const iris = loadIrisAll();
    expect(iris.features).toBe(4);
    expect(iris.classes).toBe(3);
    expect(iris.labels.length).toBe(150);
    expect(Array.from(iris.inputs.subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    for (let k = 0; k < 3; k++) expect(iris.labels.filter((l) => l === k).length).toBe(50);
  });

  it('uses min(samples, 150) flowers: a seeded subset below 150', () => {
    const config = parseRunConfig({ dataset: { name: 'iris', samples: 60 } }).dataset;
    const a = loadDataset(config, createRng(1, 0));
    const b = loadDataset(config, createRng(1, 0));
    const c = loadDataset(config, createRng(2, 0));
    expect(a.labels.length).toBe(60);
    expect(b.inputs).toEqual(a.inputs);
    expect(c.inputs).not.toEqual(a.inputs);
    expect(loadDataset({ ...config, samples: 1000 }, createRng(1, 0)).labels.length).toBe(150);
  });

  it('is learned to at least 90% validation accuracy', () => {
    const result = runTraining(parseRunConfig({
      dataset: { name: 'iris', samples: 150, valFraction: 0.2 },
      model: { hidden: [16], activation: 'tanh' },
      train: { epochs: 60, optimizer: 'adam', lr: 0.01, batchSize: 16 },
      seed: 3,
    }));
    const last = result.epochs.at(-1)!;
    console.log(`iris: validation accuracy ${last.valAcc} after ${last.epoch} epochs (${result.durationMs} ms)`);
    expect(last.valAcc).toBeGreaterThanOrEqual(0.9);
  });
});

const mnistSourceKeyOfPackage = () => mnistSourceKey(mnistSourceFiles());

describe('mnist', () => {
  it('loads the 10,000 shipped digits as 784 pixels in [0, 1], every digit present, and caches them', () => {
    const mnist = loadMnistAll();
    expect(mnist.features).toBe(MNIST_FEATURES);
    expect(mnist.classes).toBe(10);
    expect(mnist.labels.length).toBe(10_000);
    expect(mnist.inputs.length).toBe(10_000 * 784);
    let min = Infinity;
    let max = -Infinity;
    for (const v of mnist.inputs) { if (v < min) min = v; if (v > max) max = v; }
    expect(min).toBe(0);
    expect(max).toBe(1);
    for (let k = 0; k < 10; k++) expect(mnist.labels.filter((l) => l === k).length).toBeGreaterThan(800);
    expect(loadMnistAll()).toBe(mnist);
  });

  it('keeps a binary copy that a new thread reads back bit for bit, and parses again when it is stale or damaged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'initlab-mnist-'));
    // byte comparisons: a deep equality of 7.8 million floats takes vitest over a minute
    const same = (a: Dataset, b: Dataset) => a !== b && a.features === b.features && a.classes === b.classes
      && Buffer.from(a.inputs.buffer).equals(Buffer.from(b.inputs.buffer))
      && Buffer.from(a.labels.buffer).equals(Buffer.from(b.labels.buffer));
    try {
      const file = join(dir, 'cache', 'mnist.bin');
      forgetMnist();
      const parsed = loadMnistAll(null);               // no binary copy involved
      forgetMnist();
      expect(same(loadMnistAll(file), parsed)).toBe(true); // parses, then writes the copy
      expect(readdirSync(join(dir, 'cache'))).toEqual(['mnist.bin']); // and no temporary file
      forgetMnist();
      expect(same(loadMnistAll(file), parsed)).toBe(true); // reads the copy
      // a copy made from other sources, or cut short, is not used
      expect(readMnistCache(file, 'another key')).toBeNull();
      truncateSync(file, 1000);
      expect(readMnistCache(file, mnistSourceKeyOfPackage())).toBeNull();
      forgetMnist();
      expect(same(loadMnistAll(file), parsed)).toBe(true);
      expect(readMnistCache(file, mnistSourceKeyOfPackage())).not.toBeNull(); // rewritten whole
      // a folder that cannot be made (a file stands in its way) only means parsing every time
      forgetMnist();
      writeFileSync(join(dir, 'blocked'), 'x');
      expect(same(loadMnistAll(join(dir, 'blocked', 'mnist.bin')), parsed)).toBe(true);
    } finally {
      forgetMnist();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('draws a seeded subset of `samples` digits', () => {
    const config = parseRunConfig({ dataset: { name: 'mnist', samples: 500 } }).dataset;
    const a = loadDataset(config, createRng(4, 0));
    const b = loadDataset(config, createRng(4, 0));
    const c = loadDataset(config, createRng(5, 0));
    expect(a.labels.length).toBe(500);
    expect(a.inputs.length).toBe(500 * 784);
    expect(b.labels).toEqual(a.labels);
    expect(c.labels).not.toEqual(a.labels);
    expect(new Set(a.labels).size).toBe(10);
  });

  it('is learned to at least 85% validation accuracy from 2,000 digits in a few epochs', () => {
    const result = runTraining(parseRunConfig({
      dataset: { name: 'mnist', samples: 2000 },
      model: { hidden: [64], activation: 'relu', init: 'he_normal' },
      train: { epochs: 3, optimizer: 'adam', lr: 0.002, batchSize: 32 },
      seed: 7,
    }));
    const accuracies = result.epochs.map((e) => e.valAcc);
    console.log(`mnist 2000: validation accuracy by epoch ${accuracies.join(', ')} (${result.durationMs} ms)`);
    expect(result.status).toBe('succeeded');
    expect(accuracies.at(-1)).toBeGreaterThanOrEqual(0.85);
  });
});

describe('parseNumberList', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const viaJson = (text: string) => Float32Array.from((JSON.parse(text) as { data: number[] }).data);

  it('gives exactly what JSON.parse gives, rounded to float32', () => {
    const text = '{ "data": [0, 1, 0.2, 0.624, 0.9921568627450981, -3.5, 12345678901234567890, 1e-3, 2.5E+2, '
      + '0.1234567890123456789, 7 ,\n 8\t] }';
    expect(Array.from(parseNumberList(bytes(text), 'test'))).toEqual(Array.from(viaJson(text)));
  });

  it('reads an empty list and refuses what is not a number list', () => {
    expect(parseNumberList(bytes('{"data": [ ]}'), 'test')).toHaveLength(0);
    expect(() => parseNumberList(bytes('{"data": 5}'), 'x.json')).toThrow('x.json: no number list');
    expect(() => parseNumberList(bytes('{"data": [1, "a"]}'), 'x.json')).toThrow(/x.json: expected a number/);
    expect(() => parseNumberList(bytes('{"data": [1; 2]}'), 'x.json')).toThrow(/x.json: unexpected byte/);
  });
});
