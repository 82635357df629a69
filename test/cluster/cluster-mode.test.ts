// Cluster mode end to end: a real redis-server, `initlab serve --redis` and two `initlab worker` processes (separate
// OS processes, like separate hosts). Tiny nets and few epochs keep it to seconds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../../server/scheduler.js';
import { RunTimeLimitError } from '../../server/executor.js';
import { api, type Proc, type RedisServer, startProc, startRedis, startServe, startWorker, until } from './cluster-harness.js';

/**
 * These tests start 3–4 processes each on a 2-core machine that runs other test files at the same time: they get
 * more than the suite's 60 s (alone they take 3–25 s).
 */
const PROCESS_TEST_MS = 180_000;

interface RunRecord { id: number; position: number; status: string; host: string | null; attempt: number; epochsCompleted: number; error: string | null }

/** Six tiny runs (three seeds × two inits), a few epochs each. */
const SMALL_SWEEP = {
  name: 'cluster small',
  base: { dataset: { samples: 200 }, model: { hidden: [8, 8] }, train: { epochs: 4 } },
  grid: { seed: [1, 2, 3], 'model.init': ['xavier_uniform', 'he_normal'] },
};

/** Runs of a few seconds each (about 40 ms an epoch here): long enough to kill a host or stop the server mid-run. */
function longSweep(name: string, epochs: number, seeds = [1, 2, 3, 4]) {
  return { name, base: { dataset: { samples: 20000 }, model: { hidden: [128, 128] }, train: { epochs } }, grid: { seed: seeds } };
}

interface EpochRow { epoch: number }

/** Resolves with a run of the sweep that is training on `host` and has stored at least one epoch. */
function trainingOn(base: string, sweepId: number, host: string) {
  return until(async () => {
    for (const run of await runsOf(base, sweepId)) {
      if (run.status !== 'running' || run.host !== host) continue;
      const metrics = await api<EpochRow[]>(base, `/api/runs/${run.id}/metrics`);
      if (metrics.length > 0) return run;
    }
    return undefined;
  }, `a run training on ${host}`);
}

/** Epoch numbers stored per run, straight from the database (the primary key would hide duplicates from a count). */
function storedEpochs(dbFile: string): Map<number, number[]> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const rows = db.prepare('SELECT run_id AS runId, epoch FROM epoch_metrics ORDER BY run_id, epoch').all() as Array<{ runId: number; epoch: number }>;
    const map = new Map<number, number[]>();
    for (const { runId, epoch } of rows) map.set(runId, [...(map.get(runId) ?? []), epoch]);
    return map;
  } finally {
    db.close();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function runsOf(base: string, sweepId: number): Promise<RunRecord[]> {
  const page = await api<{ runs: RunRecord[] } | RunRecord[]>(base, `/api/sweeps/${sweepId}/runs?limit=1000`);
  return Array.isArray(page) ? page : page.runs;
}

function finished(base: string, sweepId: number, timeoutMs = 60_000) {
  return until(async () => {
    const sweep = await api<{ status: string }>(base, `/api/sweeps/${sweepId}`);
    return sweep.status === 'running' ? undefined : sweep;
  }, `sweep ${sweepId} to finish`, timeoutMs);
}

/** Every stored epoch row of a database, keyed by run position and epoch (run ids may differ between databases). */
function epochRows(dbFile: string): Map<string, unknown> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const rows = db.prepare(`SELECT runs.position AS position, e.* FROM epoch_metrics e JOIN runs ON runs.id = e.run_id`).all() as Array<Record<string, unknown>>;
    const layers = db.prepare(`SELECT runs.position AS position, l.* FROM layer_metrics l JOIN runs ON runs.id = l.run_id`).all() as Array<Record<string, unknown>>;
    const map = new Map<string, unknown>();
    for (const { run_id: _id, ...row } of rows) map.set(`${row.position}/${row.epoch}`, row);
    for (const { run_id: _id, ...row } of layers) map.set(`${row.position}/${row.epoch}/${row.layer}`, row);
    return map;
  } finally {
    db.close();
  }
}

