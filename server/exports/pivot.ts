// The pivot table of a sweep: initializers as rows, activations as columns, mean ± sd of one metric over the seeds
// (and any other varying settings) of each cell, with divergence and failure counts. Markdown, CSV or LaTeX.
// Means and n are over succeeded runs only: a diverged run has no final value (db/cell-summaries.ts), and the tables
// say so beside the counts.
// With a reference cell, every other cell is compared with it seed by seed (pivot-reference.ts).
import type { Store } from '../../db/store.js';
import type { CellMetric, CellSummary } from '../../db/types.js';
import { csvRecord, formatMetric, latexEscape, markdownCell, markdownRow, type Cell } from './escape.js';
import {
  REFERENCE_ALPHA, cellRefText, compareWithReference, type CellComparison, type CellRef, type ReferenceComparisons,
} from './pivot-reference.js';

export const PIVOT_METRICS = [
  'final_val_acc', 'final_val_loss', 'final_train_acc', 'final_train_loss', 'best_val_acc', 'best_val_loss',
] as const;
export type PivotMetric = (typeof PIVOT_METRICS)[number];
export type PivotFormat = 'md' | 'csv' | 'latex';

const METRIC_KEYS: Record<PivotMetric, CellMetric> = {
  final_val_acc: 'finalValAcc', final_val_loss: 'finalValLoss', final_train_acc: 'finalTrainAcc',
  final_train_loss: 'finalTrainLoss', best_val_acc: 'bestValAcc', best_val_loss: 'bestValLoss',
};

/** Which way is better, for win/loss counts: accuracy up, loss down. */
const METRIC_BETTER: Record<PivotMetric, 'higher' | 'lower'> = {
  final_val_acc: 'higher', final_val_loss: 'lower', final_train_acc: 'higher', final_train_loss: 'lower',
  best_val_acc: 'higher', best_val_loss: 'lower',
};

export function isPivotMetric(value: string): value is PivotMetric {
  return (PIVOT_METRICS as readonly string[]).includes(value);
}

export interface PivotTable {
  metric: PivotMetric;
  rows: string[];      // init labels, in the order the sweep first ran them
  columns: string[];   // activation labels, likewise
  cell(initLabel: string, activationLabel: string): CellSummary | undefined;
}

export function buildPivot(store: Store, sweepId: number, metric: PivotMetric): PivotTable {
  if (!isPivotMetric(metric)) throw new Error(`unknown pivot metric '${String(metric)}'`);
  const cells = store.cellSummaries(sweepId);   // ordered by first position
  const byKey = new Map(cells.map((c) => [`${c.initLabel}\u0000${c.activationLabel}`, c]));
  return {
    metric,
    rows: [...new Set(cells.map((c) => c.initLabel))],
    columns: [...new Set(cells.map((c) => c.activationLabel))],
    cell: (init, activation) => byKey.get(`${init}\u0000${activation}`),
  };
}

/**
 * Mean ± sd as reported in papers: the sd to two significant digits and the mean to the same decimal place
 * ("0.497 ± 0.045"); a zero or missing sd leaves the mean at 4 significant digits.
 */
export function formatMeanSd(mean: number, sd: number | null, pm: string): string {
  if (sd === null || sd === 0 || !Number.isFinite(sd) || !Number.isFinite(mean)) {
    return sd === null ? formatMetric(mean)! : `${formatMetric(mean)} ${pm} ${formatMetric(sd)}`;
  }
  const decimals = Math.min(8, Math.max(0, 1 - Math.floor(Math.log10(Math.abs(sd)))));
  return `${mean.toFixed(decimals)} ${pm} ${sd.toFixed(decimals)}`;
}

