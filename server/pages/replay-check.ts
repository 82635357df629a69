// Whether a replay reproduced its original bit for bit. A sweep is a replay only when scheduler.replay made it
// (Sweep.replayOf, stored); its name is never read.
import { NotFoundError } from '../../db/errors.js';
import type { Store } from '../../db/store.js';
import type { EpochMetricsRow, Run, Sweep } from '../../db/types.js';
import type { ReplayCheck } from '../../views/run-page.js';

function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** Compares two runs' stored metrics exactly, field by field and layer by layer. */
export function compareMetrics(a: EpochMetricsRow[], b: EpochMetricsRow[]): { identical: boolean; detail: string } {
  if (a.length !== b.length) {
    return { identical: false, detail: `the runs have ${a.length} and ${b.length} epochs` };
  }
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    for (const key of ['trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'gradNorm'] as const) {
      if (!sameNumber(x[key], y[key])) {
        return { identical: false, detail: `differs first at epoch ${x.epoch}: ${key} ${x[key]} vs ${y[key]}` };
      }
    }
    for (let l = 0; l < Math.max(x.layers.length, y.layers.length); l++) {
      const p = x.layers[l];
      const q = y.layers[l];
      if (!p || !q) return { identical: false, detail: `epoch ${x.epoch} has a different number of layers` };
      for (const key of Object.keys(p) as Array<keyof typeof p>) {
        if (!sameNumber(p[key], q[key])) {
          return { identical: false, detail: `differs first at epoch ${x.epoch}, layer ${l}: ${key} ${p[key]} vs ${q[key]}` };
        }
      }
    }
  }
  return { identical: true, detail: `all ${a.length} epochs match the original bit for bit (losses, accuracies and every per-layer statistic).` };
}

/** The comparison a replay's run page shows, or null when the run's sweep is not a replay. */
export function loadReplayCheck(store: Store, run: Run, sweep: Sweep, metrics: EpochMetricsRow[]): ReplayCheck | null {
  const originalId = sweep.replayOf;
  if (originalId === null) return null;
  let original: Run;
  try {
    original = store.getRun(originalId);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return { originalId, identical: null, detail: 'the original run no longer exists.' };
  }
  if (run.status === 'queued' || run.status === 'running') {
    return { originalId, identical: null, detail: 'the comparison with the original appears when this run finishes.' };
  }
  if (original.status !== 'succeeded' && original.status !== 'diverged') {
    return { originalId, identical: null, detail: `the original ${original.status}; nothing to compare.` };
  }
  return { originalId, ...compareMetrics(store.getRunMetrics(originalId), metrics) };
}
