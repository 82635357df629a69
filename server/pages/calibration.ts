// How long a run takes on this machine, measured from the runs that finished, per backend: a fixed cost per run
// (data, probes, writes) plus its multiply-adds (estimateRunCost) over the thread's throughput, with the spread of
// measured/predicted as the error to expect. What the form's preview and a sweep's first ETA are estimated from.
import type { Store } from '../../db/store.js';
import { estimateRunCost } from '../sweep-spec.js';

/** Multiply-adds per millisecond of one thread, before any run was timed on this machine. */
export const DEFAULT_MACS_PER_MS = 2e5;
const CACHE_MS = 60_000;
/** Sweeps and runs per sweep the fit reads (most recent first): runs of several shapes pin down both terms. */
const SWEEPS_READ = 8;
const RUNS_PER_SWEEP = 25;

export interface Calibration {
  /** The backend whose runs were timed ('ts', 'native'), or null for the default before anything ran. */
  backend: string | null;
  /** Fixed milliseconds per run, whatever its size. */
  overheadMs: number;
  /** Multiply-adds per millisecond of one training thread. */
  macsPerMs: number;
  /** Runs the fit was made on (0: the defaults). */
  runs: number;
  /** Measured / predicted duration at the 10th and 90th percentile of those runs: the error to expect. */
  low: number;
  high: number;
}

interface Timed {
  cost: number;
  durationMs: number;
}

// One calibration per backend per process (the machine's speed, not a store's), re-read after a minute.
const cache = new Map<string, { value: Calibration; at: number }>();

function quantile(sorted: number[], q: number): number {
  const x = (sorted.length - 1) * q;
  const i = Math.floor(x);
  return sorted[i] + (sorted[Math.min(i + 1, sorted.length - 1)] - sorted[i]) * (x - i);
}

/**
 * Least squares of duration = overhead + cost / rate on relative errors (each run weighted by 1/duration², so a
 * sweep of small runs is predicted as well as one of large runs). Falls back to no overhead and the median rate
 * when the runs do not pin both terms down (all of one size, or a fit with a negative term).
 */
export function fitTimings(timed: readonly Timed[]): { overheadMs: number; macsPerMs: number } {
  let sw = 0;
  let meanCost = 0;
  let meanMs = 0;
  for (const t of timed) {
    const w = 1 / t.durationMs ** 2;
    sw += w;
    meanCost += w * t.cost;
    meanMs += w * t.durationMs;
  }
  meanCost /= sw;
  meanMs /= sw;
  let sxx = 0;
  let sxy = 0;
  for (const t of timed) {
    const w = 1 / t.durationMs ** 2;
    sxx += w * (t.cost - meanCost) ** 2;
    sxy += w * (t.cost - meanCost) * (t.durationMs - meanMs);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const overheadMs = meanMs - slope * meanCost;
  if (slope > 0 && overheadMs >= 0) return { overheadMs, macsPerMs: 1 / slope };
  const rates = timed.map((t) => t.cost / t.durationMs).sort((a, b) => a - b);
  return { overheadMs: 0, macsPerMs: quantile(rates, 0.5) };
}

/** The most recently finished runs' costs and durations, of `backend` (or of whichever backend ran last). */
function recentTimings(store: Store, backend: string | undefined): { backend: string | null; timed: Timed[] } {
  let chosen = backend ?? null;
  const timed: Timed[] = [];
  for (const sweep of store.listSweeps().slice(0, SWEEPS_READ)) {
    if (sweep.counts.succeeded === 0) continue;
    const { runs } = store.listRuns(sweep.id, { status: 'succeeded', sortBy: 'finishedAt', order: 'desc', limit: RUNS_PER_SWEEP });
    for (const run of runs) {
      if (run.durationMs === null || run.durationMs <= 0 || run.backend === null) continue;
      chosen ??= run.backend; // the newest sweep's backend: what the server trains with now
      if (run.backend !== chosen) continue;
      timed.push({ cost: estimateRunCost(run.config), durationMs: run.durationMs });
    }
  }
  return { backend: chosen, timed };
}

/** This machine's calibration for `backend` (default: the backend of the latest runs), cached for a minute. */
export function calibrate(store: Store, backend?: string): Calibration {
  const key = backend ?? '';
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_MS) return hit.value;
  const { backend: measured, timed } = recentTimings(store, backend);
  let value: Calibration;
  if (timed.length === 0) {
    value = { backend: null, overheadMs: 0, macsPerMs: DEFAULT_MACS_PER_MS, runs: 0, low: 0.25, high: 4 };
  } else {
    const fit = fitTimings(timed);
    const ratios = timed.map((t) => t.durationMs / (fit.overheadMs + t.cost / fit.macsPerMs)).sort((a, b) => a - b);
    // Scaled so that half the runs took longer than predicted and half less (the median ratio becomes 1).
    const median = quantile(ratios, 0.5);
    value = {
      backend: measured, overheadMs: fit.overheadMs * median, macsPerMs: fit.macsPerMs / median, runs: timed.length,
      low: quantile(ratios, 0.1) / median, high: quantile(ratios, 0.9) / median,
    };
  }
  cache.set(key, { value, at: now });
  return value;
}

/** Predicted milliseconds of one run of `cost` multiply-adds on one thread. */
export function predictRunMs(calibration: Calibration, cost: number): number {
  return calibration.overheadMs + cost / calibration.macsPerMs;
}

/** Forget the cached calibrations (tests). */
export function resetCalibration(): void {
  cache.clear();
}
