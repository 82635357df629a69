// The shipped sweep presets: each a full sweep spec with a name, a title and what it shows.
// Sized for a 2-core CPU: small widths, few epochs, 3 seeds where the point is robustness to the seed.
import { HttpError } from './errors.js';
import { countRuns, parseSweepSpec, type SweepSpec } from './sweep-spec.js';

export interface Preset {
  name: string;
  title: string;
  description: string;
  spec: SweepSpec;
}

export interface PresetSummary {
  name: string;
  title: string;
  description: string;
  runs: number;
}

/** A preset name that is not one of ours; lists the valid names. */
export class PresetNotFoundError extends HttpError {
  constructor(readonly preset: string) {
    super(404, 'preset_not_found', `no preset named "${preset}"; presets: ${PRESETS.map((p) => p.name).join(', ')}`);
    this.name = 'PresetNotFoundError';
  }
}

const SEEDS = [1, 2, 3];
const deep = (depth: number, width: number): number[] => Array.from({ length: depth }, () => width);
const roundTo = (x: number, digits: number): number => Number(x.toFixed(digits));

// Specs as a user would write them (JSON-shaped); each goes through parseSweepSpec like any other.
const PRESET_INPUTS: { name: string; title: string; description: string; spec: unknown }[] = [
  {
    name: 'seed-tour',
    title: 'Initialization tour',
    description: 'Seven initializers × four activations on spirals, 3 seeds: symmetry, saturation, dead units and explosion side by side.',
    spec: {
      name: 'seed article tour',
      description: 'zeros and constant inits stay symmetric; N(0, 0.01²) vanishes; N(0, 1) and N(0, 5²) saturate '
        + 'sigmoid/tanh and explode ReLU; xavier_uniform and he_normal train.',
      base: {
        dataset: { name: 'spirals', samples: 1000, noise: 0.1, classes: 2 },
        model: { hidden: [32, 32, 32] },
        train: { epochs: 40, batchSize: 32, optimizer: 'momentum', lr: 0.05 },
      },
      grid: {
        'model.init': [
          'zeros',
          { name: 'constant', value: 0.1 },
          'normal',
          { name: 'normal', std: 0.01 },
          { name: 'normal', std: 5 },
          'xavier_uniform',
          'he_normal',
        ],
        'model.activation': ['sigmoid', 'tanh', 'relu', 'leaky_relu'],
        seed: SEEDS,
      },
    },
  },
  {
    name: 'deep-tanh',
    title: 'Deep tanh (Glorot & Bengio 2010)',
    description: 'A 10-layer tanh net: N(0, 1) saturates, the old U(±1/√n) heuristic shrinks the signal, Xavier keeps it.',
    spec: {
      name: 'deep tanh: normal vs xavier',
      description: 'U(±0.125) is the "standard" U(±1/√n) heuristic for the hidden fan-in of 64.',
      base: {
        dataset: { name: 'moons', samples: 800, noise: 0.1 },
        model: { hidden: deep(10, 64), activation: 'tanh' },
        train: { epochs: 20, batchSize: 32, optimizer: 'sgd', lr: 0.05 },
      },
      grid: {
        'model.init': ['normal', { name: 'uniform', limit: 0.125 }, 'xavier_uniform', 'xavier_normal'],
        seed: SEEDS,
      },
    },
  },
  {
    name: 'deep-relu',
    title: 'Deep ReLU (He et al. 2015)',
    description: 'A 20-layer ReLU net: Xavier halves the signal variance per layer, He keeps it near 1.',
    spec: {
      name: 'deep relu: xavier vs he',
      base: {
        dataset: { name: 'moons', samples: 800, noise: 0.1 },
        model: { hidden: deep(20, 64), activation: 'relu' },
        train: { epochs: 20, batchSize: 32, optimizer: 'sgd', lr: 0.01 },
      },
      grid: {
        'model.init': ['xavier_uniform', 'xavier_normal', 'he_uniform', 'he_normal'],
        seed: SEEDS,
      },
    },
  },
  {
    name: 'selu',
    title: 'Self-normalizing SELU (Klambauer et al. 2017)',
    description: 'A 16-layer SELU net: LeCun normal keeps activations near mean 0, std 1; He and small N(0, σ²) drift away.',
    spec: {
      name: 'selu: lecun_normal vs others',
      base: {
        dataset: { name: 'moons', samples: 800, noise: 0.1 },
        model: { hidden: deep(16, 64), activation: 'selu' },
        train: { epochs: 20, batchSize: 32, optimizer: 'sgd', lr: 0.01 },
      },
      grid: {
        'model.init': ['lecun_normal', 'xavier_uniform', 'he_normal', { name: 'normal', std: 0.05 }],
        seed: SEEDS,
      },
    },
  },
  {
    name: 'clipping',
    title: 'Gradient clipping at high learning rates',
    description: 'A 10-layer He/ReLU net with plain SGD at lr 0.1 and 0.5, unclipped or norm-clipped at 1 and 5.',
    spec: {
      name: 'clipping: none vs norm',
      base: {
        dataset: { name: 'spirals', samples: 1000, noise: 0.1 },
        model: { hidden: deep(10, 64), activation: 'relu', init: 'he_normal' },
        train: { epochs: 20, batchSize: 32, optimizer: 'sgd' },
      },
      grid: {
        'train.clip': [{ mode: 'none' }, { mode: 'norm', max: 1 }, { mode: 'norm', max: 5 }],
        'train.lr': [0.1, 0.5],
        seed: SEEDS,
      },
    },
  },
  {
    name: 'normalization',
    title: 'Input normalization',
    description: 'Iris with raw features in centimetres (0.1 to 7.9, all positive) vs standardized vs min-max scaled.',
    spec: {
      name: 'input normalization on iris',
      description: 'The synthetic sets already lie near the unit disc, so the raw-scale case uses iris measurements.',
      base: {
        dataset: { name: 'iris', samples: 150, valFraction: 0.2 },
        model: { hidden: [32, 32], init: 'xavier_uniform' },
        train: { epochs: 100, batchSize: 16, optimizer: 'sgd', lr: 0.05, probeSize: 120 },
      },
      grid: {
        'dataset.normalize': ['none', 'standard', 'minmax'],
        'model.activation': ['tanh', 'relu'],
        seed: SEEDS,
      },
    },
  },
  {
    name: 'mnist',
    title: 'Small MNIST',
    description: '2,000 MNIST digits, two hidden layers of 64: N(0, 1) vs Xavier vs He under tanh and ReLU, 2 seeds.',
    spec: {
      name: 'small mnist',
      base: {
        dataset: { name: 'mnist', samples: 2000, valFraction: 0.2 },
        model: { hidden: [64, 64] },
        train: { epochs: 10, batchSize: 32, optimizer: 'sgd', lr: 0.05 },
      },
      grid: {
        'model.init': ['normal', 'xavier_uniform', 'he_normal'],
        'model.activation': ['tanh', 'relu'],
        seed: [1, 2],
      },
    },
  },
  // The signal-propagation atlas (issue 12): the papers' own experiments, scaled to a 2-core machine.
  {
    name: 'tanh-phase',
    title: 'Tanh phase diagram (Schoenholz et al. 2017)',
    description: 'σ_w² 1 to 4 × depth 10 to 150 at σ_b² = 0.05 on 2,000 MNIST digits: trainable cells against the χ₁ = 1 line and 6 ξ_c; open its phase view.',
    spec: {
      name: 'tanh phase diagram',
      description: 'Scaled from Schoenholz et al. 2017 (width 300, up to 300 layers, thousands of SGD steps): width 64, '
        + '1,600 training digits, 30 epochs of batch 32 (1,500 steps), plain SGD at lr 0.01, 2 seeds. '
        + 'σ_w is the lecun_normal gain (σ_w² = gain²); σ_b² = 0.05 is a normal bias std of √0.05. '
        + 'χ₁ = 1 at σ_w² ≈ 1.76 here.',
      base: {
        dataset: { name: 'mnist', samples: 2000, valFraction: 0.2 },
        model: {
          width: 64, activation: 'tanh', init: { name: 'lecun_normal' },
          biasInit: { name: 'normal', std: roundTo(Math.sqrt(0.05), 6) },
        },
        train: { epochs: 30, batchSize: 32, optimizer: 'sgd', lr: 0.01, probeSize: 128 },
      },
      grid: {
        'model.init.gain': [1, 1.5, 1.76, 2, 2.5, 3, 4].map((w2) => roundTo(Math.sqrt(w2), 6)),
        'model.depth': [10, 20, 30, 50, 75, 100, 150],
        seed: [1, 2],
      },
    },
  },
  {
    name: 'glorot-2010',
    title: 'Glorot & Bengio 2010 on MNIST',
    description: 'tanh, softsign and sigmoid × the standard U(±1/√n) init vs normalized (Xavier) init, 5 × 128 on MNIST digits; per-layer saturation over training on each run page.',
    spec: {
      name: 'glorot & bengio 2010: standard vs normalized init',
      description: 'Scaled from the paper (5 hidden layers of 1,000 units, Shapeset and MNIST, hundreds of thousands of '
        + 'updates): 5 × 128, 2,000 MNIST digits, 20 epochs of batch 10 SGD at lr 0.05, 2 seeds. The standard init '
        + 'U(±1/√n), n = fan_in, is lecun_uniform with gain 1/√3 on every layer; normalized is xavier_uniform.',
      base: {
        dataset: { name: 'mnist', samples: 2000, valFraction: 0.2 },
        model: { depth: 5, width: 128 },
        train: { epochs: 20, batchSize: 10, optimizer: 'sgd', lr: 0.05, probeSize: 256 },
      },
      grid: {
        'model.init': [{ name: 'lecun_uniform', gain: roundTo(1 / Math.sqrt(3), 6) }, 'xavier_uniform'],
        'model.activation': ['tanh', 'softsign', 'sigmoid'],
        seed: [1, 2],
      },
    },
  },
  {
    name: 'he-2015',
    title: 'He et al. 2015: 30-layer ReLU',
    description: 'A 30-layer ReLU net on MNIST digits: Xavier (σ_w² = 1) stalls, He (σ_w² = 2) trains; 3 seeds.',
    spec: {
      name: 'he et al. 2015: 30-layer relu, xavier vs he',
      description: 'Scaled from the paper (a 30-layer ReLU convolutional net on ImageNet): 30 × 64 fully connected, '
        + '2,000 MNIST digits, 20 epochs of batch 32 SGD at lr 0.01. Xavier here is Var = 1/fan_in (lecun_normal, '
        + 'the paper\'s "Xavier") and xavier_normal; He is he_normal (Var = 2/fan_in).',
      base: {
        dataset: { name: 'mnist', samples: 2000, valFraction: 0.2 },
        model: { depth: 30, width: 64, activation: 'relu' },
        train: { epochs: 20, batchSize: 32, optimizer: 'sgd', lr: 0.01, probeSize: 128 },
      },
      grid: {
        'model.init': ['lecun_normal', 'xavier_normal', 'he_normal'],
        seed: SEEDS,
      },
    },
  },
  {
    name: 'lr-search',
    title: 'Learning rate search',
    description: 'Xavier vs He on ReLU spirals at 8 log-uniform learning rates from 0.001 to 1 (a random-search example).',
    spec: {
      name: 'learning rate search',
      base: {
        dataset: { name: 'spirals', samples: 1000, noise: 0.1 },
        model: { hidden: [32, 32, 32], activation: 'relu' },
        train: { epochs: 30, batchSize: 32, optimizer: 'sgd' },
      },
      grid: { 'model.init': ['xavier_uniform', 'he_normal'] },
      random: { samples: 8, space: { 'train.lr': { logUniform: [0.001, 1] } } },
      randomSeed: 11,
    },
  },
];

const PRESETS: Preset[] = PRESET_INPUTS.map(({ spec, ...about }) => ({ ...about, spec: parseSweepSpec(spec) }));

/** The presets in display order, with how many runs each expands to. */
export function listPresets(): PresetSummary[] {
  return PRESETS.map(({ name, title, description, spec }) => ({ name, title, description, runs: countRuns(spec) }));
}

/** One preset by name; its spec is a fresh copy the caller may change. Throws PresetNotFoundError (404). */
export function getPreset(name: string): Preset {
  const preset = PRESETS.find((p) => p.name === name);
  if (!preset) throw new PresetNotFoundError(name);
  return structuredClone(preset);
}
