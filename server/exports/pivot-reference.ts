// Every cell of a pivot against one reference cell, seed by seed: the paired difference of the metric with its
// t interval, the paired t-test Holm-adjusted over the grid, the Wilcoxon signed-rank test, win/tie/loss, seeds needed.
import type { Store } from '../../db/store.js';
import type { CellMetric } from '../../db/types.js';
import { holmAdjust } from '../analysis/adjust.js';
import { comparePaired, type Observation, type PairedComparison } from '../analysis/paired.js';
import { configValue } from '../config-paths.js';
import { ExportFormatError } from './errors.js';

/** One cell of the pivot: an initializer label and an activation label. */
export interface CellRef {
  init: string;
  activation: string;
}

/** Significance level of the marker, after Holm's adjustment. */
export const REFERENCE_ALPHA = 0.05;

/** "he_normal × relu" (or "he_normal x relu", easier to type) → { init, activation }; syntax only. */
export function parseCellRef(text: string): CellRef {
  const parts = text.includes('×') ? text.split('×') : text.split(/\s+x\s+/);
  const [init, activation] = parts.map((p) => p.trim());
  if (parts.length !== 2 || init === '' || activation === '') {
    throw new ExportFormatError(`must name one cell as "<init label> × <activation label>" (or with " x "), got '${text}'`,
      'reference');
  }
  return { init, activation };
}

export function cellRefText(ref: CellRef): string {
  return `${ref.init} × ${ref.activation}`;
}

function cellKey(init: string, activation: string): string {
  return `${init}\u0000${activation}`;
}

/** Throws ExportFormatError ('reference') unless `ref` is one of `cells`, listing the cells there are. */
export function checkCellRef(ref: CellRef, cells: readonly CellRef[]): void {
  if (cells.some((c) => c.init === ref.init && c.activation === ref.activation)) return;
  const names = cells.slice(0, 12).map(cellRefText).join('; ');
  throw new ExportFormatError(`names no cell of this sweep: '${cellRefText(ref)}'; its cells are ${names || 'none'}`
    + (cells.length > 12 ? `; and ${cells.length - 12} more` : ''), 'reference');
}

export interface CellComparison extends PairedComparison {
  /** The paired t-test's p-value after Holm's adjustment over all tested cells; null when the cell has no test. */
  holmP: number | null;
  significant: boolean;
}

export interface ReferenceComparisons {
  reference: CellRef;
  /** Config paths that pair runs, besides the seed: the sweep's other varying settings (e.g. `train.lr`). */
  pairingPaths: string[];
  /** Cells compared with the reference, and how many of them had a t-test (the size of Holm's family). */
  compared: number;
  tested: number;
  /** Over all comparisons: seed pairs present in both cells, and those left out for want of a value. */
  pairs: number;
  droppedPairs: number;
  /** undefined for the reference itself and for cells the sweep does not have. */
  cell(init: string, activation: string): CellComparison | undefined;
}

/** True when `path` is the initializer or activation (or a parameter of one): what makes the cell, not the pair. */
function isCellPath(path: string): boolean {
  return ['model.init', 'model.activation'].some((p) => path === p || path.startsWith(`${p}.`));
}

/**
 * Compares every cell of the sweep with `reference`. Runs pair when they share the seed and every other varying
 * setting; only succeeded runs have a value. Reads the runs a page at a time through the store.
 */
export function compareWithReference(
  store: Store, sweepId: number, metric: CellMetric, better: 'higher' | 'lower', reference: CellRef,
  cells: readonly CellRef[],
): ReferenceComparisons {
  checkCellRef(reference, cells);
  const sweep = store.getSweep(sweepId);
  const pairingPaths = sweep.varying.filter((path) => path !== 'seed' && !isCellPath(path));
  const observations = new Map<string, Observation[]>();
  for (const run of store.iterateRuns(sweepId)) {
    const key = [`seed ${run.seed}`, ...pairingPaths.map((p) => `${p} ${JSON.stringify(configValue(run.config, p) ?? null)}`)]
      .join(', ');
    const k = cellKey(run.initLabel, run.activationLabel);
    let list = observations.get(k);
    if (list === undefined) observations.set(k, list = []);
    list.push({ key, status: run.status, value: run[metric] });
  }
  const referenceRuns = observations.get(cellKey(reference.init, reference.activation)) ?? [];
  const others = cells.filter((c) => c.init !== reference.init || c.activation !== reference.activation);
  const results = others.map((c) =>
    comparePaired(observations.get(cellKey(c.init, c.activation)) ?? [], referenceRuns,
      { better, names: [cellRefText(c), cellRefText(reference)] }));
  const holm = holmAdjust(results.map((r) => r.tTest?.pValue ?? null));
  const byCell = new Map<string, CellComparison>();
  others.forEach((c, i) => {
    const holmP = holm[i];
    byCell.set(cellKey(c.init, c.activation), { ...results[i], holmP, significant: holmP !== null && holmP < REFERENCE_ALPHA });
  });
  return {
    reference,
    pairingPaths,
    compared: results.length,
    tested: holm.filter((p) => p !== null).length,
    pairs: results.reduce((s, r) => s + r.sample.pairs.length + r.sample.droppedPairs, 0),
    droppedPairs: results.reduce((s, r) => s + r.sample.droppedPairs, 0),
    cell: (init, activation) => byCell.get(cellKey(init, activation)),
  };
}
