// Sweep specs: validation (zod 4, every error names its field path) and expansion into ordered, hashed,
// de-duplicated run configs. A spec is a base config, a grid of dotted-path axes and optional random draws.
// Not here: storing sweeps (db/) or running them (server/scheduler.ts).
import { z } from 'zod';
import { activationLabel, initLabel } from '../workers/core/labels.js';
import { mix32 } from '../workers/core/rng.js';
import type { RunConfig } from '../workers/core/types.js';
import { IRIS_SAMPLES, MNIST_FEATURES } from '../workers/datasets.js';
import { ConfigError, parseRunConfig, type FieldIssue } from '../workers/run-config.js';
import { BACKENDS, type BackendName } from '../workers/core/engine.js';
import { backendPinIssues } from './backend-choice.js';
import { canonicalJson, configHash } from './config-hash.js';
import {
  configValue, getPath, isPlainObject, isRunConfigPath, listRunConfigPaths, pathBelow, PathConflictError, pathsOverlap, setPath,
} from './config-paths.js';

export const DEFAULT_MAX_RUNS = 5_000;
/** Hard caps that keep a single spec's validation cheap, whatever run limit the caller picks. */
const MAX_AXIS_VALUES = 100_000;
const MAX_SAMPLES = 100_000;
const MAX_ISSUES = 20;

/** Fields one object of a spec may hold (grid axes, base fields, …); real specs need a dozen or so. */
export const MAX_OBJECT_FIELDS = 256;

/** How deeply a spec's objects and arrays may nest; real specs need 5 or so. */
export const MAX_SPEC_DEPTH = 32;

/** A lone UTF-16 surrogate: text SQLite would store as invalid UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What no part of a spec may hold, found by one iterative walk (any depth is safe; linear in the value's size):
 * nesting deeper than `maxDepth` (objects and arrays; the walk stops there), an object of more than
 * MAX_OBJECT_FIELDS fields (so no later step is quadratic in them), a `__proto__` key (JSON.parse makes it an own
 * key that zod would silently drop), and a string or key with a lone surrogate. Lone surrogates are
 * refused rather than replaced with U+FFFD, so what is stored is exactly what was sent.
 */
export function findUnsafeValues(value: unknown, maxDepth: number): FieldIssue[] {
  // Each entry links to its parent, so a path is built only for an issue (no copy per value).
  interface Entry { value: unknown; depth: number; parent: Entry | null; key: string }
  const pathOf = (entry: Entry | null): string[] => {
    const path: string[] = [];
    for (let e = entry; e && e.parent; e = e.parent) path.push(e.key);
    return path.reverse();
  };
  const issues: FieldIssue[] = [];
  const stack: Entry[] = [{ value, depth: 0, parent: null, key: '' }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const top = stack.pop()!;
    const where = () => formatPath(pathOf(top)) || '(root)';
    if (typeof top.value === 'string') {
      if (LONE_SURROGATE.test(top.value)) issues.push({ path: where(), message: 'contains a lone surrogate (not valid Unicode text)' });
      continue;
    }
    if (top.value === null || typeof top.value !== 'object') continue;
    if (top.depth >= maxDepth) return [{ path: where(), message: `nested deeper than ${maxDepth} levels` }];
    if (Array.isArray(top.value)) {
      const items: unknown[] = top.value;
      for (let i = 0; i < items.length; i++) {
        const child = items[i];
        if (typeof child === 'string' || (child !== null && typeof child === 'object')) {
          stack.push({ value: child, depth: top.depth + 1, parent: top, key: String(i) });
        }
      }
      continue;
    }
    let fields = 0;
    for (const key in top.value) if (Object.hasOwn(top.value, key) && ++fields > MAX_OBJECT_FIELDS) break;
    if (fields > MAX_OBJECT_FIELDS) return [{ path: where(), message: `expected at most ${MAX_OBJECT_FIELDS} fields` }];
    for (const [key, child] of Object.entries(top.value)) {
      if (key === '__proto__') {
        issues.push({ path: formatPath([...pathOf(top), key]), message: 'unknown field' });
        continue;
      }
      if (LONE_SURROGATE.test(key)) {
        issues.push({ path: where(), message: 'a key contains a lone surrogate (not valid Unicode text)' });
        continue;
      }
      stack.push({ value: child, depth: top.depth + 1, parent: top, key });
    }
  }
  return issues;
}
/** Where parseSweepSpec probes the inside of a real-valued range: an irrational fraction, so never a whole number. */
const INTERIOR_PROBE = 0.3819660112501051;

