// A sweep spec as the form's fields, when the form can show it: the fields must build exactly the spec's runs
// (the same resolved configs). Specs it cannot show (random search, other grid axes, a pinned backend, settings
// the form lacks) open as JSON.
import { formInitParameter } from '../../workers/core/init-params.js';
import { INITS, type RunConfig } from '../../workers/core/types.js';
import { ConfigError, parseRunConfig } from '../../workers/run-config.js';
import { expandSweep, parseSweepSpec, type SweepSpec } from '../sweep-spec.js';
import type { SweepFormValues } from '../../views/new-sweep.js';
import { defaultFormValues, formToSpec } from './sweep-form.js';

/** The spec's base config, resolved (defaults filled in). Throws ConfigError for a base that is not valid. */
export function resolvedBase(spec: SweepSpec): RunConfig {
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
  let base: RunConfig;
  try {
    base = resolvedBase(spec);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
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
      const param = formInitParameter(name);
      const value = param ? (init as Record<string, unknown>)[param] : undefined;
      if (typeof value !== 'number') return null;
      (params[name] ??= []).push(fmt(value));
    }
  }
  for (const [name, tokens] of Object.entries(params)) {
    if (formInitParameter(name) && !(tokens.length === 1 && tokens[0] === 'default')) values.initParams[name] = tokens.join(', ');
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
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return false;
  }
}
