// The per-run memory estimate: its parts, checked against the typed arrays a run really allocates, and the
// sweep check that refuses a run over the budget naming model.hidden.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createTsEngine } from '../../workers/core/engine.js';
import { createDiagnostics } from '../../workers/core/diagnostics.js';
import { createNetwork, createWorkspace } from '../../workers/core/network.js';
import { createOptimizer } from '../../workers/core/optim.js';
import { networkSpecFor, prepareRunData } from '../../workers/core/train.js';
import { ConfigError, parseRunConfig } from '../../workers/run-config.js';
import { checkRunMemory, defaultMaxRunMb, estimateRunMemory } from '../../server/run-memory.js';
import { expandSweep, parseSweepSpec } from '../../server/sweep-spec.js';

const MB = 1024 * 1024;
// Full collections before each reading, so garbage (LSUV's temporaries, an earlier shape's buffers) is not
// counted; array buffers are released after a collection, hence the pause and the second one.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
async function collectGarbage(): Promise<void> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 20));
  gc();
}

/** Allocates what trainRun allocates before its step loop, holding every buffer, and returns the bytes. */
async function measureRunAllocation(input: unknown): Promise<number> {
  const config = parseRunConfig(input);
  await collectGarbage();
  const before = process.memoryUsage().arrayBuffers;
  const data = prepareRunData(config);
  const spec = networkSpecFor(config, data.features, data.classes);
  const net = createNetwork(spec, config.seed, { lsuvBatch: { inputs: data.probe.inputs, batch: data.probe.size } });
  const optimizer = createOptimizer(config.train, net.layout, net.numParams);
  const ws = createWorkspace(net, Math.max(Math.min(config.train.batchSize, data.train.size), data.probe.size));
  const engine = createTsEngine({ net, ws, optimizer, train: config.train });
  const diag = createDiagnostics(net);
  await collectGarbage();
  const after = process.memoryUsage().arrayBuffers;
  expect([data, net, optimizer, ws, engine, diag].every(Boolean)).toBe(true); // keeps them alive until measured
  return after - before;
}

describe('estimateRunMemory', () => {
  it('counts the parameters and one copy per gradient, diagnostics and adam moment', () => {
    const memory = estimateRunMemory(parseRunConfig({ model: { hidden: [10] }, train: { optimizer: 'adam' } }));
    // spirals-free default data set: 2 inputs, 2 classes → (2+1)·10 + (10+1)·2 = 52 parameters
    expect(memory.parameterCount).toBe(52);
    expect(memory.parameters).toBe(52 * 4);
    expect(memory.parameterCopies).toBe(4 * 52 * 4);
    const sgd = estimateRunMemory(parseRunConfig({ model: { hidden: [10] }, train: { optimizer: 'sgd' } }));
    expect(sgd.parameterCopies).toBe(2 * 52 * 4);
    expect(memory.total).toBe(memory.parameters + memory.parameterCopies + memory.workspace + memory.data);
  });

  it('grows the workspace with the batch and the data with the samples', () => {
    const small = estimateRunMemory(parseRunConfig({ train: { batchSize: 32 } }));
    const big = estimateRunMemory(parseRunConfig({ train: { batchSize: 4096 }, dataset: { samples: 50_000 } }));
    expect(big.workspace).toBeGreaterThan(10 * small.workspace); // the probe batch (256) sets the small one's
    expect(big.data).toBeGreaterThan(40 * small.data);
  });

  it('matches the typed arrays a run really allocates, within 10%', async () => {
    for (const config of [
      { model: { hidden: [1024, 1024, 1024] }, train: { optimizer: 'adam', batchSize: 64 }, dataset: { samples: 2000 } },
      { model: { hidden: [512, 512] }, train: { optimizer: 'momentum', batchSize: 4096 }, dataset: { name: 'spirals', samples: 50_000 } },
    ]) {
      const measured = await measureRunAllocation(config);
      const estimated = estimateRunMemory(parseRunConfig(config)).total;
      expect(measured).toBeGreaterThan(10 * MB);
      expect(Math.abs(estimated - measured) / measured).toBeLessThan(0.1);
    }
  });
});

describe('defaultMaxRunMb', () => {
  it('shares half the machine memory between the threads', () => {
    expect(defaultMaxRunMb(2, 24 * 1024 * MB)).toBe(6 * 1024);
    expect(defaultMaxRunMb(4, 8 * 1024 * MB)).toBe(1024);
  });
});

describe('checkRunMemory', () => {
  const sweep = (input: unknown) => {
    const spec = parseSweepSpec(input);
    return { spec, runs: expandSweep(spec).runs };
  };

  it('refuses 200 layers of 4096 units naming base.model.hidden and the estimate in MB', () => {
    const { spec, runs } = sweep({ base: { model: { hidden: Array(200).fill(4096) }, train: { epochs: 1 } } });
    let error: unknown;
    try { checkRunMemory(spec, runs, 6000); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    const issue = (error as ConfigError).issues[0]!;
    expect(issue.path).toBe('base.model.hidden');
    const mb = Number(/about ([\d,]+) MB/.exec(issue.message)![1]!.replace(/,/g, ''));
    // 3.36e9 parameters × 4 bytes × (params, grads, previous params) alone, with the default optimizer (sgd)
    expect(mb).toBeGreaterThan(3 * 3.36e9 * 4 / MB);
    expect(mb).toBeLessThan(1.2 * 3 * 3.36e9 * 4 / MB);
    expect(issue.message).toContain('over the per-run memory budget of 6,000 MB');
  });

  it('names the grid value of the heaviest run and accepts runs within the budget', () => {
    const { spec, runs } = sweep({ grid: { 'model.hidden': [[8], [4096, 4096, 4096, 4096]] } });
    expect(() => checkRunMemory(spec, runs, 1000)).not.toThrow();
    let error: unknown;
    try { checkRunMemory(spec, runs, 100); } catch (e) { error = e; }
    expect((error as ConfigError).issues[0]!.path).toBe('grid.model.hidden[1]');
  });

  it('names the depth or width field the heaviest run\'s size came from, grid axis before base', () => {
    const refusal = (input: unknown, maxRunMb = 100) => {
      const { spec, runs } = sweep(input);
      try { checkRunMemory(spec, runs, maxRunMb); } catch (e) { return (e as ConfigError).issues[0]!; }
      throw new Error('accepted');
    };
    expect(refusal({ base: { model: { width: 1024 } }, grid: { 'model.depth': [2, 200, 10] } }).path).toBe('grid.model.depth[1]');
    expect(refusal({ base: { model: { depth: 4 } }, grid: { 'model.width': [16, 4096] } }).path).toBe('grid.model.width[1]');
    expect(refusal({ grid: { 'model.width': [2048, 8], 'model.depth': [1, 20] } }).path).toBe('grid.model.width[0]');
    expect(refusal({ base: { model: { depth: 100, width: 4096 } } }).path).toBe('base.model.width');
    // the default width (64) is no field of the spec: 200 layers of it are the depth's doing
    const deep = refusal({ base: { model: { depth: 200 } } }, 5);
    expect(deep.path).toBe('base.model.depth');
    expect(deep.message).toMatch(/^model\.depth 200 × model\.width 64 \(model\.hidden \[64, 64, 64, … 200 layers\]\) makes a run need about/);
  });
});
