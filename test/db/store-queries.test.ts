import { describe, expect, expectTypeOf, it } from 'vitest';
import { InvalidQueryError } from '../../db/errors.js';
import type { Store } from '../../db/store.js';
import type { EpochMetricsRow, LayerStatsRow } from '../../db/types.js';
import type { EpochMetrics, LayerStats } from '../../workers/core/types.js';
import { createGridSweep, epochMetrics, layer, memoryStore, summary, writeEpochs } from './fixtures.js';

/** Finishes a run with the given final validation accuracy (and a loss derived from it). */
function finishWith(store: Store, runId: number, valAcc: number | null, options: { status?: 'succeeded' | 'diverged';
  verdicts?: string[] } = {}) {
  store.startRun(runId);
  store.finishRun(runId, summary({
    status: options.status ?? 'succeeded',
    verdicts: (options.verdicts ?? ['healthy']).map((kind) => ({ kind, evidence: '' })),
    finals: {
      finalTrainLoss: valAcc === null ? null : 1 - valAcc, finalTrainAcc: valAcc, finalValLoss: valAcc === null ? null : 2 - valAcc,
      finalValAcc: valAcc, bestTrainLoss: null, bestTrainAcc: null, bestValLoss: valAcc === null ? null : 1.5 - valAcc,
      bestValAcc: valAcc === null ? null : valAcc + 0.01,
    },
  }));
}

describe('metrics round-trip', () => {
  it('stores an epoch with its layers and reads it back exactly', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0]);
    const epochs = [epochMetrics(0), epochMetrics(1, { clipped: true, clippedSteps: 3 }), epochMetrics(2)];
    expect(writeEpochs(store, runIds[0], epochs)).toBe(15);
    expect(store.getRunMetrics(runIds[0])).toEqual(epochs);
  });

  it('writes epochs only for a running run: no way around writeMetricsBatch\'s check', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2] });
    const queued = store.writeMetricsBatch([{ runId: runIds[0], metrics: epochMetrics(0) }]);
    expect(queued).toMatchObject({ droppedEpochs: 1, epochRows: 0, layerRows: 0 }); // still queued: dropped
    expect(store.getRunMetrics(runIds[0])).toEqual([]);
    store.startRun(runIds[1]);
    expect(writeEpochs(store, runIds[1], [epochMetrics(0)])).toBe(5);
    expect('insertEpochMetrics' in store).toBe(false); // the raw insert is private to the metrics path
  });

  it('keeps NaN and ±Infinity of a diverged epoch (NaN is stored as NULL)', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0]);
    const last = epochMetrics(4, {
      trainLoss: NaN, valLoss: Infinity, gradNorm: -Infinity,
      layers: [layer(0, { actStd: NaN, deltaNorm: Infinity, weightNorm: -Infinity }), layer(1)],
    });
    writeEpochs(store, runIds[0], [epochMetrics(3), last]);
    const [, back] = store.getRunMetrics(runIds[0]);
    expect(back).toEqual(last);
    expect(Number.isNaN(back.trainLoss)).toBe(true);
    expect(back.valLoss).toBe(Infinity);
    expect(back.gradNorm).toBe(-Infinity);
    expect(back.layers[0]).toMatchObject({ deltaNorm: Infinity, weightNorm: -Infinity });
    const raw = store.db.prepare(`SELECT train_loss, typeof(train_loss) AS t, val_loss FROM epoch_metrics
      WHERE run_id = ? AND epoch = 4`).get(runIds[0]);
    expect(raw).toEqual({ train_loss: null, t: 'null', val_loss: Infinity });
  });

  it('computes best values over finite epochs and leaves a NaN final as null', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0]);
    writeEpochs(store, runIds[0], [
      epochMetrics(0, { valLoss: 2, valAcc: 0.4 }), epochMetrics(1, { valLoss: 0.8, valAcc: 0.7 }),
      epochMetrics(2, { valLoss: NaN, valAcc: 0.5, trainLoss: Infinity }),
    ]);
    const run = store.finishRun(runIds[0], summary({ status: 'diverged' }));
    expect(run).toMatchObject({ finalValLoss: null, finalValAcc: 0.5, finalTrainLoss: Infinity, bestValLoss: 0.8,
      bestValAcc: 0.7 });
  });

  it('returns epoch curves column by column for several runs, in the order asked', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2, 3] });
    store.startRun(runIds[0]);
    store.startRun(runIds[2]);
    writeEpochs(store, runIds[0], [epochMetrics(0), epochMetrics(1)]);
    writeEpochs(store, runIds[2], [epochMetrics(0, { valLoss: NaN })]);
    const curves = store.getRunCurves([runIds[2], runIds[0], runIds[1], 999]);
    expect(curves.map((c) => c.runId)).toEqual([runIds[2], runIds[0], runIds[1]]);
    expect(curves[1]).toMatchObject({ epoch: [0, 1], step: [0, 10], trainLoss: [1, 0.5], valAcc: [0.45, 0.46] });
    expect(curves[0].valLoss).toEqual([NaN]);
    expect(curves[2].epoch).toEqual([]);
  });

  it('has row types that the core types fit into, both ways', () => {
    expectTypeOf<EpochMetrics>().toExtend<EpochMetricsRow>();
    expectTypeOf<EpochMetricsRow>().toExtend<EpochMetrics>();
    expectTypeOf<LayerStats>().toExtend<LayerStatsRow>();
    expectTypeOf<LayerStatsRow>().toExtend<LayerStats>();
    const core: EpochMetrics = epochMetrics(0);
    const row: EpochMetricsRow = core;
    expect(row).toBe(core);
  });
});