/** A random axis: `uniform` and `logUniform` draw reals in [a, b], `int` integers in [a, b], `choice` one of the values. */
export type Distribution =
  | { uniform: [number, number] }
  | { logUniform: [number, number] }
  | { int: [number, number] }
  | { choice: unknown[] };

/** A validated sweep spec. It stays plain JSON (base is still partial), so it can be stored and parsed again. */
export interface SweepSpec {
  name: string;
  description?: string;
  /** A partial run config; defaults fill the rest. */
  base: Record<string, unknown>;
  /** Dotted run config path → the values it takes. Key order is cell order (the first key varies slowest). */
  grid: Record<string, unknown[]>;
  /** `samples` draws from `space`, applied to every grid point. */
  random?: { samples: number; space: Record<string, Distribution> };
  /** Seeds the random draws (not the runs: a run's seed is its config's `seed`). */
  randomSeed: number;
  /** Pins every run of the sweep to this backend (default: the server's), and to `cpuPath` on it if given. */
  backend?: BackendName;
  cpuPath?: string;
}

export interface PlannedRun {
  config: RunConfig;
  hash: string;
  seed: number;
  initLabel: string;
  activationLabel: string;
  /** 0-based order in which runs should start. */
  position: number;
}

export interface SweepExpansion {
  runs: PlannedRun[];
  /** Runs dropped because an earlier run had the same resolved config (and so the same seed). */
  duplicates: number;
  /** Axis paths (grid keys, then random space keys) that take more than one value across `runs`. */
  varying: string[];
}

// ---- the spec's shape -------------------------------------------------------------------------------------

const gridAxisSchema = z
  .array(z.unknown(), { error: 'expected a non-empty array of values' })
  .min(1, 'expected a non-empty array of values')
  .max(MAX_AXIS_VALUES, `expected at most ${MAX_AXIS_VALUES.toLocaleString('en-US')} values`);

const sweepSpecSchema = z.strictObject({
  name: z.string({ error: 'expected a string' }).trim()
    .min(1, 'expected a non-empty name').max(200, 'expected at most 200 characters')
    .default('untitled sweep'),
  description: z.string({ error: 'expected a string' }).max(5_000, 'expected at most 5,000 characters').optional(),
  base: z.record(z.string(), z.unknown(), { error: 'expected an object (a partial run config)' }).default({}),
  grid: z.record(z.string(), gridAxisSchema, {
    error: 'expected an object mapping run config paths to arrays of values, e.g. {"model.init": ["zeros", "he_normal"]}',
  }).default({}),
  random: z.strictObject({
    samples: z.number({ error: 'expected a whole number of draws' })
      .int('expected a whole number of draws').min(1, 'expected at least 1 draw')
      .max(MAX_SAMPLES, `expected at most ${MAX_SAMPLES.toLocaleString('en-US')} draws`),
    space: z.record(z.string(), z.unknown(), {
      error: 'expected an object mapping run config paths to distributions, e.g. {"train.lr": {"logUniform": [0.001, 0.5]}}',
    }),
  }, { error: 'expected {"samples": n, "space": {path: distribution}}' }).optional(),
  randomSeed: z.number({ error: 'expected a whole number' }).int('expected a whole number')
    .min(0, 'expected 0 or more').max(2 ** 32 - 1, 'expected at most 4294967295').default(0),
  backend: z.enum(BACKENDS, { error: `expected one of ${BACKENDS.map((b) => `"${b}"`).join(', ')}` }).optional(),
  cpuPath: z.string({ error: 'expected a string, e.g. "avx2"' }).min(1, 'expected a CPU path, e.g. "avx2"')
    .max(32, 'expected at most 32 characters').optional(),
});

