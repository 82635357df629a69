// The sweep engine end to end on the real Piscina pool: tiny runs, real threads, a temp database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../server/services.js';

const faultWorker = fileURLToPath(new URL('../fixtures/fault-worker.ts', import.meta.url));
const tiny = { dataset: { samples: 200 }, model: { hidden: [8, 8] }, train: { epochs: 3 } };

describe('sweep engine on the real worker pool', () => {
  let dir: string;
  let services: Services;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'initlab-engine-'));
    services = openServices({ dbFile: join(dir, 'engine.db'), threads: 2, workerFile: faultWorker, maxHeapMb: 48 });
    services.scheduler.start();
  });
  afterAll(async () => {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a grid to completion and stores every epoch with its per-layer statistics', async () => {
    const { scheduler, store } = services;
    const { id, runs } = scheduler.submit({
      name: 'tiny grid',
      base: tiny,
      grid: { 'model.init': ['zeros', 'xavier_uniform'], 'model.activation': ['tanh', 'relu'] },
    });
    expect(runs).toBe(4);
    await scheduler.waitForSweep(id);
    expect(store.sweepCounts(id)).toMatchObject({ succeeded: 4, total: 4 });
    for (const run of store.listRuns(id).runs) {
      const metrics = store.getRunMetrics(run.id);
      expect(metrics.map((m) => m.epoch)).toEqual([0, 1, 2, 3]);
      expect(metrics[0]!.layers).toHaveLength(3);
      expect(run.verdicts!.length).toBeGreaterThan(0);
      expect(run.theoryPreVar).toHaveLength(3);
      if (run.initLabel === 'zeros') expect(run.verdicts!.map((v) => v.kind)).toContain('symmetric');
    }
  });

  it('isolates a run that throws, one that exits its thread, one that runs out of memory and one the native addon refuses', async () => {
    const { scheduler, store } = services;
    const { id } = scheduler.submit({ name: 'faults', base: tiny, grid: { seed: [1, 9001, 9002, 9003, 9004, 2] } });
    await scheduler.waitForSweep(id);
    const bySeed = new Map(store.listRuns(id).runs.map((r) => [r.seed, r]));
    expect(bySeed.get(1)!.status).toBe('succeeded');
    expect(bySeed.get(2)!.status).toBe('succeeded');
    expect(bySeed.get(9001)!.status).toBe('failed');
    expect(bySeed.get(9001)!.error).toContain('boom');
    expect(bySeed.get(9002)!.status).toBe('failed');
    expect(bySeed.get(9002)!.error).toMatch(/exit/i);
    expect(bySeed.get(9003)!.status).toBe('failed');
    expect(bySeed.get(9003)!.error).toMatch(/memory/i);
    expect(bySeed.get(9004)!.status).toBe('failed');
    expect(bySeed.get(9004)!.error).toMatch(/order\[3\] = 1000 is outside the 4 rows/);
    // The pool replaced the dead threads: a later sweep still runs.
    const after = scheduler.submit({ name: 'after faults', base: tiny });
    await scheduler.waitForSweep(after.id);
    expect(store.sweepCounts(after.id).succeeded).toBe(1);
  });

  it('records a run whose loss goes non-finite as diverged, with where it happened', async () => {
    const { scheduler, store } = services;
    const { id } = scheduler.submit({
      name: 'diverging',
      base: {
        dataset: { samples: 400 },
        model: { hidden: [32, 32, 32, 32, 32, 32, 32, 32, 32, 32], activation: 'relu', init: 'he_normal' },
        train: { epochs: 5, optimizer: 'momentum', lr: 0.3 },
      },
    });
    await scheduler.waitForSweep(id);
    const [run] = store.listRuns(id).runs;
    expect(run!.status).toBe('diverged');
    expect(run!.divergence).toMatchObject({ quantity: expect.any(String) });
    expect(run!.verdicts!.map((v) => v.kind)).toContain('diverged');
  });

  it('cancels a sweep: queued runs at once, running ones aborted', async () => {
    const { scheduler, store, events } = services;
    const started = new Set<number>();
    const off = events.subscribe((e) => {
      if (e.type === 'run-started') started.add(e.runId);
    });
    const { id } = scheduler.submit({
      name: 'long',
      base: { dataset: { samples: 2000 }, model: { hidden: [64, 64] }, train: { epochs: 10_000 } },
      grid: { seed: [1, 2, 3, 4, 5] },
    });
    const reporting = await new Promise<number>((resolve) => {
      const check = events.subscribe((e) => {
        if (e.type === 'run-epochs' && e.sweepId === id) {
          check();
          resolve(e.runId);
        }
      });
    });
    // The theory arrives before a run's first epoch and is stored at once, long before the run finishes.
    expect(store.getRun(reporting).status).toBe('running');
    expect(store.getRun(reporting).theoryPreVar).toHaveLength(3);
    scheduler.cancel(id);
    expect(store.sweepCounts(id).queued).toBe(0);
    await scheduler.waitForSweep(id);
    off();
    expect(store.sweepCounts(id)).toMatchObject({ cancelled: 5, running: 0 });
    expect(started.size).toBe(2);
  });

  it('replays a run bit for bit', async () => {
    const { scheduler, store } = services;
    const { id } = scheduler.submit({ name: 'to replay', base: { ...tiny, model: { hidden: [8, 8], init: 'lsuv' } } });
    await scheduler.waitForSweep(id);
    const [original] = store.listRuns(id).runs;
    const replay = scheduler.replay(original!.id);
    await scheduler.waitForSweep(replay.id);
    const [copy] = store.listRuns(replay.id).runs;
    expect(copy!.status).toBe('succeeded');
    expect(store.getRunMetrics(copy!.id)).toEqual(store.getRunMetrics(original!.id));
    expect(copy!.verdicts).toEqual(original!.verdicts);
  });
});
