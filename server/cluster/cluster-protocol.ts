// The typed protocol between the job server and `initlab worker` hosts over Redis: the BullMQ job's data, its
// progress messages and return value, the cancel channel and the hosts' heartbeat records. Both sides import it.
import type { BackendName } from '../../workers/core/engine.js';
import type { EpochMetrics, RunConfig } from '../../workers/core/types.js';
import type { TrainTaskResult } from '../../workers/protocol.js';

/** The BullMQ queue every job server and worker host of one cluster share (`--queue` changes it). */
export const DEFAULT_QUEUE = 'initlab-runs';

/**
 * A job's id: run, attempt and the attempt's start time, so adding it again (a restarted job server re-attaching)
 * is a no-op, a re-run (new attempt) is a new job, and another database's run with the same id and attempt never
 * collects this one's stored result. No ':' (BullMQ refuses it).
 */
export function jobIdFor(runId: number, attempt: number, startedAt: number): string {
  return `run-${runId}-a${attempt}-t${startedAt}`;
}

/** What a job carries: the run, pinned to a backend exactly as the local executor's task is. */
export interface ClusterJobData {
  runId: number;
  attempt: number;
  startedAt: number;
  config: RunConfig;
  backend: BackendName;
  cpuPath?: string;
  /** The job server's per-run time limit (--max-run-seconds): the host stops the run past it, as the local pool does. */
  runTimeLimitMs?: number;
}

/**
 * A job's progress (job.updateProgress), in order: 'host' each time a host picks the job up (again, after a host
 * died), then the run's 'start' and 'epochs' messages as the local pool reports them. A retry sends its epochs from
 * 0 again; the server drops epochs it already has (training is deterministic, so they are the same numbers).
 */
export type ClusterProgress =
  | { type: 'host'; host: string }
  | { type: 'start'; theoryPreVar: number[] }
  | { type: 'epochs'; metrics: EpochMetrics[] };

/**
 * A job's return value: the result and every epoch again, so a job server that was down while progress flowed (or
 * re-attaches after a restart) still stores every epoch.
 */
export interface ClusterJobResult {
  host: string;
  result: TrainTaskResult;
  epochs: EpochMetrics[];
}

/** Redis keys and channels under the queue's name. */
export function clusterKeys(queue: string) {
  return {
    /** Pub/sub: a job id whose run was cancelled; the host training it aborts it. */
    cancelChannel: `${queue}:cancel`,
    /** Set for an hour when a job is cancelled, so a host that picks it up later skips it. */
    cancelled: (jobId: string) => `${queue}:cancelled:${jobId}`,
    /** The names of hosts that sent a heartbeat; an entry whose host key expired is gone. */
    hosts: `${queue}:hosts`,
    /** One host's heartbeat record (HostRecord as JSON), expiring unless renewed. */
    host: (name: string) => `${queue}:host:${name}`,
  };
}

/** What a worker host says about itself in each heartbeat. */
export interface HostRecord {
  name: string;
  threads: number;
  /** Run ids it trains now. */
  runs: number[];
  pid: number;
  startedAt: number;
  backend: string;
}

/** Heartbeats go out this often; a host that misses HOST_TTL_MS of them is no longer listed. */
export const HEARTBEAT_MS = 1000;
export const HOST_TTL_MS = 4000;

/** A worker's error message as `Name: message` (describeError's form) back into an Error with that name. */
export function remoteError(failedReason: string): Error {
  const match = /^([A-Za-z]+Error): ([\s\S]*)$/.exec(failedReason);
  const error = new Error(match ? match[2] : failedReason);
  if (match) error.name = match[1];
  return error;
}
