// An MLP over one flat parameter buffer: layout, creation (with LSUV), forward, loss and backward.
// Parameter layout: for each layer in order, W row-major (fanOut, fanIn), then its bias (fanOut); grads alike.
// The loops are generic over FloatArray, so a float64 copy of a network (toFloat64) runs the same code in tests.
import type { NetworkSpec } from './types.js';
import { type FloatArray, linearBackward, linearForward, linearScratchSize } from './linear.js';
import { activationBackward, activationForward } from './activations.js';
import { crossEntropyBackward, crossEntropyForward, mseBackward, mseForward } from './loss.js';
import { initBias, initWeights } from './init.js';
import { createRng } from './rng.js';
import { initName } from './labels.js';
import { meanVariance } from './stats.js';

export type { FloatArray } from './linear.js';

/** Where layer i's weights and bias sit in params (and grads). */
export interface LayerLayout {
  fanIn: number;
  fanOut: number;
  wOffset: number; // W (fanOut, fanIn) row-major at params[wOffset .. wOffset + fanOut·fanIn)
  bOffset: number; // bias (fanOut) at params[bOffset .. bOffset + fanOut), right after W
}

/** A network whose parameters live in buffers of type T (Float32Array for training). */
export interface NetworkOf<T extends FloatArray> {
  spec: NetworkSpec;
  layout: LayerLayout[];
  numParams: number;
  params: T;
  grads: T;
}
export type Network = NetworkOf<Float32Array>;

/** Buffers reused by every forward and backward; nothing allocates per call. */
export interface WorkspaceOf<T extends FloatArray> {
  maxBatch: number;
  pre: T[];   // per layer, (maxBatch, fanOut) pre-activations of the last forward
  act: T[];   // per layer, (maxBatch, fanOut) activations; the output layer's act IS its pre (the same buffer)
  delta: T[]; // per layer, (maxBatch, fanOut) dL/dpre of the last backward (batch-mean loss)
  probs: T;   // (maxBatch, outputs) softmax probabilities for cross_entropy after computeLoss/forwardBackward
  dact: T;    // scratch (maxBatch, max layer width): dL/d(activation) of the layer being back-propagated
  scratch: T; // the transpose scratch of linearForward/linearBackward (linearScratchSize of the largest layer)
  // Views of the parameter and gradient buffers per layer, rebuilt if net.params/grads are replaced.
  viewsOf: { params: T; grads: T } | null;
  weights: T[];
  biases: T[];
  dweights: T[];
  dbiases: T[];
}
export type Workspace = WorkspaceOf<Float32Array>;

export interface CreateNetworkOptions {
  /** The batch LSUV calibrates on (inputs (batch, spec.inputs)); default 256 N(0,1) rows from createRng(seed, 2). */
  lsuvBatch?: { inputs: Float32Array; batch: number };
}

export const LSUV_TOLERANCE = 0.1;
export const LSUV_MAX_TRIES = 10;
const LSUV_DEFAULT_BATCH = 256;

/** The layer sizes [inputs, ...hidden, outputs] turned into offsets. */
export function computeLayout(spec: NetworkSpec): { layout: LayerLayout[]; numParams: number } {
  const sizes = [spec.inputs, ...spec.hidden, spec.outputs];
  const layout: LayerLayout[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    layout.push({ fanIn, fanOut, wOffset: offset, bOffset: offset + fanOut * fanIn });
    offset += fanOut * fanIn + fanOut;
  }
  return { layout, numParams: offset };
}

/**
 * A network initialized from `seed`: weights layer by layer from createRng(seed, 1), biases from
 * createRng(seed, 3) per spec.biasInit (default zeros). Every layer, the output layer included, uses spec.init
 * with spec.activation for 'auto' gains and leaky slopes. lsuv rescales each layer in order afterwards.
 */
