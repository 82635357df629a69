// Number, time and label formatting shared by the views. Pure functions over plain values; no project imports.

const EN = 'en-US';

/** A metric value: 3 significant digits, scientific outside [1e-3, 1e4); "—" for null, "NaN"/"∞" spelled out. */
export function formatMetric(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e4 || abs < 1e-3) return value.toExponential(digits - 1).replace('e+', 'e').replace('-', '−');
  return trimZeros(value.toPrecision(digits)).replace('-', '−');
}

function trimZeros(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

/** An accuracy in [0, 1] as a percentage with one decimal: 0.9346 → "93.5%". */
export function formatPercent(value: number | null | undefined, decimals = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return `${(value * 100).toFixed(decimals)}%`;
}

/** A fixed-point number: 0.93456 → "0.935". */
export function formatFixed(value: number | null | undefined, decimals = 3): string {
  if (value === null || value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return value.toFixed(decimals).replace('-', '−');
}

export function formatCount(n: number): string {
  return n.toLocaleString(EN);
}

/** "1 run", "3 runs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A duration: "850 ms", "12 s", "3 min 05 s", "2 h 07 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A timestamp in UTC, sortable and unambiguous: "2025-03-01 14:05:09". */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The ISO form for <time datetime="...">. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A JSON value on one line, for config cells: strings unquoted. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '—';
  return JSON.stringify(value);
}