const DISTRIBUTION_HINT =
  'expected one of {"uniform": [a, b]}, {"logUniform": [a, b]} (a > 0), {"int": [a, b]}, {"choice": [values...]}';

/** Path text: "grid" + "model.init" + 1 → "grid.model.init[1]"; all-digit segments of dotted paths become [n]. */
function formatPath(segments: (string | number)[]): string {
  let out = '';
  for (const segment of segments) {
    for (const part of typeof segment === 'number' ? [segment] : segment.split('.')) {
      if (typeof part === 'number' || /^\d+$/.test(part)) out += `[${part}]`;
      else if (part !== '') out += out === '' ? part : `.${part}`;
    }
  }
  return out;
}

/** Keeps grid and space keys whole: ["grid", "model.init", 1] must not split the key into two segments first. */
function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const segments = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...segments, key]), message: 'unknown field' }));
    }
    return [{ path: formatPath(segments), message: issue.message }];
  });
}

function checkDistribution(raw: unknown, at: string): { distribution?: Distribution; issues: FieldIssue[] } {
  const fail = (path: string, message: string) => ({ issues: [{ path, message }] });
  if (!isPlainObject(raw)) return fail(at, DISTRIBUTION_HINT);
  const kinds = Object.keys(raw);
  if (kinds.length !== 1) return fail(at, DISTRIBUTION_HINT);
  const kind = kinds[0];
  const value = raw[kind];
  if (kind === 'choice') {
    if (!Array.isArray(value) || value.length === 0) return fail(`${at}.choice`, 'expected a non-empty array of values');
    if (value.length > MAX_AXIS_VALUES) return fail(`${at}.choice`, `expected at most ${MAX_AXIS_VALUES} values`);
    return { distribution: { choice: value }, issues: [] };
  }
  if (kind !== 'uniform' && kind !== 'logUniform' && kind !== 'int') return fail(at, DISTRIBUTION_HINT);
  const isPair = Array.isArray(value) && value.length === 2
    && value.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!isPair) return fail(`${at}.${kind}`, 'expected [a, b], two finite numbers');
  const [a, b] = value as [number, number];
  if (a > b) return fail(`${at}.${kind}`, `expected a <= b, got [${a}, ${b}]`);
  if (kind === 'logUniform' && a <= 0) return fail(`${at}.${kind}`, `expected 0 < a <= b for a log-uniform range, got [${a}, ${b}]`);
  if (kind === 'int' && !(Number.isInteger(a) && Number.isInteger(b))) {
    return fail(`${at}.${kind}`, `expected two integers, got [${a}, ${b}]`);
  }
  const pair: [number, number] = [a, b];
  const distribution: Distribution = kind === 'uniform' ? { uniform: pair }
    : kind === 'logUniform' ? { logUniform: pair } : { int: pair };
  return { distribution, issues: [] };
}

function unknownPathMessage(path: string): string {
  const last = path.split('.').pop() ?? path;
  const near = listRunConfigPaths().filter((p) => p.split('.').pop() === last);
  const hint = near.length > 0
    ? `did you mean ${near.join(' or ')}?`
    : 'paths look like model.init, model.activation, model.hidden, train.lr, train.clip, dataset.normalize, seed';
  return `"${path}" is not a run config path; ${hint}`;
}

function merged(base: Record<string, unknown>, settings: [string, unknown][]): Record<string, unknown> {
  const config = structuredClone(base);
  for (const [path, value] of settings) setPath(config, path, value);
  return config;
}

