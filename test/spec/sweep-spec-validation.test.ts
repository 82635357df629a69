import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../workers/run-config.js';
import { parseSweepSpec } from '../../server/sweep-spec.js';
import { issuesOf, plan } from './helpers.js';

describe('parseSweepSpec', () => {
  it('accepts the documented example and fills defaults', () => {
    const spec = parseSweepSpec({
      name: 'seed article tour',
      base: { train: { epochs: 5 } },
      grid: { 'model.init': ['zeros', 'normal'], seed: [1, 2] },
      random: { samples: 3, space: { 'train.lr': { logUniform: [0.001, 0.5] } } },
      description: 'optional text',
    });
    expect(spec).toEqual({
      name: 'seed article tour',
      description: 'optional text',
      base: { train: { epochs: 5 } },
      grid: { 'model.init': ['zeros', 'normal'], seed: [1, 2] },
      random: { samples: 3, space: { 'train.lr': { logUniform: [0.001, 0.5] } } },
      randomSeed: 0,
    });
    expect(parseSweepSpec(spec)).toEqual(spec);
    expect(parseSweepSpec({})).toEqual({ name: 'untitled sweep', base: {}, grid: {}, randomSeed: 0 });
  });

  it('refuses a value nested 10,000 levels deep with a ConfigError naming where, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(() => parseSweepSpec({ base: { train: deep } })).toThrow(ConfigError);
    expect(() => parseSweepSpec({ base: { train: deep } })).toThrow(/base\.train(\.a)+: nested deeper than 32 levels/);
    let list: unknown = [];
    for (let i = 0; i < 10_000; i++) list = [list];
    expect(() => parseSweepSpec({ grid: { seed: list } })).toThrow(/nested deeper than/);
  });

  it('refuses a __proto__ key in grid or base as an unknown field instead of dropping it', () => {
    expect(() => parseSweepSpec(JSON.parse('{"grid": {"__proto__": {"seed": [1, 2]}}}'))).toThrow(/grid\.__proto__: unknown field/);
    expect(() => parseSweepSpec(JSON.parse('{"base": {"model": {"__proto__": {"hidden": [8]}}}}')))
      .toThrow(/base\.model\.__proto__: unknown field/);
  });

  it('refuses a name with a lone surrogate, naming the field, rather than storing invalid UTF-8', () => {
    expect(() => parseSweepSpec(JSON.parse('{"name": "bad \\ud800 name"}'))).toThrow(/name: contains a lone surrogate/);
    expect(() => parseSweepSpec(JSON.parse('{"name": "x", "description": "\\udc00"}'))).toThrow(/description: contains a lone surrogate/);
    expect(parseSweepSpec({ name: 'emoji 😀 ok' }).name).toBe('emoji 😀 ok');
  });

  it('throws a ConfigError about the sweep spec', () => {
    expect(() => parseSweepSpec({ grid: { 'model.nope': [1] } })).toThrow(ConfigError);
    expect(() => parseSweepSpec({ grid: { 'model.nope': [1] } })).toThrow(/^invalid sweep spec: grid\.model\.nope: /);
  });

  it('names an unknown grid path and suggests the real one', () => {
    expect(issuesOf(() => parseSweepSpec({ grid: { init: ['zeros'] } }))).toEqual([
      { path: 'grid.init', message: '"init" is not a run config path; did you mean model.init?' },
    ]);
    expect(issuesOf(() => parseSweepSpec({ grid: { 'train.learningRate': [0.1] } }))[0].path).toBe('grid.train.learningRate');
  });

  it('names the bad value inside a grid array by index', () => {
    const issues = issuesOf(() => parseSweepSpec({ grid: { 'model.init': ['zeros', 'glorot', 'he_normal'] } }));
    expect(issues).toEqual([{ path: 'grid.model.init[1]', message: expect.stringMatching(/expected an initializer name/) }]);
    expect(issuesOf(() => parseSweepSpec({ grid: { 'train.lr': [0.1, -1] } }))[0].path).toBe('grid.train.lr[1]');
    expect(issuesOf(() => parseSweepSpec({ grid: { 'model.hidden': [[8], [8, 0]] } }))[0].path).toBe('grid.model.hidden[1][1]');
    expect(issuesOf(() => parseSweepSpec({ grid: { 'train.clip': [{ mode: 'norm', max: -1 }] } }))[0].path)
      .toBe('grid.train.clip[0].max');
  });

  it('blames a grid value for a cross-field rule it breaks', () => {
    const issues = issuesOf(() => parseSweepSpec({
      base: { dataset: { samples: 20_000 } },
      grid: { 'dataset.name': ['spirals', 'mnist'] },
    }));
    expect(issues).toEqual([{ path: 'grid.dataset.name[1]', message: expect.stringMatching(/^dataset\.samples: mnist ships/) }]);
  });

  it('names a bad base field', () => {
    expect(issuesOf(() => parseSweepSpec({ base: { train: { epochs: 0 } } }))).toEqual([
      { path: 'base.train.epochs', message: expect.any(String) },
    ]);
    expect(issuesOf(() => parseSweepSpec({ base: { model: { hidden: [4, -2], layers: 3 } } })).map((i) => i.path).sort())
      .toEqual(['base.model.hidden[1]', 'base.model.layers']);
    expect(issuesOf(() => parseSweepSpec({ base: [] }))[0].path).toBe('base');
  });

  it('rejects an empty grid array and a non-array axis', () => {
    expect(issuesOf(() => parseSweepSpec({ grid: { 'model.init': [] } }))).toEqual([
      { path: 'grid.model.init', message: 'expected a non-empty array of values' },
    ]);
    expect(issuesOf(() => parseSweepSpec({ grid: { seed: 3 } }))).toEqual([
      { path: 'grid.seed', message: 'expected a non-empty array of values' },
    ]);
  });

  it('rejects bad random spaces with the path of the distribution', () => {
    const random = (space: unknown, samples: unknown = 4) => issuesOf(() => parseSweepSpec({ random: { samples, space } }));
    expect(random({ 'train.lr': { logUniform: [0, 0.5] } })).toEqual([
      { path: 'random.space.train.lr.logUniform', message: expect.stringMatching(/0 < a <= b/) },
    ]);
    expect(random({ 'train.lr': { uniform: [0.5, 0.1] } })[0].path).toBe('random.space.train.lr.uniform');
    expect(random({ 'train.epochs': { int: [1.5, 4] } })[0].path).toBe('random.space.train.epochs.int');
    expect(random({ 'train.lr': { gaussian: [0, 1] } })[0]).toEqual({
      path: 'random.space.train.lr', message: expect.stringMatching(/expected one of .*uniform/),
    });
    expect(random({ 'model.init': { choice: [] } })[0].path).toBe('random.space.model.init.choice');
    expect(random({ 'model.init': { choice: ['he_normal', 'bogus'] } })[0].path).toBe('random.space.model.init.choice[1]');
    expect(random({ 'train.momentum': { uniform: [0.5, 1] } })[0].path).toBe('random.space.train.momentum.uniform[1]');
    expect(random({ 'train.epochs': { uniform: [1, 5] } })).toEqual([{
      path: 'random.space.train.epochs.uniform', message: expect.stringMatching(/inside \[1, 5\], is invalid: .*use \{"int": \[a, b\]\}/),
    }]);
    expect(random({ 'train.rate': { uniform: [0, 1] } })[0].path).toBe('random.space.train.rate');
    expect(random({})[0].path).toBe('random.space');
    expect(random({ 'train.lr': { uniform: [0.1, 0.2] } }, 0)[0].path).toBe('random.samples');
  });

  it('rejects two axes that set the same field', () => {
    const issues = issuesOf(() => parseSweepSpec({
      grid: { 'train.clip': [{ mode: 'none' }], 'train.lr': [0.1] },
      random: { samples: 2, space: { 'train.lr': { uniform: [0.1, 0.2] }, 'train.clip.max': { uniform: [1, 2] } } },
    }));
    expect(issues.map((i) => i.path)).toEqual(['random.space.train.lr', 'random.space.train.clip.max']);
    expect(issues[0].message).toMatch(/overlaps grid\.train\.lr/);
  });

  it('explains a grid path that reaches inside a base value that is not an object', () => {
    const issues = issuesOf(() => parseSweepSpec({ base: { model: { init: 'normal' } }, grid: { 'model.init.std': [0.1] } }));
    expect(issues).toEqual([{ path: 'grid.model.init.std[0]', message: expect.stringMatching(/model\.init is "normal"/) }]);
    expect(plan({ base: { model: { init: { name: 'normal' } } }, grid: { 'model.init.std': [0.1, 1] } }).runs
      .map((run) => run.initLabel)).toEqual(['normal(std=0.1)', 'normal(std=1)']);
  });

  it('names unknown top-level fields and bad types', () => {
    expect(issuesOf(() => parseSweepSpec({ grids: {} }))).toEqual([{ path: 'grids', message: 'unknown field' }]);
    expect(issuesOf(() => parseSweepSpec({ name: '' }))[0].path).toBe('name');
    expect(issuesOf(() => parseSweepSpec({ randomSeed: -1 }))[0].path).toBe('randomSeed');
    expect(issuesOf(() => parseSweepSpec(null))[0].path).toBe('');
    expect(issuesOf(() => parseSweepSpec({ random: { samples: 2, space: {}, extra: 1 } })).map((i) => i.path))
      .toContain('random.extra');
  });
  it('names a bad base and bad grid values in one go, so a user fixes everything in one submit', () => {
    const issues = issuesOf(() => parseSweepSpec({
      base: { model: { hidden: [32, 0] }, train: { epochs: 0 } },
      grid: { 'model.activation': ['tanh', 'nope'], 'model.init': [{ name: 'normal', std: -1 }], seed: [1] },
    }));
    expect(issues.map((i) => i.path)).toEqual(
      ['base.model.hidden[1]', 'base.train.epochs', 'grid.model.activation[1]', 'grid.model.init[0].std']);
  });
});
