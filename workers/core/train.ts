// The training loop: one run of a config on a data set, evaluated at initialization and after every epoch.
// Everything the step loop touches (batch buffers, workspace, optimizer state) is allocated before it starts.
// Not here: loading iris/mnist from disk (workers/datasets.ts) and threads (workers/train-worker.ts).
import {
  type Dataset, DatasetError, datasetSize, generateDataset, identityOrder, sampleRows, shuffleInPlace, splitDataset,
} from './data.js';
import { createDiagnostics, measureProbe, type ProbeBatch } from './diagnostics.js';
import { createTsEngine, type EngineFactory } from './engine.js';
import { createNetwork, createWorkspace, type Network, type Workspace, type WorkspaceCache } from './network.js';
import { meanSquare, normalizeSplit } from './normalize.js';
import { createOptimizer } from './optim.js';
import { createRng, type Rng } from './rng.js';
import { theoryPreVariance } from './theory.js';
import type { Divergence, EpochMetrics, NetworkSpec, RunConfig, RunResult } from './types.js';
import { computeVerdicts } from './verdicts.js';

export interface TrainOptions {
  /** The full data set (before the split); required for iris and mnist. Default: generated from the config. */
  data?: Dataset;
  /**
   * The data stream to continue from (after a loader drew from it); default createRng(config.seed, 0).
   * The stream is consumed in order: data set, split, one shuffle per epoch. The probe batch draws from its
   * own stream (PROBE_STREAM), so train.probeSize never moves the batch order.
   */
  dataRng?: Rng;
  /** Observes each epoch's training-row order right after its shuffle (a view, valid during the call). */
  onShuffle?: (epoch: number, order: Int32Array) => void;
  /** Called once before epoch 0 with the mean-field pre-activation variance per layer (RunResult.theoryPreVar). */
  onStart?: (theoryPreVar: number[]) => void;
  /** Where the run's workspace comes from; default a new one (a worker thread passes its WorkspaceCache). */
  workspaces?: WorkspaceCache;
  /** The engine that computes the steps; default the TypeScript reference (createTsEngine). */
  engine?: EngineFactory;
}

/** A split ready to train on: inputs (N, D), one-hot targets (N, K). */
export interface PreparedSplit {
  inputs: Float32Array;
  targets: Float32Array;
  labels: Int32Array | Uint8Array;
  size: number;
}

/**
 * The createRng stream of the probe batch. Taken: 0 data, 1 weights, 2 LSUV's default batch, 3 biases.
 * A diagnostics setting must not change what the run trains on, so the probe does not draw from stream 0.
 */
export const PROBE_STREAM = 4;

/** What a run trains and evaluates on, and the data stream positioned for the per-epoch shuffles. */
export interface RunData {
  features: number;
  classes: number;
  train: PreparedSplit;
  val: PreparedSplit;
  probe: PreparedSplit;
  /** E[x²] over the normalized training split, for the mean-field theory. */
  inputMeanSquare: number;
  dataRng: Rng;
}

/** One-hot targets (N, K) for labels in [0, K). Both losses train on these. */
export function oneHot(labels: Int32Array | Uint8Array, classes: number): Float32Array {
  const targets = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) targets[i * classes + labels[i]] = 1;
  return targets;
}

function checkDataset(data: Dataset): void {
  const n = datasetSize(data);
  if (data.inputs.length !== n * data.features) {
    throw new DatasetError(`data set inputs hold ${data.inputs.length} values, expected ${n}·${data.features}`);
  }
  for (let i = 0; i < n; i++) {
    const label = data.labels[i];
    if (!(label >= 0 && label < data.classes)) {
      throw new DatasetError(`label ${label} of sample ${i} is outside [0, ${data.classes})`);
    }
  }
}

/** The network spec a run config describes, for a data set of D features and K classes. */
export function networkSpecFor(config: RunConfig, features: number, classes: number): NetworkSpec {
  return {
    inputs: features,
    outputs: classes,
    hidden: config.model.hidden,
    activation: config.model.activation,
    init: config.model.init,
    biasInit: config.model.biasInit,
    loss: config.train.loss,
  };
}

/** The index of the first layer whose slice of `buf` (params or grads layout) holds a non-finite value. */
function firstNonFiniteLayer(net: Network, buf: Float32Array): number | null {
  for (let l = 0; l < net.layout.length; l++) {
    const { wOffset, bOffset, fanOut } = net.layout[l];
    for (let i = wOffset; i < bOffset + fanOut; i++) if (!Number.isFinite(buf[i])) return l;
  }
  return null;
}

/** The first layer whose pre-activations on the last forward (`batch` rows) are non-finite. */
function firstNonFiniteActivation(net: Network, ws: Workspace, batch: number): number | null {
  for (let l = 0; l < net.layout.length; l++) {
    const n = batch * net.layout[l].fanOut;
    const pre = ws.pre[l];
    for (let i = 0; i < n; i++) if (!Number.isFinite(pre[i])) return l;
  }
  return null;
}

/** A cheap finiteness test: a float64 sum of float32 values overflows only if some value is not finite. */
function allFinite(buf: Float32Array): boolean {
  let sum = 0;
  for (let i = 0; i < buf.length; i++) sum += buf[i];
  return Number.isFinite(sum);
}

function prepareSplit(data: Dataset, classes: number): PreparedSplit {
  return { inputs: data.inputs, targets: oneHot(data.labels, classes), labels: data.labels, size: datasetSize(data) };
}

/**
 * The data side of a run, which depends only on config.dataset, config.train.probeSize and the seed (never on
 * the model): the data set, its split, the normalization fitted on the training split, and the probe batch.
 */
