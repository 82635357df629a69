// Property test of the scheduler: random interleavings of submit, finish, fail, cancel and re-run on a fake
// executor must keep its promises — never more runs in flight than threads, never one run in flight twice,
// every run and sweep ending in a state consistent with the others, and nothing left behind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEAD_START_RUNS } from '../../server/scheduler.js';
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

  it(`never dispatches a sweep while an older one waits ${HEAD_START_RUNS} or more runs behind it since it arrived`, async () => {
    // Fairness (server/scheduler.ts): equal share among active sweeps, ties to the older, a head start of at most
    // HEAD_START_RUNS for a newcomer. Arrivals and finishes interleave at random; every dispatch is checked.
    type Step = { kind: 'submit'; runs: number } | { kind: 'finish'; pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('submit' as const), runs: fc.integer({ min: 1, max: 40 }) }), weight: 1 },
      { arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }), weight: 4 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(step, { minLength: 1, maxLength: 80 }), async (threads, steps) => {
        const executor = createFakeExecutor(threads);
        const services = openServices({ dbFile: ':memory:', executor });
        const { scheduler, store } = services;
        scheduler.start();
        const sweeps: { id: number; runs: number; arrivedAt: number }[] = [];
        const sweepOf = new Map<number, number>();
        let checked = 0;
        let seed = 0;
        /** Checks the dispatches made since the last call, in order. */
        const checkDispatches = () => {
          for (; checked < executor.dispatched.length; checked++) {
            const runId = executor.dispatched[checked]!;
            const sweepId = sweepOf.get(runId) ?? store.getRun(runId).sweepId;
            sweepOf.set(runId, sweepId);
            const b = sweeps.find((s) => s.id === sweepId)!;
            const dispatchedBefore = (id: number, from: number) => {
              let n = 0;
              for (let t = from; t <= checked; t++) if ((sweepOf.get(executor.dispatched[t]!) ?? store.getRun(executor.dispatched[t]!).sweepId) === id) n++;
              return n;
            };
            for (const a of sweeps) {
              if (a.arrivedAt >= b.arrivedAt || a.id === b.id) continue; // only older sweeps
              const queuedA = a.runs - dispatchedBefore(a.id, 0) + (sweepOf.get(runId) === a.id ? 1 : 0);
              if (queuedA <= 0) continue; // a has nothing waiting
              const ahead = dispatchedBefore(b.id, b.arrivedAt) - dispatchedBefore(a.id, b.arrivedAt);
              expect(ahead, `sweep ${b.id} is ${ahead} runs ahead of older sweep ${a.id}`).toBeLessThanOrEqual(HEAD_START_RUNS);
            }
          }
        };
        try {
          for (const s of steps) {
            if (s.kind === 'submit') {
              const arrivedAt = executor.dispatched.length;
              const seeds = Array.from({ length: s.runs }, () => ++seed);
              const { id, runs } = scheduler.submit({ name: 'f', base: { model: { hidden: [2] }, train: { epochs: 1 } }, grid: { seed: seeds } });
              sweeps.push({ id, runs, arrivedAt });
            } else {
              const running = executor.runningIds();
              if (running.length > 0) executor.finish(running[s.pick % running.length]!, 1);
            }
            await settle();
            checkDispatches();
          }
          for (let guard = 0; executor.runningIds().length > 0; guard++) {
            expect(guard).toBeLessThan(2000);
            executor.finish(executor.runningIds()[0]!, 1);
            await settle();
            checkDispatches();
          }
          expect(executor.dispatched.length).toBe(sweeps.reduce((n, s) => n + s.runs, 0));
        } finally {
          await services.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
