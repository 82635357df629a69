import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { trainCommand } from '../../server/commands/train.js';
import { DatasetError, type Dataset } from '../../workers/core/data.js';
import { createRng } from '../../workers/core/rng.js';
import { prepareRunData, trainRun } from '../../workers/core/train.js';
import type { EpochMetrics, RunResult } from '../../workers/core/types.js';
import { parseRunConfig } from '../../workers/run-config.js';

const small = {
  dataset: { name: 'spirals', samples: 200, classes: 3 },
  model: { hidden: [16, 16], activation: 'tanh', init: 'xavier_uniform' },
  train: { epochs: 3, batchSize: 32, probeSize: 64, optimizer: 'adam', lr: 0.01 },
  seed: 3,
};

describe('trainRun', () => {
  it('evaluates epoch 0 before any step and then every epoch, passing each to onEpoch', () => {
    const seen: EpochMetrics[] = [];
    const result = trainRun(parseRunConfig(small), (m) => seen.push(m));
    expect(result.status).toBe('succeeded');
    expect(result.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    expect(seen).toEqual(result.epochs);
    // 160 training rows in batches of 32: 5 steps an epoch
    expect(result.epochs.map((e) => e.step)).toEqual([0, 5, 10, 15]);
    expect(result.divergence).toBeNull();
    expect(result.theoryPreVar).toHaveLength(3);
  });

  it('reports durationMs as the wall time from the start of the run to its end', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
    try {
      // The clock moves 1 s at every evaluated epoch (0..3), so the run spans exactly 4 s of Date.now().
      const result = trainRun(parseRunConfig(small), (m) => vi.setSystemTime(1_000_000 + 1000 * (m.epoch + 1)));
      expect(result.durationMs).toBe(4000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports every layer, the output last, with finite statistics', () => {
    const result = trainRun(parseRunConfig(small));
    for (const metrics of result.epochs) {
      expect(metrics.layers.map((l) => [l.layer, l.units])).toEqual([[0, 16], [1, 16], [2, 3]]);
      for (const layer of metrics.layers) {
        for (const value of Object.values(layer)) expect(Number.isFinite(value)).toBe(true);
        expect(layer.distinctUnits).toBe(layer.units);
      }
      // Accuracy is correct/rows over the whole split: 160 training and 40 validation rows.
      expect(metrics.trainAcc * 160).toBeCloseTo(Math.round(metrics.trainAcc * 160), 9);
      expect(metrics.valAcc * 40).toBeCloseTo(Math.round(metrics.valAcc * 40), 9);
    }
    expect(result.epochs[0].layers.every((l) => l.updateRatio === 0)).toBe(true);
    expect(result.epochs[1].layers.every((l) => l.updateRatio > 0)).toBe(true);
    expect(result.epochs[3].trainLoss).toBeLessThan(result.epochs[0].trainLoss);
    // Three balanced arms: training lifts accuracy above chance (1/3) and above where it started.
    expect(result.epochs[3].trainAcc).toBeGreaterThan(1 / 3);
    expect(result.epochs[3].trainAcc).toBeGreaterThan(result.epochs[0].trainAcc);
  });

  it('finds every hidden relu unit dead under a bias of −10, and says so in the dead verdict', () => {
    const result = trainRun(parseRunConfig({
      ...small,
      model: { hidden: [16, 16], activation: 'relu', init: 'he_normal', biasInit: { name: 'constant', value: -10 } },
    }));
    for (const metrics of result.epochs) {
      expect(metrics.layers.map((l) => l.deadFrac)).toEqual([1, 1, 0]); // the output layer is never counted
      // No gradient reaches a weight through a dead relu (and the output layer's inputs are all 0): none moves.
      expect(metrics.layers.map((l) => l.updateRatio)).toEqual([0, 0, 0]);
    }
    const dead = result.verdicts.find((v) => v.kind === 'dead');
    expect(dead?.value).toBe(1);
    expect(dead?.evidence).toMatch(/hidden layer 0 has 16 of 16 units outputting 0 for every probe sample at epoch 0/);
  });

  it('measures updateRatio as 0 at epoch 0 and > 0 once a step has moved the weights', () => {
    const result = trainRun(parseRunConfig({
      ...small, model: { hidden: [16, 16], activation: 'relu', init: 'he_normal' }, train: { ...small.train, epochs: 1 },
    }));
    expect(result.epochs.map((e) => e.step)).toEqual([0, 5]);
    expect(result.epochs[0].layers.map((l) => l.updateRatio)).toEqual([0, 0, 0]);
    for (const layer of result.epochs[1].layers) {
      expect(layer.updateRatio).toBeGreaterThan(0);
      expect(layer.updateRatio).toBeLessThan(1); // adam at lr 0.01 moves a He-initialized layer by a few percent
    }
    expect(result.epochs[0].layers.slice(0, -1).every((l) => l.deadFrac < 0.5)).toBe(true);
    expect(result.verdicts.map((v) => v.kind)).not.toContain('dead');
  });

  it('gives bitwise-identical metrics for the same config and seed, and different ones for another seed', () => {
    const a = trainRun(parseRunConfig(small)).epochs;
    const b = trainRun(parseRunConfig(small)).epochs;
    const c = trainRun(parseRunConfig({ ...small, seed: 4 })).epochs;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(b).toEqual(a);
    expect(c[3].trainLoss).not.toBe(a[3].trainLoss);
    expect(c[0].layers[0].weightNorm).not.toBe(a[0].layers[0].weightNorm);
  });

  it('gives the same metrics inside a worker thread', async () => {
    // Node 20 cannot run .ts in a thread by itself, and tsx 4 ignores `--import tsx` in a worker's execArgv on
    // Node 20: the thread registers tsx through its API, then imports the core.
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import('tsx/esm/api')
        .then((tsx) => { tsx.register(); return import(workerData.url); })
        .then(({ trainRun }) => parentPort.postMessage(trainRun(workerData.config).epochs));
    `;
    const url = new URL('../../workers/core/train.ts', import.meta.url).href;
    const worker = new Worker(code, { eval: true, workerData: { url, config: parseRunConfig(small) } });
    try {
      const fromThread = await new Promise<EpochMetrics[]>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(fromThread).toEqual(trainRun(parseRunConfig(small)).epochs);
    } finally {
      await worker.terminate();
    }
  });

  it('uses min(probeSize, training rows) probe samples, and calibrates lsuv on that probe batch', () => {
    const config = (probeSize: number) => parseRunConfig({
      ...small, model: { hidden: [32, 32], activation: 'tanh', init: 'lsuv' }, train: { ...small.train, epochs: 1, probeSize },
    });
    expect(prepareRunData(config(64)).probe.size).toBe(64);
    expect(prepareRunData(config(5000)).probe.size).toBe(160); // all 160 training rows
    const result = trainRun(config(5000));
    // A probe of exactly the 160 training rows measures the same numbers: 5000 was cut to 160.
    expect(trainRun(config(160)).epochs).toEqual(result.epochs);
    // LSUV scales every layer until Var(pre) on its batch is within 0.1 of 1: the probe batch is that batch.
    for (const layer of result.epochs[0].layers) expect(Math.abs(layer.preStd ** 2 - 1)).toBeLessThan(0.1);
  });

  it('trains on a data set passed in, and refuses labels outside its classes', () => {
    const rng = createRng(1, 0);
    const inputs = new Float32Array(100 * 3);
    const labels = new Int32Array(100);
    for (let i = 0; i < 100; i++) {
      for (let d = 0; d < 3; d++) inputs[i * 3 + d] = rng.normal();
      labels[i] = inputs[i * 3] > 0 ? 1 : 0;
    }
    const data: Dataset = { inputs, labels, features: 3, classes: 2 };
    const config = parseRunConfig({ dataset: { name: 'iris' }, model: { hidden: [8] }, train: { epochs: 10, optimizer: 'adam', lr: 0.05 } });
    const result = trainRun(config, undefined, { data });
    expect(result.epochs[0].layers[0].units).toBe(8);
    expect(result.epochs.at(-1)!.valAcc).toBeGreaterThanOrEqual(0.9);
    labels[7] = 2;
    expect(() => trainRun(config, undefined, { data })).toThrow(DatasetError);
  });

  it('counts clipped steps per epoch', () => {
    const result = trainRun(parseRunConfig({ ...small, train: { ...small.train, clip: { mode: 'norm', max: 1e-4 } } }));
    expect(result.epochs[0]).toMatchObject({ clipped: false, clippedSteps: 0 });
    for (const metrics of result.epochs.slice(1)) expect(metrics).toMatchObject({ clipped: true, clippedSteps: 5 });
    const unclipped = trainRun(parseRunConfig({ ...small, train: { ...small.train, clip: { mode: 'norm', max: 1e6 } } }));
    for (const metrics of unclipped.epochs) expect(metrics).toMatchObject({ clipped: false, clippedSteps: 0 });
  });
});

describe('divergence', () => {
  const diverging = {
    dataset: { name: 'spirals', samples: 400, classes: 3 },
    model: { hidden: Array(10).fill(32), activation: 'relu', init: 'he_normal' },
    train: { epochs: 4, optimizer: 'momentum', lr: 1 },
    seed: 1,
  };

  it('stops at the first non-finite value with status diverged, keeping the epochs before it', () => {
    const seen: number[] = [];
    const result: RunResult = trainRun(parseRunConfig(diverging), (m) => seen.push(m.epoch));
    expect(result.status).toBe('diverged');
    expect(result.divergence).not.toBeNull();
    const divergence = result.divergence!;
    expect(seen).toEqual(result.epochs.map((e) => e.epoch));
    expect(result.epochs.length).toBe(divergence.epoch); // epochs 0 .. divergence.epoch - 1
    expect(divergence.step).toBeGreaterThan(result.epochs.at(-1)!.step);
    expect(['loss', 'gradient', 'parameter']).toContain(divergence.quantity);
    expect(result.verdicts.map((v) => v.kind)).toContain('diverged');
    console.log('divergence of a 10×32 He/ReLU net, momentum lr 1:', JSON.stringify(divergence));
  });

  it('names the layer of an infinite gradient under value clipping, which would have clamped it to ±max', () => {
    const result = trainRun(parseRunConfig({
      dataset: { name: 'spirals', samples: 200, classes: 3 },
      model: { hidden: Array(6).fill(16), activation: 'linear', init: { name: 'normal', std: 3 } },
      train: { epochs: 3, optimizer: 'sgd', lr: 1, loss: 'mse', clip: { mode: 'value', max: 100 } },
      seed: 1,
    }));
    expect(result.divergence).toEqual({ epoch: 1, step: 3, layer: 0, quantity: 'gradient' });
    expect(result.verdicts.find((v) => v.kind === 'diverged')?.evidence).toMatch(/non-finite gradient in layer 0/);
  });

  it('diverges at step 0 when the initial weights are already infinite in float32', () => {
    const result = trainRun(parseRunConfig({ ...small, model: { hidden: [4], init: { name: 'normal', std: 1e39 } } }));
    expect(result.status).toBe('diverged');
    expect(result.epochs).toEqual([]);
    expect(result.divergence).toEqual({ epoch: 0, step: 0, layer: 0, quantity: 'parameter' });
  });

  it('diverges at step 0 when the initial forward pass overflows', () => {
    const result = trainRun(parseRunConfig({
      ...small, model: { hidden: [16, 16, 16], activation: 'relu', init: { name: 'normal', std: 1e15 } },
    }));
    expect(result.status).toBe('diverged');
    expect(result.divergence).toMatchObject({ epoch: 0, step: 0, quantity: 'loss' });
    expect(result.divergence!.layer).toBeGreaterThan(0);
  });
});

describe('initlab train', () => {
  function streams() {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: string[] = [];
    const err: string[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
    return { io: { stdout, stderr }, out: () => out.join(''), err: () => err.join('') };
  }

  it('prints one JSON line per epoch and then the result', async () => {
    const s = streams();
    const config = JSON.stringify({ dataset: { name: 'xor', samples: 100 }, model: { hidden: [8] }, train: { epochs: 2 } });
    const code = await trainCommand(['-'], { ...s.io, stdin: Readable.from([config]) });
    expect(code).toBe(0);
    const lines = s.out().trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).map((l) => l.epoch)).toEqual([0, 1, 2]);
    expect(lines[0].layers).toHaveLength(2);
    const result = lines[3];
    expect(Object.keys(result).sort()).toEqual(['backend', 'cpuPath', 'divergence', 'durationMs', 'epochsCompleted', 'status', 'theoryPreVar', 'verdicts']);
    expect(result).toMatchObject({ status: 'succeeded', epochsCompleted: 2, divergence: null });
    expect(s.err()).toBe('');
  });

  it('reads the config from a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'initlab-train-')), 'run.json');
    writeFileSync(file, JSON.stringify({ dataset: { name: 'moons', samples: 60 }, model: { hidden: [4] }, train: { epochs: 1 } }));
    const s = streams();
    expect(await trainCommand([file], s.io)).toBe(0);
    expect(s.out().trim().split('\n')).toHaveLength(3);
  });

  it('exits 2 naming each bad field of an invalid config', async () => {
    const s = streams();
    const bad = JSON.stringify({ model: { init: 'glorot', hidden: [0] }, train: { lr: -1 }, extra: 1 });
    const code = await trainCommand(['-'], { ...s.io, stdin: Readable.from([bad]) });
    expect(code).toBe(2);
    expect(s.out()).toBe('');
    expect(s.err()).toMatch(/model\.init/);
    expect(s.err()).toMatch(/model\.hidden\.0/);
    expect(s.err()).toMatch(/train\.lr/);
    expect(s.err()).toMatch(/extra: unknown field/);
  });

  it('exits 2 for unreadable files, bad JSON and a missing argument', async () => {
    const missing = streams();
    expect(await trainCommand(['/nonexistent/run.json'], missing.io)).toBe(2);
    expect(missing.err()).toMatch(/cannot read/);
    const notJson = streams();
    expect(await trainCommand(['-'], { ...notJson.io, stdin: Readable.from(['{nope']) })).toBe(2);
    expect(notJson.err()).toMatch(/not valid JSON/);
    const none = streams();
    expect(await trainCommand([], none.io)).toBe(2);
    expect(none.err()).toMatch(/usage/);
  });
});
