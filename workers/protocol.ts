// The one typed protocol between the job server and its Piscina training workers.
// Both sides import these types; nothing else crosses the thread boundary.
import type { MessagePort } from 'node:worker_threads';
import type { EpochMetrics, RunConfig, RunResult } from './core/types.js';
import type { BackendName } from './core/engine.js';

/**
 * One run to train. `backend` and `cpuPath` pin the engine (a replay asks for the original run's); absent, the
 * worker uses its default.
 */
export interface TaskRun {
  runId: number;
  config: RunConfig;
  backend?: BackendName;
  cpuPath?: string;
}

/**
 * What the server hands a worker: one or more runs of one sweep, trained one after the other (several when they
 * are short: one task per run would cost the server's thread more than a run of a few ms trains). `port` is
 * transferred and carries progress and outcomes back. `clock`, shared memory the worker writes as each run begins
 * (see createRunClock), tells the server which run trains and since when, without a message: it enforces the time limit
 * and knows, if the thread goes down, which run took it down and which never began.
 */
export interface TrainTask {
  runs: TaskRun[];
  port: MessagePort;
  clock: SharedArrayBuffer;
}

/**
 * Messages on the task's port, in order, per run: one 'start' (the mean-field theory, known before training),
 * 'epochs' batches holding every evaluated epoch once, in order (0 = at init), then its outcome, 'result' or
 * 'failed' (it threw; the task goes on with the next run); then one 'end' for the task. Each post on the port is a
 * ProgressPost: the messages gathered since the last one, at most one post every EPOCH_BATCH_MS of train-worker.ts
 * and one at the end, so a task of short runs wakes the server a few times, not several times a run.
 */
export type ProgressMessage =
  | { type: 'start'; runId: number; theoryPreVar: number[] }
  | { type: 'epochs'; runId: number; metrics: EpochMetrics[] }
  | { type: 'result'; runId: number; result: TrainTaskResult }
  | { type: 'failed'; runId: number; name: string; message: string }
  | { type: 'end' };

/** One postMessage on the task's port: its messages in order. */
export type ProgressPost = ProgressMessage[];

/** A run's outcome. Epoch metrics travel in 'epochs' messages, not here. */
export type TrainTaskResult = Omit<RunResult, 'epochs'> & { epochsCompleted: number };

/**
 * The task's clock: Int32 0 holds the index (in `runs`) of the run that trains, -1 before the first; Float64 1
 * (bytes 8–15) the Date.now() at which it began. The worker writes the time first, then the index (Atomics.store).
 */
export const RUN_CLOCK_BYTES = 16;

export function createRunClock(): SharedArrayBuffer {
  const clock = new SharedArrayBuffer(RUN_CLOCK_BYTES);
  new Int32Array(clock, 0, 1)[0] = -1;
  return clock;
}

export function startRunClock(clock: SharedArrayBuffer, index: number, now: number): void {
  new Float64Array(clock, 8, 1)[0] = now;
  Atomics.store(new Int32Array(clock, 0, 1), 0, index);
}

/** Which run of the task trains (-1: none yet) and since when (ms, Date.now()). */
export function readRunClock(clock: SharedArrayBuffer): { index: number; startedAt: number } {
  const index = Atomics.load(new Int32Array(clock, 0, 1), 0);
  return { index, startedAt: new Float64Array(clock, 8, 1)[0]! };
}
