// Runs held behind running ones (Executor.queueDepth): only for sweeps whose runs prove short, a cancel never
// aborts a held run before it starts (that would take down the thread's running run), and a held run whose thread
// went down before it started is queued again, once.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PREFETCH_BELOW_MS } from '../../server/scheduler.js';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor, type FakeExecutorOptions, settle } from '../helpers/fake-executor.js';

function seedsSpec(name: string, seeds: number[]): unknown {
  return { name, base: { model: { hidden: [4] }, train: { epochs: 2 } }, grid: { seed: seeds } };
}

/** Both threads' runs report their start and the first ends (a short run): returns the second and the held runs. */
async function finishFirstRun(executor: ReturnType<typeof createFakeExecutor>) {
  const [first, second] = executor.runningIds();
  executor.start(first!);
  executor.start(second!);
  executor.finish(first!);
  await settle();
  return { second, held: executor.jobs.filter((j) => j.held).map((j) => j.runId) };
}

describe('held runs (fake executor)', () => {
  let services: Services | undefined;
  afterEach(async () => {
    await services?.close();
    services = undefined;
  });

  function setUp(options: FakeExecutorOptions) {
    const executor = createFakeExecutor(2, { queueDepth: 2, ...options });
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    return { ...services, executor };
  }

  it('holds a second run per thread once a run of the sweep trained for less than PREFETCH_BELOW_MS', async () => {
    const { executor, scheduler } = setUp({ durationMs: PREFETCH_BELOW_MS - 1 });
    scheduler.submit(seedsSpec('short', [1, 2, 3, 4, 5, 6, 7, 8]));
    expect(executor.runningIds()).toHaveLength(2);             // nothing known yet: one run a thread
    expect(executor.jobs.every((j) => j.held === undefined)).toBe(true);
    executor.finish(executor.runningIds()[0]!);
    await settle();
    expect(executor.runningIds()).toHaveLength(4);             // short: each thread holds one more
    expect(executor.jobs.slice(2).map((j) => j.held)).toEqual([undefined, true, true]);
  });

  it('never holds runs of a sweep whose runs take PREFETCH_BELOW_MS or more', async () => {
    const { executor, scheduler } = setUp({ durationMs: PREFETCH_BELOW_MS });
    scheduler.submit(seedsSpec('long', [1, 2, 3, 4, 5, 6]));
    for (let i = 0; i < 4; i++) {
      expect(executor.runningIds()).toHaveLength(2);
      executor.finish(executor.runningIds()[0]!);
      await settle();
    }
    expect(executor.runningIds()).toHaveLength(2);
    expect(executor.jobs.some((j) => j.held)).toBe(false);
  });

  it('queues a held run whose thread went down before it started again, once; a second such loss fails it', async () => {
    const { executor, scheduler, store } = setUp({ durationMs: 5, manualStart: true });
    const { id } = scheduler.submit(seedsSpec('lost threads', [1, 2, 3, 4]));
    const { held } = await finishFirstRun(executor);
    expect(held).toHaveLength(1);
    const victim = held[0]!;
    executor.fail(victim, 'Terminating worker thread');        // its thread died under the run ahead of it
    await settle();
    expect(store.getRun(victim)).toMatchObject({ status: 'running', attempt: 2 });
    expect(executor.dispatched.filter((r) => r === victim)).toHaveLength(2);
    executor.fail(victim, 'Terminating worker thread');        // again, still before its start: now it is its own
    await settle();
    expect(store.getRun(victim)).toMatchObject({
      status: 'failed', error: 'RunNotStartedError: never started: its thread stopped first (Terminating worker thread)',
    });
    for (const runId of executor.runningIds()) executor.start(runId);
    while (executor.runningIds().length > 0) {
      for (const runId of executor.runningIds()) {
        executor.start(runId);
        executor.finish(runId);
      }
      await settle();
    }
    await scheduler.waitForSweep(id);
    expect(store.sweepCounts(id)).toMatchObject({ succeeded: 3, failed: 1, total: 4 });
  });

  it('cancels a held run without aborting it until it reports its start, and records nothing of it', async () => {
    const { executor, scheduler, store } = setUp({ durationMs: 5, manualStart: true });
    const { id } = scheduler.submit(seedsSpec('cancelled while held', [1, 2, 3, 4, 5, 6]));
    const { second, held } = await finishFirstRun(executor);
    expect(held.length).toBeGreaterThan(0);
    scheduler.cancel(id);
    expect(executor.aborted).toEqual([second]);                // the started run only
    for (const runId of held) expect(store.getRun(runId).status).toBe('cancelled');
    executor.start(held[0]!);                                  // the thread gets to it: now it is stopped
    expect(executor.aborted).toEqual([second, held[0]]);
    const unstarted = executor.runningIds();                  // dispatched, not started yet, not aborted
    expect(unstarted.length).toBeGreaterThan(0);
    for (const runId of unstarted) executor.finish(runId);    // their first report stops them: nothing is recorded
    await scheduler.waitForSweep(id);
    for (const runId of [...held, ...unstarted]) {
      expect(store.getRun(runId).status).toBe('cancelled');
      expect(store.getRunMetrics(runId)).toEqual([]);
    }
    expect(store.getSweep(id).status).toBe('cancelled');
  });
});

describe('held runs (real pool)', () => {
  const faultWorker = fileURLToPath(new URL('../fixtures/fault-worker.ts', import.meta.url));
  let services: Services | undefined;
  afterEach(async () => {
    await services?.close();
    services = undefined;
  });

  it('fails only the run that exits its thread, not the run held behind it, among short runs', async () => {
    services = openServices({ dbFile: ':memory:', threads: 2, workerFile: faultWorker });
    services.scheduler.start();
    const { id } = services.scheduler.submit(seedsSpec('exits among short runs', [1, 2, 3, 4, 5, 6, 9002, 7, 8, 9, 10, 11, 12]));
    await services.scheduler.waitForSweep(id);
    const runs = services.store.listRuns(id).runs;
    expect(runs.filter((r) => r.status !== 'succeeded').map((r) => [r.seed, r.status])).toEqual([[9002, 'failed']]);
    expect(runs.find((r) => r.seed === 9002)!.error).toMatch(/exit/i);
  });
});
