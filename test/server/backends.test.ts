// The backend through the job server: the default every task carries, a sweep's pin, what a finished run records,
// and replays pinned to it. A fake executor stands in for the workers (it reports the backend its job asked for),
// so a default like native · avx2 needs no addon; pins in specs are validated against this machine, so the fixed
// ones here are 'ts', and expectations about this machine come from resolveBackend().
import { afterEach, describe, expect, it } from 'vitest';
import type { RunBackend } from '../../server/backend-choice.js';
import { openServices, type Services } from '../../server/services.js';
import { nativeCpuPaths, resolveBackend } from '../../workers/backend.js';
import { ConfigError } from '../../workers/run-config.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';

function seedsSpec(name: string, seeds: number, pin: Record<string, string> = {}): unknown {
  return {
    name,
    base: { model: { hidden: [4] }, train: { epochs: 2 } },
    grid: { seed: Array.from({ length: seeds }, (_, i) => i + 1) },
    ...pin,
  };
}

/** A fake default: the scheduler passes it on without loading anything. */
const NATIVE_AVX2: RunBackend = { backend: 'native', cpuPath: 'avx2' };

describe('backends in the scheduler', () => {
  let services: Services | undefined;
  afterEach(async () => {
    await services?.close();
    services = undefined;
  });

  function setUp(threads: number, backend?: RunBackend) {
    const executor = createFakeExecutor(threads);
    services = openServices({ dbFile: ':memory:', executor, backend });
    services.scheduler.start();
    return { ...services, executor };
  }

  async function finishAll(executor: ReturnType<typeof createFakeExecutor>) {
    while (executor.runningIds().length > 0) {
      executor.finish(executor.runningIds()[0]!);
      await settle();
    }
  }

  it('hands every task the default backend and CPU path resolved at start-up', async () => {
    const { executor, scheduler, store } = setUp(2, NATIVE_AVX2);
    const { id } = scheduler.submit(seedsSpec('default', 3));
    await finishAll(executor);
    expect(executor.jobs).toHaveLength(3);
    for (const job of executor.jobs) expect(job).toMatchObject({ backend: 'native', cpuPath: 'avx2' });
    for (const run of store.listRuns(id).runs) expect(run).toMatchObject({ backend: 'native', cpuPath: 'avx2' });
  });

  it('defaults to what resolveBackend picks on this machine when no backend is given', async () => {
    const { executor, scheduler, backend } = setUp(1);
    const expected = resolveBackend();
    expect(backend).toEqual({ backend: expected.backend, cpuPath: expected.cpuPath });
    scheduler.submit(seedsSpec('machine default', 1));
    expect(executor.jobs[0]).toMatchObject({ backend: expected.backend, cpuPath: expected.cpuPath });
  });

  it('pins a sweep\'s runs to its spec backend, while other sweeps keep the default', async () => {
    const { executor, scheduler, store } = setUp(1, NATIVE_AVX2);
    const pinned = scheduler.submit(seedsSpec('pinned', 2, { backend: 'ts', cpuPath: 'js' }));
    const unpinned = scheduler.submit(seedsSpec('unpinned', 1));
    await finishAll(executor);
    const jobOf = (runId: number) => executor.jobs.find((job) => job.runId === runId)!;
    for (const run of store.listRuns(pinned.id).runs) {
      expect(jobOf(run.id)).toMatchObject({ backend: 'ts', cpuPath: 'js' });
      expect(run).toMatchObject({ backend: 'ts', cpuPath: 'js' });
    }
    const [other] = store.listRuns(unpinned.id).runs;
    expect(jobOf(other!.id)).toMatchObject({ backend: 'native', cpuPath: 'avx2' });
  });

  it('runs a pin without a CPU path on the default\'s path when the backends agree, else on the pinned backend\'s', async () => {
    const same = setUp(1, { backend: 'ts', cpuPath: 'js' });
    same.scheduler.submit(seedsSpec('same backend', 1, { backend: 'ts' }));
    expect(same.executor.jobs[0]).toMatchObject({ backend: 'ts', cpuPath: 'js' });
    await same.close();

    const other = setUp(1, NATIVE_AVX2);
    other.scheduler.submit(seedsSpec('other backend', 1, { backend: 'ts' }));
    expect(other.executor.jobs[0]).toMatchObject({ backend: 'ts', cpuPath: 'js' });
  });

  it('keeps the pin when failed runs are re-run', async () => {
    const { executor, scheduler, store } = setUp(1, NATIVE_AVX2);
    const { id } = scheduler.submit(seedsSpec('rerun pinned', 1, { backend: 'ts', cpuPath: 'js' }));
    executor.fail(executor.runningIds()[0]!, 'boom');
    await settle();
    expect(store.listRuns(id).runs[0]).toMatchObject({ status: 'failed', backend: null, cpuPath: null });
    expect(scheduler.rerun(id)).toBe(1);
    await finishAll(executor);
    expect(executor.jobs.map((job) => job.backend)).toEqual(['ts', 'ts']);
    expect(store.listRuns(id).runs[0]).toMatchObject({ status: 'succeeded', attempt: 2, backend: 'ts', cpuPath: 'js' });
  });

  it('replays a run pinned to the backend and CPU path it recorded, whatever the default', async () => {
    const { executor, scheduler, store } = setUp(1, NATIVE_AVX2);
    scheduler.submit(seedsSpec('original', 1, { backend: 'ts' }));
    const [runId] = executor.runningIds();
    executor.finish(runId!);
    await settle();
    expect(store.getRun(runId!)).toMatchObject({ backend: 'ts', cpuPath: 'js' });

    const replay = scheduler.replay(runId!);
    expect(store.getSweep(replay.id).spec).toMatchObject({ backend: 'ts', cpuPath: 'js', base: store.getRun(runId!).config });
    expect(executor.jobs.at(-1)).toMatchObject({ backend: 'ts', cpuPath: 'js' });
    await finishAll(executor);
    expect(store.listRuns(replay.id).runs[0]).toMatchObject({ backend: 'ts', cpuPath: 'js' });
  });

  it('replays a run on this machine\'s default backend when that is what it recorded', async () => {
    const expected = resolveBackend();
    const { executor, scheduler, store } = setUp(1);
    scheduler.submit(seedsSpec('machine default', 1));
    const [runId] = executor.runningIds();
    executor.finish(runId!);
    await settle();
    const replay = scheduler.replay(runId!);
    expect(store.getSweep(replay.id).spec).toMatchObject({ backend: expected.backend, cpuPath: expected.cpuPath });
  });

  it('replays a run that recorded no backend with its sweep\'s pin, or unpinned', async () => {
    const { executor, scheduler, store } = setUp(1, NATIVE_AVX2);
    const pinned = scheduler.submit(seedsSpec('pinned, failed', 1, { backend: 'ts' }));
    executor.fail(executor.runningIds()[0]!, 'boom');
    await settle();
    const failedRun = store.listRuns(pinned.id).runs[0]!;
    const fromPin = scheduler.replay(failedRun.id);
    const pinnedSpec = store.getSweep(fromPin.id).spec as Record<string, unknown>;
    expect(pinnedSpec.backend).toBe('ts');
    expect(pinnedSpec).not.toHaveProperty('cpuPath');
    executor.finish(executor.runningIds()[0]!);
    await settle();

    // A run finished before runs recorded their backend (the migration left its columns NULL), in a sweep without a pin.
    const old = scheduler.submit(seedsSpec('old', 1));
    const oldRun = executor.runningIds()[0]!;
    executor.finish(oldRun);
    await settle();
    store.db.prepare(`UPDATE runs SET backend = NULL, cpu_path = NULL WHERE id = ?`).run(oldRun);
    expect(store.getRun(oldRun)).toMatchObject({ sweepId: old.id, status: 'succeeded', backend: null, cpuPath: null });
    const unpinned = scheduler.replay(oldRun);
    const unpinnedSpec = store.getSweep(unpinned.id).spec as Record<string, unknown>;
    expect(unpinnedSpec).not.toHaveProperty('backend');
    expect(unpinnedSpec).not.toHaveProperty('cpuPath');
    expect(executor.jobs.at(-1)).toMatchObject({ backend: 'native', cpuPath: 'avx2' });
  });

  it('refuses to replay a run on a CPU path this machine cannot run, naming the field', async () => {
    const { executor, scheduler, store } = setUp(1, NATIVE_AVX2);
    scheduler.submit(seedsSpec('elsewhere', 1));
    const runId = executor.runningIds()[0]!;
    executor.finish(runId);
    await settle();
    // Recorded on another machine: native on a CPU path no machine has.
    store.db.prepare(`UPDATE runs SET backend = 'native', cpu_path = 'avx9000' WHERE id = ?`).run(runId);
    const sweeps = store.listSweeps().length;
    let error: unknown;
    try {
      scheduler.replay(runId);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const field = nativeCpuPaths().length > 0 ? 'cpuPath' : 'backend';
    expect((error as ConfigError).issues).toEqual([{ path: field, message: expect.any(String) }]);
    expect(store.listSweeps()).toHaveLength(sweeps);
  });
});
