// Several runs' per-epoch values on one shared x axis, for charts that overlay runs of different lengths.
import { downsampleIndices } from '../../views/chart.js';

/** An x axis 0..maxEpoch, downsampled to at most 500 points. */
export function epochAxis(maxEpoch: number): number[] {
  return downsampleIndices(Math.max(0, maxEpoch + 1));
}

/** A run's values at the axis' epochs (null where the run has none). */
export function valuesAt(epochs: number[], values: number[], x: number[]): Array<number | null> {
  const byEpoch = new Map<number, number>();
  epochs.forEach((e, i) => byEpoch.set(e, values[i]));
  return x.map((e) => byEpoch.get(e) ?? null);
}
