// The native engine against the TypeScript reference engine: every activation × loss × optimizer × clipping mode
// on random nets, parameters compared after several epochs of steps; the native gradient's own finite-difference
// check; whole runs; determinism; divergence; and bad calls that throw instead of crashing.
import { describe, expect, it } from 'vitest';
import {
  ACTIVATION_STATS, ACTIVATIONS, type ActivationName, measureActivations, saturationBound, STAT, createNetwork, createOptimizer, createRng, createTsEngine, createWorkspace, createWorkspaceCache,
  type Engine, type EngineFactory, LOSSES, type LossName, type Network, type RunConfig, trainRun,
} from '../../workers/core/index.js';
import { loadAddon } from '../../workers/native/addon.js';
import { createNativeEngineFactory } from '../../workers/native/engine.js';
import { parseRunConfig } from '../../workers/run-config.js';

const load = loadAddon();
if (load.addon === null) throw new Error(`the native addon must be built for these tests: ${load.reason}`);
const addon = load.addon;
const PATHS = addon.cpuPaths();
const BEST = PATHS[0];

const BASE_TRAIN: RunConfig['train'] = {
  epochs: 3, batchSize: 8, loss: 'cross_entropy', optimizer: 'sgd', lr: 0.05, momentum: 0.9, nesterov: false,
  beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: { mode: 'none' }, probeSize: 16,
};

interface Setup {
  activation: ActivationName;
  loss: LossName;
  train: RunConfig['train'];
  hidden?: number[];
}

/** A random data split of `rows` rows: inputs (rows, 5), one-hot targets (rows, 3). */
function randomSplit(rows: number, seed: number) {
  const rng = createRng(seed, 0);
  const inputs = Float32Array.from({ length: rows * 5 }, () => rng.normal());
  const targets = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) targets[r * 3 + (rng.nextU32() % 3)] = 1;
  return { inputs, targets, size: rows };
}

/** Builds the same network on an engine; returns it and the engine. */
function bind(setup: Setup, factory: EngineFactory, maxBatch = 16): { net: Network; engine: Engine } {
  const net = createNetwork({
    inputs: 5, outputs: 3, hidden: setup.hidden ?? [7, 6], activation: setup.activation,
    init: 'xavier_uniform', biasInit: { name: 'uniform', limit: 0.1 }, loss: setup.loss,
  }, 3);
  const ws = createWorkspace(net, maxBatch);
  const optimizer = createOptimizer(setup.train, net.layout, net.numParams);
  return { net, engine: factory({ net, ws, optimizer, train: setup.train }) };
}

/** Trains `epochs` epochs of shuffled steps on both engines and returns both nets' parameters and step counts. */
function trainBoth(setup: Setup, path = BEST, epochs = 3) {
  const split = randomSplit(40, 9);
  const runs = [createTsEngine, createNativeEngineFactory(addon, path)].map((factory) => {
    const { net, engine } = bind(setup, factory);
    const rng = createRng(4, 0);
    const order = Int32Array.from({ length: split.size }, (_, i) => i);
    let steps = 0;
    let clipped = 0;
    for (let e = 0; e < epochs; e++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.nextU32() % (i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      const result = engine.trainEpoch(order, split, setup.train.batchSize, steps);
      expect(result.stop).toBe('none');
      steps += result.steps;
      clipped += result.clippedSteps;
    }
    return { params: net.params, steps, clipped, evaluation: engine.evaluate(split) };
  });
  return { ts: runs[0], native: runs[1] };
}

/** max |a - b| / (max |b| + 1e-3): the parameters' largest difference relative to their scale. */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale + 1e-3);
}

const OPTIMIZERS: Array<{ label: string; train: Partial<RunConfig['train']> }> = [
  { label: 'sgd', train: { optimizer: 'sgd' } },
  { label: 'sgd + weight decay', train: { optimizer: 'sgd', weightDecay: 0.01 } },
  { label: 'momentum', train: { optimizer: 'momentum', momentum: 0.9 } },
  { label: 'nesterov + weight decay', train: { optimizer: 'momentum', momentum: 0.8, nesterov: true, weightDecay: 0.02 } },
  { label: 'adam', train: { optimizer: 'adam', lr: 0.01 } },
  { label: 'adam + weight decay', train: { optimizer: 'adam', lr: 0.01, weightDecay: 0.01 } },
];
const CLIPS: RunConfig['train']['clip'][] = [{ mode: 'none' }, { mode: 'norm', max: 0.3 }, { mode: 'value', max: 0.02 }];

