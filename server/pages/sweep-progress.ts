// A sweep's progress bar: status counts and time left.
import type { RunSpan } from '../../db/run-reads.js';
import type { Store } from '../../db/store.js';
import type { Sweep } from '../../db/types.js';
import type { SweepProgressProps } from '../../views/sweep-page.js';
import { estimateEtaMs } from './eta.js';

/**
 * Wall time during which at least one of the sweep's runs trained: the union of their spans (sorted by start), so
 * idle time (a finished sweep re-run minutes later, a queue waiting behind other sweeps) is left out.
 */
export function busyTimeMs(spans: readonly RunSpan[], now: number): number {
  let total = 0;
  let start = 0;
  let end = -Infinity;
  for (const span of spans) {
    const finish = Math.max(span.startedAt, span.finishedAt ?? now);
    if (span.startedAt > end) {
      if (end > -Infinity) total += end - start;
      start = span.startedAt;
      end = finish;
    } else {
      end = Math.max(end, finish);
    }
  }
  if (end > -Infinity) total += end - start;
  return total;
}

export function loadProgress(store: Store, sweep: Sweep, threads: number): SweepProgressProps {
  const counts = store.sweepCounts(sweep.id);
  const active = counts.queued + counts.running > 0;
  return {
    busyMs: active ? null : busyTimeMs(store.runSpans(sweep.id), sweep.finishedAt ?? Date.now()),
    sweepId: sweep.id,
    status: sweep.status,
    counts,
    etaMs: estimateEtaMs(store, sweep, counts, threads),
    createdAt: sweep.createdAt,
    finishedAt: sweep.finishedAt,
  };
}
