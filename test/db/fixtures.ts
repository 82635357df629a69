// Small builders shared by the storage, metrics-writer and export tests.
import { expect } from 'vitest';
import { openDatabase } from '../../db/open.js';
import { createStore, type Store } from '../../db/store.js';
import type { NewRun, RunSummary } from '../../db/types.js';
import type { EpochMetrics, LayerStats } from '../../workers/core/types.js';

export function memoryStore(): Store {
  return createStore(openDatabase(':memory:'));
}

export function layer(index: number, overrides: Partial<LayerStats> = {}): LayerStats {
  return {
    layer: index, units: 8, actMean: 0.01 * index, actStd: 0.5, preStd: 0.7, saturatedFrac: 0.1, deadFrac: 0,
    deltaNorm: 0.2, weightGradNorm: 0.3, weightNorm: 2, updateRatio: 0.01, distinctUnits: 8, ...overrides,
  };
}

export function epochMetrics(epoch: number, overrides: Partial<EpochMetrics> = {}, layers = 4): EpochMetrics {
  return {
    epoch, step: epoch * 10, trainLoss: 1 / (epoch + 1), trainAcc: 0.5 + epoch / 100, valLoss: 1.1 / (epoch + 1),
    valAcc: 0.45 + epoch / 100, gradNorm: 0.9, clipped: false, clippedSteps: 0,
    layers: Array.from({ length: layers }, (_, i) => layer(i)), ...overrides,
  };
}

/** Writes a running run's epochs the one way the store takes them (writeMetricsBatch); returns the rows written. */
export function writeEpochs(store: Store, runId: number, epochs: EpochMetrics[]): number {
  const written = store.writeMetricsBatch(epochs.map((metrics) => ({ runId, metrics })));
  expect(written.droppedEpochs).toBe(0);
  return written.epochRows + written.layerRows;
}

export interface GridOptions {
  inits?: string[];
  activations?: string[];
  seeds?: number[];
}

/** Runs over inits × activations × seeds, positions in that order; config mirrors the run config's shape. */
export function gridRuns({ inits = ['xavier_uniform'], activations = ['tanh'], seeds = [1] }: GridOptions = {}): NewRun[] {
  const runs: NewRun[] = [];
  for (const init of inits) {
    for (const activation of activations) {
      for (const seed of seeds) {
        runs.push({
          config: { model: { hidden: [8, 8, 8], init, activation }, train: { lr: 0.05 }, seed },
          hash: `${init}/${activation}/${seed}`,
          seed,
          initLabel: init,
          activationLabel: activation,
          position: runs.length,
        });
      }
    }
  }
  return runs;
}

export function createGridSweep(store: Store, options: GridOptions & { name?: string } = {}) {
  return store.createSweep({
    name: options.name ?? 'grid',
    spec: { grid: options },
    varying: ['model.init', 'model.activation', 'seed'],
    runs: gridRuns(options),
    createdAt: 1000,
  });
}

export function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    status: 'succeeded',
    verdicts: [{ kind: 'healthy', evidence: 'activation std within [0.1, 10] in every layer' }],
    divergence: null,
    theoryPreVar: [1, 0.8, 0.6],
    durationMs: 1234,
    epochsCompleted: 3,
    finishedAt: 5000,
    backend: 'ts',
    cpuPath: 'js',
    ...overrides,
  };
}
