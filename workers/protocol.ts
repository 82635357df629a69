// The one typed protocol between the job server and its Piscina training workers.
// Both sides import these types; nothing else crosses the thread boundary.
import type { MessagePort } from 'node:worker_threads';
import type { EpochMetrics, RunConfig, RunResult } from './core/types.js';
import type { BackendName } from './core/engine.js';

/**
 * What the server hands a worker: one run. `port` is transferred and carries progress back. `backend` and
 * `cpuPath` pin the engine (a replay asks for the original run's); absent, the worker uses its default.
 */
export interface TrainTask {
  runId: number;
  config: RunConfig;
  backend?: BackendName;
  cpuPath?: string;
  port: MessagePort;
}

/**
 * Messages on the task's port, in order: one 'start' (the mean-field theory, known before training), 'epochs'
 * batches holding every evaluated epoch once, in order (0 = at init), then exactly one 'end'. Each post on the port
 * is a ProgressPost: the messages gathered since the last one, at most one post every EPOCH_BATCH_MS of
 * train-worker.ts and one at the end, so a short run wakes the server twice (epoch 0, then the rest with 'end'),
 * not four times.
 */
export type ProgressMessage =
  | { type: 'start'; runId: number; theoryPreVar: number[] }
  | { type: 'epochs'; runId: number; metrics: EpochMetrics[] }
  | { type: 'end'; runId: number };

/** One postMessage on the task's port: its messages in order. */
export type ProgressPost = ProgressMessage[];

/** What the task's promise resolves to. Epoch metrics travel on the port, not here. */
export type TrainTaskResult = Omit<RunResult, 'epochs'> & { epochsCompleted: number };
