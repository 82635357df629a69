// `initlab sweep <spec.json | preset>`: runs a sweep to completion headless, with a progress bar on stderr, on the
// local pool or, with --redis, on a cluster queue's worker hosts. Ctrl-C (or SIGTERM) cancels cleanly;
// `initlab sweep --resume <id>` continues it later.
import { accessSync, constants, createWriteStream, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CliIo } from './io.js';
import { ConfigError } from '../../workers/run-config.js';
import { ExportFormatError, formatFromFilename, parseExportRequest, writeExport } from '../exports/index.js';
import type { ResolvedBackend } from '../../workers/backend.js';
import { describeBackend, runRequest, specPin } from '../backend-choice.js';
import { getPreset, listPresets } from '../presets.js';
import { openServices, type Services } from '../services.js';
import type { QueueExecutor } from '../cluster/queue-executor.js';
import { RedisUrlError } from '../cluster/redis-url.js';
import { backendOption, clusterOption, intOption, parseOptions, reportFallback, runTimeLimitOption, UsageError } from './args.js';
import { createProgressBar } from './progress-bar.js';

function loadSpec(source: string): unknown {
  if (source.endsWith('.json') || source.includes('/') || source === '-') {
    let text: string;
    try {
      text = readFileSync(source === '-' ? 0 : source, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${source}: ${describeFsError(error)}`);
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (listPresets().some((p) => p.name === source)) return getPreset(source).spec;
  throw new UsageError(`"${source}" is neither a .json spec file nor a preset (presets: ${listPresets().map((p) => p.name).join(', ')})`);
}

/** ENOENT and friends as a phrase; anything else by its message. */
function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory, not a spec file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

/** The export target is checked before the sweep starts, so a sweep never runs to completion only to fail there. */
function checkExportTarget(file: string): void {
  let stat;
  try {
    stat = statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--export ${file}: ${describeFsError(error)}`);
  }
  if (stat?.isDirectory()) throw new UsageError(`--export ${file}: it is a directory`);
  const folder = dirname(resolve(file));
  try {
    if (!statSync(folder).isDirectory()) throw new UsageError(`--export ${file}: ${folder} is not a directory`);
    accessSync(stat ? file : folder, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--export ${file}: ${code === 'ENOENT' ? `no folder ${folder}` : describeFsError(error)}`);
  }
}

export async function sweepCommand(args: string[], io: CliIo): Promise<number> {
  let options: {
    source?: string; resume?: number; dbFile?: string; threads?: number; maxRuns?: number; maxRunMb?: number; runTimeLimitMs?: number; exportFile?: string;
    backend: ResolvedBackend; redis?: { url: string; queue: string };
  };
  let spec: unknown;
  try {
    const { values, positionals } = parseOptions(args, {
      resume: { type: 'string' },
      db: { type: 'string' },
      workers: { type: 'string' },
      export: { type: 'string' },
      'max-runs': { type: 'string' },
      'max-run-mb': { type: 'string' },
      'max-run-seconds': { type: 'string' },
      backend: { type: 'string' },
      redis: { type: 'string' },
      queue: { type: 'string' },
    });
    options = {
      source: positionals[0],
      resume: intOption(values.resume, 'resume', 1, Number.MAX_SAFE_INTEGER),
      dbFile: values.db,
      threads: intOption(values.workers, 'workers', 1, 256),
      maxRuns: intOption(values['max-runs'] ?? process.env.INITLAB_MAX_RUNS, 'max-runs', 1, 1_000_000),
      maxRunMb: intOption(values['max-run-mb'] ?? process.env.INITLAB_MAX_RUN_MB, 'max-run-mb', 1, 1 << 24),
      runTimeLimitMs: runTimeLimitOption(values['max-run-seconds']),
      exportFile: values.export,
      backend: backendOption(values.backend),
      redis: clusterOption(values),
    };
    if ((options.source === undefined) === (options.resume === undefined)) {
      throw new UsageError('give a spec file or preset name, or --resume <sweep-id>');
    }
    if (options.exportFile) {
      formatFromFilename(options.exportFile);
      checkExportTarget(options.exportFile);
    }
    if (options.source !== undefined) spec = loadSpec(options.source);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof ExportFormatError) && !(error instanceof RedisUrlError)) throw error;
    io.stderr.write(`initlab sweep: ${(error as Error).message}\n`);
    return 2;
  }
  reportFallback(options.backend, io.stderr);

  // With --redis this process is the job server of a cluster queue: runs train on the worker hosts.
  let cluster: QueueExecutor | undefined;
  // loaded only with --redis: the local mode never loads BullMQ or ioredis
  const clusterApi = options.redis ? await import('../cluster/open-cluster.js') : undefined;
  let services: Services;
  try {
    if (options.redis) {
      cluster = await clusterApi!.openCluster({
        ...options.redis, runTimeLimitMs: options.runTimeLimitMs, log: (m) => io.stderr.write(`initlab sweep: redis: ${m}\n`),
      });
    }
    services = openServices({
      dbFile: options.dbFile, threads: options.threads, maxRunsPerSweep: options.maxRuns, maxRunMb: options.maxRunMb,
      runTimeLimitMs: options.runTimeLimitMs,
      backend: { backend: options.backend.backend, cpuPath: options.backend.cpuPath },
      executor: cluster,
    });
  } catch (error) {
    io.stderr.write(`initlab sweep: ${(error as Error).message}\n`);
    await cluster?.close().catch(() => {});
    return 1;
  }
  try {
    services.scheduler.start({ resumeSweeps: false, keep: cluster ? await clusterApi!.liveRunFilter(services.store, cluster) : undefined });
    const pool = options.redis ? clusterApi!.describeQueue(options.redis) : `${services.executor.threads} threads`;
    // The sweep's own pin (spec backend / cpuPath), else the default this command resolved.
    const runsOn = (id: number) => describeBackend(runRequest(specPin(services.store.getSweep(id).spec), services.backend));
    let sweepId: number;
    if (options.resume !== undefined) {
      sweepId = options.resume;
      const requeued = services.scheduler.rerun(sweepId, ['cancelled']);
      services.scheduler.resume(sweepId);
      io.stderr.write(`initlab: resuming sweep ${sweepId} (${requeued} cancelled runs re-queued) on the ${runsOn(sweepId)}\n`);
    } else {
      try {
        const created = services.scheduler.submit(spec);
        sweepId = created.id;
        io.stderr.write(`initlab: sweep ${sweepId}: ${created.runs} runs on ${pool}, ${runsOn(sweepId)} (database ${services.dbFile})\n`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        io.stderr.write(`initlab sweep: invalid sweep spec\n`);
        for (const issue of error.issues) io.stderr.write(`  ${issue.path || '(root)'}: ${issue.message}\n`);
        return 2;
      }
    }
    return await runToCompletion(services, sweepId, options.exportFile, io);
  } catch (error) {
    io.stderr.write(`initlab sweep: ${(error as Error).message}\n`);
    return (error as { status?: number }).status === 404 ? 3 : 1;
  } finally {
    await services.close();
  }
}

async function runToCompletion(services: Services, sweepId: number, exportFile: string | undefined, io: CliIo) {
  const { store, scheduler, events } = services;
  const bar = createProgressBar(io.stderr, () => store.sweepCounts(sweepId));
  const unsubscribe = events.subscribe((event) => {
    if ('sweepId' in event && event.sweepId === sweepId && event.type !== 'run-epochs') bar.update();
  });
  // SIGINT (Ctrl-C) and SIGTERM both cancel: running runs are aborted, the sweep is recorded cancelled, and the
  // caller's finally closes the services, which releases the lock file.
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = signal;
    io.stderr.write(`\ninitlab: ${signal}: cancelling sweep ${sweepId}…\n`);
    scheduler.cancel(sweepId);
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    bar.update();
    await scheduler.waitForSweep(sweepId);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    unsubscribe();
    bar.done();
  }
  const sweep = store.getSweep(sweepId);
  if (interrupted || sweep.status === 'cancelled') {
    io.stderr.write(`initlab: sweep ${sweepId} cancelled; continue it with: npx initlab sweep --resume ${sweepId}\n`);
    return interrupted === 'SIGTERM' ? 143 : 130;
  }
  if (exportFile) {
    // A .tex file gets the LaTeX pivot of final validation accuracy; the others the runs table.
    const { format, pivot } = formatFromFilename(exportFile);
    const out = createWriteStream(exportFile);
    // The target was checked at start; should it vanish meanwhile, the stream's error becomes this command's error.
    const failed = new Promise<never>((_, reject) => out.once('error', reject));
    failed.catch(() => {});
    await Promise.race([failed, writeExport(store, sweepId, parseExportRequest(format, pivot ? 'final_val_acc' : undefined), out)]);
    await Promise.race([failed, new Promise<void>((done, reject) => out.end((error?: Error | null) => (error ? reject(error) : done())))]);
    io.stderr.write(`initlab: wrote ${exportFile}\n`);
  }
  io.stdout.write(`${JSON.stringify({ sweep: sweepId, status: sweep.status, counts: store.sweepCounts(sweepId) })}\n`);
  return 0;
}
