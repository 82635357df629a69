import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MetricsBatchEntry, Store } from '../../db/store.js';
import { createMetricsWriter } from '../../server/metrics-writer.js';
import { createGridSweep, epochMetrics, memoryStore } from './fixtures.js';

/** The store, with every writeMetricsBatch call (= one transaction) recorded. */
function countingStore(store: Store) {
  const batches: MetricsBatchEntry[][] = [];
  return {
    batches,
    sink: {
      writeMetricsBatch(entries: readonly MetricsBatchEntry[]) {
        batches.push([...entries]);
        return store.writeMetricsBatch(entries);
      },
    },
  };
}

function rowCounts(store: Store) {
  return {
    epochs: store.db.prepare('SELECT count(*) FROM epoch_metrics').pluck().get(),
    layers: store.db.prepare('SELECT count(*) FROM layer_metrics').pluck().get(),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('metrics writer', () => {
  it('buffers pushes and writes everything buffered in one transaction per flush', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2, 3] });
    for (const id of runIds) store.startRun(id);
    const { sink, batches } = countingStore(store);
    const writer = createMetricsWriter(sink, { flushMs: 60_000 });
    for (let epoch = 0; epoch < 4; epoch++) for (const id of runIds) writer.push(id, epochMetrics(epoch));
    expect(writer.pendingRows).toBe(12 * 5);
    expect(rowCounts(store)).toEqual({ epochs: 0, layers: 0 });

    expect(writer.flush()).toEqual({ epochRows: 12, layerRows: 48, droppedEpochs: 0 });
    expect(batches.map((b) => b.length)).toEqual([12]);
    expect(rowCounts(store)).toEqual({ epochs: 12, layers: 48 });
    expect(writer.flush()).toEqual({ epochRows: 0, layerRows: 0, droppedEpochs: 0 });
    expect(batches).toHaveLength(1);   // nothing buffered: no empty transaction
    expect(writer.stats).toEqual({ flushes: 1, epochRows: 12, layerRows: 48, droppedEpochs: 0 });
    writer.close();
  });

  it('writes a batch atomically: one bad row rolls back the whole flush', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2] });
    for (const id of runIds) store.startRun(id);
    const writer = createMetricsWriter(store, { flushMs: 60_000 });
    writer.push(runIds[0], epochMetrics(0));
    writer.push(runIds[0], epochMetrics(1));
    writer.push(runIds[1], epochMetrics(0, { clippedSteps: null as unknown as number }));   // NOT NULL violation
    expect(() => writer.flush()).toThrow(/NOT NULL/);
    expect(rowCounts(store)).toEqual({ epochs: 0, layers: 0 });
    expect(writer.pendingRows).toBe(0);   // the failed batch is dropped, not retried forever
  });

  it('flushes by itself once the buffer holds maxBatchRows rows', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0]);
    const { sink, batches } = countingStore(store);
    const writer = createMetricsWriter(sink, { maxBatchRows: 12, flushMs: 60_000 });
    writer.push(runIds[0], epochMetrics(0));   // 5 rows
    writer.push(runIds[0], epochMetrics(1));   // 10
    expect(batches).toHaveLength(0);
    writer.push(runIds[0], epochMetrics(2));   // 15 ≥ 12: flush
    expect(batches.map((b) => b.length)).toEqual([3]);
    expect(writer.pendingRows).toBe(0);
    writer.close();
  });

  it('flushes flushMs after the first buffered row, once', () => {
    vi.useFakeTimers();
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0]);
    const { sink, batches } = countingStore(store);
    const writer = createMetricsWriter(sink, { flushMs: 100 });
    writer.push(runIds[0], epochMetrics(0));
    vi.advanceTimersByTime(60);
    writer.push(runIds[0], epochMetrics(1));
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(40);
    expect(batches.map((b) => b.length)).toEqual([2]);
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(1);
    writer.close();
  });

  it('reports a failed timer flush to onError instead of throwing into the event loop', () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    const writer = createMetricsWriter(
      { writeMetricsBatch: () => { throw new Error('disk full'); } },
      { flushMs: 10, onError: (error) => errors.push(error) },
    );
    writer.push(1, epochMetrics(0));
    vi.advanceTimersByTime(10);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('disk full');
    expect(writer.pendingRows).toBe(0);
  });

  it('flushRun writes before a run finishes so finishRun sees all its epochs', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2] });
    store.startRun(runIds[0]);
    const { sink, batches } = countingStore(store);
    const writer = createMetricsWriter(sink, { flushMs: 60_000 });
    expect(writer.flushRun(runIds[0]).epochRows).toBe(0);
    expect(batches).toHaveLength(0);   // nothing of that run buffered: no transaction
    writer.push(runIds[0], epochMetrics(0, { valAcc: 0.3 }));
    writer.push(runIds[0], epochMetrics(1, { valAcc: 0.6 }));
    expect(writer.flushRun(runIds[1]).epochRows).toBe(0);
    expect(writer.flushRun(runIds[0]).epochRows).toBe(2);
    const run = store.finishRun(runIds[0], {
      status: 'succeeded', verdicts: [], divergence: null, theoryPreVar: [], durationMs: 1, epochsCompleted: 1,
    });
    expect(run).toMatchObject({ finalValAcc: 0.6, bestValAcc: 0.6 });
    writer.close();
  });

  it('ignores late epochs of runs that were cancelled, requeued, finished or deleted meanwhile', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2, 3] });
    for (const runId of runIds) store.startRun(runId);
    const writer = createMetricsWriter(store, { flushMs: 60_000 });
    writer.push(runIds[0], epochMetrics(0));
    writer.push(runIds[1], epochMetrics(0));
    writer.push(runIds[2], epochMetrics(0));
    writer.flush();
    store.cancelRun(runIds[0]);
    store.requeueRun(runIds[1]);               // deletes its epochs
    writer.push(runIds[0], epochMetrics(1));   // late: cancelled
    writer.push(runIds[1], epochMetrics(1));   // late: queued again
    writer.push(runIds[2], epochMetrics(1));   // live
    writer.push(9999, epochMetrics(0));        // a run that does not exist
    expect(writer.flush()).toEqual({ epochRows: 1, layerRows: 4, droppedEpochs: 3 });
    expect(store.getRunMetrics(runIds[0]).map((e) => e.epoch)).toEqual([0]);
    expect(store.getRunMetrics(runIds[1])).toEqual([]);
    expect(store.getRunMetrics(runIds[2]).map((e) => e.epoch)).toEqual([0, 1]);
    expect(store.sweepCounts(id)).toMatchObject({ running: 1, cancelled: 1, queued: 1 });
  });

  it('drops epochs of an earlier attempt once the run runs again', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0]);
    store.requeueRun(runIds[0]);
    const run = store.startRun(runIds[0]);
    expect(run.attempt).toBe(2);
    const writer = createMetricsWriter(store, { flushMs: 60_000 });
    writer.push(runIds[0], epochMetrics(0, { valAcc: 0.11 }), 1);   // the stale first attempt
    writer.push(runIds[0], epochMetrics(0, { valAcc: 0.22 }), 2);
    expect(writer.flush()).toMatchObject({ epochRows: 1, droppedEpochs: 1 });
    expect(store.getRunMetrics(runIds[0]).map((e) => e.valAcc)).toEqual([0.22]);
  });

  it('keeps the latest copy of an epoch delivered twice instead of failing the batch', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0]);
    const writer = createMetricsWriter(store, { flushMs: 60_000 });
    writer.push(runIds[0], epochMetrics(0, { valAcc: 0.1 }));
    writer.flush();
    writer.push(runIds[0], epochMetrics(0, { valAcc: 0.2 }));
    writer.push(runIds[0], epochMetrics(1));
    expect(writer.flush()).toMatchObject({ epochRows: 2, droppedEpochs: 0 });
    expect(store.getRunMetrics(runIds[0]).map((e) => e.valAcc)).toEqual([0.2, 0.46]);
    expect(rowCounts(store)).toEqual({ epochs: 2, layers: 8 });
  });

  it('flushes on close and counts later pushes as dropped', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0]);
    const writer = createMetricsWriter(store, { flushMs: 60_000 });
    writer.push(runIds[0], epochMetrics(0));
    writer.close();
    expect(rowCounts(store)).toEqual({ epochs: 1, layers: 4 });
    writer.push(runIds[0], epochMetrics(1));
    writer.close();
    expect(writer.stats).toMatchObject({ flushes: 1, epochRows: 1, droppedEpochs: 1 });
    expect(rowCounts(store)).toEqual({ epochs: 1, layers: 4 });
  });
});
