// A sweep's time left: the mean duration of its latest finished runs (or, before any finished, the next run's cost
// at the calibrated speed) times the runs left, a running run counting half, spread over the threads.
import type { Store } from '../../db/store.js';
import type { StatusCounts, Sweep } from '../../db/types.js';
import { estimateRunCost } from '../sweep-spec.js';
import { calibrate, predictRunMs } from './calibration.js';

/** Finished runs the mean duration is taken over. */
const TIMED_RUNS = 30;

export function isSweepActive(counts: Pick<StatusCounts, 'queued' | 'running'>): boolean {
  return counts.queued + counts.running > 0;
}

/** Milliseconds left, or null when nothing is queued or running. */
export function estimateEtaMs(store: Store, sweep: Sweep, counts: StatusCounts, threads: number): number | null {
  if (!isSweepActive(counts)) return null;
  // Every progress render asks (each tick of a live sweep): durations only, not 30 decoded runs and a count.
  const timed = store.recentRunDurations(sweep.id, TIMED_RUNS).filter((ms): ms is number => ms !== null && ms > 0);
  let perRunMs: number;
  if (timed.length > 0) {
    perRunMs = timed.reduce((sum, ms) => sum + ms, 0) / timed.length;
  } else {
    const next = store.listRuns(sweep.id, { status: ['queued', 'running'], limit: 1 }).runs[0];
    perRunMs = next ? predictRunMs(calibrate(store), estimateRunCost(next.config)) : 0;
  }
  return ((counts.queued + counts.running * 0.5) * perRunMs) / Math.max(1, threads);
}
