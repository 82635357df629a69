// The local executor: a Piscina pool of training threads. One task = one run, or several short runs of one sweep
// trained one after the other (runBatch); progress and outcomes come back over a transferred MessagePort (in
// ProgressPosts), and which run trains since when over the task's shared clock (protocol.ts). Each thread may hold a
// second task queued behind the one it trains (the scheduler decides when: short runs).
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { BackendName } from '../workers/core/engine.js';
import type { RunConfig } from '../workers/core/types.js';
import {
  createRunClock, readRunClock, type ProgressMessage, type ProgressPost, type TrainTask, type TrainTaskResult,
} from '../workers/protocol.js';

/**
 * What a run reports while it trains: the port's messages but 'end', which the executor consumes, and in cluster
 * mode 'host', the worker host that picked the run up (again, if a host died).
 */
export type RunProgress =
  | Extract<ProgressMessage, { type: 'start' | 'epochs' }>
  | { type: 'host'; runId: number; host: string };

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
  /**
   * Trains several runs (of one sweep, with the same `held`) one after the other as one task: for runs of a few
   * ms, one task each would cost the server's thread more than the runs take to train. One promise per job, settled
   * as its run ends; a run that never began because the thread went down (or the task was stopped) before it
   * rejects with RunNotStartedError. The time limit applies to each run from its own start. Optional.
   */
  runBatch?(jobs: RunJob[], onProgress: (message: RunProgress) => void, signal: AbortSignal): Array<Promise<TrainTaskResult>>;
  close(): Promise<void>;
}

export interface LocalExecutorOptions {
  threads?: number;
  /** Per-thread V8 heap limit; a run over it fails and its thread is replaced. */
  maxHeapMb?: number;
  /** The worker module; tests point this at a fixture. Defaults to workers/train-worker (.ts under tsx, .js built). */
  workerFile?: string;
  /**
   * A run still training this long after it began is stopped (its thread is replaced) and fails with
   * RunTimeLimitError.
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

/** A run of a task that never began: the thread went down, or the task was stopped, before its turn came. */
export class RunNotStartedError extends Error {
  override readonly name = 'RunNotStartedError';
  constructor(override readonly cause: unknown) {
    super(`never started: its thread stopped first (${cause instanceof Error ? cause.message : String(cause)})`);
  }
}

/** A run whose code threw inside the worker; it keeps the thrown error's name and message. */
class WorkerRunError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
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

  function runBatch(jobs: RunJob[], onProgress: (m: RunProgress) => void, signal: AbortSignal) {
    const outcomes = jobs.map(() => {
      let settle!: { resolve: (r: TrainTaskResult) => void; reject: (e: unknown) => void };
      const promise = new Promise<TrainTaskResult>((resolve, reject) => { settle = { resolve, reject }; });
      return { promise, ...settle, settled: false };
    });
    const indexOf = new Map(jobs.map((job, i) => [job.runId, i]));
    const settle = (runId: number, outcome: { result: TrainTaskResult } | { error: unknown }) => {
      const entry = outcomes[indexOf.get(runId)!];
      if (entry === undefined || entry.settled) return;
      entry.settled = true;
      if ('result' in outcome) entry.resolve(outcome.result);
      else entry.reject(outcome.error);
    };
    const { port1, port2 } = new MessageChannel();
    const clock = createRunClock();
    let ended!: () => void;
    const endReceived = new Promise<void>((resolve) => { ended = resolve; });
    port1.on('message', (post: ProgressPost) => {
      for (const message of post) {
        switch (message.type) {
          case 'end': ended(); break;
          case 'result': settle(message.runId, { result: message.result }); break;
          case 'failed': settle(message.runId, { error: new WorkerRunError(message.name, message.message) }); break;
          default: onProgress(message);
        }
      }
    });
    const task: TrainTask = {
      runs: jobs.map((job) => ({ runId: job.runId, config: job.config, backend: job.backend, cpuPath: job.cpuPath })),
      port: port2,
      clock,
    };
    // The caller's signal (cancel, shutdown) or the time limit, whichever comes first, aborts the task. The limit
    // counts from each run's start on the clock, so neither a thread's start-up (loading modules, parsing MNIST) nor
    // the runs before it in the task eat into it; until the first run begins, a generous start-up bound applies
    // instead (none to a held task: it waits behind another thread's run, which has its own limit).
    const limit = jobs[0]!.runTimeLimitMs ?? options.runTimeLimitMs;
    const timer = limit === undefined ? null : new AbortController();
    let timeout: NodeJS.Timeout | null = null;
    if (timer !== null) {
      const dispatchedAt = Date.now();
      const check = () => {
        const { index, startedAt } = readRunClock(clock);
        const now = Date.now();
        const due = index >= 0 ? startedAt + limit! : jobs[0]!.held ? now + limit! : dispatchedAt + Math.max(limit!, STARTUP_LIMIT_MS);
        if (now >= due) timer.abort();
        else timeout = setTimeout(check, Math.min(due - now, limit!) + 1);
      };
      timeout = setTimeout(check, limit); // no run can be due before
    }
    const taskSignal = timer === null ? signal : AbortSignal.any([signal, timer.signal]);
    void (async () => {
      try {
        await pool.run(task, { transferList: [port2], signal: taskSignal });
        await endReceived;
      } catch (error) {
        // The thread went down or the task was stopped: the run on the clock takes the error (the time limit's, if
        // that stopped it); the runs after it never began.
        const { index } = readRunClock(clock);
        const reason = timer?.signal.aborted && !signal.aborted ? new RunTimeLimitError(limit!) : error;
        jobs.forEach((job, i) => settle(job.runId, { error: i === index ? reason : new RunNotStartedError(error) }));
      } finally {
        if (timeout !== null) clearTimeout(timeout);
        port1.close();
      }
      // Every outcome arrives before 'end'; a run without one (a worker that broke the protocol) must not hang.
      for (const job of jobs) settle(job.runId, { error: new Error('the worker ended the task without this run\'s outcome') });
    })();
    return outcomes.map((o) => o.promise);
  }

  return {
    threads,
    queueDepth: QUEUE_DEPTH,
    run: (job, onProgress, signal) => runBatch([job], onProgress, signal)[0]!,
    runBatch,
    async close() {
      await pool.destroy();
    },
  };
}
