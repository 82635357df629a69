// The new-sweep form's fields: their defaults and options, read from a request body, and turned into a sweep
// spec (fields that are not even numbers get a message). Spec issues → fields is form-issues.ts; a spec → fields,
// spec-to-form.ts; the run count and duration, spec-preview.ts. No HTML and no express.
import { formInitParameter } from '../../workers/core/init-params.js';
import { ACTIVATIONS, DATASETS, INITS, NORMALIZATIONS, OPTIMIZERS } from '../../workers/core/types.js';
import { listPresets } from '../presets.js';
import type { FormOptions, SweepFormValues } from '../../views/new-sweep.js';

/** A seeds field that does not parse; the message says why. */
export class SeedsError extends Error {
  override name = 'SeedsError';
}

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
  for (const name of INITS) if (formInitParameter(name)) initParams[name] = str(body[`param_${name}`]);
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

/** How many distinct seeds the form takes: twice the default run limit, so parsing stays linear and small. */
export const MAX_FORM_SEEDS = 10_000;

/**
 * "1, 2, 3", "1-5", "1 2 3" → [1, 2, 3] (first occurrence order); throws a message for anything else. Linear:
 * seeds are de-duplicated through a Set, and parsing stops at MAX_FORM_SEEDS distinct seeds.
 */
export function parseSeeds(text: string): number[] {
  const seen = new Set<number>();
  const add = (s: number) => {
    seen.add(s);
    if (seen.size > MAX_FORM_SEEDS) throw new SeedsError(`more than ${MAX_FORM_SEEDS.toLocaleString('en')} seeds`);
  };
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a) throw new SeedsError(`the range ${part} runs backwards`);
      if (b - a >= 1000) throw new SeedsError(`the range ${part} has more than 1,000 seeds`);
      for (let s = a; s <= b; s++) add(s);
    } else if (/^\d+$/.test(part)) {
      add(Number(part));
    } else {
      throw new SeedsError(`"${part}" is not a seed: use whole numbers like 1, 2, 3 or a range like 1-5`);
    }
  }
  if (seen.size === 0) throw new SeedsError('enter at least one seed, e.g. 1, 2, 3');
  return [...seen];
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
    const param = formInitParameter(init);
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
      inits.push({ name: init, [param]: value });
    }
  }
  if (values.inits.length === 0) errors.inits = 'tick at least one initializer';
  if (values.activations.length === 0) errors.activations = 'tick at least one activation';

  let seeds: number[] = [];
  try {
    seeds = parseSeeds(values.seeds);
  } catch (error) {
    if (!(error instanceof SeedsError)) throw error;
    errors.seeds = error.message;
  }

  const grid: Record<string, unknown[]> = {};
  if (inits.length > 0) grid['model.init'] = inits;
  if (values.activations.length > 0) grid['model.activation'] = values.activations;
  if (seeds.length > 0) grid.seed = seeds;
  return { spec: { name: name || 'untitled sweep', base: { dataset, model, train }, grid }, errors };
}