describe('cluster mode (BullMQ on Redis)', () => {
  let redis: RedisServer;
  let dir: string;
  const procs: Proc[] = [];
  const track = <T extends Proc>(proc: T) => { procs.push(proc); return proc; };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'initlab-cluster-'));
    redis = await startRedis();
  });
  // Each test's processes go with it, passed or failed, so a slow test cannot starve the next one.
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((proc) => proc.kill('SIGKILL')));
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spreads a sweep over two worker hosts, records each run\'s host, and stores the same metrics, bit for bit, as local mode', async () => {
    const queue = 'q-spread';
    const dbFile = join(dir, 'spread.db');
    const serve = track(await startServe(redis.url, dbFile, queue));
    track(await startWorker(redis.url, 'host-a', queue));
    track(await startWorker(redis.url, 'host-b', queue));
    const hosts = await until(async () => {
      const { hosts } = await api<{ hosts: Array<{ name: string; threads: number }> }>(serve.base, '/api/hosts');
      return hosts.length === 2 ? hosts : undefined;
    }, 'both hosts to connect');
    expect(hosts.map((h) => [h.name, h.threads])).toEqual([['host-a', 1], ['host-b', 1]]);
    const panel = await (await fetch(new URL('/hosts', serve.base))).text();
    expect(panel).toContain('2 worker hosts, 2 threads');
    const home = await (await fetch(serve.base)).text(); // the sweeps page opens with the same panel
    expect(home).toContain('id="hosts-panel"');
    expect(home).toContain('host-a');

    const { id } = await api<{ id: number }>(serve.base, '/api/sweeps', SMALL_SWEEP);
    expect((await finished(serve.base, id)).status).toBe('finished');
    const runs = await runsOf(serve.base, id);
    expect(runs).toHaveLength(6);
    expect(runs.every((run) => run.status === 'succeeded' && run.epochsCompleted === 4)).toBe(true);
    expect(new Set(runs.map((run) => run.host))).toEqual(new Set(['host-a', 'host-b']));
    expect((await api<RunRecord>(serve.base, `/api/runs/${runs[0]!.id}`)).host).toMatch(/^host-[ab]$/);
    const page = await (await fetch(new URL(`/runs/${runs[0]!.id}`, serve.base))).text();
    expect(page).toContain(`on ${runs[0]!.host}`);
    await serve.kill('SIGTERM');

    // The same spec in local mode (the headless CLI, no Redis): every epoch and layer row equal, bit for bit.
    const localDb = join(dir, 'local.db');
    const specFile = join(dir, 'small.json');
    writeFileSync(specFile, JSON.stringify(SMALL_SWEEP));
    const local = startProc(process.execPath, ['bin/initlab.js', 'sweep', specFile, '--db', localDb, '--workers', '1']);
    expect(await local.exited).toBe(0);
    const remote = epochRows(dbFile);
    const here = epochRows(localDb);
    expect(remote.size).toBe(6 * 5 + 6 * 5 * 3);
    expect(remote).toEqual(here);
  }, PROCESS_TEST_MS);

  /** A job server and hosts host-a and host-b (one thread each) on their own queue, once both are listed. */
  async function serveWithTwoHosts(queue: string, dbFile: string) {
    const serve = track(await startServe(redis.url, dbFile, queue));
    const a = track(await startWorker(redis.url, 'host-a', queue));
    const b = track(await startWorker(redis.url, 'host-b', queue));
    await until(async () => ((await api<{ hosts: unknown[] }>(serve.base, '/api/hosts')).hosts.length === 2 ? true : undefined), 'both hosts');
    return { serve, a, b };
  }

  it('finishes a sweep, every run exactly once, when a worker host is killed (SIGKILL) mid-run', async () => {
    const dbFile = join(dir, 'kill.db');
    const { serve, a } = await serveWithTwoHosts('q-kill', dbFile);
    const epochs = 30;
    const { id } = await api<{ id: number }>(serve.base, '/api/sweeps', longSweep('kill', epochs, [1, 2, 3]));
    const victim = await trainingOn(serve.base, id, 'host-a');
    await a.kill('SIGKILL');
    // host-b's stalled-job check (2 s here) hands the dead host's job back to the queue; host-b trains it.
    expect((await finished(serve.base, id, 90_000)).status).toBe('finished');
    const runs = await runsOf(serve.base, id);
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(runs.map((run) => run.attempt)).toEqual([1, 1, 1]); // retried by BullMQ as the same job, never re-queued
    expect(runs.find((run) => run.id === victim.id)!.host).toBe('host-b');
    const stored = storedEpochs(dbFile);
    for (const run of runs) expect(stored.get(run.id)).toEqual(range(epochs + 1));
    await serve.kill('SIGTERM');
  }, PROCESS_TEST_MS);

  it('discards the late result of a host presumed dead: a paused host that resumes cannot end the run again', async () => {
    const dbFile = join(dir, 'late.db');
    const { serve, a } = await serveWithTwoHosts('q-late', dbFile);
    const epochs = 30;
    const { id } = await api<{ id: number }>(serve.base, '/api/sweeps', longSweep('late', epochs, [1, 2]));
    const victim = await trainingOn(serve.base, id, 'host-a');
    a.child.kill('SIGSTOP'); // alive but silent: its lock expires and host-b takes the job over
    try {
      await until(async () => ((await api<RunRecord>(serve.base, `/api/runs/${victim.id}`)).host === 'host-b' ? true : undefined), 'host-b to take the run over');
    } finally {
      a.child.kill('SIGCONT');
    }
    expect((await finished(serve.base, id, 90_000)).status).toBe('finished');
    const settled = await api<RunRecord>(serve.base, `/api/runs/${victim.id}`);
    // host-a finishes its stale copy and is refused by BullMQ: its lock token is no longer the job's.
    await a.waitFor(new RegExp(`(Missing lock|Lock mismatch) for job run-${victim.id}-a1-t\\d+`));
    expect(await api<RunRecord>(serve.base, `/api/runs/${victim.id}`)).toEqual(settled);
    expect(settled).toMatchObject({ status: 'succeeded', host: 'host-b', attempt: 1 });
    expect(storedEpochs(dbFile).get(victim.id)).toEqual(range(epochs + 1));
    await serve.kill('SIGTERM');
  }, PROCESS_TEST_MS);

  it('cancels a run training on a worker host: the host aborts it and is free again', async () => {
    const queue = 'q-cancel';
    const serve = track(await startServe(redis.url, join(dir, 'cancel.db'), queue));
    const a = track(await startWorker(redis.url, 'host-a', queue));
    const { id } = await api<{ id: number }>(serve.base, '/api/sweeps', longSweep('cancel', 5000, [1]));
    const run = await trainingOn(serve.base, id, 'host-a');
    const cancelledAt = Date.now();
    const aborted = a.waitFor(new RegExp(`job run-${run.id}-a1-t\\d+ failed: AbortError`));
    await api(serve.base, `/api/sweeps/${id}/cancel`, {});
    await aborted;
    const latencyMs = Date.now() - cancelledAt;
    console.log(`cancel reached the host and aborted the run in ${latencyMs} ms`);
    expect((await api<RunRecord>(serve.base, `/api/runs/${run.id}`)).status).toBe('cancelled');
    // The host's thread is free: a new one-run sweep trains and finishes there.
    const next = await api<{ id: number }>(serve.base, '/api/sweeps', SMALL_SWEEP);
    expect((await finished(serve.base, next.id)).status).toBe('finished');
    expect(new Set((await runsOf(serve.base, next.id)).map((r) => r.host))).toEqual(new Set(['host-a']));
    await serve.kill('SIGTERM');
  }, PROCESS_TEST_MS);

  it('re-attaches after the job server restarts mid-sweep and stores every epoch, including results that came while it was down', async () => {
    const queue = 'q-restart';
    const dbFile = join(dir, 'restart.db');
    const first = track(await startServe(redis.url, dbFile, queue));
    track(await startWorker(redis.url, 'host-a', queue, 2));
    const epochs = 30;
    const { id } = await api<{ id: number }>(first.base, '/api/sweeps', longSweep('restart', epochs));
    const run = await trainingOn(first.base, id, 'host-a');
    const jobs = new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const completedBefore = (await jobs.getJobCounts('completed')).completed ?? 0;
      expect(await first.kill('SIGTERM')).toBe(0);
      // While no job server listens, the host finishes a run it holds: its result waits on the queue.
      await until(async () => (((await jobs.getJobCounts('completed')).completed ?? 0) > completedBefore ? true : undefined), 'a job to complete while the server is down');
    } finally {
      await jobs.close();
    }
    const second = track(await startServe(redis.url, dbFile, queue));
    expect((await finished(second.base, id, 90_000)).status).toBe('finished');
    const runs = await runsOf(second.base, id);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(runs.find((r) => r.id === run.id)!.attempt).toBe(1); // re-attached, not re-queued
    const stored = storedEpochs(dbFile);
    for (const r of runs) expect(stored.get(r.id)).toEqual(range(epochs + 1));
    await second.kill('SIGTERM');
  }, PROCESS_TEST_MS);

  it('keeps no more jobs on the queue than the hosts have threads: with one 1-thread host the rest of the sweep waits in the scheduler', async () => {
    const queue = 'q-capacity';
    const serve = track(await startServe(redis.url, join(dir, 'capacity.db'), queue));
    track(await startWorker(redis.url, 'host-a', queue));
    await until(async () => ((await api<{ hosts: unknown[] }>(serve.base, '/api/hosts')).hosts.length === 1 ? true : undefined), 'host-a');
    const jobs = new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const { id } = await api<{ id: number }>(serve.base, '/api/sweeps', longSweep('capacity', 8));
      // Sampled throughout the sweep: jobs BullMQ holds that no host has finished, and runs still queued in SQLite.
      let mostOnQueue = 0;
      let heldBack = 0;
      await until(async () => {
        const counts = await jobs.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
        const onQueue = Object.values(counts).reduce((sum, n) => sum + n, 0);
        const runs = await runsOf(serve.base, id);
        mostOnQueue = Math.max(mostOnQueue, onQueue);
        heldBack = Math.max(heldBack, runs.filter((run) => run.status === 'queued').length);
        return runs.every((run) => run.status !== 'queued' && run.status !== 'running') ? true : undefined;
      }, 'the sweep to finish', 90_000);
      expect(mostOnQueue).toBe(1);
      expect(heldBack).toBeGreaterThanOrEqual(2);
      expect((await runsOf(serve.base, id)).map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      expect((await jobs.getJobCounts('completed')).completed).toBe(4);
    } finally {
      await jobs.close();
    }
    await serve.kill('SIGTERM');
  }, PROCESS_TEST_MS);

  it('stops a run on a worker host at the job server\'s --max-run-seconds: it fails with the same reason as a local run', async () => {
    const queue = 'q-limit';
    const dbFile = join(dir, 'limit.db');
    const serve = track(await startServe(redis.url, dbFile, queue, undefined, ['--max-run-seconds', '1']));
    const a = track(await startWorker(redis.url, 'host-a', queue));
    const { id } = await api<{ id: number }>(serve.base, '/api/sweeps', longSweep('limit', 5000, [1]));
    await finished(serve.base, id, 90_000);
    const [run] = await runsOf(serve.base, id);
    expect(run).toMatchObject({ status: 'failed', host: 'host-a', error: describeError(new RunTimeLimitError(1000)) });
    await a.waitFor(new RegExp(`job run-${run!.id}-a1-t\\d+ failed: RunTimeLimitError`));
    const stored = storedEpochs(dbFile).get(run!.id) ?? [];
    expect(stored.length).toBeGreaterThan(0); // it trained, and was stopped long before its 5000 epochs
    expect(stored.length).toBeLessThan(5001);
    await serve.kill('SIGTERM');
  }, PROCESS_TEST_MS);

  it('runs a headless sweep through the queue (initlab sweep --redis): a worker host trains it and the command exits once it is finished', async () => {
    const queue = 'q-cli';
    const dbFile = join(dir, 'cli.db');
    track(await startWorker(redis.url, 'host-a', queue));
    const specFile = join(dir, 'cli.json');
    writeFileSync(specFile, JSON.stringify({ ...SMALL_SWEEP, name: 'cli', grid: { seed: [1, 2] } }));
    const sweep = track(startProc(process.execPath, ['bin/initlab.js', 'sweep', specFile, '--db', dbFile, '--redis', redis.url, '--queue', queue]));
    expect(await sweep.exited, sweep.stderr).toBe(0);
    expect(sweep.stderr).toMatch(/sweep 1: 2 runs on cluster queue q-cli on redis:\/\/127\.0\.0\.1:\d+, /);
    expect(JSON.parse(sweep.stdout.trim().split('\n').at(-1)!)).toMatchObject({ sweep: 1, status: 'finished' });
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.prepare('SELECT status, host FROM runs ORDER BY position').all()).toEqual([
        { status: 'succeeded', host: 'host-a' }, { status: 'succeeded', host: 'host-a' },
      ]);
    } finally {
      db.close();
    }
    for (const epochs of storedEpochs(dbFile).values()) expect(epochs).toEqual(range(5));
    expect(storedEpochs(dbFile).size).toBe(2);
  }, PROCESS_TEST_MS);
});
