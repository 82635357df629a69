// The run page's "hidden layers over training" card: per-layer mean activation and saturation over epochs
// (Glorot & Bengio 2010, Figure 2), only for activations that saturate.
import { describe, expect, it } from 'vitest';
import type { EpochMetricsRow, Run } from '../../db/types.js';
import { loadLayerTraining } from '../../server/pages/layer-training.js';
import { loadRunPage } from '../../server/pages/run-page.js';
import { RunPage } from '../../views/run-page.js';
import { createGridSweep, epochMetrics, layer, memoryStore, summary, writeEpochs } from '../db/fixtures.js';

/** Epochs whose top hidden layer's mean falls 0.5 → 0.5 − 0.05·epoch and saturates 0 → 0.1·epoch. */
function epochs(count: number, hidden: number): EpochMetricsRow[] {
  return Array.from({ length: count }, (_, e) => epochMetrics(e, {
    layers: Array.from({ length: hidden + 1 }, (_, l) => layer(l, l === hidden - 1
      ? { actMean: 0.5 - 0.05 * e, saturatedFrac: 0.1 * e }
      : { actMean: 0.5, saturatedFrac: 0 })),
  }, hidden + 1)) as unknown as EpochMetricsRow[];
}

const runOf = (activation: string, hidden: number) =>
  ({ activationLabel: activation, config: { model: { hidden: new Array(hidden).fill(8) } } }) as unknown as Run;

describe('hidden layers over training', () => {
  it('draws one line per hidden layer (not the output), the top one named, with its start and end in the summary', () => {
    const props = loadLayerTraining(runOf('sigmoid', 3), epochs(5, 3))!;
    expect(props.mean.x).toEqual([0, 1, 2, 3, 4]);
    expect(props.mean.series.map((s) => s.label)).toEqual(['layer 1', 'layer 2', 'layer 3 (top)']);
    expect(props.mean.series[2].values).toEqual([0.5, 0.45, 0.4, 0.35, 0.3].map((v) => expect.closeTo(v, 12)));
    expect(props.saturated.series[2].values.at(-1)).toBeCloseTo(0.4, 12);
    expect(props.summary).toBe('Top hidden layer: mean activation 0.500 at epoch 0, 0.300 at epoch 4; saturated 0% → 40%.');
  });

  it('keeps at most 8 evenly spaced layers of a deep net, the first and the top among them', () => {
    const props = loadLayerTraining(runOf('tanh', 30), epochs(2, 30))!;
    const labels = props.mean.series.map((s) => s.label);
    expect(labels).toHaveLength(8);
    expect(labels[0]).toBe('layer 1');
    expect(labels.at(-1)).toBe('layer 30 (top)');
    expect(props).toMatchObject({ shownLayers: 8, hiddenLayers: 30 });
  });

  it('is left out for activations that do not saturate, and for runs without epochs', () => {
    expect(loadLayerTraining(runOf('relu', 3), epochs(3, 3))).toBeNull();
    expect(loadLayerTraining(runOf('sigmoid', 3), [])).toBeNull();
  });

  it('appears on a tanh run\'s page', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { activations: ['tanh'] });
    store.startRun(runIds[0]);
    writeEpochs(store, runIds[0], [0, 1, 2].map((e) => epochMetrics(e)));
    store.finishRun(runIds[0], summary());
    const html = RunPage(loadRunPage(store, runIds[0]));
    expect(html).toContain('Hidden layers over training');
    expect(html).toContain('id="chart-layer-mean"');
  });
});