/** "0.912 ± 0.012 (n=5, 2 diverged, 1 failed)"; "—" when no run of the cell has a value (n counts succeeded runs). */
function cellText(cell: CellSummary, metric: CellMetric, pm: string): string {
  const stat = cell.metrics[metric];
  const value = stat.mean === null ? '—' : formatMeanSd(stat.mean, stat.sd, pm);
  const notes = [`n=${stat.n}`];
  if (cell.counts.diverged > 0) notes.push(`${cell.counts.diverged} diverged`);
  if (cell.counts.failed > 0) notes.push(`${cell.counts.failed} failed`);
  const unfinished = cell.counts.queued + cell.counts.running + cell.counts.cancelled;
  if (unfinished > 0) notes.push(`${unfinished} without result`);
  return `${value} (${notes.join(', ')})`;
}

/** Plain text as LaTeX: escaped, then the few non-ASCII signs the tables use as math or dashes. */
function latexText(text: string): string {
  return latexEscape(text).replaceAll('\u00b1', '$\\pm$').replaceAll('\u2014', '---').replaceAll('\u2020', '$^\\dagger$')
    .replaceAll('\u00d7', '$\\times$');
}

const CORNER = 'init / activation';

/** What a table says under it about diverged runs, when the sweep has any. */
export const DIVERGED_NOTE = 'Diverged runs have no final value: they are counted (n diverged) but left out of '
  + 'mean \u00b1 sd and n, which are over succeeded runs.';

function hasDiverged(pivot: PivotTable): boolean {
  return pivot.rows.some((row) => pivot.columns.some((col) => (pivot.cell(row, col)?.counts.diverged ?? 0) > 0));
}

/** The cells the sweep has, row by row. */
function pivotCells(pivot: PivotTable): CellRef[] {
  return pivot.rows.flatMap((init) => pivot.columns
    .filter((activation) => pivot.cell(init, activation) !== undefined).map((activation) => ({ init, activation })));
}

/** What follows a cell's text when there is a reference: the marker, or " (reference)" on the reference. */
function referenceMark(comparisons: ReferenceComparisons | undefined, init: string, activation: string): string {
  if (comparisons === undefined) return '';
  const { reference } = comparisons;
  if (reference.init === init && reference.activation === activation) return ' (reference)';
  return comparisons.cell(init, activation)?.significant === true ? ' \u2020' : '';
}

/**
 * The caption under a table with a reference, as plain text (the format escapes it): the test, the correction, the
 * pairing, and what happened to runs without a value.
 */
export function referenceCaption(comparisons: ReferenceComparisons, metric: PivotMetric): string[] {
  const { reference, pairingPaths, tested, compared } = comparisons;
  const untested = compared - tested;
  return [
    `\u2020 differs from the reference ${cellRefText(reference)}: paired t-test on the per-seed differences of ${metric}, `
      + `two-sided, Holm-adjusted p < ${REFERENCE_ALPHA} over the ${tested} cell${tested === 1 ? '' : 's'} tested.`,
    `Pairs are runs with the same seed${pairingPaths.length > 0 ? ` and the same ${pairingPaths.join(', ')}` : ''}, `
      + 'which saw the same data, split and batch order.',
    'Diverged, failed and unfinished runs have no final value: a pair with one is left out of the test '
      + `(${comparisons.droppedPairs} of ${comparisons.pairs} pairs), so read the divergence counts beside it; `
      + 'mean \u00b1 sd and n are over succeeded runs too.'
      + (untested > 0 ? ` ${untested} cell${untested === 1 ? ' has' : 's have'} no test (fewer than 2 pairs, or no `
        + 'difference in any pair).' : ''),
  ];
}

/** Numbers or null: a NaN (no test) becomes an empty cell. */
function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || Number.isNaN(value) ? null : value;
}

const REFERENCE_PARTS = [
  'diff', 'diff ci low', 'diff ci high', 'pairs', 'dropped pairs', 'wins', 'ties', 'losses', 'p t', 'p t holm',
  'p wilcoxon', 'wilcoxon method', 'seeds needed',
] as const;

function referenceCells(c: CellComparison | undefined): Cell[] {
  if (c === undefined) return REFERENCE_PARTS.map(() => null);
  const d = c.sample.differences;
  const meanDiff = d.length === 0 ? null : d.reduce((s, x) => s + x, 0) / d.length;
  return [
    meanDiff, finite(c.tTest?.ci[0]), finite(c.tTest?.ci[1]), c.sample.pairs.length, c.sample.droppedPairs, c.wins,
    c.ties, c.losses, finite(c.tTest?.pValue), c.holmP, finite(c.wilcoxon?.pValue), c.wilcoxon?.method ?? null,
    c.seedsNeeded,
  ];
}

