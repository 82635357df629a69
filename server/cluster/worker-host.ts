// An `initlab worker` host: pulls run jobs from the BullMQ queue and trains each in its own local Piscina pool with
// the same task and protocol the job server's local executor uses. It reports progress and results through the
// job, sends heartbeats the job server lists, and aborts a run whose id arrives on the cancel channel.
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EpochMetrics } from '../../workers/core/types.js';
import { createLocalExecutor, type RunProgress } from '../executor.js';
import { describeError } from '../scheduler.js';
import {
  type ClusterJobData, type ClusterJobResult, type ClusterProgress, clusterKeys, DEFAULT_QUEUE, HEARTBEAT_MS,
  HOST_TTL_MS, type HostRecord,
} from './cluster-protocol.js';
import { sayOnce } from './queue-executor.js';
import { connectRedis } from './redis-connection.js';
import { redactSecret } from './redis-url.js';

export interface WorkerHostOptions {
  url: string;
  name: string;
  threads: number;
  queue?: string;
  /**
   * How long a job's lock lasts without renewal; a host that dies holding it leaves the job to another host after
   * this plus at most `stalledMs`. BullMQ's default is 30 s; tests use 2 s.
   */
  lockMs?: number;
  /** How often this host checks for jobs whose host died (BullMQ's stalledInterval). */
  stalledMs?: number;
  /** The backend this host reports in its heartbeat (each job pins its own). */
  backendLabel: string;
  log?: (message: string) => void;
}

export interface WorkerHost {
  /** Stops taking jobs, lets the runs in progress finish, and disconnects. */
  close(): Promise<void>;
}

/** A job a host died holding goes back to the queue this many times, then fails (BullMQ's maxStalledCount). */
export const MAX_STALLS = 3;

export async function startWorkerHost(options: WorkerHostOptions): Promise<WorkerHost> {
  const log = sayOnce(options.log ?? ((message: string) => console.error(`initlab worker: ${message}`)));
  const name = options.queue ?? DEFAULT_QUEUE;
  const keys = clusterKeys(name);
  const redact = (text: string) => redactSecret(text, options.url);
  const commands: Redis = connectRedis(options.url, (m) => log(`redis: ${m}`));
  const subscriber: Redis = connectRedis(options.url, (m) => log(`redis: ${m}`));
  const pool = createLocalExecutor({ threads: options.threads });
  const aborts = new Map<string, AbortController>();
  const current = new Set<number>();
  const startedAt = Date.now();

  subscriber.on('message', (_channel: string, jobId: string) => aborts.get(jobId)?.abort());
  await subscriber.subscribe(keys.cancelChannel);

  async function heartbeat() {
    const record: HostRecord = {
      name: options.name, threads: options.threads, runs: [...current], pid: process.pid, startedAt, backend: options.backendLabel,
    };
    await commands.multi().set(keys.host(options.name), JSON.stringify(record), 'PX', HOST_TTL_MS).sadd(keys.hosts, options.name).exec();
  }

  async function train(job: Job<ClusterJobData, ClusterJobResult>): Promise<ClusterJobResult> {
    const jobId = job.id!;
    const data = job.data;
    if ((await commands.exists(keys.cancelled(jobId))) === 1) throw new Error('cancelled before a host started it');
    const controller = new AbortController();
    aborts.set(jobId, controller);
    current.add(data.runId);
    // Progress goes out in order, one update after the other; the result waits for the last one.
    let sent: Promise<unknown> = job.updateProgress({ type: 'host', host: options.name } satisfies ClusterProgress);
    const send = (message: ClusterProgress) => { sent = sent.then(() => job.updateProgress(message)); };
    const epochs: EpochMetrics[] = [];
    const onProgress = (message: RunProgress) => {
      if (message.type === 'start') send({ type: 'start', theoryPreVar: message.theoryPreVar });
      else if (message.type === 'epochs') {
        epochs.push(...message.metrics);
        send({ type: 'epochs', metrics: message.metrics });
      }
    };
    try {
      heartbeat().catch(() => {});
      const result = await pool.run(
        { runId: data.runId, config: data.config, backend: data.backend, cpuPath: data.cpuPath, runTimeLimitMs: data.runTimeLimitMs },
        onProgress, controller.signal,
      );
      await sent;
      return { host: options.name, result, epochs };
    } catch (error) {
      await sent.catch(() => {});
      throw new Error(describeError(error));
    } finally {
      aborts.delete(jobId);
      current.delete(data.runId);
    }
  }

  const worker = new Worker<ClusterJobData, ClusterJobResult>(name, train, {
    connection: commands,
    concurrency: options.threads,
    lockDuration: options.lockMs ?? 30_000,
    stalledInterval: options.stalledMs ?? options.lockMs ?? 30_000,
    maxStalledCount: MAX_STALLS,
  });
  worker.on('error', (error) => log(redact(error.message)));
  worker.on('failed', (job, error) => {
    if (job) log(`job ${job.id} failed: ${redact(error.message)}`);
  });
  try {
    await worker.waitUntilReady();
    await heartbeat();
  } catch (error) {
    // Refused by Redis (an ACL without a command BullMQ needs, say): stop everything, or it retries forever.
    void worker.disconnect().catch(() => {});
    subscriber.disconnect();
    commands.disconnect();
    await pool.close();
    throw error;
  }
  const timer = setInterval(() => heartbeat().catch(() => {}), HEARTBEAT_MS);

  return {
    async close() {
      clearInterval(timer);
      await worker.close();
      await commands.multi().del(keys.host(options.name)).srem(keys.hosts, options.name).exec().catch(() => {});
      await pool.close();
      subscriber.disconnect();
      commands.disconnect();
    },
  };
}
