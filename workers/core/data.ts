// Data sets for the core: the seeded synthetic 2-D sets, the train/validation split, row sampling (iris and
// mnist subsets, the probe batch) and the per-epoch batch order. The data set, split and shuffles draw from the
// run's data stream, createRng(seed, 0), in one fixed order (data set, split, one shuffle per epoch) that depends
// only on the data set config, never on the model or the probe; the probe batch has its own stream (train.ts).
import type { Rng } from './rng.js';
import type { RunConfig } from './types.js';

/** N samples of D features, row-major, with integer labels in [0, K). */
export interface Dataset {
  inputs: Float32Array;            // (N, D)
  labels: Int32Array | Uint8Array; // (N)
  features: number;                // D
  classes: number;                 // K
}

export interface Split {
  train: Dataset;
  val: Dataset;
}

/** The number of samples of a data set. */
export function datasetSize(data: Dataset): number {
  return data.labels.length;
}

/** A data set error (an unknown or non-synthetic name where a synthetic one is needed). */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly code = 'dataset_unavailable';
  readonly status = 400;
}

/**
 * Generates a synthetic data set from `rng` (the data stream). `classes` applies to spirals (arms) and
 * gaussians (blobs); circles, xor and moons have 2. Throws DatasetError for iris and mnist, which need the
 * Node-side loader (workers/datasets.ts).
 */
export function generateDataset(dataset: RunConfig['dataset'], rng: Rng): Dataset {
  const { name, samples, noise, classes } = dataset;
  switch (name) {
    case 'spirals': return makeSpirals(samples, classes, noise, rng);
    case 'circles': return makeCircles(samples, noise, rng);
    case 'xor': return makeXor(samples, noise, rng);
    case 'moons': return makeMoons(samples, noise, rng);
    case 'gaussians': return makeGaussians(samples, classes, noise, rng);
    default:
      throw new DatasetError(
        `data set "${name}" is loaded from disk: call runTraining (workers/run.ts) or pass options.data to trainRun`,
      );
  }
}

function emptyDataset(samples: number, features: number, classes: number): Dataset {
  return {
    inputs: new Float32Array(samples * features),
    labels: new Int32Array(samples),
    features,
    classes,
  };
}

/** How many of `samples` go to class k when they are dealt out as evenly as possible. */
function classCount(samples: number, classes: number, k: number): number {
  return Math.floor(samples / classes) + (k < samples % classes ? 1 : 0);
}

/**
 * K interleaved spiral arms in the unit disc. Arm k, point i of n: radius r = (i + 1) / n, angle
 * θ = 2πk/K + 1.5π·r (each arm turns 270°), then N(0, noise²) added to each coordinate.
 */
export function makeSpirals(samples: number, classes: number, noise: number, rng: Rng): Dataset {
  const data = emptyDataset(samples, 2, classes);
  let row = 0;
  for (let k = 0; k < classes; k++) {
    const n = classCount(samples, classes, k);
    for (let i = 0; i < n; i++) {
      const r = (i + 1) / n;
      const theta = (2 * Math.PI * k) / classes + 1.5 * Math.PI * r;
      data.inputs[2 * row] = r * Math.cos(theta) + noise * rng.normal();
      data.inputs[2 * row + 1] = r * Math.sin(theta) + noise * rng.normal();
      data.labels[row] = k;
      row++;
    }
  }
  return data;
}

/** Two concentric circles (scikit-learn's make_circles): class 0 on radius 1, class 1 on radius 0.5, uniform angles. */
export function makeCircles(samples: number, noise: number, rng: Rng): Dataset {
  const data = emptyDataset(samples, 2, 2);
  for (let row = 0; row < samples; row++) {
    const k = row < classCount(samples, 2, 0) ? 0 : 1;
    const radius = k === 0 ? 1 : 0.5;
    const theta = 2 * Math.PI * rng.next();
    data.inputs[2 * row] = radius * Math.cos(theta) + noise * rng.normal();
    data.inputs[2 * row + 1] = radius * Math.sin(theta) + noise * rng.normal();
    data.labels[row] = k;
  }
  return data;
}

