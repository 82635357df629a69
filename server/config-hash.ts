// Canonical JSON (object keys sorted at every depth) and the sha256 config hash built on it.
// Two configs hash alike exactly when they are equal as JSON values, whatever order their keys were written in.
import { createHash } from 'node:crypto';
import type { RunConfig } from '../workers/core/types.js';

/**
 * JSON text with object keys sorted (by UTF-16 code units, like Array#sort) at every depth and no whitespace.
 * Follows JSON.stringify otherwise: object fields holding undefined are left out, -0 prints as 0.
 * Throws on values JSON cannot represent faithfully (NaN, ±Infinity, functions, bigint, symbols).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string': case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
      }
      const entries = Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
      return `{${entries.join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
  }
}

/** The config hash: sha256 of the canonical JSON of a fully resolved run config, as 64 lowercase hex digits. */
export function configHash(config: RunConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}
