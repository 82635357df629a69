// The columns of a runs export: one row per run, the sweep's varying config paths as their own columns.
// Text formats (CSV, Markdown) get display values; JSON gets the raw config values.
import type { Run, Sweep } from '../../db/types.js';
import { configValue } from '../config-paths.js';
import { activationLabel, initLabel } from '../../workers/core/labels.js';
import type { ActivationSpec, InitSpec } from '../../workers/core/types.js';
import type { Cell } from './escape.js';

export interface RunColumn {
  name: string;
  /** 'metric' columns are rounded in human-facing tables; 'number' and 'text' never are. */
  kind: 'text' | 'number' | 'metric' | 'config';
  /** A cell for CSV and Markdown. */
  cell(run: Run): Cell;
  /** A JSON value for the JSON export (defaults to `cell`). */
  json?(run: Run): unknown;
}

const METRIC_COLUMNS: Array<[string, keyof Run]> = [
  ['final_train_loss', 'finalTrainLoss'], ['final_train_acc', 'finalTrainAcc'],
  ['final_val_loss', 'finalValLoss'], ['final_val_acc', 'finalValAcc'],
  ['best_train_loss', 'bestTrainLoss'], ['best_train_acc', 'bestTrainAcc'],
  ['best_val_loss', 'bestValLoss'], ['best_val_acc', 'bestValAcc'],
];

/** A config value as one cell: numbers stay numbers, initializers and activations as labels, else compact JSON. */
export function configCell(path: string, value: unknown): Cell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (path === 'model.init' || path === 'model.biasInit') return initLabel(value as InitSpec);
  if (path === 'model.activation') return activationLabel(value as ActivationSpec);
  return JSON.stringify(value);
}

export function runColumns(sweep: Sweep): RunColumn[] {
  const varying = sweep.varying.filter((path) => path !== 'seed');   // the seed has its own column
  return [
    { name: 'sweep_id', kind: 'number', cell: () => sweep.id },
    { name: 'sweep', kind: 'text', cell: () => sweep.name },
    { name: 'run_id', kind: 'number', cell: (run) => run.id },
    ...varying.map((path): RunColumn => ({
      name: path,
      kind: 'config',
      cell: (run) => configCell(path, configValue(run.config, path)),
      json: (run) => configValue(run.config, path) ?? null,
    })),
    { name: 'seed', kind: 'number', cell: (run) => run.seed },
    { name: 'status', kind: 'text', cell: (run) => run.status },
    {
      name: 'verdicts',
      kind: 'text',
      cell: (run) => run.verdicts?.map((v) => v.kind).join(';') ?? null,
      json: (run) => run.verdicts?.map((v) => v.kind) ?? null,
    },
    // A diverged run has no result: its stored values are the untrained network's (or NaN), so they stay empty.
    ...METRIC_COLUMNS.map(([name, key]): RunColumn => ({
      name, kind: 'metric', cell: (run) => (run.status === 'diverged' ? null : run[key] as number | null),
    })),
    { name: 'epochs_completed', kind: 'number', cell: (run) => run.epochsCompleted },
    { name: 'duration_ms', kind: 'number', cell: (run) => run.durationMs },
    // The engine that computed the run ('ts' · 'js', 'native' · 'avx2', ...); empty until the run finishes.
    { name: 'backend', kind: 'text', cell: (run) => run.backend },
    { name: 'cpu_path', kind: 'text', cell: (run) => run.cpuPath },
  ];
}