/** XOR: points uniform in [-1, 1]², label 1 when x and y have different signs, then coordinate noise. */
export function makeXor(samples: number, noise: number, rng: Rng): Dataset {
  const data = emptyDataset(samples, 2, 2);
  for (let row = 0; row < samples; row++) {
    const x = 2 * rng.next() - 1;
    const y = 2 * rng.next() - 1;
    data.labels[row] = (x > 0) !== (y > 0) ? 1 : 0;
    data.inputs[2 * row] = x + noise * rng.normal();
    data.inputs[2 * row + 1] = y + noise * rng.normal();
  }
  return data;
}

/** Two interleaved half circles (scikit-learn's make_moons), uniform along each arc, then coordinate noise. */
export function makeMoons(samples: number, noise: number, rng: Rng): Dataset {
  const data = emptyDataset(samples, 2, 2);
  for (let row = 0; row < samples; row++) {
    const k = row < classCount(samples, 2, 0) ? 0 : 1;
    const t = Math.PI * rng.next();
    const x = k === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const y = k === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    data.inputs[2 * row] = x + noise * rng.normal();
    data.inputs[2 * row + 1] = y + noise * rng.normal();
    data.labels[row] = k;
  }
  return data;
}

/** K isotropic Gaussian blobs with std `noise`, centred on the unit circle at angles 2πk/K. */
export function makeGaussians(samples: number, classes: number, noise: number, rng: Rng): Dataset {
  const data = emptyDataset(samples, 2, classes);
  let row = 0;
  for (let k = 0; k < classes; k++) {
    const n = classCount(samples, classes, k);
    const cx = Math.cos((2 * Math.PI * k) / classes);
    const cy = Math.sin((2 * Math.PI * k) / classes);
    for (let i = 0; i < n; i++) {
      data.inputs[2 * row] = cx + noise * rng.normal();
      data.inputs[2 * row + 1] = cy + noise * rng.normal();
      data.labels[row] = k;
      row++;
    }
  }
  return data;
}

/** A uniform integer in [0, n) (n ≤ 2^32) from one draw; the bias of the multiply-shift is below n / 2^32. */
export function randomIndex(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

/** Shuffles `order` in place (Fisher–Yates from the end), one draw per position. */
export function shuffleInPlace(order: Int32Array, rng: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = randomIndex(rng, i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

/** The identity permutation 0..n-1. */
export function identityOrder(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** A data set made of the rows `indices` of `data`, in that order (copied). */
export function selectRows(data: Dataset, indices: ArrayLike<number>, count = indices.length): Dataset {
  const D = data.features;
  const inputs = new Float32Array(count * D);
  const labels = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    const src = indices[r];
    inputs.set(data.inputs.subarray(src * D, (src + 1) * D), r * D);
    labels[r] = data.labels[src];
  }
  return { inputs, labels, features: D, classes: data.classes };
}

/** The validation size: round(N · valFraction), kept within [1, N - 1] so both splits are non-empty. */
export function validationSize(samples: number, valFraction: number): number {
  if (samples < 2) throw new DatasetError(`a data set of ${samples} sample(s) cannot be split`);
  return Math.min(samples - 1, Math.max(1, Math.round(samples * valFraction)));
}

/** Splits by a seeded permutation: the first validationSize(N) permuted rows validate, the rest train. */
export function splitDataset(data: Dataset, valFraction: number, rng: Rng): Split {
  const n = datasetSize(data);
  const nVal = validationSize(n, valFraction);
  const order = identityOrder(n);
  shuffleInPlace(order, rng);
  return {
    val: selectRows(data, order.subarray(0, nVal)),
    train: selectRows(data, order.subarray(nVal)),
  };
}

/**
 * min(count, N) distinct rows of `data` chosen by a partial Fisher–Yates (one draw per chosen row), in the
 * order drawn. Makes no draw and keeps the original order when count ≥ N.
 */
export function sampleRows(data: Dataset, count: number, rng: Rng): Dataset {
  const n = datasetSize(data);
  if (count >= n) return selectRows(data, identityOrder(n));
  const order = identityOrder(n);
  for (let i = 0; i < count; i++) {
    const j = i + randomIndex(rng, n - i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return selectRows(data, order, count);
}
