// The local executor: a Piscina pool of training threads. One task = one run; progress comes back over a
// transferred MessagePort (in ProgressPosts) and the task resolves only after the worker's final 'end' message has arrived.
// Each thread may hold a second task queued behind the one it trains (the scheduler decides when: short runs).
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { BackendName } from '../workers/core/engine.js';
import type { RunConfig } from '../workers/core/types.js';
import type { ProgressMessage, ProgressPost, TrainTask, TrainTaskResult } from '../workers/protocol.js';

/**
 * What a run reports while it trains: the port's messages but 'end', which the executor consumes, and in cluster
 * mode 'host', the worker host that picked the run up (again, if a host died).
 */
export type RunProgress = Exclude<ProgressMessage, { type: 'end' }> | { type: 'host'; runId: number; host: string };

/**
 * The abort reason the scheduler gives its runs when the job server shuts down: a local run stops with its
 * thread, a cluster run keeps training on its host and the next start re-attaches to it.
 */
export class ServerShutdown extends Error {
  override readonly name = 'ServerShutdown';
  constructor() {
    super('the job server is shutting down');
  }
}

export interface RunJob {
  runId: number;
  config: RunConfig;
  /** The engine to train on; without a CPU path the worker picks the backend's best (see server/backend-choice.ts). */
  backend: BackendName;
  cpuPath?: string;
  /** The run's attempt and when it started (cluster mode derives the job id from run, attempt and start time). */
  attempt?: number;
  startedAt?: number;
  /** This run's time limit, in place of the executor's own: a worker host trains under its job server's limit. */
  runTimeLimitMs?: number;
  /**
   * Dispatched while every thread trains, to wait behind a running run (Executor.queueDepth): no start-up limit
   * applies to it, only the time limit from its first progress message on (else a long run ahead of it would
   * trip its start-up limit, whose abort takes down the thread and that run with it).
   */
  held?: boolean;
}

export interface Executor {
  /** Runs it can train at once; the scheduler keeps no more than this many running (cluster: the hosts' threads). */
  readonly threads: number;
  /**
   * Runs one thread can hold: the one it trains and any queued behind it, which it starts the moment the first ends,
   * without waiting for the server's thread to dispatch it (default 1; the local pool 2).
   */
  readonly queueDepth?: number;
  /** Cluster mode: called when `threads` changes (hosts join or leave), so the scheduler dispatches more. */
  onThreadsChange?(listener: () => void): void;
  /**
   * Runs one job; onProgress sees its 'start' and every 'epochs' batch before the promise resolves.
   * Rejects on abort, throw or thread death.
   */
  run(job: RunJob, onProgress: (message: RunProgress) => void, signal: AbortSignal): Promise<TrainTaskResult>;
  close(): Promise<void>;
}

export interface LocalExecutorOptions {
  threads?: number;
  /** Per-thread V8 heap limit; a run over it fails and its thread is replaced. */
  maxHeapMb?: number;
  /** The worker module; tests point this at a fixture. Defaults to workers/train-worker (.ts under tsx, .js built). */
  workerFile?: string;
  /**
   * A run still training this long after its first progress message is stopped (its thread is replaced) and fails
   * with RunTimeLimitError.
   */
  runTimeLimitMs?: number;
}

/** Runs a local training thread holds at most: the one it trains and one queued behind it. */
const QUEUE_DEPTH = 2;

/** How long a run may take to send its first progress message when a time limit is set. */
export const STARTUP_LIMIT_MS = 60_000;

/** A run that trained past the executor's time limit. */
export class RunTimeLimitError extends Error {
  override readonly name = 'RunTimeLimitError';
  readonly code = 'run_time_limit';
  constructor(readonly limitMs: number) {
    super(`stopped after the per-run time limit of ${formatLimit(limitMs)}`);
  }
}

function formatLimit(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

const runningFromSource = import.meta.url.endsWith('.ts');

function defaultWorkerFile(): string {
  const ext = runningFromSource ? 'ts' : 'js';
  return fileURLToPath(new URL(`../workers/train-worker.${ext}`, import.meta.url));
}

/** A .ts worker is loaded through workers/dev-worker.mjs, which registers tsx inside the thread. */
function poolEntry(workerFile: string): { filename: string; workerData?: { tsWorker: string } } {
  if (!workerFile.endsWith('.ts')) return { filename: workerFile };
  return {
    filename: fileURLToPath(new URL('../workers/dev-worker.mjs', import.meta.url)),
    workerData: { tsWorker: pathToFileURL(workerFile).href },
  };
}

export function createLocalExecutor(options: LocalExecutorOptions = {}): Executor {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const filename = options.workerFile ?? defaultWorkerFile();
  const pool = new Piscina({
    ...poolEntry(filename),
    minThreads: threads,
    maxThreads: threads,
    // A second task waits on each thread's port behind the one it trains (see Executor.queueDepth).
    concurrentTasksPerWorker: QUEUE_DEPTH,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 1024 },
  });

  async function run(job: RunJob, onProgress: (m: RunProgress) => void, signal: AbortSignal) {
    const { port1, port2 } = new MessageChannel();
    let ended!: () => void;
    const endReceived = new Promise<void>((resolve) => { ended = resolve; });
    port1.on('message', (post: ProgressPost) => {
      for (const message of post) {
        if (message.type === 'end') return ended();
        onFirstProgress();
        onProgress(message);
      }
    });
    const task: TrainTask = { runId: job.runId, config: job.config, backend: job.backend, cpuPath: job.cpuPath, port: port2 };
    // The caller's signal (cancel, shutdown) or the time limit, whichever comes first, aborts the task. The limit
    // counts from the run's first progress message (training has begun), so a thread's start-up (loading modules,
    // parsing MNIST) never eats into it; until then a generous start-up bound applies instead.
    const limit = job.runTimeLimitMs ?? options.runTimeLimitMs;
    const timer = limit === undefined ? null : new AbortController();
    let timeout = timer === null || job.held ? null : setTimeout(() => timer.abort(), Math.max(limit!, STARTUP_LIMIT_MS));
    const taskSignal = timer === null ? signal : AbortSignal.any([signal, timer.signal]);
    let started = false;
    const onFirstProgress = () => {
      if (started || timer === null) return;
      started = true;
      if (timeout !== null) clearTimeout(timeout);
      timeout = setTimeout(() => timer.abort(), limit);
    };
    try {
      const result = (await pool.run(task, { transferList: [port2], signal: taskSignal })) as TrainTaskResult;
      await endReceived;
      return result;
    } catch (error) {
      if (timer?.signal.aborted && !signal.aborted) throw new RunTimeLimitError(limit!);
      throw error;
    } finally {
      if (timeout !== null) clearTimeout(timeout);
      port1.close();
    }
  }

  return {
    threads,
    queueDepth: QUEUE_DEPTH,
    run,
    async close() {
      await pool.destroy();
    },
  };
}