describe('listRuns', () => {
  function sweepWithResults() {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { inits: ['xavier_uniform', 'normal'], activations: ['tanh'],
      seeds: [1, 2, 3] });
    finishWith(store, runIds[0], 0.8);
    finishWith(store, runIds[1], 0.9, { verdicts: ['healthy', 'saturated'] });
    finishWith(store, runIds[2], 0.7);
    finishWith(store, runIds[3], null, { status: 'diverged', verdicts: ['diverged', 'exploding'] });
    store.startRun(runIds[4]);
    return { store, id, runIds };
  }

  it('sorts by a metric with missing values last in either direction, ties by position', () => {
    const { store, id, runIds } = sweepWithResults();
    const asc = store.listRuns(id, { sortBy: 'finalValAcc' }).runs.map((r) => r.id);
    expect(asc).toEqual([runIds[2], runIds[0], runIds[1], runIds[3], runIds[4], runIds[5]]);
    const desc = store.listRuns(id, { sortBy: 'finalValAcc', order: 'desc' }).runs.map((r) => r.id);
    expect(desc).toEqual([runIds[1], runIds[0], runIds[2], runIds[5], runIds[4], runIds[3]]);
  });

  it('sorts by columns that are never empty, ties by position, and by id either way', () => {
    const { store, id, runIds } = sweepWithResults();
    const all = store.listRuns(id).runs;
    const bySeed = [...all].sort((a, b) => a.seed - b.seed || a.position - b.position).map((r) => r.id);
    expect(store.listRuns(id, { sortBy: 'seed' }).runs.map((r) => r.id)).toEqual(bySeed);
    expect(store.listRuns(id, { sortBy: 'seed', order: 'desc' }).runs.map((r) => r.id)).toEqual([...bySeed].reverse());
    expect(store.listRuns(id, { sortBy: 'id' }).runs.map((r) => r.id)).toEqual([...runIds].sort((a, b) => a - b));
    expect(store.listRuns(id, { sortBy: 'id', order: 'desc', limit: 2, offset: 1 }).runs.map((r) => r.id))
      .toEqual([...runIds].sort((a, b) => b - a).slice(1, 3));
    expect(store.listRuns(id, { sortBy: 'position', order: 'desc' }).runs.map((r) => r.position)).toEqual([...all].map((r) => r.position).sort((a, b) => b - a));
  });

  it('filters by one or several statuses, by verdict and by labels, with the total of all matches', () => {
    const { store, id, runIds } = sweepWithResults();
    expect(store.listRuns(id, { status: 'succeeded' })).toMatchObject({ total: 3 });
    const active = store.listRuns(id, { status: ['queued', 'running'] });
    expect(active.runs.map((r) => r.id)).toEqual([runIds[4], runIds[5]]);
    expect(store.listRuns(id, { verdict: 'saturated' }).runs.map((r) => r.id)).toEqual([runIds[1]]);
    expect(store.listRuns(id, { verdict: 'healthy', initLabel: 'xavier_uniform' }).total).toBe(3);
    expect(store.listRuns(id, { initLabel: 'normal', activationLabel: 'tanh' }).total).toBe(3);
    expect(store.listRuns(id, { verdict: 'dead' })).toEqual({ runs: [], total: 0 });
  });

  it('pages with limit and offset while the total stays the count of all matches', () => {
    const { store, id, runIds } = sweepWithResults();
    const page = store.listRuns(id, { limit: 2, offset: 2 });
    expect(page.total).toBe(6);
    expect(page.runs.map((r) => r.id)).toEqual(runIds.slice(2, 4));
    expect(store.listRuns(id, { limit: 2, offset: 10 })).toEqual({ runs: [], total: 6 });
  });

  it('pages a sweep among others by id and by position, either way, exactly as a sort of all its runs would', () => {
    const store = memoryStore();
    createGridSweep(store, { seeds: [1, 2, 3] });
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2, 3, 4, 5, 6, 7] });
    createGridSweep(store, { seeds: [1, 2] });
    const byPosition = store.listRuns(id, { limit: 1000 }).runs.map((r) => r.id);
    expect(byPosition).toEqual(runIds);
    for (const sortBy of ['id', 'position'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const all = order === 'asc' ? runIds : [...runIds].reverse();
        for (let offset = 0; offset <= all.length + 2; offset++) {
          const page = store.listRuns(id, { sortBy, order, limit: 3, offset });
          expect(page.runs.map((r) => r.id)).toEqual(all.slice(offset, offset + 3));
          expect(page.total).toBe(runIds.length);
        }
      }
    }
    // a filter that keeps every run pages alike (the filtered statement)
    const filtered = store.listRuns(id, { sortBy: 'id', order: 'desc', limit: 3, offset: 2, status: 'queued' });
    expect(filtered.runs.map((r) => r.id)).toEqual([...runIds].reverse().slice(2, 5));
  });

  it('never matches a diverged run by a metric range, even when it stored its untrained accuracy', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2] });
    finishWith(store, runIds[0], 0.8);
    finishWith(store, runIds[1], 0.5, { status: 'diverged', verdicts: ['diverged'] });
    const ids = (options: Parameters<Store['listRuns']>[1]) => store.listRuns(id, options).runs.map((r) => r.id);
    expect(ids({ ranges: { finalValAcc: { min: 0.4 } } })).toEqual([runIds[0]]);
    expect(ids({ ranges: { finalTrainLoss: { max: 1 } } })).toEqual([runIds[0]]);
    expect(ids({})).toEqual(runIds);
  });

  it('filters by a numeric config range, ends included, and never matches a missing or non-numeric value', () => {
    const store = memoryStore();
    const lrs: unknown[] = [0.001, 0.01, 0.05, 0.1, 'fast', undefined];
    const { id, runIds } = store.createSweep({
      name: 'lr', spec: {}, varying: ['train.lr'], createdAt: 1000,
      runs: lrs.map((lr, i) => ({
        config: { model: { hidden: [4] }, train: lr === undefined ? {} : { lr }, seed: 1 },
        hash: `lr${i}`, seed: 1, initLabel: 'xavier_uniform', activationLabel: 'tanh', position: i,
      })),
    });
    const ids = (range: { min?: number; max?: number }) =>
      store.listRuns(id, { configRanges: [{ path: 'train.lr', ...range }] }).runs.map((r) => r.id);
    expect(ids({ min: 0.01, max: 0.05 })).toEqual([runIds[1], runIds[2]]);
    expect(ids({ min: 0.05 })).toEqual([runIds[2], runIds[3]]);
    expect(ids({ max: 0.001 })).toEqual([runIds[0]]);
    expect(ids({})).toEqual(runIds.slice(0, 4));
    expect(() => ids({ min: Number.NaN })).toThrow(InvalidQueryError);
  });

  it('counts a sweep\'s runs alone, filtered or not, whatever other sweeps hold', () => {
    const { store, id } = sweepWithResults();
    const other = createGridSweep(store, { name: 'other', seeds: [1, 2, 3, 4] });
    expect(store.countRuns(id)).toBe(6);
    expect(store.countRuns(other.id)).toBe(other.runIds.length);
    expect(store.listRuns(id, { limit: 1 }).total).toBe(6);
    expect(store.listRuns(id, { limit: 1, ranges: { finalValAcc: { min: 0.75 } } }).total).toBe(2);
    expect(store.listRuns(id, { limit: 1, text: 'exploding' }).total).toBe(1);
    expect(() => store.countRuns(999)).toThrow(/sweep/);
  });

  it('hands out the durations of the latest finished runs in listRuns\' finish order, and only those', () => {
    const { store, id } = sweepWithResults();
    const latest = store.listRuns(id, { status: ['succeeded', 'diverged'], sortBy: 'finishedAt', order: 'desc', limit: 3 }).runs;
    expect(latest).toHaveLength(3);
    expect(store.recentRunDurations(id, 3)).toEqual(latest.map((r) => r.durationMs));
    expect(store.recentRunDurations(id, 30)).toHaveLength(4); // 3 succeeded and 1 diverged; running and queued not
    expect(() => store.recentRunDurations(id, -1)).toThrow(InvalidQueryError);
  });

  it('reads the runs of a sweep by id, in id order, leaving out ids of other sweeps and of no run', () => {
    const { store, id, runIds } = sweepWithResults();
    const other = createGridSweep(store, { name: 'other', seeds: [1] });
    const runs = store.getSweepRuns(id, [runIds[3], runIds[0], other.runIds[0], 99_999]);
    expect(runs.map((r) => r.id)).toEqual([runIds[0], runIds[3]]);
    expect(runs[1]).toEqual(store.getRun(runIds[3]));
    expect(store.getSweepRuns(id, [])).toEqual([]);
  });

  it('refuses unknown sort keys, orders, statuses and bad paging with InvalidQueryError (400)', () => {
    const { store, id } = sweepWithResults();
    expect(() => store.listRuns(id, { sortBy: 'config; DROP TABLE runs' })).toThrow(InvalidQueryError);
    expect(() => store.listRuns(id, { order: 'sideways' })).toThrow(InvalidQueryError);
    expect(() => store.listRuns(id, { status: 'paused' })).toThrow(InvalidQueryError);
    expect(() => store.listRuns(id, { limit: 10_001 })).toThrow(InvalidQueryError);
    expect(() => store.listRuns(id, { offset: -1 })).toThrow(/offset/);
  });
});

