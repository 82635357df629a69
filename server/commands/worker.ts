// `initlab worker --redis URL [--workers N] [--name NAME]`: a cluster worker host. It pulls runs from the job
// server's BullMQ queue and trains them on this machine's cores until SIGINT/SIGTERM, which lets running runs finish.
import { availableParallelism, hostname } from 'node:os';
import type { CliIo } from './io.js';
import { describeBackend } from '../backend-choice.js';
import { DEFAULT_QUEUE } from '../cluster/cluster-protocol.js';
import { checkRedis } from '../cluster/redis-connection.js';
import { parseRedisUrl, redactRedisUrl, redactSecret, RedisUrlError } from '../cluster/redis-url.js';
import { startWorkerHost, type WorkerHost } from '../cluster/worker-host.js';
import { backendOption, intOption, nameOption, parseOptions, reportFallback, UsageError } from './args.js';

export async function workerCommand(args: string[], io: CliIo): Promise<number> {
  let url: string;
  let threads: number;
  let name: string;
  let queue: string;
  let lockMs: number;
  let backendLabel: string;
  try {
    const { values } = parseOptions(args, {
      redis: { type: 'string' },
      workers: { type: 'string' },
      name: { type: 'string' },
      queue: { type: 'string' },
      'lock-seconds': { type: 'string' },
    });
    const raw = values.redis ?? process.env.INITLAB_REDIS;
    if (!raw) throw new UsageError('--redis (or INITLAB_REDIS) is required: the URL of the Redis the job server uses');
    url = parseRedisUrl(raw, values.redis !== undefined ? '--redis' : 'INITLAB_REDIS');
    threads = intOption(values.workers, 'workers', 1, 256) ?? availableParallelism();
    name = nameOption(values.name, 'name', `${hostname()}-${process.pid}`.replace(/[^\w.-]/g, '-'));
    queue = nameOption(values.queue, 'queue', DEFAULT_QUEUE);
    lockMs = (intOption(values['lock-seconds'], 'lock-seconds', 1, 3600) ?? 30) * 1000;
    const backend = backendOption(undefined);
    reportFallback(backend, io.stderr);
    backendLabel = describeBackend(backend);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof RedisUrlError)) throw error;
    io.stderr.write(`initlab worker: ${error.message}\n`);
    return 2;
  }
  let host: WorkerHost;
  try {
    await checkRedis(url, Number(process.env.INITLAB_REDIS_CONNECT_MS) || 15_000);
    host = await startWorkerHost({
      url, name, threads, queue, lockMs, stalledMs: lockMs, backendLabel,
      log: (message) => io.stderr.write(`initlab worker: ${message}\n`),
    });
  } catch (error) {
    io.stderr.write(`initlab worker: cannot start on ${redactRedisUrl(url)}: ${redactSecret((error as Error).message, url)}\n`);
    return 1;
  }
  io.stdout.write(`initlab worker ${name}: ${threads} training threads (${backendLabel}) on queue ${queue} at ${redactRedisUrl(url)}\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      io.stdout.write(`initlab worker ${name}: ${signal}: finishing the runs in progress\n`);
      await host.close();
      resolve(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}
