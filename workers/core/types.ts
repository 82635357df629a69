// The training core's shared types: run configs, per-epoch metrics, verdicts and results.
// Pure type declarations and constant lists; no Node imports (the core runs anywhere).

export const ACTIVATIONS = [
  'linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'softsign', 'silu',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
/** An activation is a name, or `{ name: 'leaky_relu', slope }` (slope defaults to 0.01). */
export type ActivationSpec = ActivationName | { name: ActivationName; slope?: number };

export const INITS = [
  'zeros', 'constant', 'normal', 'uniform', 'xavier_uniform', 'xavier_normal', 'he_uniform', 'he_normal',
  'lecun_uniform', 'lecun_normal', 'orthogonal', 'lsuv',
] as const;
export type InitName = (typeof INITS)[number];
export type Gain = number | 'auto';
/** Parameters an initializer may take; which ones apply depends on the name (see README). */
export interface InitParams {
  value?: number;           // constant
  mean?: number;            // normal
  std?: number;             // normal (default 1)
  limit?: number;           // uniform: U(-limit, limit), default 1
  gain?: Gain;              // xavier_*, orthogonal (default 1; 'auto' = PyTorch calculate_gain)
  mode?: 'fan_in' | 'fan_out'; // he_* (default fan_in)
  slope?: number;           // he_*: leaky ReLU slope a for the gain sqrt(2/(1+a^2))
}
/** An initializer is a name, or an object with the name and its parameters: `{ name: 'normal', std: 0.01 }`. */
export type InitSpec = InitName | ({ name: InitName } & InitParams);

export const LOSSES = ['cross_entropy', 'mse'] as const;
export type LossName = (typeof LOSSES)[number];
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const DATASETS = ['spirals', 'circles', 'xor', 'moons', 'gaussians', 'iris', 'mnist'] as const;
export type DatasetName = (typeof DATASETS)[number];
export const NORMALIZATIONS = ['standard', 'minmax', 'none'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

export type ClipConfig =
  | { mode: 'none' }
  | { mode: 'norm'; max: number }   // PyTorch clip_grad_norm_: g *= max / (||g|| + 1e-6) when ||g|| > max
  | { mode: 'value'; max: number }; // clamp every gradient entry to [-max, max]

/** A fully resolved run config (every default filled in). `workers/run-config.ts` parses user input into it. */
export interface RunConfig {
  dataset: {
    name: DatasetName;
    samples: number;      // total samples before the train/validation split
    noise: number;        // synthetic sets only
    classes: number;      // spirals (arms) and gaussians (blobs); others fix their own
    valFraction: number;
    normalize: Normalization;
  };
  model: {
    hidden: number[];
    activation: ActivationSpec;
    init: InitSpec;
    biasInit: InitSpec;   // zeros unless configured
  };
  train: {
    epochs: number;
    batchSize: number;
    loss: LossName;
    optimizer: OptimizerName;
    lr: number;
    momentum: number;     // momentum optimizer
    nesterov: boolean;    // momentum optimizer
    beta1: number;        // adam
    beta2: number;        // adam
    eps: number;          // adam
    weightDecay: number;  // L2 penalty coefficient added to the gradient
    clip: ClipConfig;
    probeSize: number;    // samples in the fixed diagnostics probe batch (from the training split)
  };
  seed: number;
}

/** A network's shape, as `createNetwork` takes it. */
export interface NetworkSpec {
  inputs: number;
  outputs: number;
  hidden: number[];
  activation: ActivationSpec;
  init: InitSpec;
  biasInit?: InitSpec;
  loss: LossName;
}

/** Per-layer diagnostics on the probe batch. Layer i maps layer i-1's activations to its own; the last is the output. */
export interface LayerStats {
  layer: number;           // 0-based weight-layer index
  units: number;           // fanOut
  actMean: number;         // mean of the layer's activation (output layer: of its logits/outputs)
  actStd: number;
  preStd: number;          // std of the pre-activation
  saturatedFrac: number;   // fraction of (sample, unit) with phi'(h) < 5% of max phi' (sigmoid, tanh, softsign; else 0)
  deadFrac: number;        // fraction of units outputting 0 for every probe sample (relu hidden layers; else 0)
  deltaNorm: number;       // ||dL/d pre-activation|| over the probe batch (Frobenius)
  weightGradNorm: number;  // ||dL/dW|| on the probe batch
  weightNorm: number;      // ||W||
  updateRatio: number;     // ||W_now - W_at_previous_epoch|| / ||W_at_previous_epoch|| (0 at epoch 0)
  distinctUnits: number;   // rows [W_i, b_i] distinct within 1e-6 relative (countDistinctUnits)
}

export interface EpochMetrics {
  epoch: number;           // 0 = at initialization, before any step
  step: number;            // optimizer steps taken so far
  trainLoss: number;       // over the whole training split
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  gradNorm: number;        // global L2 gradient norm on the probe batch, before clipping
  clipped: boolean;        // whether any step of this epoch was clipped
  clippedSteps: number;    // how many steps of this epoch were clipped
  layers: LayerStats[];
}

export const VERDICTS = [
  'healthy', 'symmetric', 'saturated', 'dead', 'vanishing', 'exploding', 'diverged', 'not_learning',
] as const;
export type VerdictKind = (typeof VERDICTS)[number];
export interface Verdict {
  kind: VerdictKind;
  evidence: string;        // the numbers behind it, in one sentence
  value?: number;          // the deciding quantity, where there is one
}

export interface Divergence {
  epoch: number;
  step: number;
  layer: number | null;    // first weight layer that went non-finite, if any
  quantity: 'loss' | 'gradient' | 'parameter';
}

export type TrainStatus = 'succeeded' | 'diverged';

export interface RunResult {
  status: TrainStatus;
  epochs: EpochMetrics[];
  verdicts: Verdict[];
  divergence: Divergence | null;
  /** Mean-field pre-activation variance per layer at initialization (q_l), to overlay on measured preStd^2 at epoch 0. */
  theoryPreVar: number[];
  /** The engine that computed the run ('ts' or 'native') and its instruction set ('js', 'avx512', 'avx2', ...). */
  backend: 'ts' | 'native';
  cpuPath: string;
  durationMs: number;
}