describe(`the native engine (${BEST}) against the TypeScript engine`, () => {
  const combos = ACTIVATIONS.flatMap((activation) => LOSSES.map((loss) => ({ activation, loss })));
  it.each(combos)('$activation with $loss: every optimizer and clipping mode ends within float32 rounding', ({ activation, loss }) => {
    for (const opt of OPTIMIZERS) {
      for (const clip of CLIPS) {
        const train = { ...BASE_TRAIN, ...opt.train, loss, clip };
        const { ts, native } = trainBoth({ activation, loss, train });
        const label = `${activation} ${loss} ${opt.label} clip ${clip.mode}`;
        expect(native.steps, label).toBe(ts.steps);
        expect(native.clipped, label).toBe(ts.clipped);
        expect(relativeDifference(native.params, ts.params), label).toBeLessThan(2e-5);
        expect(native.evaluation.loss, label).toBeCloseTo(ts.evaluation.loss, 4);
        expect(native.evaluation.acc, label).toBe(ts.evaluation.acc);
      }
    }
  });

  it.each(PATHS)('the %s path trains a tanh and a relu net as the TypeScript engine does', (path) => {
    for (const activation of ['tanh', 'relu'] as const) {
      const train = { ...BASE_TRAIN, optimizer: 'momentum' as const, clip: { mode: 'norm' as const, max: 1 } };
      const { ts, native } = trainBoth({ activation, loss: 'cross_entropy', train, hidden: [20, 33, 9] }, path);
      expect(relativeDifference(native.params, ts.params), `${path} ${activation}`).toBeLessThan(2e-5);
    }
  });

  it('fills the same gradients, deltas and probabilities on a forwardBackward (what the diagnostics read)', () => {
    const setup: Setup = { activation: 'gelu', loss: 'cross_entropy', train: BASE_TRAIN, hidden: [12, 10] };
    const split = randomSplit(16, 2);
    const a = bind(setup, createTsEngine);
    const b = bind(setup, createNativeEngineFactory(addon, BEST));
    const lossA = a.engine.forwardBackward(split.inputs, split.targets, 16);
    const lossB = b.engine.forwardBackward(split.inputs, split.targets, 16);
    expect(lossB).toBeCloseTo(lossA, 6);
    expect(relativeDifference(b.net.grads, a.net.grads)).toBeLessThan(1e-5);
  });
});

describe('the native probe statistics', () => {
  it.each(['tanh', 'sigmoid', 'softsign', 'relu', 'selu'] as const)(
    'equal the TypeScript measureActivations on the same buffers (%s)',
    (activation) => {
      const setup: Setup = { activation, loss: 'cross_entropy', train: BASE_TRAIN, hidden: [40, 40] };
      const net = createNetwork({
        inputs: 5, outputs: 3, hidden: [40, 40], activation, init: { name: 'normal', std: activation === 'relu' ? 0.4 : 1.5 },
        loss: 'cross_entropy',
      }, 6);
      const ws = createWorkspace(net, 16);
      const optimizer = createOptimizer(setup.train, net.layout, net.numParams);
      const ts = createTsEngine({ net, ws, optimizer, train: setup.train });
      const nat = createNativeEngineFactory(addon, BEST)({ net, ws, optimizer, train: setup.train });
      const split = randomSplit(16, 3);
      ts.forwardBackward(split.inputs, split.targets, 16);
      const bound = saturationBound(activation);
      const a = new Float64Array(3 * ACTIVATION_STATS);
      const b = new Float64Array(3 * ACTIVATION_STATS);
      measureActivations(net, ws, 16, bound, a);
      nat.measureActivations(16, bound, b);
      // float64 sums in another order: equal to ~1e-15 relative
      for (let i = 0; i < a.length; i++) expect(Math.abs(b[i] - a[i]), `value ${i}`).toBeLessThan(1e-12 * Math.abs(a[i]) + 1e-15);
      const saturated = a[STAT.saturatedFrac] + a[ACTIVATION_STATS + STAT.saturatedFrac];
      if (activation !== 'relu' && activation !== 'selu') expect(saturated).toBeGreaterThan(0); // the test sees some
    },
  );
});