export function createNetwork(spec: NetworkSpec, seed: number, options: CreateNetworkOptions = {}): Network {
  for (const size of [spec.inputs, spec.outputs, ...spec.hidden]) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`layer sizes must be positive integers, got ${size}`);
  }
  const { layout, numParams } = computeLayout(spec);
  const net: Network = {
    spec, layout, numParams, params: new Float32Array(numParams), grads: new Float32Array(numParams),
  };
  const weightRng = createRng(seed, 1);
  const biasRng = createRng(seed, 3);
  const biasInit = spec.biasInit ?? 'zeros';
  for (const { fanIn, fanOut, wOffset, bOffset } of layout) {
    initWeights(net.params.subarray(wOffset, bOffset), fanOut, fanIn, spec.init, spec.activation, weightRng);
    initBias(net.params.subarray(bOffset, bOffset + fanOut), fanOut, fanIn, biasInit, spec.activation, biasRng);
  }
  if (initName(spec.init) === 'lsuv') {
    let batch = options.lsuvBatch;
    if (batch === undefined) {
      const rng = createRng(seed, 2);
      const inputs = new Float32Array(LSUV_DEFAULT_BATCH * spec.inputs);
      for (let i = 0; i < inputs.length; i++) inputs[i] = rng.normal();
      batch = { inputs, batch: LSUV_DEFAULT_BATCH };
    }
    lsuvRescale(net, batch.inputs, batch.batch);
  }
  return net;
}

/**
 * LSUV (Mishkin & Matas 2016) after the orthogonal start: layer by layer, W /= √Var(pre) on the batch until
 * |Var(pre) - 1| < 0.1, at most 10 tries per layer. Stops early on a layer whose variance is 0 or not finite.
 */
function lsuvRescale<T extends FloatArray>(net: NetworkOf<T>, inputs: FloatArray, batch: number): void {
  const ws = createWorkspace(net, batch);
  checkBatch(net, ws, inputs, batch);
  for (let l = 0; l < net.layout.length; l++) {
    const { fanIn, fanOut } = net.layout[l];
    const w = ws.weights[l];
    // Layers before l are final and ws.act[l-1] holds their output, so each try re-runs layer l only.
    forwardLayers(net, ws, inputs, batch, l, l + 1);
    for (let tries = 0; tries < LSUV_MAX_TRIES; tries++) {
      const v = meanVariance(ws.pre[l], batch * fanOut).variance;
      if (!(v > 0) || !Number.isFinite(v) || Math.abs(v - 1) < LSUV_TOLERANCE) break;
      const scale = 1 / Math.sqrt(v);
      for (let i = 0; i < fanOut * fanIn; i++) w[i] *= scale;
      forwardLayers(net, ws, inputs, batch, l, l + 1);
    }
  }
}

function makeLike<T extends FloatArray>(like: T, n: number): T {
  return (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n)) as T;
}

/** Buffers for batches of up to maxBatch samples. */
export function createWorkspace<T extends FloatArray>(net: NetworkOf<T>, maxBatch: number): WorkspaceOf<T> {
  if (!Number.isInteger(maxBatch) || maxBatch <= 0) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  const last = net.layout.length - 1;
  const pre = net.layout.map((l) => makeLike(net.params, maxBatch * l.fanOut));
  const act = net.layout.map((l, i) => (i === last ? pre[i] : makeLike(net.params, maxBatch * l.fanOut)));
  const delta = net.layout.map((l) => makeLike(net.params, maxBatch * l.fanOut));
  const width = Math.max(...net.layout.map((l) => l.fanIn));
  const ws: WorkspaceOf<T> = {
    maxBatch, pre, act, delta,
    probs: makeLike(net.params, maxBatch * net.spec.outputs),
    dact: makeLike(net.params, maxBatch * width),
    scratch: makeLike(net.params, Math.max(...net.layout.map((l) => linearScratchSize(maxBatch, l.fanIn, l.fanOut)))),
    viewsOf: null, weights: [], biases: [], dweights: [], dbiases: [],
  };
  bindViews(net, ws);
  return ws;
}

/**
 * Hands out one workspace at a time and gives the same buffers back, zeroed, when the next request has the same
 * layer sizes and maxBatch. A worker thread trains run after run of a sweep's few shapes: reusing the buffers
 * spares each run their fresh allocation (page faults, external-memory GC pressure), which cost a 2-64-64-2 run
 * about as much as a fifth of its training. Zeroing keeps a reused workspace indistinguishable from a new one.
 * Not for two live workspaces at once: a request of the same shape returns the buffers the last one holds.
 */
