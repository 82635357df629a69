// A sweep's cells over two axes: init × activation straight from the store, any other pair by folding the runs.
// Cell summaries read every run of a sweep (5,000 rows: ~30 ms), while they only change when a run changes status:
// a run's results are written when it finishes, and re-running a run re-creates the same numbers (training is
// deterministic). So they are cached per sweep and axes, keyed by the sweep's status counts.
// A diverged run has no final result: buildCellSummaries counts it in the cell's status counts and verdicts but not
// in its means, which are over succeeded runs only (the pivot export folds the same way).
import { buildCellSummaries, type CellRunRow } from '../../db/cell-summaries.js';
import type { Store } from '../../db/store.js';
import type { CellSummary, Run, StatusCounts, Sweep } from '../../db/types.js';
import { axisLabelOf, type Axes } from './axes.js';

const CELL_CACHE_SIZE = 32;
const cellCache = new WeakMap<Store, Map<string, CellSummary[]>>();

function countsKey(counts: StatusCounts): string {
  return `${counts.queued},${counts.running},${counts.succeeded},${counts.diverged},${counts.failed},${counts.cancelled}`;
}

function isInitByActivation(axes: Axes): boolean {
  return axes.row === 'model.init' && axes.col === 'model.activation';
}

/** Cells over any two axes (cached by status counts; see above). */
export function loadCells(store: Store, sweep: Sweep, axes: Axes, counts: StatusCounts = store.sweepCounts(sweep.id)): CellSummary[] {
  let cache = cellCache.get(store);
  if (!cache) {
    cache = new Map();
    cellCache.set(store, cache);
  }
  const key = `${sweep.id}|${axes.row}|${axes.col}|${countsKey(counts)}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // most recently used goes last
    cache.set(key, hit);
    return hit;
  }
  for (const old of cache.keys()) {
    if (old.startsWith(`${sweep.id}|`)) cache.delete(old); // older counts of this sweep are stale
  }
  const cells = computeCells(store, sweep, axes);
  cache.set(key, cells);
  if (cache.size > CELL_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return cells;
}

function computeCells(store: Store, sweep: Sweep, axes: Axes): CellSummary[] {
  if (isInitByActivation(axes)) return buildCellSummaries(store.cellRunRows(sweep.id));
  const rows: CellRunRow[] = [];
  for (const run of store.iterateRuns(sweep.id)) {
    rows.push({
      initLabel: axisLabelOf(run, axes.row),
      activationLabel: axisLabelOf(run, axes.col),
      position: run.position,
      status: run.status,
      verdicts: run.verdicts === null ? null : JSON.stringify(run.verdicts),
      finalValAcc: run.finalValAcc,
      finalValLoss: run.finalValLoss,
      finalTrainAcc: run.finalTrainAcc,
      finalTrainLoss: run.finalTrainLoss,
      bestValAcc: run.bestValAcc,
      bestValLoss: run.bestValLoss,
    });
  }
  return buildCellSummaries(rows);
}

/** The runs of one cell, by seed. */
export function cellRuns(store: Store, sweep: Sweep, axes: Axes, row: string, col: string): Run[] {
  if (isInitByActivation(axes)) {
    return store.listRuns(sweep.id, { initLabel: row, activationLabel: col, sortBy: 'seed', limit: 10_000 }).runs;
  }
  const runs: Run[] = [];
  for (const run of store.iterateRuns(sweep.id)) {
    if (axisLabelOf(run, axes.row) === row && axisLabelOf(run, axes.col) === col) runs.push(run);
  }
  return runs.sort((a, b) => a.seed - b.seed || a.position - b.position);
}
