// Joining a cluster queue as its job server, for `initlab serve --redis` and the headless `initlab sweep --redis`:
// check Redis, open the queue executor, and tell which runs a stopped job server left running are still on the queue.
import type { Store } from '../../db/store.js';
import { jobIdFor } from './cluster-protocol.js';
import { createQueueExecutor, type QueueExecutor } from './queue-executor.js';
import { checkRedis } from './redis-connection.js';
import { redactRedisUrl, redactSecret } from './redis-url.js';

/** How long a job server waits for Redis before it gives up with a message ($INITLAB_REDIS_CONNECT_MS overrides). */
const REDIS_CONNECT_MS = 15_000;

export interface OpenClusterOptions {
  url: string;
  queue: string;
  runTimeLimitMs?: number;
  /** Where Redis's connection errors go (already redacted). */
  log: (message: string) => void;
}

/** Resolves once Redis answers and the queue's events are read; rejects with a one-line, password-free reason. */
export async function openCluster(options: OpenClusterOptions): Promise<QueueExecutor> {
  const connectMs = Number(process.env.INITLAB_REDIS_CONNECT_MS) || REDIS_CONNECT_MS;
  let cluster: QueueExecutor | undefined;
  try {
    await checkRedis(options.url, connectMs);
    cluster = createQueueExecutor(options);
    await withTimeout(cluster.ready(), connectMs);
    return cluster;
  } catch (error) {
    await cluster?.close().catch(() => {});
    throw new Error(`cannot reach Redis at ${redactRedisUrl(options.url)}: ${redactSecret((error as Error).message, options.url)}`, { cause: error });
  }
}

/**
 * For the scheduler's start({ keep }): runs a stopped job server left running whose job still lives on the queue
 * are re-attached, not re-queued.
 */
export async function liveRunFilter(store: Store, cluster: QueueExecutor): Promise<(runId: number) => boolean> {
  const left = store.unfinishedSweepIds().flatMap((sweepId) => store.runningRunIds(sweepId))
    .map((runId) => {
      const run = store.getRun(runId);
      return { runId, attempt: run.attempt, startedAt: run.startedAt ?? 0 };
    });
  const live = await cluster.liveJobs(left);
  const ids = new Map(left.map((run) => [run.runId, jobIdFor(run.runId, run.attempt, run.startedAt)]));
  return (runId) => live.has(ids.get(runId) ?? '');
}

/** How a job server names the queue it feeds, password left out. */
export function describeQueue(cluster: { url: string; queue: string }): string {
  return `cluster queue ${cluster.queue} on ${redactRedisUrl(cluster.url)}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
