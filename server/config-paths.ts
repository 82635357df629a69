// Dotted paths into a run config ("model.init", "train.clip.max"): which ones exist in the run config schema,
// and plain get/set on JSON objects. Sweep specs name their axes with these paths.
import type { z } from 'zod';
import { runConfigSchema } from '../workers/run-config.js';

/** A path cannot be set because a prefix of it holds a non-object (e.g. `model.init.std` when `model.init` is "normal"). */
export class PathConflictError extends Error {
  override readonly name = 'PathConflictError';
  readonly code = 'path_conflict';
  readonly status = 400;
  constructor(readonly path: string, readonly blockedAt: string, readonly found: unknown) {
    super(`cannot set ${path}: ${blockedAt} holds ${JSON.stringify(found)}, not an object`);
  }
}

export function splitPath(path: string): string[] {
  return path.split('.');
}

/** True for plain JSON objects (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path`, or undefined where any segment is missing or not an object. */
export function getPath(target: unknown, path: string): unknown {
  let node = target;
  for (const key of splitPath(path)) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * A resolved run config's value at `path`. The shorthands model.depth and model.width are not stored (parseRunConfig
 * resolves them into model.hidden), so they are read back from it: depth = the number of hidden layers, width =
 * their common width (null when the widths differ). Every other path is getPath.
 */
export function configValue(config: unknown, path: string): unknown {
  const stored = storedConfigPath(path);
  if (stored !== path) {
    const hidden = getPath(config, stored);
    if (Array.isArray(hidden)) return hiddenShape(path, hidden);
  }
  return getPath(config, path);
}

/** Where a path's value is stored in a resolved run config: model.hidden for the shorthands depth and width. */
export function storedConfigPath(path: string): string {
  return path === 'model.depth' || path === 'model.width' ? 'model.hidden' : path;
}

/** model.depth (the number of hidden layers) or model.width (their common width, null when they differ) of `hidden`. */
export function hiddenShape(path: string, hidden: readonly unknown[]): unknown {
  if (path === 'model.depth') return hidden.length;
  return hidden.length > 0 && hidden.every((w) => w === hidden[0]) ? hidden[0] : null;
}

/**
 * Sets `path` in `target` in place, creating missing (or undefined) intermediate objects. The value replaces
 * whatever was there: objects are not merged. Throws PathConflictError when a prefix holds a non-object.
 */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = splitPath(path);
  let node = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i];
    const next = node[key];
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    } else if (isPlainObject(next)) {
      node = next;
    } else {
      throw new PathConflictError(path, keys.slice(0, i + 1).join('.'), next);
    }
  }
  node[keys[keys.length - 1]] = value;
}

/** True when `a` equals `b` or one is a dotted prefix of the other ("train.clip" and "train.clip.max"). */
export function pathsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/** The rest of `path` below `prefix` ("" when equal), or null when `path` is not at or under `prefix`. */
export function pathBelow(path: string, prefix: string): string | null {
  if (path === prefix) return '';
  return path.startsWith(`${prefix}.`) ? path.slice(prefix.length + 1) : null;
}

// The schema walk reads zod 4's public `def` (type, shape, innerType, options). It only needs object
// nesting: every other node is a leaf that a path can end at but not pass through.
type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; options?: z.ZodType[] };
function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { def: Def }).def;
}

/** The object nodes a schema can be, after unwrapping defaults and optionals and opening unions. */
function objectShapes(schema: z.ZodType): Record<string, z.ZodType>[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'default': case 'prefault': case 'optional': case 'nullable': case 'readonly':
      return def.innerType ? objectShapes(def.innerType) : [];
    case 'union':
      return (def.options ?? []).flatMap(objectShapes);
    case 'object':
      return def.shape ? [def.shape] : [];
    default:
      return [];
  }
}

/**
 * Every dotted path of the run config schema: object fields at every depth, including the fields of object
 * alternatives in unions (so `train.clip.max` and `model.init.std` exist). Array elements are not paths.
 */
function collectPaths(schema: z.ZodType, prefix: string, out: Set<string>): void {
  for (const shape of objectShapes(schema)) {
    for (const [key, child] of Object.entries(shape)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      out.add(path);
      collectPaths(child, path, out);
    }
  }
}

const RUN_CONFIG_PATHS: ReadonlySet<string> = (() => {
  const paths = new Set<string>();
  collectPaths(runConfigSchema, '', paths);
  return paths;
})();

/** All dotted paths of a run config, in schema order. */
export function listRunConfigPaths(): string[] {
  return [...RUN_CONFIG_PATHS];
}

export function isRunConfigPath(path: string): boolean {
  return RUN_CONFIG_PATHS.has(path);
}
