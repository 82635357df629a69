// Sweep management in the store: edits of name, notes, tags and the archived mark; delete preview and delete.
import { describe, expect, it } from 'vitest';
import { NotFoundError, SweepBusyError } from '../../db/errors.js';
import type { Store } from '../../db/store.js';
import { createGridSweep, epochMetrics, memoryStore, summary, writeEpochs } from './fixtures.js';

/** Row counts of every table in the database (sqlite_% tables aside). */
function tableCounts(store: Store): Record<string, number> {
  const tables = store.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
    .pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, store.db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]));
}

/** A finished two-seed sweep whose runs each have `epochs` epochs of 4 layers. */
function finishedSweep(store: Store, name: string, epochs: number) {
  const { id, runIds } = createGridSweep(store, { name, seeds: [1, 2] });
  for (const runId of runIds) {
    store.startRun(runId, 100);
    writeEpochs(store, runId, Array.from({ length: epochs }, (_, e) => epochMetrics(e)));
    store.finishRun(runId, summary({ epochsCompleted: epochs }));
  }
  store.finishSweepIfDone(id);
  return { id, runIds };
}

describe('editing a sweep', () => {
  it('starts with no notes, no tags and not archived', () => {
    const store = memoryStore();
    const { id } = createGridSweep(store);
    expect(store.getSweep(id)).toMatchObject({ notes: '', tags: [], archivedAt: null });
  });

  it('changes only the fields given', () => {
    const store = memoryStore();
    const { id } = createGridSweep(store, { name: 'before' });
    store.updateSweep(id, { notes: 'why *this* sweep' });
    expect(store.getSweep(id)).toMatchObject({ name: 'before', notes: 'why *this* sweep', tags: [] });
    store.updateSweep(id, { name: 'after', tags: ['relu', 'baseline', 'relu'] });
    expect(store.getSweep(id)).toMatchObject({ name: 'after', notes: 'why *this* sweep', tags: ['relu', 'baseline'] });
  });

  it('archives at the given time, keeps the first time when archived again, and unarchives', () => {
    const store = memoryStore();
    const { id } = createGridSweep(store);
    store.updateSweep(id, { archived: true }, 5000);
    store.updateSweep(id, { archived: true }, 9000);
    expect(store.getSweep(id).archivedAt).toBe(5000);
    expect(store.listSweeps()[0].archivedAt).toBe(5000);
    store.updateSweep(id, { archived: false });
    expect(store.getSweep(id).archivedAt).toBeNull();
  });

  it('refuses an unknown sweep', () => {
    const store = memoryStore();
    expect(() => store.updateSweep(42, { name: 'x' })).toThrow(NotFoundError);
  });
});

describe('deleting a sweep', () => {
  it('removes exactly the sweep, its runs and their metric rows, and nothing of another sweep', () => {
    const store = memoryStore();
    const kept = finishedSweep(store, 'kept', 2);
    const doomed = finishedSweep(store, 'doomed', 3);
    const before = tableCounts(store);
    // Two runs × 3 epochs × 4 layers.
    expect(store.sweepDeletePreview(doomed.id)).toEqual({ runs: 2, epochRows: 6, layerRows: 24 });
    expect(store.deleteSweep(doomed.id)).toEqual({ runs: 2, epochRows: 6, layerRows: 24 });
    const after = tableCounts(store);
    // The one other write: the id watermarks (sweeps and runs) that keep the deleted ids from coming back.
    const expected = { ...before, sweeps: before.sweeps - 1, runs: before.runs - 2,
      epoch_metrics: before.epoch_metrics - 6, layer_metrics: before.layer_metrics - 24, id_watermarks: 2 };
    expect(before.id_watermarks).toBe(0);
    expect(after).toEqual(expected);
    expect(() => store.getSweep(doomed.id)).toThrow(NotFoundError);
    expect(store.getSweep(kept.id).name).toBe('kept');
    expect(store.getRunMetrics(kept.runIds[0])).toHaveLength(2);
  });

  it('never hands a deleted sweep\'s or run\'s id to a new one', () => {
    const store = memoryStore();
    finishedSweep(store, 'older', 1);
    const newest = finishedSweep(store, 'newest', 1);
    store.deleteSweep(newest.id);
    const next = createGridSweep(store, { name: 'next', seeds: [1, 2] });
    expect(next.id).toBe(newest.id + 1);
    expect(next.runIds[0]).toBe(newest.runIds[1] + 1);
    store.deleteSweep(finishedSweep(store, 'again', 1).id); // a second delete raises the marks, never lowers them
    expect(createGridSweep(store, { name: 'last' }).id).toBe(next.id + 2);
  });

  it('leaves a replay of a deleted run in place, still naming the run it replayed', () => {
    const store = memoryStore();
    const original = finishedSweep(store, 'original', 1);
    const replay = store.createSweep({
      name: 'replay', spec: {}, varying: [], replayOf: original.runIds[0],
      runs: [{ config: {}, hash: 'h', seed: 1, initLabel: 'a', activationLabel: 'b', position: 0 }],
    });
    store.deleteSweep(original.id);
    expect(store.getSweep(replay.id)).toMatchObject({ name: 'replay', replayOf: original.runIds[0] });
    expect(() => store.getRun(original.runIds[0])).toThrow(NotFoundError);
  });

  it('refuses a running sweep and leaves it whole', () => {
    const store = memoryStore();
    const { id } = createGridSweep(store, { seeds: [1, 2] });
    const before = tableCounts(store);
    expect(() => store.deleteSweep(id)).toThrow(SweepBusyError);
    expect(() => store.deleteSweep(id)).toThrow(/still running: cancel it first/);
    expect(tableCounts(store)).toEqual(before);
  });

  it('deletes a cancelled sweep', () => {
    const store = memoryStore();
    const { id } = createGridSweep(store, { seeds: [1, 2] });
    store.cancelSweep(id);
    expect(store.deleteSweep(id)).toEqual({ runs: 2, epochRows: 0, layerRows: 0 });
    expect(store.listSweeps()).toEqual([]);
  });

  it('refuses an unknown sweep', () => {
    const store = memoryStore();
    expect(() => store.sweepDeletePreview(7)).toThrow(NotFoundError);
    expect(() => store.deleteSweep(7)).toThrow(NotFoundError);
  });
});