/** Run config issues of `input`, or the path conflict that stopped it being built. */
function runConfigIssues(build: () => Record<string, unknown>): FieldIssue[] {
  try {
    parseRunConfig(build());
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    if (error instanceof PathConflictError) {
      return [{ path: error.path, message: `cannot set it: ${error.blockedAt} is ${JSON.stringify(error.found)}, not an object` }];
    }
    throw error;
  }
}

/**
 * Points a run config issue back at the spec value that set `axisPath`: under the axis it keeps the rest of
 * the path ("grid.model.hidden[0][1]"); elsewhere (a cross-field rule) it names the run config field in the message.
 */
function blameValue(issue: FieldIssue, axisPath: string, at: string): FieldIssue {
  const rest = pathBelow(issue.path, axisPath);
  if (rest !== null) return { path: formatPath([at, rest]), message: issue.message };
  return { path: at, message: `${issue.path}: ${issue.message}` };
}

/**
 * Validates a sweep spec: its shape, the base config, every axis path, every grid value and random range
 * (each applied to the base alone), and that a pinned backend and CPU path run on this machine.
 * Throws ConfigError (what = 'sweep spec') listing each bad field by path. With `maxRuns` (every caller that takes
 * a user's input passes its limit), a spec whose grid × samples count is over it is refused first, from array
 * lengths alone, so its values are never walked or validated.
 */
export function parseSweepSpec(input: unknown, options: { maxRuns?: number } = {}): SweepSpec {
  // Count first (looking at array lengths only): a grid of 1e10 runs is refused before its values are walked.
  const maxRuns = options.maxRuns ?? Infinity;
  const rawCount = countSpecRuns(input);
  if (rawCount > maxRuns) throw tooManyRuns(rawCount, maxRuns, isPlainObject(input) && isPlainObject(input.grid) && Object.keys(input.grid).length > 0 ? 'grid' : 'random.samples');
  // Before anything recursive (zod, structuredClone, hashing): a 10,000-deep value would overflow their stacks.
  const walkIssues = findUnsafeValues(input, MAX_SPEC_DEPTH);
  if (walkIssues.length > 0) throw new ConfigError(walkIssues.slice(0, MAX_ISSUES), 'sweep spec');
  const shape = sweepSpecSchema.safeParse(input);
  if (!shape.success) throw new ConfigError(zodIssues(shape.error).slice(0, MAX_ISSUES), 'sweep spec');
  const raw = shape.data;
  const issues: FieldIssue[] = [...backendPinIssues(raw.backend, raw.cpuPath)];

  const baseIssues = runConfigIssues(() => structuredClone(raw.base))
    .map((issue) => ({ path: formatPath(['base', issue.path]), message: issue.message }));
  issues.push(...baseIssues);

  // Axis paths: known, and no two axes set the same field (or one inside the other).
  const axes: { path: string; at: string }[] = [];
  for (const key of Object.keys(raw.grid)) axes.push({ path: key, at: `grid.${key}` });
  for (const key of Object.keys(raw.random?.space ?? {})) axes.push({ path: key, at: `random.space.${key}` });
  const goodAxes = new Set<string>();
  axes.forEach(({ path, at }, i) => {
    if (!isRunConfigPath(path)) return issues.push({ path: at, message: unknownPathMessage(path) });
    const clash = axes.slice(0, i).find((other) => pathsOverlap(other.path, path));
    if (clash) return issues.push({ path: at, message: `overlaps ${clash.at}; a field can vary in one place only` });
    goodAxes.add(at);
  });

  const space: Record<string, Distribution> = {};
  if (raw.random) {
    const keys = Object.keys(raw.random.space);
    if (keys.length === 0) issues.push({ path: 'random.space', message: 'expected at least one path to draw' });
    for (const key of keys) {
      const checked = checkDistribution(raw.random.space[key], `random.space.${key}`);
      issues.push(...checked.issues);
      if (checked.distribution) space[key] = checked.distribution;
    }
  }

  // Each value on its own over a valid base; combinations are checked when the sweep expands. Over an invalid base,
  // each grid value is still checked over the defaults, keeping only the issues inside the value itself, so a user
  // sees every problem at once rather than the grid's only after fixing the base.
  const validBase = baseIssues.length === 0;
  const checkValue = (path: string, value: unknown, at: string) => {
    for (const issue of runConfigIssues(() => merged(validBase ? raw.base : {}, [[path, value]]))) {
      if (!validBase && pathBelow(issue.path, path) === null) continue;
      issues.push(blameValue(issue, path, at));
    }
  };
  for (const [key, values] of Object.entries(raw.grid)) {
    if (goodAxes.has(`grid.${key}`)) values.forEach((value, i) => checkValue(key, value, formatPath(['grid', key, i])));
  }
  if (validBase) {
    for (const [key, distribution] of Object.entries(space)) {
      if (!goodAxes.has(`random.space.${key}`)) continue;
      const [kind, values] = Object.entries(distribution)[0] as [string, unknown[]];
      const before = issues.length;
      values.forEach((value, i) => checkValue(key, value, formatPath(['random.space', key, kind, i])));
      if (issues.length === before && (kind === 'uniform' || kind === 'logUniform')) {
        // Valid ends, but a real-valued draw may still be invalid in between (e.g. uniform on train.epochs).
        const [a, b] = values as number[];
        const inside = drawOne(distribution, INTERIOR_PROBE);
        for (const issue of runConfigIssues(() => merged(raw.base, [[key, inside]]))) {
          const blamed = blameValue(issue, key, formatPath(['random.space', key, kind]));
          const hint = a !== b && Number.isInteger(a) && Number.isInteger(b) ? '; use {"int": [a, b]} for whole numbers' : '';
          issues.push({ path: blamed.path, message: `${inside}, inside [${a}, ${b}], is invalid: ${blamed.message}${hint}` });
        }
      }
    }
  }

  if (issues.length > 0) throw new ConfigError(issues.slice(0, MAX_ISSUES), 'sweep spec');
  const spec: SweepSpec = { name: raw.name, base: raw.base, grid: raw.grid, randomSeed: raw.randomSeed };
  if (raw.description !== undefined) spec.description = raw.description;
  if (raw.random) spec.random = { samples: raw.random.samples, space };
  if (raw.backend !== undefined) spec.backend = raw.backend;
  if (raw.cpuPath !== undefined) spec.cpuPath = raw.cpuPath;
  return spec;
}

