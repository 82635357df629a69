// A run's config as rows of dotted paths and display values, for the run page and the compare page's diff.
import { isPlainObject } from '../config-paths.js';

/** Dotted paths and display values of a config (arrays stay whole: "model.hidden" → [64,64]). */
export function flattenConfig(value: unknown, prefix = ''): Array<{ path: string; value: string }> {
  if (!isPlainObject(value)) return [{ path: prefix, value: typeof value === 'string' ? value : JSON.stringify(value) ?? 'null' }];
  return Object.entries(value).flatMap(([key, v]) => flattenConfig(v, prefix === '' ? key : `${prefix}.${key}`));
}
