// The measurements behind README's "What the measurements show": each group trains its runs with the TypeScript
// core (trainRun, no engine), fixed seeds, and returns the figures the section quotes, by name.
// Cheap groups read epoch 0 or a few epochs (seconds, run in `npm test`); the full group trains the seed-tour preset.
import { formatMeanSd } from '../../server/exports/pivot.js';
import { getPreset } from '../../server/presets.js';
import { expandSweep } from '../../server/sweep-spec.js';
import { initLabel } from '../../workers/core/labels.js';
import { createRng } from '../../workers/core/rng.js';
import { meanField } from '../../workers/core/theory.js';
import { networkSpecFor, trainRun } from '../../workers/core/train.js';
import type { EpochMetrics, LayerStats, RunConfig, RunResult } from '../../workers/core/types.js';
import { loadDataset } from '../../workers/datasets.js';
import { parseRunConfig } from '../../workers/run-config.js';

export type FigureValue = number | string;
export type Figures = Record<string, FigureValue>;

export interface FigureGroup {
  name: string;
  cost: 'cheap' | 'full';
  /** What `npm run figures -- <name>` trains, in `initlab train --backend ts` form (one JSON config a run). */
  configs(): RunConfig[];
  measure(log: (line: string) => void): Figures;
}

const SEEDS = [1, 2, 3];
const hiddenOf = (m: EpochMetrics): LayerStats[] => m.layers.slice(0, -1);
/** ‖δ‖/√units of the first hidden layer over that of the last: how much δ grows toward the input. */
const deltaRatio = (m: EpochMetrics) => {
  const h = hiddenOf(m);
  const perUnit = (l: LayerStats) => l.deltaNorm / Math.sqrt(l.units);
  return perUnit(h[0]) / perUnit(h[h.length - 1]);
};
const min = (xs: number[]) => Math.min(...xs);
const max = (xs: number[]) => Math.max(...xs);
const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

/** The TypeScript core, no engine: what `initlab train --backend ts` runs (iris is loaded as runTraining does). */
function train(config: RunConfig): RunResult {
  const dataRng = createRng(config.seed, 0);
  return trainRun(config, undefined, { data: loadDataset(config.dataset, dataRng), dataRng });
}

/** √χ per layer transition l → l+1 over the hidden layers, from the mean-field theory of `config`'s network. */
function theorySqrtChi(config: RunConfig): number[] {
  const classes = config.dataset.classes;
  const features = config.dataset.name === 'iris' ? 4 : 2;
  const chi = meanField(networkSpecFor(config, features, classes), 1).chi;
  return chi.slice(0, config.model.hidden.length - 1).map(Math.sqrt);
}

const deep = (over: object, seed: number) => parseRunConfig({ ...over, train: { epochs: 1 }, seed });

// ---- 10 × 64 tanh, epoch 0 -----------------------------------------------------------------------------------

const tanh10 = (init: string, seed: number) => deep({ model: { hidden: Array(10).fill(64), activation: 'tanh', init } }, seed);

const depth: FigureGroup = {
  name: 'depth',
  cost: 'cheap',
  configs: () => ['normal', 'xavier_uniform'].flatMap((init) => SEEDS.map((seed) => tanh10(init, seed))),
  measure() {
    const normal = SEEDS.map((seed) => train(tanh10('normal', seed)).epochs[0]);
    const xavier = SEEDS.map((seed) => train(tanh10('xavier_uniform', seed)).epochs[0]);
    const config = tanh10('normal', 1);
    const theory = meanField(networkSpecFor(config, 2, config.dataset.classes), 1);
    const sqrtChi = theorySqrtChi(config);
    const sqrtChiXavier = theorySqrtChi(tanh10('xavier_uniform', 1));
    const hidden = hiddenOf(normal[0]);
    const ratios = normal.map(deltaRatio);
    const xavierRatios = xavier.map(deltaRatio);
    return {
      // Hidden layers 3..10 (0-based 2..9), past the transient of the first two.
      'normal.q': hidden.slice(2).reduce((s, l) => s + l.preStd ** 2, 0) / (hidden.length - 2),
      'normal.q.theory': theory.preVar[hidden.length - 1],
      'normal.perLayer': ratios[0] ** (1 / (hidden.length - 1)),
      'normal.sqrtChi.steady': sqrtChi[sqrtChi.length - 1],
      'normal.sqrtChi.geomean': geomean(sqrtChi),
      'normal.ratio': ratios[0],
      'normal.ratio.min': min(ratios),
      'normal.ratio.max': max(ratios),
      'normal.ratio.theory': sqrtChi.reduce((p, x) => p * x, 1),
      'xavier.ratio': xavierRatios[0],
      'xavier.ratio.min': min(xavierRatios),
      'xavier.ratio.max': max(xavierRatios),
      'xavier.ratio.theory': sqrtChiXavier.reduce((p, x) => p * x, 1),
    };
  },
};

