// `initlab serve`: the dashboard and JSON API on one port, with the training pool behind it.
import type { AddressInfo } from 'node:net';
import type { CliIo } from './io.js';
import { createApp } from '../app.js';
import { isLoopbackHost } from '../security.js';
import type { ResolvedBackend } from '../../workers/backend.js';
import { describeBackend } from '../backend-choice.js';
import { openServices, type Services } from '../services.js';
import { RedisUrlError } from '../cluster/redis-url.js';
import type { QueueExecutor } from '../cluster/queue-executor.js';
import { backendOption, clusterOption, intOption, parseOptions, reportFallback, runTimeLimitOption, UsageError } from './args.js';

export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  let port: number;
  let host: string;
  let dbFile: string | undefined;
  let threads: number | undefined;
  let maxRunsPerSweep: number | undefined;
  let maxRunMb: number | undefined;
  let runTimeLimitMs: number | undefined;
  let backend: ResolvedBackend;
  let redis: { url: string; queue: string } | undefined;
  try {
    const { values } = parseOptions(args, {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      workers: { type: 'string' },
      'max-runs': { type: 'string' },
      'max-run-mb': { type: 'string' },
      'max-run-seconds': { type: 'string' },
      backend: { type: 'string' },
      redis: { type: 'string' },
      queue: { type: 'string' },
    });
    redis = clusterOption(values);
    port = intOption(values.port, 'port', 0, 65535) ?? Number(process.env.PORT ?? 3000);
    host = values.host ?? '127.0.0.1';
    dbFile = values.db;
    threads = intOption(values.workers, 'workers', 1, 256);
    maxRunsPerSweep = intOption(values['max-runs'] ?? process.env.INITLAB_MAX_RUNS, 'max-runs', 1, 1_000_000);
    maxRunMb = intOption(values['max-run-mb'] ?? process.env.INITLAB_MAX_RUN_MB, 'max-run-mb', 1, 1 << 24);
    runTimeLimitMs = runTimeLimitOption(values['max-run-seconds']);
    backend = backendOption(values.backend);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof RedisUrlError)) throw error;
    io.stderr.write(`initlab serve: ${error.message}\n`);
    return 2;
  }
  const token = process.env.INITLAB_TOKEN || undefined;
  if (!isLoopbackHost(host) && !token) {
    io.stderr.write(`initlab serve: --host ${host} is not a loopback address; set INITLAB_TOKEN to require an access token\n`);
    return 2;
  }
  reportFallback(backend, io.stderr);

  let cluster: QueueExecutor | undefined;
  // loaded only with --redis: the local mode never loads BullMQ or ioredis
  const clusterApi = redis === undefined ? undefined : await import('../cluster/open-cluster.js');
  if (redis !== undefined) {
    try {
      cluster = await clusterApi!.openCluster({ ...redis, runTimeLimitMs, log: (m) => io.stderr.write(`initlab serve: redis: ${m}\n`) });
    } catch (error) {
      io.stderr.write(`initlab serve: ${(error as Error).message}\n`);
      return 1;
    }
  }
  let services: Services;
  try {
    services = openServices({
      dbFile, threads, maxRunsPerSweep, maxRunMb, runTimeLimitMs, backend: { backend: backend.backend, cpuPath: backend.cpuPath },
      executor: cluster,
    });
  } catch (error) {
    io.stderr.write(`initlab serve: ${(error as Error).message}\n`);
    await cluster?.close().catch(() => {});
    return 1;
  }
  if (cluster) {
    services.scheduler.start({ keep: await clusterApi!.liveRunFilter(services.store, cluster) });
  } else {
    services.scheduler.start();
  }
  const app = createApp({
    store: services.store,
    scheduler: services.scheduler,
    events: services.events,
    threads: services.executor.threads,
    hosts: cluster ? () => cluster.hosts.list : undefined,
    token,
  });
  const server = app.listen(port, host);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (error) {
    io.stderr.write(`initlab serve: cannot listen on ${host}:${port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    await services.close();
    return 1;
  }
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const pool = redis ? clusterApi!.describeQueue(redis) : `${services.executor.threads} training threads`;
  io.stdout.write(`initlab: dashboard at http://${shown}:${address.port}/ (database ${services.dbFile}, ${pool}, ${describeBackend(services.backend)})\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      io.stdout.write(`initlab: ${signal}: stopping; unfinished runs resume on the next start\n`);
      server.close();
      server.closeAllConnections();
      await services.close();
      resolve(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}
