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
 * batches holding every evaluated epoch once, in order (0 = at init; a batch at most every EPOCH_BATCH_MS of
 * train-worker.ts), then exactly one 'end'.
 */
export type ProgressMessage =
  | { type: 'start'; runId: number; theoryPreVar: number[] }
  | { type: 'epochs'; runId: number; metrics: EpochMetrics[] }
  | { type: 'end'; runId: number };

/** What the task's promise resolves to. Epoch metrics travel on the port, not here. */
export type TrainTaskResult = Omit<RunResult, 'epochs'> & { epochsCompleted: number };
