// The cluster executor: the same Executor as the local Piscina pool, but each run is a BullMQ job on Redis that an
// `initlab worker` host trains. Progress and results come back as the job's progress events and return value
// (QueueEvents); the job server stays the only SQLite writer. See cluster-protocol.ts for what crosses Redis.
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EpochMetrics } from '../../workers/core/types.js';
import type { TrainTaskResult } from '../../workers/protocol.js';
import { type Executor, type RunJob, type RunProgress, ServerShutdown } from '../executor.js';
import {
  type ClusterJobData, type ClusterJobResult, type ClusterProgress, clusterKeys, DEFAULT_QUEUE, HEARTBEAT_MS,
  jobIdFor, remoteError,
} from './cluster-protocol.js';
import { createHostList, type HostList } from './host-list.js';
import { connectRedis } from './redis-connection.js';
import { redactSecret } from './redis-url.js';

export interface QueueExecutorOptions {
  /** redis:// or rediss:// URL, already checked by parseRedisUrl. */
  url: string;
  queue?: string;
  /** The per-run time limit (--max-run-seconds) each job carries to its host. */
  runTimeLimitMs?: number;
  /** Where connection errors go (already redacted). Default: console.error. */
  log?: (message: string) => void;
}

export interface QueueExecutor extends Executor {
  readonly hosts: HostList;
  /**
   * Of the given runs (left 'running' by an earlier job server), those whose job still exists on the queue (waiting,
   * training, or finished while no server listened): the scheduler re-attaches to these instead of re-queueing them.
   */
  liveJobs(runs: Array<{ runId: number; attempt: number; startedAt: number }>): Promise<Set<string>>;
  /** Resolves once Redis answers and the event stream is read. */
  ready(): Promise<void>;
}

/** A run in flight: what its events feed. */
interface Pending {
  runId: number;
  onProgress: (message: RunProgress) => void;
  /** The highest epoch handed to onProgress: a retried job's epochs up to it are dropped. */
  lastEpoch: number;
  host: string | null;
  resolve: (result: TrainTaskResult) => void;
  reject: (error: unknown) => void;
}

/** Finished jobs stay this long, so a job server that was down when they finished still collects their results. */
const KEEP_FINISHED = { age: 7 * 24 * 3600, count: 100_000 };