export function prepareRunData(config: RunConfig, options: Pick<TrainOptions, 'data' | 'dataRng'> = {}): RunData {
  const dataRng = options.dataRng ?? createRng(config.seed, 0);
  const data = options.data ?? generateDataset(config.dataset, dataRng);
  checkDataset(data);
  const split = splitDataset(data, config.dataset.valFraction, dataRng);
  normalizeSplit(split, config.dataset.normalize);
  // min(probeSize, training rows) distinct rows (sampleRows), drawn from their own stream
  const probe = sampleRows(split.train, config.train.probeSize, createRng(config.seed, PROBE_STREAM));
  return {
    features: data.features,
    classes: data.classes,
    train: prepareSplit(split.train, data.classes),
    val: prepareSplit(split.val, data.classes),
    probe: prepareSplit(probe, data.classes),
    inputMeanSquare: meanSquare(split.train),
    dataRng,
  };
}

/**
 * Trains one run. Calls onEpoch for epoch 0 (before any step) and after every epoch, and returns every one of
 * them with the verdicts. A non-finite loss, gradient or parameter stops the run with status 'diverged'.
 * Deterministic: the same config and seed give bitwise-identical metrics (durationMs aside).
 */
export function trainRun(
  config: RunConfig, onEpoch?: (metrics: EpochMetrics) => void, options: TrainOptions = {},
): RunResult {
  const startedMs = Date.now();
  const { features: D, classes: K, train, val, probe: probeSplit, inputMeanSquare, dataRng } = prepareRunData(config, options);
  const probe: ProbeBatch = { inputs: probeSplit.inputs, targets: probeSplit.targets, batch: probeSplit.size };

  const spec = networkSpecFor(config, D, K);
  const net = createNetwork(spec, config.seed, { lsuvBatch: { inputs: probe.inputs, batch: probe.batch } });
  const theoryPreVar = theoryPreVariance(spec, inputMeanSquare);
  options.onStart?.(theoryPreVar);
  const optimizer = createOptimizer(config.train, net.layout, net.numParams);

  const B = Math.min(config.train.batchSize, train.size);
  const maxBatch = Math.max(B, probe.batch);
  const ws = options.workspaces ? options.workspaces.workspaceFor(net, maxBatch) : createWorkspace(net, maxBatch);
  const engine = (options.engine ?? createTsEngine)({ net, ws, optimizer, train: config.train });
  try {
    const diag = createDiagnostics(net);
    const order = identityOrder(train.size);

    const epochs: EpochMetrics[] = [];
    let divergence: Divergence | null = null;
    let step = 0;

    const evaluate = (epoch: number, clippedSteps: number): EpochMetrics => {
      const trainEval = engine.evaluate(train);
      const valEval = engine.evaluate(val);
      const probeResult = measureProbe(diag, net, probe, engine);
      return {
        epoch,
        step,
        trainLoss: trainEval.loss,
        trainAcc: trainEval.acc,
        valLoss: valEval.loss,
        valAcc: valEval.acc,
        gradNorm: probeResult.gradNorm,
        clipped: clippedSteps > 0,
        clippedSteps,
        layers: probeResult.layers,
      };
    };

    /** The first layer whose forward pass over the training split goes non-finite (null if none does). */
    const locateNonFiniteForward = (): number | null => {
      let first: number | null = null;
      for (let start = 0; start < train.size; start += ws.maxBatch) {
        const n = Math.min(ws.maxBatch, train.size - start);
        engine.forward(train.inputs.subarray(start * D, (start + n) * D), n);
        const layer = firstNonFiniteActivation(net, ws, n);
        if (layer !== null && (first === null || layer < first)) first = layer;
      }
      return first;
    };

    /** Evaluates and records an epoch, or returns the divergence if its training loss is not finite. */
    const evaluateOrDiverge = (epoch: number, clippedSteps: number): Divergence | null => {
      if (!allFinite(net.params)) {
        return { epoch, step, layer: firstNonFiniteLayer(net, net.params), quantity: 'parameter' };
      }
      const metrics = evaluate(epoch, clippedSteps);
      if (!Number.isFinite(metrics.trainLoss)) {
        return { epoch, step, layer: locateNonFiniteForward(), quantity: 'loss' };
      }
      epochs.push(metrics);
      onEpoch?.(metrics);
      return null;
    };

    // Epoch 0, before any step: a network already non-finite at initialization diverges at step 0.
    divergence = evaluateOrDiverge(0, 0);

    for (let epoch = 1; epoch <= config.train.epochs && divergence === null; epoch++) {
      shuffleInPlace(order, dataRng);
      options.onShuffle?.(epoch, order);
      const result = engine.trainEpoch(order, train, B, step);
      step += result.steps;
      if (result.stop === 'loss') {
        // Parameters that went non-finite in the previous step show up here first as a non-finite loss.
        const badParams = firstNonFiniteLayer(net, net.params);
        divergence = badParams !== null
          ? { epoch, step, layer: badParams, quantity: 'parameter' }
          : { epoch, step: step + 1, layer: firstNonFiniteActivation(net, ws, result.stopBatch), quantity: 'loss' };
      } else if (result.stop === 'gradient') {
        divergence = { epoch, step: step + 1, layer: firstNonFiniteLayer(net, net.grads), quantity: 'gradient' };
      } else {
        divergence = evaluateOrDiverge(epoch, result.clippedSteps);
      }
    }

    return {
      status: divergence === null ? 'succeeded' : 'diverged',
      epochs,
      verdicts: computeVerdicts(epochs, divergence),
      divergence,
      theoryPreVar,
      backend: engine.backend,
      cpuPath: engine.cpuPath,
      durationMs: Date.now() - startedMs,
    };
  } finally {
    engine.release?.(); // a native trainer's memory goes now, not at some later collection
  }
}