export interface WorkspaceCache {
  workspaceFor<T extends FloatArray>(net: NetworkOf<T>, maxBatch: number): WorkspaceOf<T>;
}

export function createWorkspaceCache(): WorkspaceCache {
  let key = '';
  let cached: WorkspaceOf<Float32Array> | null = null;
  return {
    workspaceFor<T extends FloatArray>(net: NetworkOf<T>, maxBatch: number): WorkspaceOf<T> {
      if (!(net.params instanceof Float32Array)) return createWorkspace(net, maxBatch);
      const want = `${maxBatch}:${net.spec.outputs}:${net.layout.map((l) => `${l.fanIn}x${l.fanOut}`).join(',')}`;
      if (cached === null || key !== want) {
        cached = createWorkspace(net as unknown as Network, maxBatch);
        key = want;
        return cached as unknown as WorkspaceOf<T>;
      }
      const ws = cached;
      for (const buffer of [...ws.pre, ...ws.act, ...ws.delta, ws.probs, ws.dact, ws.scratch]) buffer.fill(0);
      bindViews(net as unknown as Network, ws);
      return ws as unknown as WorkspaceOf<T>;
    },
  };
}

/** (Re)builds the per-layer views when the workspace meets a new params or grads buffer. */
function bindViews<T extends FloatArray>(net: NetworkOf<T>, ws: WorkspaceOf<T>): void {
  if (ws.viewsOf !== null && ws.viewsOf.params === net.params && ws.viewsOf.grads === net.grads) return;
  const view = (buf: T, from: number, to: number) => buf.subarray(from, to) as T;
  ws.weights = net.layout.map((l) => view(net.params, l.wOffset, l.bOffset));
  ws.biases = net.layout.map((l) => view(net.params, l.bOffset, l.bOffset + l.fanOut));
  ws.dweights = net.layout.map((l) => view(net.grads, l.wOffset, l.bOffset));
  ws.dbiases = net.layout.map((l) => view(net.grads, l.bOffset, l.bOffset + l.fanOut));
  ws.viewsOf = { params: net.params, grads: net.grads };
}

function checkBatch<T extends FloatArray>(net: NetworkOf<T>, ws: WorkspaceOf<T>, inputs: FloatArray, batch: number): void {
  if (!Number.isInteger(batch) || batch <= 0 || batch > ws.maxBatch) {
    throw new RangeError(`batch must be an integer in [1, ${ws.maxBatch}], got ${batch}`);
  }
  if (inputs.length < batch * net.spec.inputs) {
    throw new RangeError(`inputs hold ${inputs.length} values, need batch·inputs = ${batch * net.spec.inputs}`);
  }
}

/** Runs layers [from, upTo); layer from reads ws.act[from - 1] (or the inputs when from = 0). */
function forwardLayers<T extends FloatArray>(
  net: NetworkOf<T>, ws: WorkspaceOf<T>, inputs: FloatArray, batch: number, from: number, upTo: number,
): void {
  bindViews(net, ws);
  const last = net.layout.length - 1;
  let x: FloatArray = from === 0 ? inputs : ws.act[from - 1];
  for (let l = from; l < upTo; l++) {
    const { fanIn, fanOut } = net.layout[l];
    linearForward(ws.pre[l], x, ws.weights[l], ws.biases[l], batch, fanIn, fanOut, ws.scratch);
    if (l < last) activationForward(ws.act[l], ws.pre[l], batch * fanOut, net.spec.activation);
    x = ws.act[l];
  }
}

/** The forward pass over the first `batch` rows of inputs (batch, spec.inputs). Returns ws.act[last] (raw outputs). */
export function forward<T extends FloatArray>(net: NetworkOf<T>, ws: WorkspaceOf<T>, inputs: FloatArray, batch: number): T {
  checkBatch(net, ws, inputs, batch);
  forwardLayers(net, ws, inputs, batch, 0, net.layout.length);
  return ws.act[net.layout.length - 1];
}

