// The new-sweep form's logic: typed strings ↔ sweep spec, spec issues → the form field they belong to, presets →
// form values (when the form can show them), and the run count / duration preview. No HTML and no express.
import type { Store } from '../../db/store.js';
import { ACTIVATIONS, DATASETS, INITS, NORMALIZATIONS, OPTIMIZERS } from '../../workers/core/types.js';
import { ConfigError, parseRunConfig, type FieldIssue } from '../../workers/run-config.js';
import { listPresets } from '../presets.js';
import { countRuns, DEFAULT_MAX_RUNS, estimateRunCost, expandSweep, parseSweepSpec, type SweepSpec } from '../sweep-spec.js';
import { INIT_PARAMS, type FormOptions, type PreviewProps, type SweepFormValues } from '../../views/new-sweep.js';
import { macsPerMs } from './page-data.js';

export function formOptions(): FormOptions {
  return {
    datasets: DATASETS,
    normalizations: NORMALIZATIONS,
    optimizers: OPTIMIZERS,
    inits: INITS,
    activations: ACTIVATIONS,
    presets: listPresets(),
  };
}

export function defaultFormValues(): SweepFormValues {
  return {
    preset: '',
    name: 'my sweep',
    dataset: 'spirals',
    samples: '1000',
    noise: '0.1',
    classes: '2',
    normalize: 'standard',
    width: '32',
    depth: '3',
    epochs: '20',
    batchSize: '32',
    optimizer: 'sgd',
    lr: '0.05',
    clip: 'none',
    clipMax: '1',
    inits: ['xavier_uniform', 'he_normal'],
    initParams: {},
    activations: ['tanh', 'relu'],
    seeds: '1, 2, 3',
  };
}

function str(value: unknown): string {
  if (Array.isArray(value)) value = value[value.length - 1];
  return typeof value === 'string' ? value : '';
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/** The form's fields from a urlencoded body (unknown fields ignored; missing checkboxes mean unticked). */
export function readFormValues(body: Record<string, unknown>): SweepFormValues {
  const initParams: Record<string, string> = {};
  for (const name of Object.keys(INIT_PARAMS)) initParams[name] = str(body[`param_${name}`]);
  return {
    preset: str(body.preset),
    name: str(body.name),
    dataset: str(body.dataset),
    samples: str(body.samples),
    noise: str(body.noise),
    classes: str(body.classes),
    normalize: str(body.normalize),
    width: str(body.width),
    depth: str(body.depth),
    epochs: str(body.epochs),
    batchSize: str(body.batchSize),
    optimizer: str(body.optimizer),
    lr: str(body.lr),
    clip: str(body.clip) || 'none',
    clipMax: str(body.clipMax),
    inits: list(body.inits),
    initParams,
    activations: list(body.activations),
    seeds: str(body.seeds),
  };
}

/** "1, 2, 3", "1-5", "1 2 3" → [1, 2, 3]; throws a message for anything else. */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a) throw new Error(`the range ${part} runs backwards`);
      if (b - a >= 1000) throw new Error(`the range ${part} has more than 1,000 seeds`);
      for (let s = a; s <= b; s++) if (!seeds.includes(s)) seeds.push(s);
    } else if (/^\d+$/.test(part)) {
      const s = Number(part);
      if (!seeds.includes(s)) seeds.push(s);
    } else {
      throw new Error(`"${part}" is not a seed: use whole numbers like 1, 2, 3 or a range like 1-5`);
    }
  }
  if (seeds.length === 0) throw new Error('enter at least one seed, e.g. 1, 2, 3');
  return seeds;
}

export interface FormParse {
  /** The spec input built from the fields (still unvalidated by parseSweepSpec). */
  spec: Record<string, unknown>;
  /** Field → message for values that are not even numbers. */
  errors: Record<string, string>;
}

