// The compare page: two to eight runs side by side: validation curves, per-layer maps and a config diff.
import type { Store } from '../../db/store.js';
import type { EpochMetricsRow, Sweep } from '../../db/types.js';
import { runLine } from '../../views/chart-styles.js';
import type { CompareRun, ComparePageProps, ConfigDiffRow } from '../../views/compare-page.js';
import { MAX_COMPARE_SELECTION } from '../../views/runs-table.js';
import { flattenConfig } from './config-rows.js';
import { epochAxis, valuesAt } from './epoch-series.js';
import { loadLayerPicture } from './layer-picture.js';

export const MAX_COMPARE_RUNS = MAX_COMPARE_SELECTION;

/** "1,2,3" or runs=1&runs=2: positive integer ids, de-duplicated, in the given order ([NaN] for anything else). */
export function parseRunIds(raw: unknown): number[] {
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(/[\s,]+/) : []));
  const ids: number[] = [];
  for (const part of parts) {
    if (part === '') continue;
    if (!/^\d+$/.test(part)) return [Number.NaN];
    const id = Number(part);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

export function loadCompare(store: Store, ids: number[]): ComparePageProps {
  const runs = ids.map((id) => store.getRun(id));
  const sweeps = new Map<number, Sweep>();
  const metrics = runs.map((r) => store.getRunMetrics(r.id));
  const maxEpoch = Math.max(-1, ...metrics.map((m) => (m.length ? m[m.length - 1].epoch : -1)));
  const x = epochAxis(maxEpoch);
  const xMax = Math.max(...runs.map((r) => r.config.train.epochs));
  const series = (pick: (m: EpochMetricsRow) => number) =>
    runs.map((run, i) => ({
      label: `#${run.id} ${run.initLabel} × ${run.activationLabel}, seed ${run.seed}`,
      values: valuesAt(metrics[i].map((m) => m.epoch), metrics[i].map(pick), x),
      ...runLine(i),
    }));
  const compareRuns: CompareRun[] = runs.map((run, i) => {
    let sweep = sweeps.get(run.sweepId);
    if (!sweep) {
      sweep = store.getSweep(run.sweepId);
      sweeps.set(sweep.id, sweep);
    }
    const picture = loadLayerPicture(run, metrics[i]);
    return {
      id: run.id,
      label: `${run.initLabel} × ${run.activationLabel}, seed ${run.seed}`,
      sweepId: sweep.id,
      sweepName: sweep.name,
      status: run.status,
      finalValAcc: run.finalValAcc,
      finalValLoss: run.finalValLoss,
      verdicts: run.verdicts,
      actStd: picture.actStd,
      deltaNorm: picture.deltaNorm,
      rows: picture.rows,
    };
  });
  const flat = runs.map((r) => new Map(flattenConfig(r.config).map((e) => [e.path, e.value])));
  const paths = [...new Set(flat.flatMap((m) => [...m.keys()]))];
  const config: ConfigDiffRow[] = paths.map((path) => {
    const values = flat.map((m) => m.get(path) ?? '—');
    return { path, values, differs: values.some((v) => v !== values[0]) };
  });
  return {
    // While a run can still change the page re-fetches itself (see ComparePage); the URL keeps the given order.
    live: runs.some((run) => run.status === 'queued' || run.status === 'running'),
    url: `/compare?runs=${ids.join(',')}`,
    runs: compareRuns,
    loss: { x, xLabel: 'epoch', xMax, yLabel: 'validation loss', yLog: true, series: series((m) => m.valLoss) },
    acc: { x, xLabel: 'epoch', xMax, yLabel: 'validation accuracy', yRange: [0, 1], series: series((m) => m.valAcc) },
    config,
  };
}
