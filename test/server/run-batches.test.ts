// Tasks of short runs on the real pool: once a sweep's runs prove short, the scheduler hands each thread several
// runs per task. Every run is still trained once with all its epochs; a run that takes its thread down or outlives
// the time limit inside a task fails alone, and the runs after it in that task are trained again.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalExecutor, type Executor, type LocalExecutorOptions } from '../../server/executor.js';
import { openServices, type Services } from '../../server/services.js';

const faultWorker = fileURLToPath(new URL('../fixtures/fault-worker.ts', import.meta.url));

/** The local pool, recording the runs of every task it is given. */
function recordingPool(options: LocalExecutorOptions) {
  const pool = createLocalExecutor(options);
  const tasks: number[][] = [];
  const executor: Executor = {
    ...pool,
    run(job, onProgress, signal) {
      tasks.push([job.runId]);
      return pool.run(job, onProgress, signal);
    },
    runBatch(jobs, onProgress, signal) {
      tasks.push(jobs.map((j) => j.runId));
      return pool.runBatch!(jobs, onProgress, signal);
    },
  };
  return { executor, tasks };
}

function seedsSpec(name: string, seeds: number[]): unknown {
  return { name, base: { dataset: { samples: 100 }, model: { hidden: [4] }, train: { epochs: 2 } }, grid: { seed: seeds } };
}

const seeds = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('tasks of short runs (real pool)', () => {
  let services: Services | undefined;
  afterEach(async () => {
    await services?.close();
    services = undefined;
  });

  function setUp(options: LocalExecutorOptions = {}) {
    const { executor, tasks } = recordingPool({ threads: 2, workerFile: faultWorker, ...options });
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    return { ...services, tasks };
  }

  it('trains a sweep of short runs several to a task, each run once with every epoch stored', async () => {
    const { scheduler, store, tasks } = setUp();
    const { id, runs } = scheduler.submit(seedsSpec('short runs', seeds(1, 60)));
    await scheduler.waitForSweep(id);
    expect(store.sweepCounts(id)).toMatchObject({ succeeded: runs, total: runs });
    const dispatched = tasks.flat();
    expect(dispatched).toHaveLength(runs);                       // each run in exactly one task
    expect(new Set(dispatched).size).toBe(runs);
    expect(Math.max(...tasks.map((t) => t.length))).toBeGreaterThan(1);
    expect(tasks[0]).toHaveLength(1);                             // nothing known of the sweep yet: one run
    expect(tasks.at(-1)).toHaveLength(1);                         // the queue's last runs are shared out singly
    for (const run of store.listRuns(id, { limit: 100 }).runs) {
      expect(run.attempt).toBe(1);
      expect(store.getRunMetrics(run.id).map((e) => e.epoch)).toEqual([0, 1, 2]);
      expect(run.theoryPreVar?.length).toBeGreaterThan(0);
    }
  });

  it('fails a run that exits its thread inside a task at once, and trains the runs after it again', async () => {
    const { scheduler, store, tasks } = setUp();
    const { id } = scheduler.submit(seedsSpec('exit inside a task', [...seeds(1, 30), 9002, ...seeds(31, 30)]));
    await scheduler.waitForSweep(id);
    const runs = store.listRuns(id, { limit: 100 }).runs;
    const exiting = runs.find((r) => r.seed === 9002)!;
    expect(exiting).toMatchObject({ status: 'failed', attempt: 1 });
    expect(exiting.error).toMatch(/exit/i);
    expect(runs.filter((r) => r.id !== exiting.id).every((r) => r.status === 'succeeded')).toBe(true);
    const task = tasks.find((t) => t.includes(exiting.id))!;
    expect(task.length).toBeGreaterThan(1);
    const after = task.slice(task.indexOf(exiting.id) + 1);
    for (const runId of after) expect(store.getRun(runId)).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('stops a run that outlives the time limit inside a task, failing only it', async () => {
    const { scheduler, store, tasks } = setUp({ runTimeLimitMs: 1000 });
    const { id } = scheduler.submit(seedsSpec('stuck inside a task', [...seeds(1, 30), 9005, ...seeds(31, 30)]));
    await scheduler.waitForSweep(id);
    const runs = store.listRuns(id, { limit: 100 }).runs;
    const stuck = runs.find((r) => r.seed === 9005)!;
    expect(stuck).toMatchObject({ status: 'failed', attempt: 1, error: expect.stringContaining('time limit of 1 s') });
    expect(runs.filter((r) => r.id !== stuck.id).every((r) => r.status === 'succeeded')).toBe(true);
    expect(tasks.find((t) => t.includes(stuck.id))!.length).toBeGreaterThan(1);
  });
});
