// The pivot table of a sweep: initializers as rows, activations as columns, mean ± sd of one metric over the seeds
// (and any other varying settings) of each cell, with divergence and failure counts. Markdown, CSV or LaTeX.
import type { Store } from '../../db/store.js';
import type { CellMetric, CellSummary } from '../../db/types.js';
import { csvRecord, formatMetric, latexEscape, markdownRow, type Cell } from './escape.js';

export const PIVOT_METRICS = [
  'final_val_acc', 'final_val_loss', 'final_train_acc', 'final_train_loss', 'best_val_acc', 'best_val_loss',
] as const;
export type PivotMetric = (typeof PIVOT_METRICS)[number];
export type PivotFormat = 'md' | 'csv' | 'latex';

const METRIC_KEYS: Record<PivotMetric, CellMetric> = {
  final_val_acc: 'finalValAcc', final_val_loss: 'finalValLoss', final_train_acc: 'finalTrainAcc',
  final_train_loss: 'finalTrainLoss', best_val_acc: 'bestValAcc', best_val_loss: 'bestValLoss',
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

/** "0.912 ± 0.012 (n=5, 2 diverged, 1 failed)"; "—" when no run of the cell has a value. */
function cellText(cell: CellSummary | undefined, metric: CellMetric, pm: string): string {
  if (cell === undefined) return '';
  const stat = cell.metrics[metric];
  const value = stat.mean === null ? '—' : formatMeanSd(stat.mean, stat.sd, pm);
  const notes = [`n=${stat.n}`];
  if (cell.counts.diverged > 0) notes.push(`${cell.counts.diverged} diverged`);
  if (cell.counts.failed > 0) notes.push(`${cell.counts.failed} failed`);
  const unfinished = cell.counts.queued + cell.counts.running + cell.counts.cancelled;
  if (unfinished > 0) notes.push(`${unfinished} without result`);
  return `${value} (${notes.join(', ')})`;
}

const CORNER = 'init / activation';

export function* pivotChunks(
  store: Store, sweepId: number, metric: PivotMetric, format: PivotFormat,
): Generator<string, void, undefined> {
  const pivot = buildPivot(store, sweepId, metric);
  const key = METRIC_KEYS[metric];
  switch (format) {
    case 'md':
      yield markdownRow([CORNER, ...pivot.columns]);
      yield `| --- |${pivot.columns.map(() => ' ---: |').join('')}\n`;
      for (const row of pivot.rows) {
        yield markdownRow([row, ...pivot.columns.map((col) => cellText(pivot.cell(row, col), key, '±'))]);
      }
      return;
    case 'csv': {
      // Machine-readable: five numeric columns per activation instead of one formatted string.
      const parts = ['mean', 'sd', 'n', 'diverged', 'failed'] as const;
      yield csvRecord(['init', ...pivot.columns.flatMap((col) => parts.map((p) => `${col} ${p}`))]);
      for (const row of pivot.rows) {
        yield csvRecord([row, ...pivot.columns.flatMap((col): Cell[] => {
          const cell = pivot.cell(row, col);
          if (cell === undefined) return parts.map(() => null);
          const stat = cell.metrics[key];
          return [stat.mean, stat.sd, stat.n, cell.counts.diverged, cell.counts.failed];
        })]);
      }
      return;
    }
    case 'latex': {
      yield `% initlab sweep ${sweepId}: ${metric}, mean $\\pm$ sd over seeds; n = runs with a value\n`;
      yield `\\begin{tabular}{l|${'c'.repeat(pivot.columns.length)}}\n\\hline\n`;
      yield `${[CORNER, ...pivot.columns].map(latexEscape).join(' & ')} \\\\\n\\hline\n`;
      for (const row of pivot.rows) {
        const cells = pivot.columns.map((col) => latexEscape(cellText(pivot.cell(row, col), key, '\u00b1'))
          .replace('\u00b1', '$\\pm$').replace('\u2014', '---'));
        yield `${[latexEscape(row), ...cells].join(' & ')} \\\\\n`;
      }
      yield '\\hline\n\\end{tabular}\n';
      return;
    }
    default:
      throw new Error(`unknown pivot format: ${String(format satisfies never)}`);
  }
}
