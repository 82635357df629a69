// How fast one training thread runs on this machine, in estimateRunCost units (multiply-adds) per millisecond,
// measured from the runs that finished: what the form's preview and a sweep's first ETA are estimated from.
import type { Store } from '../../db/store.js';
import { estimateRunCost } from '../sweep-spec.js';

/** Multiply-adds per millisecond of one thread, before any run was timed on this machine. */
export const DEFAULT_MACS_PER_MS = 2e5;
const CACHE_MS = 60_000;

// One number per process (the machine's speed, not a store's), so one cache for all stores.
let calibration: { macsPerMs: number; at: number } | null = null;

/**
 * The median over the most recent finished runs of the last few sweeps (runs of different shapes reach different
 * rates, so one sweep alone misleads), cached for a minute; DEFAULT_MACS_PER_MS when nothing has run yet.
 */
export function macsPerMs(store: Store): number {
  const now = Date.now();
  if (calibration && now - calibration.at < CACHE_MS) return calibration.macsPerMs;
  const rates: number[] = [];
  for (const sweep of store.listSweeps().slice(0, 8)) {
    if (sweep.counts.succeeded === 0) continue;
    const { runs } = store.listRuns(sweep.id, { status: 'succeeded', sortBy: 'finishedAt', order: 'desc', limit: 10 });
    for (const run of runs) {
      if (run.durationMs === null || run.durationMs <= 0) continue;
      rates.push(estimateRunCost(run.config) / run.durationMs);
    }
  }
  rates.sort((a, b) => a - b);
  const value = rates.length > 0 ? rates[Math.floor(rates.length / 2)] : DEFAULT_MACS_PER_MS;
  calibration = { macsPerMs: value, at: now };
  return value;
}

/** Forget the cached calibration (tests). */
export function resetCalibration(): void {
  calibration = null;
}