export function createQueueExecutor(options: QueueExecutorOptions): QueueExecutor {
  const log = sayOnce(options.log ?? ((message: string) => console.error(`initlab: redis: ${message}`)));
  const name = options.queue ?? DEFAULT_QUEUE;
  const keys = clusterKeys(name);
  const commands: Redis = connectRedis(options.url, log);
  const events: Redis = connectRedis(options.url, log);
  const queue = new Queue<ClusterJobData, ClusterJobResult>(name, { connection: commands });
  const queueEvents = new QueueEvents(name, { connection: events });
  queue.on('error', (error) => log(redactSecret(error.message, options.url)));
  queueEvents.on('error', (error) => log(redactSecret(error.message, options.url)));
  const hosts = createHostList(commands, keys, HEARTBEAT_MS);
  const pending = new Map<string, Pending>();

  function settle(jobId: string): Pending | undefined {
    const entry = pending.get(jobId);
    pending.delete(jobId);
    return entry;
  }

  function deliverEpochs(entry: Pending, metrics: EpochMetrics[]) {
    const fresh = metrics.filter((m) => m.epoch > entry.lastEpoch);
    if (fresh.length === 0) return;
    entry.lastEpoch = fresh.at(-1)!.epoch;
    entry.onProgress({ type: 'epochs', runId: entry.runId, metrics: fresh });
  }

  function deliverHost(entry: Pending, host: string) {
    if (entry.host === host) return;
    entry.host = host;
    entry.onProgress({ type: 'host', runId: entry.runId, host });
  }

  function onProgress(jobId: string, message: ClusterProgress) {
    const entry = pending.get(jobId);
    if (!entry) return; // settled, cancelled, or another server's
    if (message.type === 'host') deliverHost(entry, message.host);
    else if (message.type === 'start') entry.onProgress({ type: 'start', runId: entry.runId, theoryPreVar: message.theoryPreVar });
    else deliverEpochs(entry, message.metrics);
  }

  function onCompleted(jobId: string, value: ClusterJobResult) {
    const entry = settle(jobId);
    if (!entry) return;
    // Epochs that arrived while no job server listened (or were sent by a host before it died) come with the result.
    deliverHost(entry, value.host);
    deliverEpochs(entry, value.epochs);
    entry.resolve(value.result);
  }

  function onFailed(jobId: string, failedReason: string) {
    settle(jobId)?.reject(remoteError(failedReason));
  }

  queueEvents.on('progress', ({ jobId, data }) => onProgress(jobId, parseJson(data) as ClusterProgress));
  queueEvents.on('completed', ({ jobId, returnvalue }) => onCompleted(jobId, parseJson(returnvalue) as ClusterJobResult));
  queueEvents.on('failed', ({ jobId, failedReason }) => onFailed(jobId, failedReason));

  const ready = Promise.all([queue.waitUntilReady(), queueEvents.waitUntilReady()]).then(() => hosts.refresh());

  async function cancelRemote(jobId: string) {
    await commands.set(keys.cancelled(jobId), '1', 'EX', 3600);
    await commands.publish(keys.cancelChannel, jobId);
    await queue.remove(jobId).catch(() => 0); // a waiting job goes; one a host holds stays until the host aborts it
  }

  async function run(job: RunJob, onProgressOut: (message: RunProgress) => void, signal: AbortSignal) {
    await ready;
    const attempt = job.attempt ?? 1;
    const startedAt = job.startedAt ?? Date.now();
    const jobId = jobIdFor(job.runId, attempt, startedAt);
    signal.throwIfAborted();
    const result = new Promise<TrainTaskResult>((resolve, reject) => {
      pending.set(jobId, { runId: job.runId, onProgress: onProgressOut, lastEpoch: -1, host: null, resolve, reject });
    });
    result.catch(() => {}); // an abort may reject it before it is awaited below
    const onAbort = () => {
      const entry = settle(jobId);
      if (!(signal.reason instanceof ServerShutdown)) {
        cancelRemote(jobId).catch((error: Error) => log(`cancelling ${jobId}: ${redactSecret(error.message, options.url)}`));
      }
      entry?.reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const data: ClusterJobData = {
        runId: job.runId, attempt, startedAt, config: job.config, backend: job.backend, cpuPath: job.cpuPath, runTimeLimitMs: options.runTimeLimitMs,
      };
      // Listening already (ready), so no event of this job is missed; adding an existing id is a no-op, and a job
      // that finished while no server listened is collected from its stored state.
      const added = await queue.add('train', data, { jobId, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
      const state = await added.getState();
      if (state === 'completed') {
        const stored = await queue.getJob(jobId);
        if (stored) onCompleted(jobId, stored.returnvalue);
      } else if (state === 'failed') {
        const stored = await queue.getJob(jobId);
        onFailed(jobId, stored?.failedReason ?? 'failed on a worker host');
      }
      return await result;
    } catch (error) {
      settle(jobId);
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  return {
    get threads() {
      return Math.max(1, hosts.threads);
    },
    onThreadsChange(listener) {
      hosts.onChange(listener);
    },
    hosts,
    run,
    ready: () => ready.then(() => undefined),
    async liveJobs(runs) {
      await ready;
      const live = new Set<string>();
      for (const { runId, attempt, startedAt } of runs) {
        const jobId = jobIdFor(runId, attempt, startedAt);
        const state = await queue.getJobState(jobId);
        if (state !== 'unknown') live.add(jobId);
      }
      return live;
    },
    async close() {
      hosts.close();
      for (const entry of pending.values()) entry.reject(new ServerShutdown());
      pending.clear();
      // A graceful close waits for Redis; one that cannot be reached (a wrong password, a dead host) must not hang.
      let timer: NodeJS.Timeout | undefined;
      const graceful = Promise.all([queueEvents.close(), queue.close()]).catch(() => undefined);
      await Promise.race([graceful, new Promise((resolve) => { timer = setTimeout(resolve, 2000); })]);
      clearTimeout(timer);
      void queueEvents.disconnect().catch(() => undefined);
      void queue.disconnect().catch(() => undefined);
      commands.disconnect();
      events.disconnect();
    },
  };
}

/** A log that drops a message equal to the one before it: a Redis that is down errors on every connection's retry. */
export function sayOnce(log: (message: string) => void): (message: string) => void {
  let last = '';
  return (message) => {
    if (message !== last) log(message);
    last = message;
  };
}

/** QueueEvents hands progress data and return values over as JSON text in some versions, parsed in others. */
function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}
