// A sweep's axes: which varying settings become the heatmap's rows and columns, and a run's value of a setting as
// the label that names its row, column or table cell (labels are also what groups runs into cells).
import type { Run } from '../../db/types.js';
import { configValue, isPlainObject } from '../config-paths.js';
import { shortAxisName } from '../../views/axis-names.js';

/** A number as a label: integers whole, others to 3 significant digits. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

export function hiddenLabel(hidden: number[]): string {
  if (hidden.length === 0) return 'none (linear model)';
  return hidden.every((w) => w === hidden[0]) ? `${hidden.length} × ${hidden[0]}` : hidden.join('-');
}

/** A config value as an axis label: 0.05, "norm ≤ 1", "64×3", "normal(std=0.01)". */
export function formatAxisValue(path: string, value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  if (path === 'train.clip' && isPlainObject(value)) {
    return value.mode === 'none' ? 'none' : `${String(value.mode)} ≤ ${String(value.max ?? 1)}`;
  }
  if (path === 'model.hidden' && Array.isArray(value)) return hiddenLabel(value as number[]);
  if (isPlainObject(value) && typeof value.name === 'string') {
    const params = Object.entries(value)
      .filter(([k]) => k !== 'name')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : String(v)}`);
    return params.length === 0 ? value.name : `${value.name}(${params.join(',')})`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface Axes {
  row: string;
  col: string;
  /** Varying settings (other than seed) pooled inside each cell. */
  pooled: string[];
}

/** Rows: initializers if they vary, else the first varying setting; columns: activations, else the next one. */
export function chooseAxes(varying: string[]): Axes {
  const v = varying.filter((p) => p !== 'seed');
  const row = v.includes('model.init') ? 'model.init' : v.find((p) => p !== 'model.activation') ?? 'model.init';
  const col = v.includes('model.activation') ? 'model.activation' : v.find((p) => p !== row) ?? 'model.activation';
  return { row, col, pooled: v.filter((p) => p !== row && p !== col) };
}

export type LabelledRun = Pick<Run, 'config' | 'initLabel' | 'activationLabel'>;

/** A run's label on an axis (the stored labels for init and activation). */
export function axisLabelOf(run: LabelledRun, path: string): string {
  if (path === 'model.init') return run.initLabel;
  if (path === 'model.activation') return run.activationLabel;
  return formatAxisValue(path, configValue(run.config, path));
}

/** "lr 0.05 · clip norm ≤ 1": a run's values of the given settings, for table cells. */
export function describeSettings(run: LabelledRun, paths: string[]): string {
  return paths.map((p) => `${shortAxisName(p)} ${axisLabelOf(run, p)}`).join(' · ');
}