describe('iterateRuns', () => {
  it('yields every run in position order, a page at a time', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: Array.from({ length: 23 }, (_, i) => i) });
    expect([...store.iterateRuns(id, 5)].map((r) => r.id)).toEqual(runIds);
    expect([...store.iterateRuns(id, 23)].map((r) => r.id)).toEqual(runIds);
    expect(() => [...store.iterateRuns(id, 0)]).toThrow(InvalidQueryError);
  });

  it('leaves the connection free for writes while the caller holds the iterator', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2, 3, 4, 5] });
    const seen: number[] = [];
    for (const run of store.iterateRuns(id, 2)) {
      seen.push(run.id);
      store.startRun(run.id);   // would throw "connection is busy" under an open .iterate() cursor
    }
    expect(seen).toEqual(runIds);
    expect(store.sweepCounts(id).running).toBe(5);
  });
});

describe('cellSummaries', () => {
  it('lists when each started run trained, by start time, and nothing for runs never started', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { inits: ['zeros'], activations: ['relu'], seeds: [1, 2, 3] });
    finishWith(store, runIds[1], 0.9);
    store.startRun(runIds[0]);
    const spans = store.runSpans(id);
    expect(spans).toHaveLength(2);
    expect(spans[0].startedAt).toBeLessThanOrEqual(spans[1].startedAt);
    expect(spans.filter((s) => s.finishedAt === null)).toHaveLength(1);
  });

  it('hands out the rows a cell summary folds, one per run, by cell and seed', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { inits: ['zeros'], activations: ['relu', 'tanh'], seeds: [1, 2] });
    finishWith(store, runIds[0], 0.9);
    finishWith(store, runIds[1], 0.4, { status: 'diverged', verdicts: ['diverged'] });
    const rows = store.cellRunRows(id);
    expect(rows.map((r) => [r.activationLabel, r.status, r.finalValAcc])).toEqual([
      ['relu', 'succeeded', 0.9], ['relu', 'diverged', 0.4], ['tanh', 'queued', null], ['tanh', 'queued', null],
    ]);
    expect(() => store.cellRunRows(999)).toThrow();
  });

  it('aggregates each init × activation cell over its seeds: counts, mean, sample sd, values, verdicts', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { inits: ['he_normal', 'zeros'], activations: ['relu', 'tanh'],
      seeds: [1, 2, 3] });
    // he_normal × relu: results 0.9 and 0.8; the diverged run's 0.4 is the untrained network's, no result
    finishWith(store, runIds[0], 0.9);
    finishWith(store, runIds[1], 0.8);
    finishWith(store, runIds[2], 0.4, { status: 'diverged', verdicts: ['diverged'] });
    // he_normal × tanh: one result, one failure, one still queued
    finishWith(store, runIds[3], 0.75, { verdicts: ['healthy', 'saturated'] });
    store.startRun(runIds[4]);
    store.failRun(runIds[4], 'boom');
    // zeros × relu: a diverged run with a NaN accuracy, the rest untouched; zeros × tanh untouched

    finishWith(store, runIds[6], null, { status: 'diverged', verdicts: ['diverged'] });
    const cells = store.cellSummaries(id);
    expect(cells.map((c) => `${c.initLabel}/${c.activationLabel}`))
      .toEqual(['he_normal/relu', 'he_normal/tanh', 'zeros/relu', 'zeros/tanh']);

    const [a, b, c, d] = cells;
    // by hand: mean = 1.7 / 2 = 0.85; deviations 0.05, -0.05; sd = sqrt((0.0025 + 0.0025) / 1) = sqrt(0.005)
    expect(a.metrics.finalValAcc.n).toBe(2);
    expect(a.metrics.finalValAcc.mean).toBeCloseTo(0.85, 12);
    expect(a.metrics.finalValAcc.sd).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(a.metrics.finalValAcc.values).toEqual([0.9, 0.8]);
    expect(a.metrics.finalValLoss.mean).toBeCloseTo(2 - 0.85, 12);
    expect(a.metrics.bestValAcc.mean).toBeCloseTo(0.86, 12);
    expect(a.counts).toMatchObject({ total: 3, succeeded: 2, diverged: 1 });
    expect(a.verdicts).toEqual({ healthy: 2, diverged: 1 });

    expect(b.metrics.finalValAcc).toEqual({ n: 1, mean: 0.75, sd: null, values: [0.75] });
    expect(b.counts).toMatchObject({ succeeded: 1, failed: 1, queued: 1 });
    expect(b.verdicts).toEqual({ healthy: 1, saturated: 1 });

    expect(c.metrics.finalValAcc).toEqual({ n: 0, mean: null, sd: null, values: [] });
    expect(c.counts).toMatchObject({ diverged: 1, queued: 2 });
    expect(d.counts).toMatchObject({ total: 3, queued: 3 });
    expect(d.firstPosition).toBe(9);
  });
});