// ---- expansion ---------------------------------------------------------------------------------------------

/**
 * The run count of an unvalidated spec: the product of its grid's array lengths × random.samples (a value of the
 * wrong type counts 1; validation names it). Linear in the number of axes, whatever their values.
 */
export function countSpecRuns(input: unknown): number {
  if (!isPlainObject(input)) return 1;
  let count = 1;
  if (isPlainObject(input.random) && typeof input.random.samples === 'number' && input.random.samples >= 1) {
    count = input.random.samples;
  }
  if (isPlainObject(input.grid)) {
    for (const values of Object.values(input.grid)) if (Array.isArray(values) && values.length > 0) count *= values.length;
  }
  return count;
}

function tooManyRuns(total: number, maxRuns: number, path: string): ConfigError {
  return new ConfigError([{
    path,
    message: `the sweep expands to ${formatCount(total)} runs, over the limit of ${formatCount(maxRuns)}`,
  }], 'sweep spec');
}

/** How many runs the spec expands to before duplicates are dropped: the grid's product × random samples. */
export function countRuns(spec: SweepSpec): number {
  let count = spec.random?.samples ?? 1;
  for (const values of Object.values(spec.grid)) count *= values.length;
  return count;
}

/** FNV-1a over UTF-16 code units: names a path's random stream. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A small seeded generator (splitmix32: a Weyl sequence through mix32), uniform in [0, 1). */
function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    return mix32(state) / 4294967296;
  };
}

/**
 * The `samples` random draws, shared by every grid point. Each path draws from its own stream seeded by
 * (randomSeed, path), so adding a path or more samples leaves the existing draws as they were.
 */
