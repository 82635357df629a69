// A uPlot chart described as JSON in a data attribute (attributes are escaped, so the JSON is safe) and drawn by
// /assets/app.js. Series use the Okabe–Ito palette plus dash patterns, so lines differ without colour too.
import { DASHES, OKABE_ITO } from './color.js';

export interface ChartSeries {
  label: string;
  /** One value per x; null (or a non-finite number) leaves a gap. */
  values: Array<number | null>;
  /** Index into the palette and dash list (defaults to the series' position). */
  style?: number;
  /** Overrides the dash pattern (e.g. train dashed, validation solid). */
  dash?: number[];
  width?: number;
}

export interface ChartSpec {
  x: number[];
  xLabel: string;
  /** The last x the chart should show even before data reaches it (a run's configured epochs), so a run that
   * diverged at epoch 1 still reads against its whole length. */
  xMax?: number;
  yLabel: string;
  yLog?: boolean;
  /** Fixed y range, e.g. [0, 1] for accuracy. */
  yRange?: [number, number];
  series: ChartSeries[];
  /** Which live feed appends to this chart on the run page ("loss" or "acc"). */
  live?: 'loss' | 'acc';
  height?: number;
}

interface ClientSeries {
  label: string;
  /** The light-theme colour; the client draws with `--series-<palette>` (light-dark) and falls back to this. */
  color: string;
  palette: number;
  dash: number[];
  width: number;
}

/** Non-finite numbers become null (JSON has no NaN); log charts also drop values ≤ 0. */
function clean(values: Array<number | null>, log: boolean): Array<number | null> {
  return values.map((v) => (v === null || !Number.isFinite(v) || (log && v <= 0) ? null : v));
}

export function seriesStyle(index: number): { color: string; palette: number; dash: number[] } {
  const palette = index % OKABE_ITO.length;
  return { color: OKABE_ITO[palette], palette, dash: DASHES[Math.floor(index / OKABE_ITO.length) % DASHES.length] };
}

/** The JSON the client reads: { xLabel, xMax, yLabel, yLog, yRange, live, height, series: [{label,color,palette,dash,width}], data: [x, ...ys] }. */
export function chartJson(spec: ChartSpec): string {
  const log = spec.yLog === true;
  const series: ClientSeries[] = spec.series.map((s, i) => {
    const style = seriesStyle(s.style ?? i);
    return { label: s.label, color: style.color, palette: style.palette, dash: s.dash ?? style.dash, width: s.width ?? 1.75 };
  });
  return JSON.stringify({
    xLabel: spec.xLabel,
    xMax: spec.xMax ?? null,
    yLabel: spec.yLabel,
    yLog: log,
    yRange: spec.yRange ?? null,
    live: spec.live ?? null,
    height: spec.height ?? 240,
    series,
    data: [spec.x, ...spec.series.map((s) => clean(s.values, log))],
  });
}

/** A key under the chart, drawn as SVG line samples (so the legend shows the dash too) with the label. */
function Key({ spec }: { spec: ChartSpec }): string {
  return (
    <div class="chart-legend" aria-hidden="true">
      {spec.series.map((s, i) => {
        const style = seriesStyle(s.style ?? i);
        const dash = (s.dash ?? style.dash).join(' ');
        return (
          <span>
            <svg width="28" height="8" viewBox="0 0 28 8">
              <line x1="1" y1="4" x2="27" y2="4" stroke={style.color} style={`stroke:var(--series-${style.palette})`} stroke-width="2.5" stroke-dasharray={dash || undefined} />
            </svg>{' '}
            <span safe>{s.label}</span>
          </span>
        );
      })}
    </div>
  ) as string;
}

export function Chart({ id, title, spec, summary }: { id: string; title: string; spec: ChartSpec; summary: string }): string {
  return (
    <figure class="chart-figure" style="margin:0">
      <figcaption class="chart-title" safe>
        {title}
      </figcaption>
      <div id={id} class="chart" role="img" aria-label={`${title}. ${summary}`} data-chart={chartJson(spec)}>
        <noscript>Charts need JavaScript.</noscript>
      </div>
      <Key spec={spec} />
    </figure>
  ) as string;
}

/** Every k-th point (and always the last) so a series has at most `max` points: charts stay light. */
export function downsampleIndices(length: number, max = 500): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i);
  const step = Math.ceil(length / (max - 1));
  const out: number[] = [];
  for (let i = 0; i < length - 1; i += step) out.push(i);
  out.push(length - 1);
  return out;
}