/** Builds a sweep spec from the typed values; fields that do not parse get a message and are left out. */
export function formToSpec(values: SweepFormValues): FormParse {
  const errors: Record<string, string> = {};
  const number = (field: keyof SweepFormValues, options: { int?: boolean; required?: boolean } = {}): number | undefined => {
    const text = String(values[field]).trim();
    if (text === '') {
      if (options.required) errors[field] = 'enter a value';
      return undefined;
    }
    const value = Number(text);
    if (!Number.isFinite(value)) {
      errors[field] = `"${text}" is not a number`;
      return undefined;
    }
    if (options.int && !Number.isInteger(value)) {
      errors[field] = 'enter a whole number';
      return undefined;
    }
    return value;
  };

  const name = values.name.trim();
  if (name === '') errors.name = 'give the sweep a name';

  const dataset: Record<string, unknown> = { name: values.dataset || 'spirals', normalize: values.normalize || 'standard' };
  const samples = number('samples', { int: true });
  if (samples !== undefined) dataset.samples = samples;
  const noise = number('noise');
  if (noise !== undefined) dataset.noise = noise;
  const classes = number('classes', { int: true });
  if (classes !== undefined) dataset.classes = classes;

  const width = number('width', { int: true, required: true });
  const depth = number('depth', { int: true, required: true });
  const model: Record<string, unknown> = {};
  if (depth !== undefined && (depth < 0 || depth > 200)) errors.depth = 'choose from 0 to 200 hidden layers';
  else if (width !== undefined && depth !== undefined) model.hidden = Array.from({ length: depth }, () => width);

  const train: Record<string, unknown> = { optimizer: values.optimizer || 'sgd' };
  const epochs = number('epochs', { int: true, required: true });
  if (epochs !== undefined) train.epochs = epochs;
  const batchSize = number('batchSize', { int: true, required: true });
  if (batchSize !== undefined) train.batchSize = batchSize;
  const lr = number('lr', { required: true });
  if (lr !== undefined) train.lr = lr;
  const clipMode = values.clip === 'norm' || values.clip === 'value' ? values.clip : 'none';
  if (clipMode === 'none') {
    train.clip = { mode: 'none' };
  } else {
    const max = number('clipMax', { required: true });
    if (max !== undefined) train.clip = { mode: clipMode, max };
  }

  const inits: unknown[] = [];
  for (const init of values.inits) {
    const param = INIT_PARAMS[init];
    const text = (values.initParams[init] ?? '').trim();
    if (!param || text === '') {
      inits.push(init);
      continue;
    }
    for (const token of text.split(/[\s,]+/).filter(Boolean)) {
      if (token === 'default') {
        inits.push(init);
        continue;
      }
      const value = Number(token);
      if (!Number.isFinite(value)) {
        errors[`param_${init}`] = `"${token}" is not a number (use numbers or "default", comma separated)`;
        continue;
      }
      inits.push({ name: init, [param.param]: value });
    }
  }
  if (values.inits.length === 0) errors.inits = 'tick at least one initializer';
  if (values.activations.length === 0) errors.activations = 'tick at least one activation';

  let seeds: number[] = [];
  try {
    seeds = parseSeeds(values.seeds);
  } catch (error) {
    errors.seeds = (error as Error).message;
  }

  const grid: Record<string, unknown[]> = {};
  if (inits.length > 0) grid['model.init'] = inits;
  if (values.activations.length > 0) grid['model.activation'] = values.activations;
  if (seeds.length > 0) grid.seed = seeds;
  return { spec: { name: name || 'untitled sweep', base: { dataset, model, train }, grid }, errors };
}

