// A heatmap cell opened: its runs by seed, their loss curves, and their activation std per layer at the end.
import type { Store } from '../../db/store.js';
import type { Sweep } from '../../db/types.js';
import { axisName } from '../../views/axis-names.js';
import type { CellDetailProps, CellRun } from '../../views/cell-detail.js';
import type { ChartSpec } from '../../views/chart.js';
import { cellRunLines, LAYER_CHART_HEIGHT, runLine } from '../../views/chart-styles.js';
import { chooseAxes, describeSettings } from './axes.js';
import { cellRuns } from './cells.js';
import { epochAxis, valuesAt } from './epoch-series.js';

/** Runs drawn in a cell's charts. */
const CELL_CHART_RUNS = 8;

export function loadCellDetail(store: Store, sweep: Sweep, row: string, col: string): CellDetailProps | null {
  const axes = chooseAxes(sweep.varying);
  const runs = cellRuns(store, sweep, axes, row, col);
  if (runs.length === 0) return null;
  const charted = runs.slice(0, CELL_CHART_RUNS);
  const curves = store.getRunCurves(charted.map((r) => r.id));
  const maxEpoch = Math.max(-1, ...curves.map((c) => (c.epoch.length ? c.epoch[c.epoch.length - 1] : -1)));
  let loss: ChartSpec | null = null;
  if (maxEpoch >= 0) {
    const x = epochAxis(maxEpoch);
    loss = {
      x,
      xLabel: 'epoch',
      xMax: Math.max(...charted.map((r) => r.config.train.epochs)),
      yLabel: 'loss',
      yLog: true,
      series: curves.flatMap((c, i) => {
        const run = charted.find((r) => r.id === c.runId)!;
        const lines = cellRunLines(i);
        return [
          { label: `#${run.id} seed ${run.seed} validation`, values: valuesAt(c.epoch, c.valLoss, x), ...lines.validation },
          { label: `#${run.id} seed ${run.seed} training`, values: valuesAt(c.epoch, c.trainLoss, x), ...lines.training },
        ];
      }),
    };
  }
  let layers: ChartSpec | null = null;
  let layersNote: string | undefined;
  const lastLayers = charted.map((run) => {
    const metrics = store.getRunMetrics(run.id);
    return { run, layers: metrics.length ? metrics[metrics.length - 1].layers : [] };
  });
  const depth = Math.max(0, ...lastLayers.map((l) => l.layers.length));
  if (depth > 0) {
    layers = {
      x: Array.from({ length: depth }, (_, i) => i),
      xLabel: 'layer',
      yLabel: 'activation std',
      yLog: true,
      series: lastLayers.map(({ run, layers: ls }, i) => ({
        label: `#${run.id} seed ${run.seed}`,
        values: Array.from({ length: depth }, (_, l) => ls[l]?.actStd ?? null),
        ...runLine(i),
      })),
      height: LAYER_CHART_HEIGHT,
    };
    if (!layers.series.some((s) => s.values.some((v) => v !== null && v > 0 && Number.isFinite(v)))) {
      layers = null;
      layersNote = 'Activation std is 0 (or not finite) in every layer at the last epoch: no signal reaches the output.';
    }
  }
  return {
    sweepId: sweep.id,
    rowAxis: axisName(axes.row),
    colAxis: axisName(axes.col),
    row,
    col,
    total: runs.length,
    runs: runs.map((run): CellRun => ({
      id: run.id,
      seed: run.seed,
      status: run.status,
      finalValAcc: run.finalValAcc,
      finalValLoss: run.finalValLoss,
      verdicts: run.verdicts,
      extra: describeSettings(run, axes.pooled),
    })),
    loss,
    layers,
    layersNote,
    url: `/sweeps/${sweep.id}/cell?${new URLSearchParams({ row, col }).toString()}`,
  };
}
