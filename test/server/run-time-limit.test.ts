// A per-run time limit: a run that trains too long is stopped (its thread replaced) and fails with the limit as its
// reason; the other runs of the sweep finish normally. The limit counts from the moment a run begins, so a
// cold thread's start-up does not count.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openServices } from '../../server/services.js';

const faultWorker = fileURLToPath(new URL('../fixtures/fault-worker.ts', import.meta.url));

describe('the per-run time limit', () => {
  it('fails a run that outlives it with the limit as its reason, and only that run', async () => {
    const services = openServices({ dbFile: ':memory:', threads: 2, workerFile: faultWorker, runTimeLimitMs: 1500 });
    try {
      services.scheduler.start();
      const base = { dataset: { samples: 100 }, model: { hidden: [4] }, train: { epochs: 2 } };
      const { id } = services.scheduler.submit({ name: 'one stuck run', base, grid: { seed: [1, 9005, 2] } });
      await services.scheduler.waitForSweep(id);
      const bySeed = new Map(services.store.listRuns(id).runs.map((r) => [r.seed, r]));
      expect(bySeed.get(9005)).toMatchObject({ status: 'failed', error: expect.stringContaining('time limit of 1.5 s') });
      expect(bySeed.get(1)!.status).toBe('succeeded');
      expect(bySeed.get(2)!.status).toBe('succeeded');
      // the pool replaced the stopped thread: another sweep still runs
      const after = services.scheduler.submit({ name: 'after', base });
      await services.scheduler.waitForSweep(after.id);
      expect(services.store.sweepCounts(after.id).succeeded).toBe(1);
    } finally {
      await services.close();
    }
  });
});
