// Formatting, colour scales and chart data helpers of the views.
import { describe, expect, it } from 'vitest';
import { chartJson, downsampleIndices } from '../../views/chart.js';
import { logPosition, OKABE_ITO, ratioPosition, rampColour } from '../../views/color.js';
import { formatDuration, formatMetric, formatPercent } from '../../views/format.js';
import { DEFAULT_SWEEP_QUERY, sweepUrl } from '../../views/query.js';

describe('formatting', () => {
  it('prints metrics with 3 significant digits, scientific at the extremes, and spells out NaN and infinity', () => {
    expect(formatMetric(0.693147)).toBe('0.693');
    expect(formatMetric(12345)).toBe('1.23e4');
    expect(formatMetric(0.00001234)).toBe('1.23e−5');
    expect(formatMetric(Number.NaN)).toBe('NaN');
    expect(formatMetric(Infinity)).toBe('∞');
    expect(formatMetric(null)).toBe('—');
    expect(formatPercent(0.9346)).toBe('93.5%');
  });

  it('prints durations in the largest sensible unit', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(2 * 3600_000 + 7 * 60_000)).toBe('2 h 07 min');
  });
});

describe('colour scales', () => {
  it('runs viridis from purple (0) to yellow (1) with readable text on each end', () => {
    expect(rampColour('viridis', 0)).toEqual({ background: '#440154', text: '#ffffff' });
    expect(rampColour('viridis', 1)).toEqual({ background: '#fde725', text: '#111111' });
  });

  it('places values on log and ratio scales', () => {
    expect(logPosition(1, 0.01, 100)).toBeCloseTo(0.5);
    expect(Number.isNaN(logPosition(0, 0.01, 100))).toBe(true);
    expect(ratioPosition(1, 10)).toBeCloseTo(0.5);
    expect(ratioPosition(10, 10)).toBeCloseTo(1);
    expect(ratioPosition(0.1, 10)).toBeCloseTo(0);
  });
});

describe('chart data', () => {
  it('keeps at most 500 points per series, always including the last', () => {
    const picked = downsampleIndices(10_000);
    expect(picked.length).toBeLessThanOrEqual(500);
    expect(picked[0]).toBe(0);
    expect(picked[picked.length - 1]).toBe(9_999);
    expect(downsampleIndices(40)).toHaveLength(40);
  });

  it('writes JSON without NaN (null gaps) and drops non-positive values on log charts', () => {
    const json = JSON.parse(chartJson({
      x: [0, 1, 2], xLabel: 'epoch', yLabel: 'loss', yLog: true,
      series: [{ label: 'a', values: [1, Number.NaN, 0] }, { label: 'b', values: [2, 3, Infinity] }],
    }));
    expect(json.data).toEqual([[0, 1, 2], [1, null, null], [2, 3, null]]);
    expect(json.series[0].color).toBe(OKABE_ITO[0]);
    expect(json.series[1].color).toBe(OKABE_ITO[1]);
  });
});

describe('sweep page URLs', () => {
  it('keeps only non-default state in the query string', () => {
    expect(sweepUrl(4, DEFAULT_SWEEP_QUERY)).toBe('/sweeps/4');
    expect(sweepUrl(4, DEFAULT_SWEEP_QUERY, { metric: 'loss', status: 'failed', page: 2 })).toBe('/sweeps/4?metric=loss&status=failed&page=2');
    expect(sweepUrl(4, { ...DEFAULT_SWEEP_QUERY, row: 'normal(std=0.01)', col: 'tanh' })).toBe('/sweeps/4?row=normal%28std%3D0.01%29&col=tanh');
  });
});