/** The batch-mean loss of the last forward against targets (batch, outputs); fills ws.probs for cross_entropy. */
export function computeLoss<T extends FloatArray>(net: NetworkOf<T>, ws: WorkspaceOf<T>, targets: FloatArray, batch: number): number {
  const outputs = net.spec.outputs;
  if (targets.length < batch * outputs) {
    throw new RangeError(`targets hold ${targets.length} values, need batch·outputs = ${batch * outputs}`);
  }
  const out = ws.act[net.layout.length - 1];
  return net.spec.loss === 'cross_entropy'
    ? crossEntropyForward(ws.probs, out, targets, batch, outputs)
    : mseForward(out, targets, batch, outputs);
}

/**
 * Forward, batch-mean loss and backward. OVERWRITES net.grads with dL/dparams and fills ws.delta.
 * Returns the loss.
 */
export function forwardBackward<T extends FloatArray>(
  net: NetworkOf<T>, ws: WorkspaceOf<T>, inputs: FloatArray, targets: FloatArray, batch: number,
): number {
  forward(net, ws, inputs, batch);
  const loss = computeLoss(net, ws, targets, batch);
  const layout = net.layout;
  const last = layout.length - 1;
  const outputs = net.spec.outputs;
  if (net.spec.loss === 'cross_entropy') crossEntropyBackward(ws.delta[last], ws.probs, targets, batch, outputs);
  else mseBackward(ws.delta[last], ws.act[last], targets, batch, outputs);
  net.grads.fill(0);
  for (let l = last; l >= 0; l--) {
    const { fanIn, fanOut } = layout[l];
    if (l === 0) {
      linearBackward(null, ws.dweights[0], ws.dbiases[0], ws.delta[0], inputs, ws.weights[0], batch, fanIn, fanOut, ws.scratch);
    } else {
      ws.dact.fill(0, 0, batch * fanIn);
      linearBackward(ws.dact, ws.dweights[l], ws.dbiases[l], ws.delta[l], ws.act[l - 1], ws.weights[l], batch, fanIn, fanOut, ws.scratch);
      activationBackward(ws.delta[l - 1], ws.dact, ws.pre[l - 1], ws.act[l - 1], batch * fanIn, net.spec.activation);
    }
  }
  return loss;
}

/**
 * Convenience for one batch: batch = inputs.length / spec.inputs; targets one-hot (batch, outputs) for
 * cross_entropy, values for mse. Allocates a workspace; also overwrites net.grads. Returns a copy of the grads.
 */
export function lossAndGradients<T extends FloatArray>(
  net: NetworkOf<T>, inputs: FloatArray, targets: FloatArray,
): { loss: number; grads: T } {
  const batch = inputs.length / net.spec.inputs;
  if (!Number.isInteger(batch) || batch <= 0) {
    throw new RangeError(`inputs length ${inputs.length} is not a positive multiple of ${net.spec.inputs}`);
  }
  const ws = createWorkspace(net, batch);
  const loss = forwardBackward(net, ws, inputs, targets, batch);
  return { loss, grads: net.grads.slice() as T };
}

/** How many of the first `batch` rows have argmax(output) == argmax(target) (first maximum on ties). */
export function countCorrect<T extends FloatArray>(ws: WorkspaceOf<T>, targets: FloatArray, batch: number, outputs: number): number {
  const out = ws.act[ws.act.length - 1];
  let correct = 0;
  for (let b = 0; b < batch; b++) {
    const row = b * outputs;
    let bestOut = 0;
    let bestTarget = 0;
    for (let j = 1; j < outputs; j++) {
      if (out[row + j] > out[row + bestOut]) bestOut = j;
      if (targets[row + j] > targets[row + bestTarget]) bestTarget = j;
    }
    if (bestOut === bestTarget) correct++;
  }
  return correct;
}

/** A float64 copy of a network (same spec and layout), for gradient checks and reference computations. */
export function toFloat64(net: NetworkOf<FloatArray>): NetworkOf<Float64Array> {
  return {
    spec: net.spec, layout: net.layout, numParams: net.numParams,
    params: Float64Array.from(net.params), grads: new Float64Array(net.numParams),
  };
}
