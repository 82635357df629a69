// A run's page: head, loss and accuracy charts, per-layer picture, config, and (for a replay) the comparison.
import type { Store } from '../../db/store.js';
import type { EpochMetricsRow } from '../../db/types.js';
import { downsampleIndices, type ChartSpec } from '../../views/chart.js';
import { TRAIN_LINE, VALIDATION_LINE } from '../../views/chart-styles.js';
import type { RunPageProps } from '../../views/run-page.js';
import { flattenConfig } from './config-rows.js';
import { loadLayerTraining } from './layer-training.js';
import { loadLayerPicture } from './layer-picture.js';
import { loadReplayCheck } from './replay-check.js';
import { liveRunHead } from './run-head.js';

/** The run's loss and accuracy charts (train dashed, validation solid), downsampled to ≤ 500 points. */
export function runCharts(metrics: EpochMetricsRow[], epochs?: number): { loss: ChartSpec; acc: ChartSpec } {
  const picked = downsampleIndices(metrics.length).map((i) => metrics[i]);
  const x = picked.map((m) => m.epoch);
  const pick = (f: (m: EpochMetricsRow) => number) => picked.map(f);
  return {
    loss: {
      x, xLabel: 'epoch', xMax: epochs, yLabel: 'loss', yLog: true, live: 'loss',
      series: [
        { label: 'training loss', values: pick((m) => m.trainLoss), ...TRAIN_LINE },
        { label: 'validation loss', values: pick((m) => m.valLoss), ...VALIDATION_LINE },
      ],
    },
    acc: {
      x, xLabel: 'epoch', xMax: epochs, yLabel: 'accuracy', yRange: [0, 1], live: 'acc',
      series: [
        { label: 'training accuracy', values: pick((m) => m.trainAcc), ...TRAIN_LINE },
        { label: 'validation accuracy', values: pick((m) => m.valAcc), ...VALIDATION_LINE },
      ],
    },
  };
}

export function loadRunPage(store: Store, runId: number): RunPageProps {
  const run = store.getRun(runId);
  const sweep = store.getSweep(run.sweepId);
  const metrics = store.getRunMetrics(runId);
  const { loss, acc } = runCharts(metrics, run.config.train.epochs);
  return {
    run: {
      ...liveRunHead(run, metrics),
      sweepId: sweep.id,
      sweepName: sweep.name,
      initLabel: run.initLabel,
      activationLabel: run.activationLabel,
      seed: run.seed,
    },
    loss,
    acc,
    layers: loadLayerPicture(run, metrics),
    layerTraining: loadLayerTraining(run, metrics),
    config: flattenConfig(run.config),
    configJson: JSON.stringify(run.config, null, 2),
    replay: loadReplayCheck(store, run, sweep, metrics),
    live: run.status === 'queued' || run.status === 'running',
    lastEpoch: metrics.length ? metrics[metrics.length - 1].epoch : -1,
  };
}