function drawRandomSpace(spec: SweepSpec): [string, unknown][][] {
  if (!spec.random) return [[]];
  const { samples, space } = spec.random;
  const draws: [string, unknown][][] = Array.from({ length: samples }, () => []);
  for (const [path, distribution] of Object.entries(space)) {
    const next = createSeededRandom(mix32(spec.randomSeed ^ mix32(hashString(path))));
    for (let d = 0; d < samples; d++) draws[d].push([path, drawOne(distribution, next())]);
  }
  return draws;
}

function drawOne(distribution: Distribution, u: number): unknown {
  const clamp = (x: number, a: number, b: number) => Math.min(b, Math.max(a, x));
  if ('uniform' in distribution) {
    const [a, b] = distribution.uniform;
    return clamp(a + u * (b - a), a, b);
  }
  if ('logUniform' in distribution) {
    const [a, b] = distribution.logUniform;
    return clamp(Math.exp(Math.log(a) + u * (Math.log(b) - Math.log(a))), a, b);
  }
  if ('int' in distribution) {
    const [a, b] = distribution.int;
    return a + Math.floor(u * (b - a + 1));
  }
  const options = distribution.choice;
  return structuredClone(options[Math.floor(u * options.length)]);
}

function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : 'more than 10^308';
}

/**
 * Expands a parsed spec into runs: base + grid point + random draw, each parsed by parseRunConfig and hashed.
 * Order: by replicate (seed index, then random draw), then grid cell, so every cell gets a first run early.
 * A run whose config equals an earlier one is dropped and counted in `duplicates`.
 * Throws ConfigError before building anything when the count exceeds `maxRuns` (default 5,000), and
 * ConfigError naming the grid value or random path behind any config that fails to parse.
 */
