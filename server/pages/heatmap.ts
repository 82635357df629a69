// A sweep's heatmap: its cells on the chosen axes, rows and columns in the spec's order.
import type { Store } from '../../db/store.js';
import type { CellSummary, StatusCounts, Sweep } from '../../db/types.js';
import { axisName } from '../../views/axis-names.js';
import type { HeatCell, HeatmapProps } from '../../views/heatmap.js';
import type { SweepQuery } from '../../views/query.js';
import { chooseAxes } from './axes.js';
import { loadCells } from './cells.js';

function toHeatCell(cell: CellSummary): HeatCell {
  return {
    row: cell.initLabel,
    col: cell.activationLabel,
    counts: cell.counts,
    acc: cell.metrics.finalValAcc,
    loss: cell.metrics.finalValLoss,
    verdicts: cell.verdicts,
  };
}

/** Labels in order of first appearance (the spec's order); all-numeric labels sort numerically instead. */
function axisOrder(labels: string[]): string[] {
  const unique = [...new Set(labels)];
  if (unique.every((l) => l !== '' && Number.isFinite(Number(l)))) unique.sort((a, b) => Number(a) - Number(b));
  return unique;
}

export function loadHeatmap(store: Store, sweep: Sweep, query: SweepQuery, live: boolean, counts?: StatusCounts): HeatmapProps {
  const axes = chooseAxes(sweep.varying);
  const cells = loadCells(store, sweep, axes, counts);
  return {
    sweepId: sweep.id,
    query,
    rowAxis: axisName(axes.row),
    colAxis: axisName(axes.col),
    rows: axisOrder(cells.map((c) => c.initLabel)),
    cols: axisOrder(cells.map((c) => c.activationLabel)),
    cells: cells.map(toHeatCell),
    pooled: axes.pooled.map(axisName),
    live,
  };
}
