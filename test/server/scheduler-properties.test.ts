// Property test of the scheduler: random interleavings of submit, finish, fail, cancel and re-run on a fake
// executor must keep its promises — never more runs in flight than threads, never one run in flight twice,
// every run and sweep ending in a state consistent with the others, and nothing left behind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openServices } from '../../server/services.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';

type Action =
  | { kind: 'submit'; runs: number }
  | { kind: 'finish'; pick: number }
  | { kind: 'fail'; pick: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'rerun'; pick: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('submit' as const), runs: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('rerun' as const), pick: fc.nat() }),
);

describe('scheduler under random interleavings', () => {
  it('keeps its invariants and drains every sweep', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(action, { minLength: 1, maxLength: 30 }), async (threads, actions) => {
        const executor = createFakeExecutor(threads);
        const services = openServices({ dbFile: ':memory:', executor });
        const { scheduler, store } = services;
        scheduler.start();
        const sweeps: number[] = [];
        let seed = 0;
        const checkInFlight = () => {
          const running = executor.runningIds();
          expect(running.length).toBeLessThanOrEqual(threads);
          expect(new Set(running).size).toBe(running.length);
          for (const id of running) expect(store.getRun(id).status).toBe('running');
        };
        try {
          for (const a of actions) {
            const running = executor.runningIds();
            if (a.kind === 'submit') {
              const seeds = Array.from({ length: a.runs }, () => ++seed);
              sweeps.push(scheduler.submit({ name: 'p', base: { model: { hidden: [2] }, train: { epochs: 1 } }, grid: { seed: seeds } }).id);
            } else if ((a.kind === 'finish' || a.kind === 'fail') && running.length > 0) {
              const id = running[a.pick % running.length]!;
              if (a.kind === 'finish') executor.finish(id, 1);
              else executor.fail(id, 'boom');
            } else if (a.kind === 'cancel' && sweeps.length > 0) {
              scheduler.cancel(sweeps[a.pick % sweeps.length]!);
            } else if (a.kind === 'rerun' && sweeps.length > 0) {
              scheduler.rerun(sweeps[a.pick % sweeps.length]!);
            }
            await settle();
            checkInFlight();
          }
          // Drain: finish whatever is left, run by run.
          for (let guard = 0; executor.runningIds().length > 0; guard++) {
            expect(guard).toBeLessThan(1000);
            executor.finish(executor.runningIds()[0]!, 1);
            await settle();
            checkInFlight();
          }
          for (const id of sweeps) {
            const counts = store.sweepCounts(id);
            expect(counts.queued + counts.running).toBe(0);
            const status = store.getSweep(id).status;
            expect(status === 'finished' || status === 'cancelled').toBe(true);
            for (const run of store.listRuns(id, { limit: 100 }).runs) {
              if (run.status === 'succeeded') expect(store.getRunMetrics(run.id).map((m) => m.epoch)).toEqual([0, 1]);
              if (run.status === 'failed') expect(run.error).toContain('boom');
            }
            await scheduler.waitForSweep(id); // resolves: nothing of it is left in the scheduler
          }
          expect(scheduler.runningCount).toBe(0);
        } finally {
          await services.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