const FIELD_OF_PATH: Array<[RegExp, string]> = [
  [/^name$/, 'name'],
  [/^base\.dataset\.name/, 'dataset'],
  [/^base\.dataset\.samples/, 'samples'],
  [/^base\.dataset\.noise/, 'noise'],
  [/^base\.dataset\.classes/, 'classes'],
  [/^base\.dataset\.normalize/, 'normalize'],
  [/^base\.model\.hidden\[/, 'width'],
  [/^base\.model\.hidden/, 'depth'],
  [/^base\.train\.epochs/, 'epochs'],
  [/^base\.train\.batchSize/, 'batchSize'],
  [/^base\.train\.optimizer/, 'optimizer'],
  [/^base\.train\.lr/, 'lr'],
  [/^base\.train\.clip\.max/, 'clipMax'],
  [/^base\.train\.clip/, 'clip'],
  [/^grid\.model\.activation/, 'activations'],
  [/^grid\.seed/, 'seeds'],
];

/** Puts each spec issue beside its field; issues no field owns (e.g. too many runs) go to the general list. */
export function issuesToFields(issues: FieldIssue[], spec: Record<string, unknown>): { errors: Record<string, string>; general: string[] } {
  const errors: Record<string, string> = {};
  const general: string[] = [];
  const inits = ((spec.grid as Record<string, unknown[]> | undefined)?.['model.init'] ?? []) as unknown[];
  for (const issue of issues) {
    let field = FIELD_OF_PATH.find(([re]) => re.test(issue.path))?.[1];
    const initMatch = /^grid\.model\.init\[(\d+)\]/.exec(issue.path);
    if (initMatch) {
      const value = inits[Number(initMatch[1])];
      const name = typeof value === 'object' && value !== null ? (value as { name?: string }).name : undefined;
      field = name && INIT_PARAMS[name] ? `param_${name}` : 'inits';
    }
    if (field && !errors[field]) errors[field] = issue.message;
    else general.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return { errors, general };
}

function resolvedBase(spec: SweepSpec) {
  return parseRunConfig(structuredClone(spec.base));
}

function fmt(value: number): string {
  return String(value);
}

/**
 * The form values that build exactly the runs of `spec` (same resolved configs), or null when the form cannot
 * express it (random search, other grid axes, a pinned backend, settings the form does not show); such specs
 * open as JSON.
 */
export function specToFormValues(spec: SweepSpec, preset = ''): SweepFormValues | null {
  if (spec.random) return null;
  if (spec.backend !== undefined || spec.cpuPath !== undefined) return null;   // the form has no backend fields
  if (Object.keys(spec.grid).some((k) => k !== 'model.init' && k !== 'model.activation' && k !== 'seed')) return null;
  let base;
  try {
    base = resolvedBase(spec);
  } catch {
    return null;
  }
  const hidden = base.model.hidden;
  const inits = spec.grid['model.init'] ?? [base.model.init];
  const values: SweepFormValues = {
    ...defaultFormValues(),
    preset,
    name: spec.name,
    dataset: base.dataset.name,
    samples: fmt(base.dataset.samples),
    noise: fmt(base.dataset.noise),
    classes: fmt(base.dataset.classes),
    normalize: base.dataset.normalize,
    width: fmt(hidden[0] ?? 32),
    depth: fmt(hidden.length),
    epochs: fmt(base.train.epochs),
    batchSize: fmt(base.train.batchSize),
    optimizer: base.train.optimizer,
    lr: fmt(base.train.lr),
    clip: base.train.clip.mode,
    clipMax: base.train.clip.mode === 'none' ? '1' : fmt(base.train.clip.max),
    inits: [],
    initParams: {},
    activations: (spec.grid['model.activation'] ?? [base.model.activation]).map((a) =>
      typeof a === 'string' ? a : String((a as { name?: unknown }).name)),
    seeds: (spec.grid.seed ?? [base.seed]).map(String).join(', '),
  };
  const params: Record<string, string[]> = {};
  for (const init of inits) {
    const name = typeof init === 'string' ? init : (init as { name?: unknown }).name;
    if (typeof name !== 'string') return null;
    if (!values.inits.includes(name)) values.inits.push(name);
    if (typeof init === 'string') {
      (params[name] ??= []).push('default');
    } else {
      const param = INIT_PARAMS[name];
      const value = param ? (init as Record<string, unknown>)[param.param] : undefined;
      if (typeof value !== 'number') return null;
      (params[name] ??= []).push(fmt(value));
    }
  }
  for (const [name, tokens] of Object.entries(params)) {
    if (INIT_PARAMS[name] && !(tokens.length === 1 && tokens[0] === 'default')) values.initParams[name] = tokens.join(', ');
  }
  // Keep the form's order of initializers (the grid order sets the heatmap's row order; the runs are the same).
  values.inits.sort((a, b) => INITS.indexOf(a as never) - INITS.indexOf(b as never));
  return sameRuns(spec, values) ? values : null;
}

/** Whether the form values expand to exactly the spec's runs (as a set of config hashes). */
function sameRuns(spec: SweepSpec, values: SweepFormValues): boolean {
  const { spec: built, errors } = formToSpec(values);
  if (Object.keys(errors).length > 0) return false;
  try {
    const a = expandSweep(spec).runs.map((r) => r.hash).sort();
    const b = expandSweep(parseSweepSpec(built)).runs.map((r) => r.hash).sort();
    return a.length === b.length && a.every((h, i) => h === b[i]);
  } catch {
    return false;
  }
}

/** How many runs a spec makes and roughly how long they take on `threads` threads. */
export function previewSpec(specInput: unknown, store: Store, threads: number): PreviewProps {
  let spec: SweepSpec;
  try {
    spec = parseSweepSpec(specInput);
  } catch (error) {
    if (error instanceof ConfigError) {
      const first = error.issues[0];
      const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
      return { runs: null, durationMs: null, threads, error: `${first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid spec'}${more}` };
    }
    throw error;
  }
  const count = countRuns(spec);
  if (count > DEFAULT_MAX_RUNS) {
    return { runs: count, durationMs: null, threads, error: `${count.toLocaleString('en-US')} runs: over the limit of ${DEFAULT_MAX_RUNS.toLocaleString('en-US')} per sweep` };
  }
  const rate = macsPerMs(store) * Math.max(1, threads);
  try {
    if (count <= 2000) {
      const plan = expandSweep(spec);
      const cost = plan.runs.reduce((sum, r) => sum + estimateRunCost(r.config), 0);
      return { runs: plan.runs.length, durationMs: cost / rate, threads, duplicates: plan.duplicates };
    }
    return { runs: count, durationMs: (count * estimateRunCost(resolvedBase(spec))) / rate, threads };
  } catch (error) {
    if (error instanceof ConfigError) {
      const first = error.issues[0];
      return { runs: null, durationMs: null, threads, error: first ? `${first.path}: ${first.message}` : 'invalid spec' };
    }
    throw error;
  }
}
