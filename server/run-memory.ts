// How much memory one run needs, estimated from its config before it is accepted, and the per-run budget a sweep's
// runs must fit. The training buffers are typed arrays, outside a worker's heap limit, so this is the only bound.
// Not here: measuring a live run (test/server/run-memory.test.ts checks the estimate against a real allocation).
import { availableParallelism, totalmem } from 'node:os';
import type { RunConfig } from '../workers/core/types.js';
import { MNIST_FEATURES, MNIST_SAMPLES } from '../workers/datasets.js';
import { ConfigError } from '../workers/run-config.js';
import { canonicalJson } from './config-hash.js';
import { datasetShape, type PlannedRun, type SweepSpec } from './sweep-spec.js';

const FLOAT = 4; // bytes in a float32 (and an int32)
const MB = 1024 * 1024;

/** One run's memory in bytes, by what holds it. */
export interface RunMemory {
  parameters: number;
  /** Parameter-sized copies: gradients, the diagnostics' previous parameters, and momentum or adam's two moments. */
  parameterCopies: number;
  /** Pre-activations, activations and deltas per layer × the largest batch, softmax, scratch and batch buffers. */
  workspace: number;
  /** The data set, its split and one-hot targets, the probe batch (and the cached MNIST digits). */
  data: number;
  total: number;
  /** Weights and biases. */
  parameterCount: number;
}

/** Estimates the typed arrays a run allocates (the layout of workers/core/train.ts's trainRun). */
export function estimateRunMemory(config: RunConfig): RunMemory {
  const { features: D, classes: K, samples: N } = datasetShape(config.dataset);
  const widths = [D, ...config.model.hidden, K];
  let P = 0;
  let sumOut = 0;
  let maxWidth = 0;
  let maxLayerWeights = 0;
  for (let i = 1; i < widths.length; i++) {
    P += (widths[i - 1] + 1) * widths[i];
    sumOut += widths[i];
    maxWidth = Math.max(maxWidth, widths[i]);
    maxLayerWeights = Math.max(maxLayerWeights, widths[i - 1] * widths[i]);
  }
  const nVal = Math.min(N - 1, Math.max(1, Math.round(N * config.dataset.valFraction)));
  const nTrain = N - nVal;
  const probe = Math.min(config.train.probeSize, nTrain);
  const batch = Math.max(Math.min(config.train.batchSize, nTrain), probe); // the workspace's maxBatch

  const optimizerCopies = config.train.optimizer === 'adam' ? 2 : config.train.optimizer === 'momentum' ? 1 : 0;
  const parameters = P * FLOAT;
  const parameterCopies = (2 + optimizerCopies) * P * FLOAT;
  // pre, act (the output layer's act is its pre) and delta per layer; probs; dact; the transpose scratch; the
  // engine's gathered batch inputs and targets.
  const workspace = FLOAT * (
    batch * (3 * sumOut - K) + batch * K + batch * maxWidth
    + Math.max(maxLayerWeights, maxWidth * batch) + batch * (D + K)
  );
  // The generated (or sampled) set and its split copy (inputs + int32 labels), one-hot targets, the shuffle
  // order, and the probe batch (inputs, labels, targets).
  const rows = FLOAT * (2 * N * (D + 1) + N * K + nTrain + probe * (D + K + 1));
  const mnistCache = config.dataset.name === 'mnist' ? FLOAT * MNIST_SAMPLES * MNIST_FEATURES : 0;
  const data = rows + mnistCache;
  return {
    parameters, parameterCopies, workspace, data,
    total: parameters + parameterCopies + workspace + data,
    parameterCount: P,
  };
}

/**
 * The default per-run budget in MB: half the machine's memory shared by the runs that train at once (one a
 * thread), so the server, SQLite and the workers' heaps keep the other half.
 */
export function defaultMaxRunMb(threads: number = availableParallelism(), memoryBytes: number = totalmem()): number {
  return Math.max(64, Math.floor(memoryBytes / 2 / Math.max(1, threads) / MB));
}

export function formatMb(bytes: number): string {
  return `${Math.ceil(bytes / MB).toLocaleString('en-US')} MB`;
}

function describeHidden(hidden: number[]): string {
  if (hidden.length <= 6) return `[${hidden.join(', ')}]`;
  return `[${hidden.slice(0, 3).join(', ')}, … ${hidden.length} layers]`;
}

/**
 * The spec field a run's hidden stack came from: a grid value of model.hidden, else of the shorthands model.width
 * (parameters grow with its square) or model.depth, else the base's width, depth or hidden.
 */
function sizeField(spec: SweepSpec, hidden: number[]): string {
  const indexIn = (axis: string, value: unknown): number => {
    const wanted = canonicalJson(value);
    return spec.grid[axis]?.findIndex((v) => canonicalJson(v) === wanted) ?? -1;
  };
  const candidates: Array<[string, unknown]> = [['model.hidden', hidden], ['model.width', hidden[0]], ['model.depth', hidden.length]];
  for (const [axis, value] of candidates) {
    const index = indexIn(axis, value);
    if (index >= 0) return `grid.${axis}[${index}]`;
  }
  const model = (spec.base as { model?: { width?: unknown; depth?: unknown } }).model;
  if (model?.width !== undefined) return 'base.model.width';
  if (model?.depth !== undefined) return 'base.model.depth';
  return 'base.model.hidden';
}

/**
 * Refuses a sweep any of whose runs would need more than `maxRunMb`: a ConfigError naming the field its size came
 * from (sizeField) and that run's estimate. Linear in the runs and their layers.
 */
export function checkRunMemory(spec: SweepSpec, runs: readonly Pick<PlannedRun, 'config'>[], maxRunMb: number): void {
  let heaviest: { run: Pick<PlannedRun, 'config'>; memory: RunMemory } | null = null;
  for (const run of runs) {
    const memory = estimateRunMemory(run.config);
    if (!heaviest || memory.total > heaviest.memory.total) heaviest = { run, memory };
  }
  if (!heaviest || heaviest.memory.total <= maxRunMb * MB) return;
  const { run, memory } = heaviest;
  const hidden = run.config.model.hidden;
  const path = sizeField(spec, hidden);
  const size = path.includes('hidden')
    ? `model.hidden ${describeHidden(hidden)}`
    : `model.depth ${hidden.length} × model.width ${hidden[0]} (model.hidden ${describeHidden(hidden)})`;
  const params = memory.parameterCount.toExponential(2).replace('e+', 'e');
  throw new ConfigError([{
    path,
    message: `${size} makes a run need about ${formatMb(memory.total)} (${params} parameters `
      + `with their gradients and ${run.config.train.optimizer} state, the workspace for batches of `
      + `${run.config.train.batchSize}, and the data set), over the per-run memory budget of `
      + `${maxRunMb.toLocaleString('en-US')} MB (--max-run-mb or INITLAB_MAX_RUN_MB); use fewer or narrower layers`,
  }], 'sweep spec');
}
