// Per-(initializer, activation) aggregation of a sweep's runs for the heatmap and the pivot tables.
// Runs stream through `addRun` in seed order; mean and sd are computed at the end from the kept values.
// Only succeeded runs have results: a diverged run's stored accuracy is the untrained network's (or NaN), so it counts
// in the cell's status counts and verdicts but never in its values, means or n.
import { RUN_STATUSES, type RunStatus } from './run-status.js';
import { CELL_METRICS, type CellMetric, type CellSummary, type MetricStat, type StatusCounts } from './types.js';

export function emptyCounts(): StatusCounts {
  const counts = { total: 0 } as StatusCounts;
  for (const status of RUN_STATUSES) counts[status] = 0;
  return counts;
}

/** Mean and sample standard deviation (n − 1 denominator; two-pass, so close values keep their precision). */
export function summarizeValues(values: number[]): MetricStat {
  const n = values.length;
  if (n === 0) return { n, mean: null, sd: null, values };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { n, mean, sd: null, values };
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  return { n, mean, sd: Math.sqrt(squares / (n - 1)), values };
}

export interface CellRunRow {
  initLabel: string;
  activationLabel: string;
  position: number;
  status: RunStatus;
  verdicts: string | null;
  finalValAcc: number | null;
  finalValLoss: number | null;
  finalTrainAcc: number | null;
  finalTrainLoss: number | null;
  bestValAcc: number | null;
  bestValLoss: number | null;
}

interface CellAccumulator {
  initLabel: string;
  activationLabel: string;
  firstPosition: number;
  counts: StatusCounts;
  values: Record<CellMetric, number[]>;
  verdicts: Record<string, number>;
}

/** Folds runs (any order within a cell; values keep arrival order) into cells ordered by first position. */
export function buildCellSummaries(rows: Iterable<CellRunRow>): CellSummary[] {
  const cells = new Map<string, CellAccumulator>();
  for (const row of rows) {
    const key = JSON.stringify([row.initLabel, row.activationLabel]);
    let cell = cells.get(key);
    if (cell === undefined) {
      const values = {} as Record<CellMetric, number[]>;
      for (const metric of CELL_METRICS) values[metric] = [];
      cell = { initLabel: row.initLabel, activationLabel: row.activationLabel, firstPosition: row.position,
        counts: emptyCounts(), values, verdicts: {} };
      cells.set(key, cell);
    }
    cell.firstPosition = Math.min(cell.firstPosition, row.position);
    cell.counts[row.status] += 1;
    cell.counts.total += 1;
    if (row.status !== 'succeeded' && row.status !== 'diverged') continue;
    if (row.status === 'succeeded') {
      for (const metric of CELL_METRICS) {
        const value = row[metric];
        if (value !== null) cell.values[metric].push(value);
      }
    }
    if (row.verdicts !== null) {
      for (const verdict of JSON.parse(row.verdicts) as Array<{ kind: string }>) {
        cell.verdicts[verdict.kind] = (cell.verdicts[verdict.kind] ?? 0) + 1;
      }
    }
  }
  return [...cells.values()]
    .sort((a, b) => a.firstPosition - b.firstPosition)
    .map((cell) => {
      const metrics = {} as Record<CellMetric, MetricStat>;
      for (const metric of CELL_METRICS) metrics[metric] = summarizeValues(cell.values[metric]);
      return { initLabel: cell.initLabel, activationLabel: cell.activationLabel, firstPosition: cell.firstPosition,
        counts: cell.counts, metrics, verdicts: cell.verdicts };
    });
}
