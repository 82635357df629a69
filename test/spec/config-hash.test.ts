import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, configHash } from '../../server/config-hash.js';
import { parseRunConfig } from '../../workers/run-config.js';

/** The same JSON value with object keys in reverse insertion order, at every depth. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 'x' }], c: undefined } })).toBe('{"a":{"d":[1,{"y":"x","z":0}]},"b":1}');
  });

  it('gives the same text whatever the key order', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      expect(canonicalJson(reverseKeys(value))).toBe(canonicalJson(value));
      expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    }), { numRuns: 200 });
  });

  it('refuses numbers JSON cannot hold', () => {
    expect(() => canonicalJson({ lr: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson([Infinity])).toThrow(/Infinity/);
  });
});

describe('configHash', () => {
  it('is 64 hex digits and ignores key order', () => {
    const config = parseRunConfig({ model: { init: { name: 'normal', std: 0.01 } }, train: { lr: 0.1 } });
    const hash = configHash(config);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash(reverseKeys(config) as typeof config)).toBe(hash);
  });

  it('differs when any field differs, including the seed', () => {
    const a = parseRunConfig({});
    expect(configHash(parseRunConfig({ seed: 2 }))).not.toBe(configHash(a));
    expect(configHash(parseRunConfig({ train: { lr: 0.051 } }))).not.toBe(configHash(a));
    expect(configHash(parseRunConfig({ model: { hidden: [64, 64] } }))).not.toBe(configHash(a));
    expect(configHash(parseRunConfig({ model: { init: { name: 'normal', std: 0.01 } } })))
      .not.toBe(configHash(parseRunConfig({ model: { init: { name: 'normal', std: 0.02 } } })));
  });
});
