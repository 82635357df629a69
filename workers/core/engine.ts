// The compute a run's training loop delegates to, and the TypeScript reference engine. An engine is bound to one
// network, workspace and optimizer; trainRun keeps the rest (data order, evaluation bookkeeping, divergence
// reports, diagnostics statistics). The native engine (workers/native/engine.ts) runs the same contract in C++.
import { clipGradients, type ClipResult } from './clip.js';
import { measureActivations } from './diagnostics.js';
import { computeLoss, countCorrect, forward, forwardBackward, type Network, type Workspace } from './network.js';
import type { Optimizer } from './optim.js';
import type { RunConfig } from './types.js';

export const BACKENDS = ['ts', 'native'] as const;
/** Which engine computes a run: the TypeScript reference or the native addon. */
export type BackendName = (typeof BACKENDS)[number];

/** Rows to learn from: inputs (size, features) and one-hot targets (size, classes). */
export interface SplitData {
  inputs: Float32Array;
  targets: Float32Array;
  size: number;
}

/** How an epoch of steps ended. */
export interface EpochSteps {
  steps: number;          // optimizer steps taken this epoch
  clippedSteps: number;   // how many of them were clipped
  /**
   * 'none': every batch stepped. 'loss': the loss of the batch after `steps` steps was not finite;
   * 'gradient': its loss was finite but its gradient norm was not. Either way that batch took no step.
   */
  stop: 'none' | 'loss' | 'gradient';
  /** Rows of the batch the epoch stopped on (its forward pass is still in the workspace); 0 when stop = 'none'. */
  stopBatch: number;
}

export interface Engine {
  readonly backend: BackendName;
  /** The instruction set the kernels use: 'js' for TypeScript; 'avx512', 'avx2', 'sse2' or 'generic' natively. */
  readonly cpuPath: string;
  /** The forward pass over the first n rows of inputs (n ≤ ws.maxBatch): fills ws.pre and ws.act. */
  forward(inputs: Float32Array, n: number): void;
  /** Forward, batch-mean loss and backward over n rows: overwrites net.grads, fills ws.delta. Returns the loss. */
  forwardBackward(inputs: Float32Array, targets: Float32Array, n: number): number;
  /**
   * The per-layer statistics of the last forwardBackward's first n rows into out (layers × ACTIVATION_STATS):
   * see measureActivations in diagnostics.ts; |pre| > saturationBound counts as saturated.
   */
  measureActivations(n: number, saturationBound: number, out: Float64Array): void;
  /** Mean loss and accuracy over a whole split, forward only, in chunks of ws.maxBatch. */
  evaluate(split: SplitData): { loss: number; acc: number };
  /**
   * One epoch of steps over split rows in `order`, batches of batchSize (the last may be smaller): gather,
   * forward, loss, backward, clipping and the optimizer update. `stepsBefore` is the number of optimizer steps
   * taken before this epoch (adam's bias correction counts from it). Stops at the first non-finite loss or
   * gradient norm without stepping on that batch.
   */
  trainEpoch(order: Int32Array, split: SplitData, batchSize: number, stepsBefore: number): EpochSteps;
  /**
   * Frees what the engine holds outside the JavaScript heap, at once; the engine is unusable afterwards. Optional:
   * the TypeScript engine holds nothing there. trainRun calls it when a run ends, however it ends.
   */
  release?(): void;
}

/** What an engine is bound to. The optimizer's state buffers are the ones the engine updates. */
export interface EngineContext {
  net: Network;
  ws: Workspace;
  optimizer: Optimizer;
  train: RunConfig['train'];
}

export type EngineFactory = (context: EngineContext) => Engine;

/** The TypeScript reference engine: network.ts, clip.ts and optim.ts, exactly as the gradient checks test them. */
export function createTsEngine({ net, ws, optimizer, train }: EngineContext): Engine {
  const D = net.spec.inputs;
  const K = net.spec.outputs;
  const clipResult: ClipResult = { norm: 0, clipped: false };
  // Batch buffers, allocated once: the step loop allocates nothing.
  const batchInputs = new Float32Array(ws.maxBatch * D);
  const batchTargets = new Float32Array(ws.maxBatch * K);

  return {
    backend: 'ts',
    cpuPath: 'js',
    forward(inputs, n) {
      forward(net, ws, inputs, n);
    },
    forwardBackward(inputs, targets, n) {
      return forwardBackward(net, ws, inputs, targets, n);
    },
    measureActivations(n, saturationBound, out) {
      measureActivations(net, ws, n, saturationBound, out);
    },
    evaluate({ inputs, targets, size }) {
      let lossSum = 0;
      let correct = 0;
      for (let start = 0; start < size; start += ws.maxBatch) {
        const n = Math.min(ws.maxBatch, size - start);
        const chunkTargets = targets.subarray(start * K, (start + n) * K);
        forward(net, ws, inputs.subarray(start * D, (start + n) * D), n);
        lossSum += computeLoss(net, ws, chunkTargets, n) * n;
        correct += countCorrect(ws, chunkTargets, n, K);
      }
      return { loss: lossSum / size, acc: correct / size };
    },
    trainEpoch(order, split, batchSize, _stepsBefore) {
      const B = Math.min(batchSize, ws.maxBatch);
      let steps = 0;
      let clippedSteps = 0;
      for (let start = 0; start < split.size; start += B) {
        // batch (n, D) and targets (n, K) gathered from the shuffled order
        const n = Math.min(B, split.size - start);
        for (let r = 0; r < n; r++) {
          const src = order[start + r];
          for (let d = 0; d < D; d++) batchInputs[r * D + d] = split.inputs[src * D + d];
          for (let k = 0; k < K; k++) batchTargets[r * K + k] = split.targets[src * K + k];
        }
        const loss = forwardBackward(net, ws, batchInputs, batchTargets, n);
        if (!Number.isFinite(loss)) return { steps, clippedSteps, stop: 'loss', stopBatch: n };
        const { norm, clipped } = clipGradients(net.grads, train.clip, clipResult);
        if (!Number.isFinite(norm)) return { steps, clippedSteps, stop: 'gradient', stopBatch: n };
        if (clipped) clippedSteps++;
        optimizer.step(net.params, net.grads);
        steps++;
      }
      return { steps, clippedSteps, stop: 'none', stopBatch: 0 };
    },
  };
}
