import { afterEach, describe, expect, it } from 'vitest';
import { HEAD_START_RUNS } from '../../server/scheduler.js';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';

function seedsSpec(name: string, seeds: number): unknown {
  return {
    name,
    base: { model: { hidden: [4] }, train: { epochs: 2 } },
    grid: { seed: Array.from({ length: seeds }, (_, i) => i + 1) },
  };
}

describe('scheduler', () => {
  let services: Services | undefined;
  afterEach(async () => {
    await services?.close();
    services = undefined;
  });

  function setUp(threads: number) {
    const executor = createFakeExecutor(threads);
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    return { ...services, executor };
  }

  it('runs no more runs at once than the executor has threads', async () => {
    const { executor, scheduler } = setUp(2);
    scheduler.submit(seedsSpec('a', 5));
    expect(executor.runningIds()).toHaveLength(2);
    executor.finish(executor.runningIds()[0]!);
    await settle();
    expect(executor.runningIds()).toHaveLength(2);
    expect(executor.dispatched).toHaveLength(3);
  });

  it('gives a small sweep started behind a big one the free threads until it has caught up', async () => {
    const { executor, scheduler, store } = setUp(2);
    const big = scheduler.submit(seedsSpec('big', 200));
    for (let i = 0; i < 6; i++) {
      executor.finish(executor.runningIds()[0]!);
      await settle();
    }
    const small = scheduler.submit(seedsSpec('small', 5));
    const smallIds = new Set(store.listRuns(small.id, { limit: 10 }).runs.map((r) => r.id));
    const before = executor.dispatched.length;
    for (let i = 0; i < 5; i++) {
      executor.finish(executor.runningIds()[0]!);
      await settle();
    }
    const next = executor.dispatched.slice(before, before + 5);
    expect(next.every((id) => smallIds.has(id))).toBe(true);
    // ...and the small sweep finishes while the big one is still far from done.
    while (store.getSweep(small.id).status !== 'finished') {
      executor.finish(executor.runningIds().find((id) => smallIds.has(id)) ?? executor.runningIds()[0]!);
      await settle();
    }
    expect(store.sweepCounts(big.id).queued).toBeGreaterThan(150);
  });

  it('gives a second big sweep a head start, then shares the threads evenly instead of starving the first', async () => {
    const { executor, scheduler, store } = setUp(2);
    const first = scheduler.submit(seedsSpec('first', 300));
    for (let i = 0; i < 100; i++) {
      executor.finish(executor.runningIds()[0]!);
      await settle();
    }
    const second = scheduler.submit(seedsSpec('second', 300));
    const secondIds = new Set(store.listRuns(second.id, { limit: 1000 }).runs.map((r) => r.id));
    const before = executor.dispatched.length;
    for (let i = 0; i < HEAD_START_RUNS + 40; i++) {
      executor.finish(executor.runningIds()[0]!);
      await settle();
    }
    const next = executor.dispatched.slice(before);
    expect(next.slice(0, HEAD_START_RUNS).every((id) => secondIds.has(id))).toBe(true);
    const after = next.slice(HEAD_START_RUNS, HEAD_START_RUNS + 40);
    const fromSecond = after.filter((id) => secondIds.has(id)).length;
    expect(fromSecond).toBeGreaterThanOrEqual(19);
    expect(fromSecond).toBeLessThanOrEqual(21);
    expect(store.sweepCounts(first.id).queued).toBeGreaterThan(0);
  });

  it('stores every epoch and the result of a finished run, then finishes the sweep', async () => {
    const { executor, scheduler, store } = setUp(1);
    const { id } = scheduler.submit(seedsSpec('one', 1));
    const [runId] = executor.runningIds();
    executor.finish(runId!, 3);
    await settle();
    const run = store.getRun(runId!);
    expect(run.status).toBe('succeeded');
    expect(run.verdicts?.map((v) => v.kind)).toEqual(['healthy']);
    expect(store.getRunMetrics(runId!).map((m) => m.epoch)).toEqual([0, 1, 2, 3]);
    expect(store.getSweep(id).status).toBe('finished');
    await scheduler.waitForSweep(id);
  });

  it('records a worker error as a failed run with its text and goes on with the sweep', async () => {
    const { executor, scheduler, store } = setUp(1);
    const { id } = scheduler.submit(seedsSpec('failing', 2));
    const [first] = executor.runningIds();
    executor.fail(first!, 'worker blew up');
    await settle();
    expect(store.getRun(first!).status).toBe('failed');
    expect(store.getRun(first!).error).toContain('worker blew up');
    expect(executor.runningIds()).toHaveLength(1);
    executor.finish(executor.runningIds()[0]!);
    await settle();
    expect(store.sweepCounts(id)).toMatchObject({ failed: 1, succeeded: 1, queued: 0, running: 0 });
  });

  it('cancels queued runs at once and aborts running ones', async () => {
    const { executor, scheduler, store, events } = setUp(2);
    const finished: unknown[] = [];
    events.subscribe((e) => {
      if (e.type === 'sweep-finished') finished.push(e);
    });
    const { id } = scheduler.submit(seedsSpec('to cancel', 6));
    expect(executor.runningIds()).toHaveLength(2);
    scheduler.cancel(id);
    expect(store.sweepCounts(id).queued).toBe(0);
    await scheduler.waitForSweep(id);
    expect(store.sweepCounts(id)).toMatchObject({ cancelled: 6, running: 0 });
    expect(store.getSweep(id).status).toBe('cancelled');
    expect(executor.runningIds()).toHaveLength(0);
    expect(finished).toEqual([{ type: 'sweep-finished', sweepId: id, status: 'cancelled' }]);
  });

  it('re-queues failed and cancelled runs on rerun, with attempt + 1', async () => {
    const { executor, scheduler, store } = setUp(1);
    const { id } = scheduler.submit(seedsSpec('rerun', 2));
    executor.fail(executor.runningIds()[0]!, 'flaky');
    await settle();
    scheduler.cancel(id);
    await scheduler.waitForSweep(id);
    expect(store.sweepCounts(id)).toMatchObject({ failed: 1, cancelled: 1 });
    expect(scheduler.rerun(id)).toBe(2);
    expect(store.getSweep(id).status).toBe('running');
    while (executor.runningIds().length > 0) {
      executor.finish(executor.runningIds()[0]!);
      await settle();
    }
    expect(store.sweepCounts(id)).toMatchObject({ succeeded: 2 });
    const attempts = store.listRuns(id).runs.map((r) => r.attempt);
    expect(attempts).toEqual([2, 2]);
  });

  it('replays a run as a new one-run sweep with the same config', async () => {
    const { executor, scheduler, store } = setUp(1);
    scheduler.submit(seedsSpec('original', 1));
    const [runId] = executor.runningIds();
    executor.finish(runId!);
    await settle();
    const replay = scheduler.replay(runId!);
    expect(replay.runs).toBe(1);
    const copy = store.listRuns(replay.id).runs[0]!;
    expect(copy.config).toEqual(store.getRun(runId!).config);
    expect(copy.hash).toBe(store.getRun(runId!).hash);
    expect(store.getSweep(replay.id).replayOf).toBe(runId);
  });

  it('records a replay only for scheduler.replay: a sweep merely named like one replays nothing', () => {
    const { scheduler, store } = setUp(1);
    const named = scheduler.submit(seedsSpec(`replay of run 1 (a name I chose)`, 1));
    expect(store.getSweep(named.id).replayOf).toBeNull();
  });

  it('says how many runs a sweep may expand to: the configured limit, and submit holds to it', async () => {
    const { scheduler } = setUp(1);
    expect(scheduler.maxRunsPerSweep).toBe(5000);
    const capped = openServices({ dbFile: ':memory:', executor: createFakeExecutor(1), maxRunsPerSweep: 3 });
    try {
      expect(capped.scheduler.maxRunsPerSweep).toBe(3);
      expect(() => capped.scheduler.submit(seedsSpec('too many', 4))).toThrow(/over the limit of 3/);
    } finally {
      await capped.close();
    }
  });

  it('rejects an invalid spec without storing anything', () => {
    const { scheduler, store } = setUp(1);
    expect(() => scheduler.submit({ grid: { 'model.init': ['nope'] } })).toThrow(/model\.init/);
    expect(store.listSweeps()).toHaveLength(0);
  });

  it('announces every run a cancel stops, queued ones included, and a second cancel changes nothing', async () => {
    const { executor, scheduler, store, events } = setUp(1);
    const { id } = scheduler.submit(seedsSpec('announce', 3));
    const finished: Array<{ runId: number; status: string }> = [];
    events.subscribe((e) => {
      if (e.type === 'run-finished') finished.push({ runId: e.runId, status: e.status });
    });
    scheduler.cancel(id);
    expect(finished.map((f) => f.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(new Set(finished.map((f) => f.runId))).toEqual(new Set(store.listRuns(id).runs.map((r) => r.id)));
    await scheduler.waitForSweep(id);
    expect(() => scheduler.cancel(id)).not.toThrow();
    expect(store.getSweep(id).status).toBe('cancelled');
    expect(executor.runningIds()).toHaveLength(0);
  });

  it('re-runs a run that was still stopping when the re-run came in', async () => {
    const { executor, scheduler, store } = setUp(1);
    const { id } = scheduler.submit(seedsSpec('cancel then rerun', 3));
    scheduler.cancel(id);
    expect(scheduler.rerun(id)).toBe(3); // 2 cancelled while queued + 1 whose worker is still stopping
    await settle();
    while (executor.runningIds().length > 0) {
      executor.finish(executor.runningIds()[0]!);
      await settle();
    }
    expect(store.sweepCounts(id)).toMatchObject({ succeeded: 3, cancelled: 0 });
    expect(store.getSweep(id).status).toBe('finished');
  });
});