export function expandSweep(spec: SweepSpec, options: { maxRuns?: number } = {}): SweepExpansion {
  const maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
  if (!Number.isInteger(maxRuns) || maxRuns < 1) throw new RangeError(`maxRuns must be a positive integer, got ${maxRuns}`);
  const gridKeys = Object.keys(spec.grid);
  const total = countRuns(spec);
  if (total > maxRuns) {
    throw tooManyRuns(total, maxRuns, gridKeys.length > 0 ? 'grid' : spec.random ? 'random.samples' : '');
  }

  // Cells are the grid without its seed axis; seeds (then random draws) are replicates of a cell.
  const cellKeys = gridKeys.filter((key) => key !== 'seed');
  const seedValues = spec.grid.seed ?? [undefined];
  const draws = drawRandomSpace(spec);
  const cellCount = cellKeys.reduce((n, key) => n * spec.grid[key].length, 1);
  const spaceKeys = Object.keys(spec.random?.space ?? {});

  const runs: PlannedRun[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const issues = new Map<string, string>();
  const cellIndex = new Array<number>(cellKeys.length);

  for (let s = 0; s < seedValues.length; s++) {
    for (let d = 0; d < draws.length; d++) {
      for (let c = 0; c < cellCount; c++) {
        // Mixed radix, first grid key most significant: cells follow the nested-loop order of the grid's keys.
        let rest = c;
        for (let k = cellKeys.length - 1; k >= 0; k--) {
          const size = spec.grid[cellKeys[k]].length;
          cellIndex[k] = rest % size;
          rest = Math.floor(rest / size);
        }
        const settings: [string, unknown][] = cellKeys.map((key, k) => [key, spec.grid[key][cellIndex[k]]]);
        if (spec.grid.seed) settings.push(['seed', seedValues[s]]);
        settings.push(...draws[d]);

        let config: RunConfig;
        try {
          config = parseRunConfig(merged(spec.base, settings));
        } catch (error) {
          if (!(error instanceof ConfigError) && !(error instanceof PathConflictError)) throw error;
          if (issues.size < MAX_ISSUES) {
            const where = (key: string) => (key === 'seed' && spec.grid.seed ? s : cellIndex[cellKeys.indexOf(key)]);
            const found = error instanceof ConfigError ? error.issues
              : [{ path: error.path, message: `cannot set it: ${error.blockedAt} is ${JSON.stringify(error.found)}` }];
            const context = ` (in the run with ${settings.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})`;
            for (const issue of found) {
              const blamed = blameRun(issue, gridKeys, spaceKeys, where, d);
              if (!issues.has(blamed.path)) issues.set(blamed.path, blamed.message + context);
            }
          }
          continue;
        }
        const hash = configHash(config);
        if (seen.has(hash)) {
          duplicates++;
          continue;
        }
        seen.add(hash);
        runs.push({
          config,
          hash,
          seed: config.seed,
          initLabel: initLabel(config.model.init),
          activationLabel: activationLabel(config.model.activation),
          position: runs.length,
        });
      }
    }
  }
  if (issues.size > 0) {
    throw new ConfigError([...issues].map(([path, message]) => ({ path, message })), 'sweep spec');
  }

  const varying = [...gridKeys, ...spaceKeys].filter((key) => {
    const values = new Set(runs.map((run) => canonicalJson(configValue(run.config, key) ?? null)));
    return values.size > 1;
  });
  return { runs, duplicates, varying };
}

/** Finds the axis behind a run config issue: a grid value, a random path, or else the base. */
function blameRun(
  issue: FieldIssue, gridKeys: string[], spaceKeys: string[], gridIndex: (key: string) => number, draw: number,
): FieldIssue {
  for (const key of gridKeys) {
    const rest = pathBelow(issue.path, key);
    if (rest !== null) return { path: formatPath(['grid', key, gridIndex(key), rest]), message: issue.message };
  }
  for (const key of spaceKeys) {
    const rest = pathBelow(issue.path, key);
    if (rest !== null) {
      return { path: formatPath(['random.space', key, rest]), message: `draw ${draw + 1}: ${issue.message}` };
    }
  }
  return { path: formatPath(['base', issue.path]), message: issue.message };
}

// ---- cost ------------------------------------------------------------------------------------------------------

/** Inputs, classes and samples per data set (iris has 150 flowers of 4 measurements, mnist 28×28 pixels). */
export function datasetShape(dataset: RunConfig['dataset']): { features: number; classes: number; samples: number } {
  switch (dataset.name) {
    case 'iris': return { features: 4, classes: 3, samples: Math.min(dataset.samples, IRIS_SAMPLES) };
    case 'mnist': return { features: MNIST_FEATURES, classes: 10, samples: dataset.samples };
    case 'spirals': case 'gaussians': return { features: 2, classes: dataset.classes, samples: dataset.samples };
    default: return { features: 2, classes: 2, samples: dataset.samples };
  }
}

/** Weights and biases of the MLP a config describes. */
export function countParameters(config: RunConfig): number {
  const { features, classes } = datasetShape(config.dataset);
  const widths = [features, ...config.model.hidden, classes];
  let count = 0;
  for (let i = 1; i < widths.length; i++) count += (widths[i - 1] + 1) * widths[i];
  return count;
}

/**
 * A rough cost of a run in multiply-adds, for ETAs: parameters P times samples touched, where a training step
 * costs 3 passes (forward + backward), and every evaluation (epoch 0 and after each epoch) is one forward pass
 * over train and validation plus a forward and backward pass over the probe batch:
 *   P · (epochs · 3 · trainSamples + (epochs + 1) · (samples + 3 · probe)).
 * Ignores activation functions and per-layer statistics; compare costs with each other, not with seconds.
 */
export function estimateRunCost(config: RunConfig): number {
  const { samples } = datasetShape(config.dataset);
  const valSamples = Math.min(samples - 1, Math.max(1, Math.round(samples * config.dataset.valFraction)));
  const trainSamples = samples - valSamples;
  const probe = Math.min(config.train.probeSize, trainSamples);
  const { epochs } = config.train;
  return countParameters(config) * (epochs * 3 * trainSamples + (epochs + 1) * (samples + 3 * probe));
}