describe('the native gradient', () => {
  // Its own check, independent of the TypeScript backend: the directional derivative g·v against the central
  // difference (L(θ + hv) - L(θ - hv)) / 2h of the native loss, for random unit directions v.
  const smooth: ActivationName[] = ['linear', 'sigmoid', 'tanh', 'elu', 'selu', 'gelu', 'softsign', 'silu'];
  it.each(smooth.flatMap((activation) => LOSSES.map((loss) => ({ activation, loss }))))(
    'matches finite differences for $activation with $loss',
    ({ activation, loss }) => {
      const split = randomSplit(16, 5);
      const { net, engine } = bind({ activation, loss, train: BASE_TRAIN }, createNativeEngineFactory(addon, BEST));
      engine.forwardBackward(split.inputs, split.targets, 16);
      const grads = net.grads.slice();
      const theta = net.params.slice();
      const rng = createRng(8, 0);
      const h = 1e-2;
      for (let trial = 0; trial < 4; trial++) {
        const v = Float64Array.from({ length: net.numParams }, () => rng.normal());
        const norm = Math.hypot(...v);
        let analytic = 0;
        for (let i = 0; i < v.length; i++) { v[i] /= norm; analytic += grads[i] * v[i]; }
        const lossAt = (sign: number) => {
          for (let i = 0; i < v.length; i++) net.params[i] = theta[i] + sign * h * v[i];
          return engine.forwardBackward(split.inputs, split.targets, 16);
        };
        const numeric = (lossAt(1) - lossAt(-1)) / (2 * h);
        net.params.set(theta);
        expect(Math.abs(numeric - analytic), `trial ${trial}: ${numeric} vs ${analytic}`)
          .toBeLessThan(2e-3 + 2e-2 * Math.abs(analytic));
      }
    },
  );
});

describe('whole runs on the native backend', () => {
  const native = createNativeEngineFactory(addon, BEST);
  const strip = (r: ReturnType<typeof trainRun>) => JSON.stringify({ ...r, durationMs: 0 });

  it('are bit-identical for the same config, seed and CPU path', () => {
    const config = parseRunConfig({ model: { hidden: [16, 16], activation: 'selu' }, train: { epochs: 4, optimizer: 'adam', lr: 0.01 } });
    const epochsA: unknown[] = [];
    const epochsB: unknown[] = [];
    const a = trainRun(config, (m) => epochsA.push(m), { engine: native });
    const b = trainRun(config, (m) => epochsB.push(m), { engine: native });
    expect(strip(b)).toBe(strip(a));
    expect(JSON.stringify(epochsB)).toBe(JSON.stringify(epochsA));
    expect(a.backend).toBe('native');
    expect(a.cpuPath).toBe(BEST);
  });

  it('are bit-identical whether their workspace is new or reused from an earlier run of the same shape', () => {
    // a diverging run first leaves non-finite values all over the shared buffers; the reused workspace must not care
    const configs = [
      parseRunConfig({ seed: 3, model: { hidden: [16, 16], activation: 'relu', init: { name: 'normal', std: 30 } }, train: { epochs: 3, lr: 5 } }),
      parseRunConfig({ seed: 4, model: { hidden: [16, 16], activation: 'tanh' }, train: { epochs: 4, optimizer: 'momentum' } }),
      parseRunConfig({ seed: 5, model: { hidden: [16, 16], activation: 'selu' }, train: { epochs: 4, optimizer: 'adam', lr: 0.01 } }),
    ];
    for (const engine of [native, createTsEngine]) {
      const workspaces = createWorkspaceCache();
      const reused = configs.map((config) => strip(trainRun(config, undefined, { engine, workspaces })));
      const fresh = configs.map((config) => strip(trainRun(config, undefined, { engine })));
      expect(JSON.parse(reused[0]).status).toBe('diverged');
      expect(reused).toEqual(fresh);
    }
  });

  it('reach the same metrics and verdicts as the TypeScript backend', () => {
    for (const activation of ['tanh', 'relu'] as const) {
      const config = parseRunConfig({ model: { hidden: [24, 24], activation }, train: { epochs: 6 } });
      const ts = trainRun(config);
      const nat = trainRun(config, undefined, { engine: native });
      expect(nat.status).toBe(ts.status);
      expect(nat.verdicts.map((v) => v.kind)).toEqual(ts.verdicts.map((v) => v.kind));
      expect(ts.backend).toBe('ts');
      const [x, y] = [ts.epochs.at(-1)!, nat.epochs.at(-1)!];
      expect(y.trainLoss).toBeCloseTo(x.trainLoss, 4);
      expect(y.valAcc).toBeCloseTo(x.valAcc, 2);
      for (let l = 0; l < x.layers.length; l++) {
        expect(y.layers[l].actStd).toBeCloseTo(x.layers[l].actStd, 4);
        expect(y.layers[l].deltaNorm / x.layers[l].deltaNorm).toBeCloseTo(1, 3);
        expect(y.layers[l].distinctUnits).toBe(x.layers[l].distinctUnits);
      }
    }
  });

  it('report a divergence where the TypeScript backend does (epoch, step, layer and quantity)', () => {
    // std 3 grows the gradient past float32's square root before the loss overflows: the norm must be summed
    // in float64 as the TypeScript backend does, or the native run would stop one epoch early on 'gradient'.
    for (const [std, lr] of [[3, 1], [10, 1], [2, 0.5]]) {
      const config = parseRunConfig({
        dataset: { samples: 200 },
        model: { hidden: [32, 32, 32], activation: 'relu', init: { name: 'normal', std } },
        train: { epochs: 5, lr, batchSize: 200 },
      });
      const ts = trainRun(config);
      const nat = trainRun(config, undefined, { engine: native });
      expect(ts.status).toBe('diverged');
      expect(nat.status).toBe('diverged');
      expect(nat.divergence, `std ${std} lr ${lr}`).toEqual(ts.divergence);
    }
  });

  it('keep symmetric networks symmetric (zero init stays one unit per layer)', () => {
    const config = parseRunConfig({ model: { hidden: [16, 16], activation: 'tanh', init: 'zeros' }, train: { epochs: 3 } });
    const nat = trainRun(config, undefined, { engine: native });
    for (const layer of nat.epochs.at(-1)!.layers.slice(0, -1)) expect(layer.distinctUnits).toBe(1);
  });
});

