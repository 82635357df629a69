// Cluster mode on paper: the per-run overhead of the queue path (job server → BullMQ on Redis → `initlab worker` →
// its Piscina pool, and back) against the local pool, and the metric rows per second a host of this machine's size
// produces, which with `npm run bench -- db` (the writer's rows/s) says how many hosts one job server can feed.
// Needs redis-server and the built CLI (npm run build): the worker host is a separate process, as on another machine.
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import { defaultRunBackend, describeBackend } from '../server/backend-choice.js';
import { createQueueExecutor } from '../server/cluster/queue-executor.js';
import type { Executor } from '../server/executor.js';
import { openServices } from '../server/services.js';
import { startRedis, startWorker } from '../test/cluster/cluster-harness.js';
import { deepSweep, smallSweep as smallSweepOf, trivialSweep } from './sweep.js';

const smallSweep = smallSweepOf(16); // 64 runs of ~10 ms natively: the most rows per second

interface Pass { runs: number; wallMs: number; trainMs: number; rows: number; cpuMs: number; redisCpuMs: number }

/** Redis's own CPU time so far (INFO cpu), in ms; 0 without a Redis. */
async function redisCpuMs(redis: Redis | null): Promise<number> {
  if (!redis) return 0;
  const info = await redis.info('cpu');
  const seconds = (key: string) => Number(new RegExp(`${key}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (seconds('used_cpu_sys') + seconds('used_cpu_user')) * 1000;
}

/** The median of three passes of a sweep through the scheduler on `executor` (a fresh in-memory database each). */
async function timeSweep(executor: () => Executor, spec: { base: unknown }, threads: number, redis: Redis | null = null): Promise<Pass> {
  const services = openServices({ dbFile: ':memory:', executor: executor(), threads });
  services.scheduler.start();
  const warm = services.scheduler.submit({ name: 'warm-up', base: spec.base, grid: { seed: Array.from({ length: threads * 2 }, (_, i) => 1000 + i) } });
  await services.scheduler.waitForSweep(warm.id);
  const count = services.db.prepare('SELECT (SELECT count(*) FROM epoch_metrics) + (SELECT count(*) FROM layer_metrics) AS n');
  const passes: Pass[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const before = (count.get() as { n: number }).n;
    const redis0 = await redisCpuMs(redis);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { id, runs } = services.scheduler.submit(spec);
    await services.scheduler.waitForSweep(id);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const redisCpu = (await redisCpuMs(redis)) - redis0;
    services.writer.flush();
    const trainMs = services.store.listRuns(id, { limit: 10_000 }).runs.reduce((sum, r) => sum + (r.durationMs ?? 0), 0);
    passes.push({ runs, wallMs, trainMs, rows: (count.get() as { n: number }).n - before, cpuMs: (cpu.user + cpu.system) / 1000, redisCpuMs: redisCpu });
  }
  await services.close();
  return passes.sort((a, b) => a.wallMs - b.wallMs)[1]!;
}

const perRun = (p: Pass) => `${(p.wallMs / p.runs).toFixed(2)} ms/run wall, ${((p.wallMs - p.trainMs) / p.runs).toFixed(2)} ms/run beyond training`;
/** The job server's and Redis's CPU per run (the queue path; the local pool's threads share the process's clock). */
const cost = (p: Pass) => `job server ${(p.cpuMs / p.runs).toFixed(2)} CPU-ms/run, Redis ${(p.redisCpuMs / p.runs).toFixed(2)} CPU-ms/run`;
const rate = (p: Pass) => `${(p.runs / (p.wallMs / 1000)).toFixed(1)} runs/s, ${Math.round(p.rows / (p.wallMs / 1000)).toLocaleString('en-US')} metric rows/s`;

export async function run(): Promise<void> {
  const n = availableParallelism();
  const { createLocalExecutor } = await import('../server/executor.js');
  const redis = await startRedis();
  const worker = await startWorker(redis.url, 'bench-host', 'bench', n);
  const single = await startWorker(redis.url, 'bench-host-1', 'bench-1', 1);
  const stats = new Redis(redis.url);
  const local = (threads: number) => () => createLocalExecutor({ threads });
  const queued = (queue = 'bench') => () => createQueueExecutor({ url: redis.url, queue });
  try {
    // The queue executor learns the host's threads from its first heartbeat read.
    const probe = createQueueExecutor({ url: redis.url, queue: 'bench' });
    await probe.ready();
    if (probe.threads !== n) throw new Error(`the bench host offers ${probe.threads} threads, expected ${n}`);
    await probe.close();
    console.log(`backend ${describeBackend(defaultRunBackend())}; the worker host is a separate process on this machine, ${n} threads`);

    const localOne = await timeSweep(local(1), trivialSweep, 1);
    console.log(`trivial runs (200, 1 epoch), local pool, 1 thread:   ${perRun(localOne)}`);
    const localAll = await timeSweep(local(n), trivialSweep, n);
    console.log(`trivial runs (200, 1 epoch), local pool, ${n} threads:  ${perRun(localAll)}; ${rate(localAll)}`);
    const queueOne = await timeSweep(queued('bench-1'), trivialSweep, 1, stats);
    console.log(`trivial runs (200, 1 epoch), queue path, 1 thread:   ${perRun(queueOne)}; ${cost(queueOne)}`);
    const queueAll = await timeSweep(queued(), trivialSweep, n, stats);
    console.log(`trivial runs (200, 1 epoch), queue path, ${n} threads:  ${perRun(queueAll)}; ${rate(queueAll)}; ${cost(queueAll)}`);

    for (const [label, spec] of [['small 2-64-64-2 sweep (64 runs)', smallSweep], ['deep 20×64 ReLU sweep (16 runs)', deepSweep]] as const) {
      const l = await timeSweep(local(n), spec, n);
      const q = await timeSweep(queued(), spec, n, stats);
      console.log(`${label}: local ${rate(l)}; queue ${rate(q)} (${n} threads each); ${cost(q)}`);
    }
  } finally {
    await worker.kill('SIGTERM');
    await single.kill('SIGTERM');
    stats.disconnect();
    await redis.stop();
  }
}
