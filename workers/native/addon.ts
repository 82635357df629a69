// Loads the native addon (native/, built by `npm install` through node-gyp into build/Release) and types its
// functions. Never throws: a missing or broken build is reported as a reason, and the TypeScript engine runs.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What createTrainer takes: the network's sizes and settings, and every buffer the trainer computes in. */
export interface NativeTrainerOptions {
  cpuPath: string;
  sizes: number[];           // [inputs, ...hidden, outputs]
  activation: string;        // an ActivationName
  slope: number;             // leaky_relu's slope (0 for the others)
  loss: string;              // a LossName
  optimizer: string;         // an OptimizerName
  lr: number;
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  clip: string;              // 'none' | 'norm' | 'value'
  clipMax: number;
  maxBatch: number;
  params: Float32Array;
  grads: Float32Array;
  momentumBuf: Float32Array | null;
  adamM: Float32Array | null;
  adamV: Float32Array | null;
  pre: Float32Array[];       // per layer (maxBatch, fanOut)
  act: Float32Array[];       // per layer; the last is the same buffer as pre's last
  delta: Float32Array[];     // per layer
  probs: Float32Array;       // (maxBatch, outputs)
}

/** An opaque handle to a trainer; it keeps every buffer it was given alive. */
export type NativeTrainer = { readonly __nativeTrainer: unique symbol };

export interface NativeAddon {
  /** The instruction sets this CPU can run, best first (e.g. ['avx512', 'avx2', 'sse2', 'generic']). */
  cpuPaths(): string[];
  createTrainer(options: NativeTrainerOptions): NativeTrainer;
  /** Lets go of the trainer's buffers and frees its own memory now (not at a later collection); further calls throw. */
  releaseTrainer(trainer: NativeTrainer): void;
  forward(trainer: NativeTrainer, inputs: Float32Array, n: number): void;
  forwardBackward(trainer: NativeTrainer, inputs: Float32Array, targets: Float32Array, n: number): number;
  /** Per-layer probe statistics of the last forwardBackward's first n rows (diagnostics.ts measureActivations). */
  measureActivations(trainer: NativeTrainer, n: number, saturationBound: number, out: Float64Array): void;
  /** [loss summed over rows, correct predictions] */
  evaluate(trainer: NativeTrainer, inputs: Float32Array, targets: Float32Array, size: number): [number, number];
  /** [steps, clipped steps, stop (0 none, 1 loss, 2 gradient), rows of the stopping batch] */
  trainEpoch(
    trainer: NativeTrainer, order: Int32Array, inputs: Float32Array, targets: Float32Array,
    size: number, batchSize: number, stepsBefore: number,
  ): [number, number, number, number];
  /** Kernel entry points for tests: out = φ(pre), dpre = dact·φ'(pre) over n values on one CPU path. */
  activationForward(cpuPath: string, activation: string, slope: number, out: Float32Array, pre: Float32Array, n: number): void;
  activationBackward(
    cpuPath: string, activation: string, slope: number,
    dpre: Float32Array, dact: Float32Array, pre: Float32Array, act: Float32Array, n: number,
  ): void;
  /** c (M, N) = beta·c + a·b for strided a and b (element (i, k) of a at a[i·rsA + k·csA]); c row-major. */
  gemm(
    cpuPath: string, M: number, N: number, K: number,
    a: Float32Array, rsA: number, csA: number, b: Float32Array, rsB: number, csB: number,
    c: Float32Array, beta: number,
  ): void;
}

export type AddonLoad = { addon: NativeAddon; reason: null } | { addon: null; reason: string };

const ADDON_FILE = 'build/Release/initlab_native.node';

/** The package root: two levels up from workers/native (source), three from dist/workers/native (built). */
function addonCandidates(): string[] {
  return ['../../', '../../../'].map((up) => fileURLToPath(new URL(up + ADDON_FILE, import.meta.url)));
}

let loaded: AddonLoad | undefined;

/** The addon, loaded once per thread (N-API addons are context-aware), or why it could not be. */
export function loadAddon(): AddonLoad {
  if (loaded !== undefined) return loaded;
  const file = addonCandidates().find((candidate) => existsSync(candidate));
  if (file === undefined) {
    loaded = { addon: null, reason: `${ADDON_FILE} was not built (run \`npm install\`, which builds it with node-gyp)` };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(file) as NativeAddon;
    loaded = { addon, reason: null };
  } catch (error) {
    loaded = { addon: null, reason: `${ADDON_FILE} did not load: ${(error as Error).message}` };
  }
  return loaded;
}
