// Bounded parse work: a spec's run count is checked from array lengths before any value is walked or validated,
// objects hold at most MAX_OBJECT_FIELDS fields, and JSON text deeper than MAX_JSON_DEPTH is refused from its
// bytes before JSON.parse. Their speed is measured in bench/parsing.ts, not here.
import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../../server/json-depth.js';
import { countSpecRuns, MAX_OBJECT_FIELDS, parseSweepSpec } from '../../server/sweep-spec.js';
import { ConfigError } from '../../workers/run-config.js';

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('count first', () => {
  it('counts an unvalidated spec from its array lengths and samples', () => {
    expect(countSpecRuns({ grid: { seed: [1, 2, 3], 'train.lr': ['x', 'y'] }, random: { samples: 5, space: {} } })).toBe(30);
    expect(countSpecRuns({ grid: 'nope' })).toBe(1);
    expect(countSpecRuns(null)).toBe(1);
  });

  it('refuses a grid over the limit before looking at its values, even invalid or unsafe ones', () => {
    // values that would each be an issue (a lone surrogate, a bad type): the count alone is reported
    const spec = { grid: { seed: Array(100).fill('\uD800'), 'train.lr': Array(100).fill({ deep: 1 }) } };
    expect(issuesOf(() => parseSweepSpec(spec, { maxRuns: 5000 }))).toEqual([
      { path: 'grid', message: 'the sweep expands to 10,000 runs, over the limit of 5,000' },
    ]);
    expect(issuesOf(() => parseSweepSpec({ random: { samples: 6000, space: { 'train.lr': { uniform: [0, 1] } } } }, { maxRuns: 5000 })))
      .toEqual([{ path: 'random.samples', message: 'the sweep expands to 6,000 runs, over the limit of 5,000' }]);
  });

  it('validates every value of a spec within the limit', () => {
    expect(issuesOf(() => parseSweepSpec({ grid: { seed: [1, 'x'] } }, { maxRuns: 5000 }))[0]!.path).toBe('grid.seed[1]');
  });
});

describe('field cap', () => {
  it(`refuses an object of more than ${MAX_OBJECT_FIELDS} fields, naming it`, () => {
    const base = Object.fromEntries(Array.from({ length: MAX_OBJECT_FIELDS + 1 }, (_, i) => [`f${i}`, i]));
    expect(issuesOf(() => parseSweepSpec({ base }))).toEqual([{ path: 'base', message: `expected at most ${MAX_OBJECT_FIELDS} fields` }]);
    const grid = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`model.hidden.${i}`, [1]]));
    expect(issuesOf(() => parseSweepSpec({ grid }))[0]!.path).toBe('grid');
  });
});

describe('jsonNestsDeeperThan', () => {
  it('counts objects and arrays outside strings, on text and on bytes', () => {
    expect(jsonNestsDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":[1,{"b":[2]}]}', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":"[[[[[[\\"{{{{"}', 1)).toBe(false);
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(jsonNestsDeeperThan(deep, MAX_JSON_DEPTH)).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from(deep), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from('[[1]]'), MAX_JSON_DEPTH)).toBe(false);
  });
});