describe('bad calls into the addon', () => {
  const setup: Setup = { activation: 'tanh', loss: 'mse', train: BASE_TRAIN };

  it('throw a RangeError for a batch larger than the workspace', () => {
    const { engine } = bind(setup, createNativeEngineFactory(addon, BEST), 4);
    const split = randomSplit(8, 1);
    expect(() => engine.forwardBackward(split.inputs, split.targets, 8)).toThrow(RangeError);
  });

  it('refuse an order index outside the data and train nothing', () => {
    const { net, engine } = bind(setup, createNativeEngineFactory(addon, BEST));
    const split = randomSplit(8, 1);
    const before = net.params.slice();
    expect(() => engine.trainEpoch(Int32Array.from([0, 1, 2, 99, 4, 5, 6, 7]), split, 4, 0)).toThrow(/order\[3\] = 99/);
    expect(net.params).toEqual(before);
  });

  it('refuse buffers of the wrong type or length when a trainer is created', () => {
    const { net } = bind(setup, createTsEngine);
    const ws = createWorkspace(net, 4);
    const base = {
      cpuPath: BEST, sizes: [5, 7, 6, 3], activation: 'tanh', slope: 0, loss: 'mse', optimizer: 'sgd', lr: 0.1,
      momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: 'none', clipMax: 0,
      maxBatch: 4, params: net.params, grads: net.grads, momentumBuf: null, adamM: null, adamV: null,
      pre: ws.pre, act: ws.act, delta: ws.delta, probs: ws.probs,
    };
    expect(() => addon.createTrainer(base)).not.toThrow();
    expect(() => addon.createTrainer({ ...base, grads: new Float32Array(3) })).toThrow(/options.grads holds 3 values/);
    expect(() => addon.createTrainer({ ...base, sizes: [5, 8, 6, 3] })).toThrow(/options.params holds/);
    expect(() => addon.createTrainer({ ...base, activation: 'swish' })).toThrow(/unknown activation "swish"/);
    expect(() => addon.createTrainer({ ...base, optimizer: 'adam' })).toThrow(/options.adamM must be a Float32Array/);
    expect(() => addon.createTrainer({ ...base, cpuPath: 'avx1024' })).toThrow(/CPU path "avx1024" is not available/);
    expect(() => addon.createTrainer({ ...base, pre: ws.pre.slice(1) })).toThrow(/options.pre must be an array of 3/);
  });

  it('release a trainer when its run ends, however it ends, and refuse a released one', () => {
    const config = parseRunConfig({ dataset: { samples: 60 }, model: { hidden: [4] }, train: { epochs: 2 } });
    const native = createNativeEngineFactory(addon, BEST);
    const engines: Engine[] = [];
    const recorded: EngineFactory = (context) => {
      const engine = native(context);
      engines.push(engine);
      return engine;
    };
    const trained = trainRun(config, undefined, { engine: recorded });
    expect(trained.status).toBe('succeeded');
    // a run whose epoch callback throws ends too: its trainer is released all the same
    expect(() => trainRun(config, () => { throw new Error('the consumer failed'); }, { engine: recorded })).toThrow('the consumer failed');
    expect(engines).toHaveLength(2);
    const inputs = new Float32Array(2 * 4);
    for (const engine of engines) expect(() => engine.forward(inputs, 4)).toThrow('trainer was released');
    expect(() => engines[0]!.release!()).toThrow('trainer was released');
  });
});
