// The heatmap's cells loader: a diverged run counts in its cell but has no final result in the means.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { loadCells } from '../../server/pages/cells.js';
import { loadCellDetail } from '../../server/pages/cell-detail.js';
import { CellDetail } from '../../views/cell-detail.js';
import { createGridSweep, memoryStore, summary } from '../db/fixtures.js';

function finish(store: Store, runId: number, valAcc: number, status: 'succeeded' | 'diverged') {
  store.startRun(runId);
  store.finishRun(runId, summary({
    status,
    verdicts: [{ kind: status === 'diverged' ? 'diverged' : 'healthy', evidence: '' }],
    finals: {
      finalTrainLoss: 1 - valAcc, finalTrainAcc: valAcc, finalValLoss: 2 - valAcc, finalValAcc: valAcc,
      bestTrainLoss: null, bestTrainAcc: null, bestValLoss: null, bestValAcc: valAcc,
    },
  }));
}

describe('cells loader', () => {
  it('leaves diverged runs out of a cell\'s means but counts them, on both axis paths', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { inits: ['normal'], activations: ['relu', 'tanh'], seeds: [1, 2, 3] });
    // normal × relu: all three diverged at the untrained network's 0.59 (a number that must not become a result)
    for (const runId of runIds.slice(0, 3)) finish(store, runId, 0.59, 'diverged');
    // normal × tanh: 0.9 and 0.8 succeeded, one diverged at 0.55
    finish(store, runIds[3], 0.9, 'succeeded');
    finish(store, runIds[4], 0.8, 'succeeded');
    finish(store, runIds[5], 0.55, 'diverged');
    const sweep = store.getSweep(id);
    for (const axes of [
      { row: 'model.init', col: 'model.activation', pooled: [] },
      { row: 'model.activation', col: 'model.init', pooled: [] }, // the generic fold
    ]) {
      const cells = loadCells(store, sweep, axes);
      const relu = cells.find((c) => c.initLabel === 'relu' || c.activationLabel === 'relu')!;
      const tanh = cells.find((c) => c.initLabel === 'tanh' || c.activationLabel === 'tanh')!;
      expect(relu.counts).toMatchObject({ total: 3, diverged: 3 });
      expect(relu.metrics.finalValAcc).toMatchObject({ n: 0, mean: null });
      expect(relu.metrics.finalValLoss.mean).toBeNull();
      expect(relu.verdicts).toEqual({ diverged: 3 });
      expect(tanh.metrics.finalValAcc.n).toBe(2);
      expect(tanh.metrics.finalValAcc.mean).toBeCloseTo(0.85, 12);
      expect(tanh.metrics.finalValAcc.values).toEqual([0.9, 0.8]);
    }
  });

  it('lists a diverged run in the cell panel without a final accuracy', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { inits: ['normal'], activations: ['relu'], seeds: [1, 2] });
    finish(store, runIds[0], 0.575, 'diverged');
    finish(store, runIds[1], 0.9, 'succeeded');
    const html = CellDetail(loadCellDetail(store, store.getSweep(id), 'normal', 'relu')!);
    expect(html).toContain('90.0%');
    expect(html).not.toContain('57.5%');
    expect(html).toContain('title="diverged: no final result"');
  });
});
