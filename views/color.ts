// Colour scales for heatmaps and charts: viridis and cividis (sequential, perceptually uniform, colour-blind
// safe), a blue–red diverging ramp centred on 1×, and the Okabe–Ito categorical palette. Pure functions.

type Rgb = [number, number, number];

function hex(h: string): Rgb {
  return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
}

// Stops sampled evenly from matplotlib's maps (0 → 1).
const VIRIDIS = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151',
  '#bddf26', '#fde725'].map(hex);
const CIVIDIS = ['#00224e', '#083370', '#35456c', '#4f576c', '#666970', '#7d7c78', '#948f78', '#aea371', '#c8b866',
  '#e5cf52', '#fee838'].map(hex);
// RdBu reversed: low (shrinking) blue, 1× near white, high (growing) red.
const DIVERGING = ['#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d',
  '#b2182b'].map(hex);

/** Okabe & Ito (2008): eight colours distinguishable under the common colour-vision deficiencies. Ordered so that
 * the two blues (#0072B2, #56B4E9) are never neighbours and the faint yellow comes last; charts draw with the
 * `--series-<i>` CSS variables (app.css), which hold these in light mode and lighter twins in dark mode. */
export const OKABE_ITO = ['#E69F00', '#0072B2', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#000000', '#F0E442'];
/** Dash patterns (uPlot/canvas setLineDash) cycled with the palette, so lines differ without colour too. */
export const DASHES: number[][] = [[], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [10, 4]];

export type RampName = 'viridis' | 'cividis' | 'diverging';

const RAMPS: Record<RampName, Rgb[]> = { viridis: VIRIDIS, cividis: CIVIDIS, diverging: DIVERGING };

function clamp01(t: number): number {
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

function sample(stops: Rgb[], t: number): Rgb {
  const x = clamp01(t) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

/** Relative luminance (WCAG), to pick readable text on a cell. */
function luminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export interface CellColour {
  background: string;
  /** Dark or light text, whichever contrasts more with the background. */
  text: string;
}

/** The ramp's colour at t ∈ [0, 1], with a readable text colour. */
export function rampColour(ramp: RampName, t: number): CellColour {
  const rgb = sample(RAMPS[ramp], t);
  return { background: toHex(rgb), text: luminance(rgb) > 0.22 ? '#111111' : '#ffffff' };
}

/** A CSS linear-gradient of the ramp, left (t = 0) to right (t = 1), for legends. */
export function rampGradient(ramp: RampName, reversed = false): string {
  const stops = RAMPS[ramp];
  const list = (reversed ? [...stops].reverse() : stops).map((rgb, i) => `${toHex(rgb)} ${Math.round((i / (stops.length - 1)) * 100)}%`);
  return `linear-gradient(to right, ${list.join(', ')})`;
}

/** Position of a value on a log10 scale between lo and hi (both > 0); NaN for values that have no place. */
export function logPosition(value: number, lo: number, hi: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return Number.NaN;
  if (hi <= lo) return 0.5;
  return clamp01((Math.log10(value) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
}

/** Position on a linear scale between lo and hi. */
export function linearPosition(value: number, lo: number, hi: number): number {
  if (!Number.isFinite(value)) return Number.NaN;
  if (hi <= lo) return 0.5;
  return clamp01((value - lo) / (hi - lo));
}

/** Position of a ratio on a log scale symmetric around 1×: 1/span → 0, 1 → 0.5, span → 1. */
export function ratioPosition(ratio: number, span: number): number {
  if (!(ratio > 0) || !Number.isFinite(ratio)) return Number.NaN;
  return clamp01(0.5 + Math.log(ratio) / (2 * Math.log(span)));
}

/** Smallest and largest positive finite values, for a log scale's range (null when there are none). */
export function positiveRange(values: Iterable<number>): { lo: number; hi: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? null : { lo, hi };
}
