// The run and sweep state machines. The status unions here are mirrored by CHECK constraints and a trigger in
// migrations.ts (a test keeps them equal); every status change in the store goes through `transitionRun`.
import { IllegalTransitionError } from './errors.js';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'diverged', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run ends in; all of them may go back to 'queued' (a re-run). */
export const FINAL_RUN_STATUSES = ['succeeded', 'diverged', 'failed', 'cancelled'] as const satisfies readonly RunStatus[];
export type FinalRunStatus = (typeof FINAL_RUN_STATUSES)[number];
/** Statuses that still owe work: a sweep with none of these left is done. */
export const ACTIVE_RUN_STATUSES = ['queued', 'running'] as const satisfies readonly RunStatus[];

/**
 * Allowed moves. running → queued is crash recovery (a run left running by a dead server or worker);
 * final → queued is a user's re-run. Nothing else: a finished run is never rewritten in place.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'cancelled'],
  running: ['succeeded', 'diverged', 'failed', 'cancelled', 'queued'],
  succeeded: ['queued'],
  diverged: ['queued'],
  failed: ['queued'],
  cancelled: ['queued'],
};

export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && (RUN_STATUSES as readonly string[]).includes(value);
}

export function canTransitionRun(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/**
 * The one gate for run status changes: returns `to`, or throws IllegalTransitionError (HTTP 409).
 * The store calls it before every UPDATE of runs.status, for single runs and for each source status of a bulk move.
 */
export function transitionRun(from: RunStatus, to: RunStatus, runId?: number): RunStatus {
  if (!canTransitionRun(from, to)) throw new IllegalTransitionError('run', from, to, runId);
  return to;
}

export const SWEEP_STATUSES = ['running', 'finished', 'cancelled'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

/** A sweep runs until its runs are done (finished) or a user stops it (cancelled); a re-run reopens it. */
export const SWEEP_TRANSITIONS: Readonly<Record<SweepStatus, readonly SweepStatus[]>> = {
  running: ['finished', 'cancelled'],
  finished: ['running'],
  cancelled: ['running'],
};

export function isSweepStatus(value: unknown): value is SweepStatus {
  return typeof value === 'string' && (SWEEP_STATUSES as readonly string[]).includes(value);
}

/** The gate for sweep status changes. Setting a sweep to the status it already has is a no-op, not an error. */
export function transitionSweep(from: SweepStatus, to: SweepStatus, sweepId?: number): SweepStatus {
  if (from !== to && !SWEEP_TRANSITIONS[from].includes(to)) {
    throw new IllegalTransitionError('sweep', from, to, sweepId);
  }
  return to;
}