// ---- 20 × 64 ReLU, epoch 0 -----------------------------------------------------------------------------------

const relu20 = (init: string, seed: number) => deep({ model: { hidden: Array(20).fill(64), activation: 'relu', init } }, seed);

const reluDepth: FigureGroup = {
  name: 'relu-depth',
  cost: 'cheap',
  configs: () => ['xavier_normal', 'he_normal'].flatMap((init) => SEEDS.map((seed) => relu20(init, seed))),
  measure() {
    const xavier = SEEDS.map((seed) => train(relu20('xavier_normal', seed)).epochs[0]);
    const he = SEEDS.map((seed) => train(relu20('he_normal', seed)).epochs[0]);
    const lastStd = (m: EpochMetrics) => hiddenOf(m).at(-1)!.actStd;
    const maxDead = (ms: EpochMetrics[]) => max(ms.flatMap((m) => hiddenOf(m).map((l) => l.deadFrac)));
    const heHidden = hiddenOf(he[0]);
    return {
      'xavier.lastStd.min': min(xavier.map(lastStd)),
      'xavier.lastStd.max': max(xavier.map(lastStd)),
      'he.lastStd.min': min(he.map(lastStd)),
      'he.lastStd.max': max(he.map(lastStd)),
      'he.q.first': heHidden[0].preStd ** 2,
      'he.q.last': heHidden.at(-1)!.preStd ** 2,
      'he.dead.max': maxDead(he),
      'xavier.dead.max': maxDead(xavier),
    };
  },
};

// ---- 20 × 64 SELU with lecun_normal, epoch 0 -------------------------------------------------------------------

const selu20 = (seed: number) => deep({ model: { hidden: Array(20).fill(64), activation: 'selu', init: 'lecun_normal' } }, seed);

const selu: FigureGroup = {
  name: 'selu',
  cost: 'cheap',
  configs: () => SEEDS.map(selu20),
  measure() {
    const runs = SEEDS.map((seed) => train(selu20(seed)).epochs[0]);
    const stds = runs.flatMap((m) => hiddenOf(m).map((l) => l.actStd));
    return {
      'std.min': min(stds),
      'std.max': max(stds),
      'ratio': deltaRatio(runs[0]),
      'ratio.theory': theorySqrtChi(selu20(1)).reduce((p, x) => p * x, 1),
    };
  },
};

// ---- clipping: 10 × 32 He/ReLU, momentum, lr 0.3 -------------------------------------------------------------

const clipRun = (clip: object) => parseRunConfig({
  dataset: { name: 'spirals', samples: 400, classes: 3 },
  model: { hidden: Array(10).fill(32), activation: 'relu', init: 'he_normal' },
  train: { epochs: 3, optimizer: 'momentum', lr: 0.3, clip },
  seed: 1,
});

const clipping: FigureGroup = {
  name: 'clipping',
  cost: 'cheap',
  configs: () => [clipRun({ mode: 'none' }), clipRun({ mode: 'norm', max: 1 })],
  measure() {
    const free = train(clipRun({ mode: 'none' }));
    const clipped = train(clipRun({ mode: 'norm', max: 1 }));
    return {
      'free.status': free.status,
      'free.epoch': free.divergence?.epoch ?? -1,
      'clipped.status': clipped.status,
      'clipped.valAcc': clipped.epochs.at(-1)!.valAcc,
    };
  },
};

// ---- sigmoid under Xavier, the seed-tour network at epoch 0 ---------------------------------------------------

/** The seed-tour preset's network and training (3 × 32, spirals) under one init, for `epochs` epochs. */
function seedTourRun(activation: string, init: string, seed: number, epochs: number): RunConfig {
  const base = getPreset('seed-tour').spec.base as { train: object };
  return parseRunConfig({ ...base, model: { hidden: [32, 32, 32], activation, init }, train: { ...base.train, epochs }, seed });
}

const sigmoidXavier: FigureGroup = {
  name: 'sigmoid-xavier',
  cost: 'cheap',
  configs: () => [seedTourRun('sigmoid', 'xavier_uniform', 1, 1)],
  measure() {
    const config = seedTourRun('sigmoid', 'xavier_uniform', 1, 1);
    const first = train(config).epochs[0];
    return { 'ratio': deltaRatio(first), 'ratio.theory': theorySqrtChi(config).reduce((p, x) => p * x, 1) };
  },
};

// ---- iris: raw against standardized inputs ---------------------------------------------------------------------

const irisRun = (normalize: string, seed: number) => parseRunConfig({
  dataset: { name: 'iris', normalize }, model: { hidden: [16, 16], activation: 'tanh', init: 'xavier_uniform' },
  train: { epochs: 60, optimizer: 'adam', lr: 0.01 }, seed,
});

