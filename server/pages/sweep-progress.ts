// A sweep's progress bar: status counts and time left.
import type { Store } from '../../db/store.js';
import type { Sweep } from '../../db/types.js';
import type { SweepProgressProps } from '../../views/sweep-page.js';
import { estimateEtaMs } from './eta.js';

export function loadProgress(store: Store, sweep: Sweep, threads: number): SweepProgressProps {
  const counts = store.sweepCounts(sweep.id);
  return {
    sweepId: sweep.id,
    status: sweep.status,
    counts,
    etaMs: estimateEtaMs(store, sweep, counts, threads),
    createdAt: sweep.createdAt,
    finishedAt: sweep.finishedAt,
  };
}
