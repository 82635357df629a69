// How the dashboard's charts draw each kind of series, in one place: training dashed and validation solid in two
// palette colours, one colour per run where runs are compared, and the heights of the smaller charts. The page
// loaders pick a style by meaning; the look lives here.
import type { ChartSeries } from './chart.js';
import { DASHES } from './color.js';

type SeriesStyle = Pick<ChartSeries, 'style' | 'dash' | 'width'>;

const DASHED = [6, 3];

/** A run's training curve (and a profile at epoch 0): palette colour 0, dashed. */
export const TRAIN_LINE: SeriesStyle = { style: 0, dash: DASHED };
/** A run's validation curve: palette colour 1 (blue, far from the training orange), solid. */
export const VALIDATION_LINE: SeriesStyle = { style: 1, dash: [] };
/** Two quantities (activation std, δ norm) at epoch 0 (dashed) and at the last epoch (solid). */
export const PROFILE_LINES = {
  activationAtInit: { style: 0, dash: DASHED },
  activationNow: { style: 0, dash: [] },
  deltaAtInit: { style: 1, dash: DASHED },
  deltaNow: { style: 1, dash: [] },
} satisfies Record<string, SeriesStyle>;

/** The i-th of several runs in one chart: its own colour and its own dash, so runs differ without colour too. */
export function runLine(index: number): SeriesStyle {
  return { style: index, dash: DASHES[index % DASHES.length] };
}

/** In a heatmap cell's loss chart: the i-th run's validation loss bold, its training loss thin. */
export function cellRunLines(index: number): { validation: SeriesStyle; training: SeriesStyle } {
  return { validation: { style: index, width: 2.25 }, training: { style: index, width: 1 } };
}

export const LAYER_CHART_HEIGHT = 200;
export const PROFILE_CHART_HEIGHT = 220;