const iris: FigureGroup = {
  name: 'iris',
  cost: 'cheap',
  configs: () => ['none', 'standard'].flatMap((n) => SEEDS.map((seed) => irisRun(n, seed))),
  measure() {
    const mean = (n: string) => SEEDS.reduce((s, seed) => s + train(irisRun(n, seed)).epochs.at(-1)!.valAcc, 0) / SEEDS.length;
    return { 'raw.valAcc': mean('none'), 'standard.valAcc': mean('standard') };
  },
};

// ---- the seed-tour preset, trained in full ----------------------------------------------------------------------

const TOUR_ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu'];

function seedTourConfigs(): RunConfig[] {
  return expandSweep(getPreset('seed-tour').spec).runs.map((r) => r.config);
}

const seedTour: FigureGroup = {
  name: 'seed-tour',
  cost: 'full',
  configs: seedTourConfigs,
  measure(log) {
    const cells = new Map<string, { acc: number[]; diverged: number; results: RunResult[] }>();
    const inits: string[] = [];
    for (const config of seedTourConfigs()) {
      const result = train(config);
      const init = initLabel(config.model.init);
      if (!inits.includes(init)) inits.push(init);
      const key = `${init} ${config.model.activation}`;
      const cell = cells.get(key) ?? { acc: [], diverged: 0, results: [] };
      // A diverged run has no final result (the pivot export leaves it out of the means the same way).
      const last = result.epochs.at(-1)!.valAcc;
      if (result.status === 'succeeded' && Number.isFinite(last)) cell.acc.push(last);
      if (result.status === 'diverged') cell.diverged++;
      cell.results.push(result);
      cells.set(key, cell);
    }
    log(`seed-tour: ${cells.size} cells trained`);
    const stat = (key: string) => {
      const { acc } = cells.get(key)!;
      const mean = acc.reduce((s, x) => s + x, 0) / acc.length;
      const sd = acc.length > 1 ? Math.sqrt(acc.reduce((s, x) => s + (x - mean) ** 2, 0) / (acc.length - 1)) : null;
      return { mean, sd };
    };
    const rows = inits.map((init) => {
      const label = init === 'normal' ? 'normal (N(0, 1))' : init;
      const values = TOUR_ACTIVATIONS.map((activation) => {
        const key = `${init} ${activation}`;
        const { mean, sd } = stat(key);
        const diverged = cells.get(key)!.diverged;
        const value = cells.get(key)!.acc.length === 0 ? '—' : formatMeanSd(mean, sd, '±');
        return value + (diverged > 0 ? ` (${diverged} diverged)` : '');
      });
      return `| ${label} | ${values.join(' | ')} |`;
    });
    const table = [`| init / activation | ${TOUR_ACTIVATIONS.join(' | ')} |`, `| --- |${' ---: |'.repeat(TOUR_ACTIVATIONS.length)}`, ...rows].join('\n');

    const results = (inits: string[], activations = TOUR_ACTIVATIONS) =>
      inits.flatMap((init) => activations.flatMap((a) => cells.get(`${init} ${a}`)!.results));
    const symmetric = results(['zeros', 'constant(value=0.1)']);
    const oneUnit = symmetric.filter((r) => hiddenOf(r.epochs.at(-1)!).every((l) => l.distinctUnits === 1)).length;
    const zeroGrad = max(results(['zeros'], ['tanh', 'relu']).flatMap((r) => r.epochs.flatMap((m) => hiddenOf(m).map((l) => l.weightGradNorm))));
    const saturated = (activation: string) => results(['normal(std=5)'], [activation]).flatMap((r) => hiddenOf(r.epochs[0]).map((l) => l.saturatedFrac));
    const constantAcc = ['tanh', 'relu', 'leaky_relu'].map((a) => stat(`constant(value=0.1) ${a}`).mean);
    const bigAcc = ['sigmoid', 'tanh'].map((a) => stat(`normal(std=5) ${a}`).mean);
    return {
      table,
      'runs': cells.size * SEEDS.length,
      'symmetric.runs': symmetric.length,
      'symmetric.oneUnit': oneUnit,
      'zeros.gradMax': zeroGrad,
      'constant.acc.min': min(constantAcc),
      'constant.acc.max': max(constantAcc),
      'tanh.saturated.min': min(saturated('tanh')),
      'tanh.saturated.max': max(saturated('tanh')),
      'sigmoid.saturated.min': min(saturated('sigmoid')),
      'sigmoid.saturated.max': max(saturated('sigmoid')),
      'big.acc.min': min(bigAcc),
      'big.acc.max': max(bigAcc),
      'sigmoid.xavier.acc': stat('xavier_uniform sigmoid').mean,
      'sigmoid.normal.acc': stat('normal sigmoid').mean,
    };
  },
};

export const FIGURE_GROUPS: FigureGroup[] = [seedTour, depth, reluDepth, selu, clipping, sigmoidXavier, iris];