export function* pivotChunks(
  store: Store, sweepId: number, metric: PivotMetric, format: PivotFormat, reference?: CellRef,
): Generator<string, void, undefined> {
  const pivot = buildPivot(store, sweepId, metric);
  const key = METRIC_KEYS[metric];
  const comparisons = reference === undefined ? undefined
    : compareWithReference(store, sweepId, key, METRIC_BETTER[metric], reference, pivotCells(pivot));
  switch (format) {
    case 'md':
      yield markdownRow([CORNER, ...pivot.columns]);
      yield `| --- |${pivot.columns.map(() => ' ---: |').join('')}\n`;
      for (const row of pivot.rows) {
        yield markdownRow([row, ...pivot.columns.map((col) => {
          const cell = pivot.cell(row, col);
          return cell === undefined ? '' : cellText(cell, key, '±') + referenceMark(comparisons, row, col);
        })]);
      }
      if (hasDiverged(pivot)) yield `\n${markdownCell(DIVERGED_NOTE)}\n`;
      if (comparisons !== undefined) yield `\n${referenceCaption(comparisons, metric).map(markdownCell).join(' ')}\n`;
      return;
    case 'csv': {
      // Machine-readable: five numeric columns per activation instead of one formatted string (and, with a
      // reference, the comparison's columns after them).
      const parts: readonly string[] = ['mean', 'sd', 'n', 'diverged', 'failed',
        ...(comparisons === undefined ? [] : REFERENCE_PARTS)];
      yield csvRecord(['init', ...pivot.columns.flatMap((col) => parts.map((p) => `${col} ${p}`))]);
      for (const row of pivot.rows) {
        yield csvRecord([row, ...pivot.columns.flatMap((col): Cell[] => {
          const cell = pivot.cell(row, col);
          if (cell === undefined) return parts.map(() => null);
          const stat = cell.metrics[key];
          const own: Cell[] = [stat.mean, stat.sd, stat.n, cell.counts.diverged, cell.counts.failed];
          return comparisons === undefined ? own : [...own, ...referenceCells(comparisons.cell(row, col))];
        })]);
      }
      return;
    }
    case 'latex': {
      const versus = comparisons === undefined ? ''
        : `; $^\\dagger$ Holm-adjusted paired t-test p < ${REFERENCE_ALPHA} against ${latexEscape(cellRefText(comparisons.reference))}`;
      yield `% initlab sweep ${sweepId}: ${metric}, mean $\\pm$ sd over seeds; n = succeeded runs with a value, `
        + `diverged runs counted but left out of the means${versus}\n`;
      yield `\\begin{tabular}{l|${'c'.repeat(pivot.columns.length)}}\n\\hline\n`;
      yield `${[CORNER, ...pivot.columns].map(latexEscape).join(' & ')} \\\\\n\\hline\n`;
      for (const row of pivot.rows) {
        const cells = pivot.columns.map((col) => {
          const cell = pivot.cell(row, col);
          return cell === undefined ? '' : latexText(cellText(cell, key, '\u00b1') + referenceMark(comparisons, row, col));
        });
        yield `${[latexEscape(row), ...cells].join(' & ')} \\\\\n`;
      }
      yield '\\hline\n\\end{tabular}\n';
      if (hasDiverged(pivot)) yield `\\par\\smallskip\n{\\footnotesize ${latexText(DIVERGED_NOTE)}\\par}\n`;
      if (comparisons !== undefined) {
        yield `\\par\\smallskip\n{\\footnotesize ${referenceCaption(comparisons, metric).map(latexText).join(' ')}\\par}\n`;
      }
      return;
    }
    default:
      throw new Error(`unknown pivot format: ${String(format satisfies never)}`);
  }
}
