import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { configHash } from '../../server/config-hash.js';
import { countRuns, expandSweep, parseSweepSpec } from '../../server/sweep-spec.js';
import { issuesOf, plan } from './helpers.js';

// Axes whose values are all valid on their own and distinct once resolved. Only one combination is invalid:
// mnist with more than 10,000 samples.
const VALID: Record<string, unknown[]> = {
  'model.init': ['zeros', 'normal', 'xavier_uniform', 'he_normal', { name: 'normal', std: 0.01 }],
  'model.activation': ['sigmoid', 'tanh', 'relu', { name: 'leaky_relu', slope: 0.2 }],
  'train.lr': [0.01, 0.05, 0.1],
  'train.clip': [{ mode: 'none' }, { mode: 'norm', max: 1 }, { mode: 'value', max: 0.5 }],
  'dataset.normalize': ['none', 'standard', 'minmax'],
  'model.hidden': [[8], [8, 8], [16, 4]],
  seed: [1, 2, 3, 4],
  'dataset.name': ['spirals', 'mnist', 'moons'],
  'dataset.samples': [100, 20_000],
};
const INVALID: Record<string, unknown[]> = {
  'model.init': ['glorot', 5, { name: 'normal', std: -1 }],
  'model.activation': ['swish', null],
  'train.lr': [0, -1, 'fast'],
  'train.clip': [{ mode: 'norm', max: 0 }, { mode: 'sometimes' }],
  'dataset.normalize': ['zscore'],
  'model.hidden': [[0], 'deep', [8, -1]],
  seed: [-1, 1.5],
  'dataset.name': ['cifar'],
  'dataset.samples': [5, 1e6],
};
const AXES = Object.keys(VALID);

/** A grid over some of the axes (in any order), each with 1–4 values drawn with repetition. */
const gridArb = (axes: string[]) => fc.shuffledSubarray(axes).chain((keys) =>
  fc.tuple(...keys.map((key) => fc.array(fc.constantFrom(...VALID[key]), { minLength: 1, maxLength: 4 })))
    .map((columns) => Object.fromEntries(keys.map((key, i) => [key, columns[i]]))));

/** A small limit keeps the property fast; larger grids must be refused with their count. */
const MAX_RUNS = 400;
const distinct = (values: unknown[]) => new Set(values.map((v) => JSON.stringify(v))).size;
const base = { train: { epochs: 2 } };

describe('expandSweep', () => {
  it('expands to the product of the axis lengths (× samples) minus duplicates, or names the clashing values', () => {
    fc.assert(fc.property(gridArb(AXES), fc.option(fc.integer({ min: 1, max: 3 })), (grid, samples) => {
      const random = samples === null ? undefined : { samples, space: { 'train.weightDecay': { choice: [0, 0.001] } } };
      const spec = parseSweepSpec({ base, grid, random });
      const total = Object.values(grid).reduce((n, values) => n * values.length, samples ?? 1);
      expect(countRuns(spec)).toBe(total);
      if (total > MAX_RUNS) {
        expect(issuesOf(() => expandSweep(spec, { maxRuns: MAX_RUNS }))).toEqual([{
          path: 'grid', message: `the sweep expands to ${total.toLocaleString('en-US')} runs, over the limit of ${MAX_RUNS}`,
        }]);
        return;
      }
      const clash = (grid['dataset.name'] ?? []).includes('mnist') && (grid['dataset.samples'] ?? []).includes(20_000);
      if (clash) {
        const issues = issuesOf(() => expandSweep(spec, { maxRuns: MAX_RUNS }));
        expect(issues.length).toBeGreaterThan(0);
        for (const issue of issues) expect(issue.path).toMatch(/^grid\.dataset\.(name|samples)\[\d+\]$/);
        return;
      }
      const { runs, duplicates } = expandSweep(spec, { maxRuns: MAX_RUNS });
      expect(runs.length + duplicates).toBe(total);
      const draws = distinct(runs.map((run) => run.config.train.weightDecay));
      expect(runs.length).toBe(Object.values(grid).reduce((n, values) => n * distinct(values), draws));
      expect(new Set(runs.map((run) => run.hash)).size).toBe(runs.length);
      expect(runs.map((run) => run.position)).toEqual(runs.map((_, i) => i));
    }), { numRuns: 100 });
  });

  it('rejects a spec with one invalid grid value, pointing at that value', () => {
    const axes = AXES.filter((key) => key !== 'dataset.samples');
    const arb = gridArb(axes).filter((grid) => Object.keys(grid).length > 0).chain((grid) => {
      const keys = Object.keys(grid);
      return fc.record({
        grid: fc.constant(grid),
        key: fc.constantFrom(...keys),
        where: fc.nat(),
        pick: fc.nat(),
      });
    });
    fc.assert(fc.property(arb, ({ grid, key, where, pick }) => {
      const values = [...grid[key]];
      const index = where % (values.length + 1);
      values.splice(index, 0, INVALID[key][pick % INVALID[key].length]);
      const issues = issuesOf(() => plan({ base, grid: { ...grid, [key]: values } }));
      expect(issues.length).toBeGreaterThan(0);
      for (const issue of issues) expect(issue.path.startsWith(`grid.${key}[${index}]`), issue.path).toBe(true);
    }), { numRuns: 100 });
  });

  it('runs the base alone when there is no grid and no random space', () => {
    const { runs, duplicates, varying } = plan({ base: { seed: 9, model: { init: 'he_normal' } } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ seed: 9, initLabel: 'he_normal', activationLabel: 'tanh', position: 0 });
    expect(runs[0].hash).toBe(configHash(runs[0].config));
    expect(duplicates).toBe(0);
    expect(varying).toEqual([]);
  });

  it('labels each run by its init and activation', () => {
    const { runs } = plan({
      grid: { 'model.init': [{ name: 'normal', std: 0.01 }], 'model.activation': [{ name: 'leaky_relu', slope: 0.2 }] },
    });
    expect(runs[0]).toMatchObject({ initLabel: 'normal(std=0.01)', activationLabel: 'leaky_relu(0.2)' });
  });

  it('drops duplicate configs and counts them', () => {
    const expansion = plan({ grid: { seed: [1, 1, 2], 'model.init': ['zeros', 'zeros'] } });
    expect(expansion.runs).toHaveLength(2);
    expect(expansion.duplicates).toBe(4);
    expect(expansion.runs.map((run) => run.seed)).toEqual([1, 2]);
    expect(expansion.varying).toEqual(['seed']);
  });

  it('treats key order inside a value as the same config', () => {
    const expansion = plan({ grid: { 'model.init': [{ name: 'normal', std: 0.5 }, { std: 0.5, name: 'normal' }] } });
    expect(expansion.runs).toHaveLength(1);
    expect(expansion.duplicates).toBe(1);
  });

  it('orders runs so every cell gets its first seed before any cell gets a second', () => {
    const { runs } = plan({
      grid: { seed: [7, 8, 9], 'model.init': ['zeros', 'normal', 'he_normal'], 'model.activation': ['tanh', 'relu'] },
    });
    expect(runs).toHaveLength(18);
    expect(runs.map((run) => run.seed)).toEqual([...Array(6).fill(7), ...Array(6).fill(8), ...Array(6).fill(9)]);
    const cells = runs.slice(0, 6).map((run) => `${run.initLabel}/${run.activationLabel}`);
    expect(cells).toEqual(['zeros/tanh', 'zeros/relu', 'normal/tanh', 'normal/relu', 'he_normal/tanh', 'he_normal/relu']);
    expect(runs.slice(6, 12).map((run) => `${run.initLabel}/${run.activationLabel}`)).toEqual(cells);
    expect(runs.map((run) => run.position)).toEqual([...Array(18).keys()]);
  });

  it('orders random draws like seeds: the first draw of every cell comes first', () => {
    const { runs, varying } = plan({
      grid: { 'model.init': ['zeros', 'he_normal'] },
      random: { samples: 3, space: { 'train.lr': { logUniform: [0.001, 0.5] } } },
    });
    expect(runs.map((run) => run.initLabel)).toEqual(['zeros', 'he_normal', 'zeros', 'he_normal', 'zeros', 'he_normal']);
    // Every cell sees the same draws, in the same order.
    expect(runs[0].config.train.lr).toBe(runs[1].config.train.lr);
    expect(runs[2].config.train.lr).toBe(runs[3].config.train.lr);
    expect(runs[0].config.train.lr).not.toBe(runs[2].config.train.lr);
    expect(varying).toEqual(['model.init', 'train.lr']);
  });

  it('reports as varying only the axes that take more than one value', () => {
    const { varying } = plan({
      grid: { 'train.lr': [0.1, 0.1], 'model.init': ['zeros', 'normal'], 'model.activation': ['tanh'] },
      random: { samples: 2, space: { 'train.momentum': { uniform: [0.5, 0.5] }, seed: { int: [1, 1000] } } },
    });
    expect(varying).toEqual(['model.init', 'seed']);
  });
});

describe('random draws', () => {
  const space = {
    'train.lr': { logUniform: [0.001, 0.5] },
    'train.momentum': { uniform: [0.2, 0.4] },
    'train.epochs': { int: [1, 4] },
    'model.activation': { choice: ['tanh', { name: 'leaky_relu', slope: 0.1 }] },
  };
  const draw = (samples: number, randomSeed = 0, extra: Record<string, unknown> = {}) =>
    plan({ random: { samples, space: { ...space, ...extra } }, randomSeed }).runs.map((run) => run.config);

  it('stays within bounds and keeps integers whole', () => {
    const configs = draw(200);
    expect(configs).toHaveLength(200);
    for (const config of configs) {
      expect(config.train.lr).toBeGreaterThanOrEqual(0.001);
      expect(config.train.lr).toBeLessThanOrEqual(0.5);
      expect(config.train.momentum).toBeGreaterThanOrEqual(0.2);
      expect(config.train.momentum).toBeLessThanOrEqual(0.4);
      expect([1, 2, 3, 4]).toContain(config.train.epochs);
    }
    expect(new Set(configs.map((c) => c.train.epochs)).size).toBe(4);
    expect(new Set(configs.map((c) => JSON.stringify(c.model.activation))).size).toBe(2);
    // Log-uniform: about half the draws fall below the geometric midpoint sqrt(0.001 · 0.5) ≈ 0.022.
    const below = configs.filter((c) => c.train.lr < Math.sqrt(0.001 * 0.5)).length;
    expect(below).toBeGreaterThan(60);
    expect(below).toBeLessThan(140);
  });

  it('is reproducible from the random seed and changes with it', () => {
    expect(draw(20)).toEqual(draw(20));
    expect(draw(20, 1).map((c) => c.train.lr)).not.toEqual(draw(20, 0).map((c) => c.train.lr));
  });

  it('keeps earlier draws when samples or paths are added', () => {
    const lrs = (configs: { train: { lr: number } }[]) => configs.map((c) => c.train.lr);
    expect(lrs(draw(30)).slice(0, 10)).toEqual(lrs(draw(10)));
    expect(lrs(draw(10, 0, { 'train.weightDecay': { uniform: [0, 0.01] } }))).toEqual(lrs(draw(10)));
  });

  it('reports a draw that makes a config invalid at its random path', () => {
    const spec = parseSweepSpec({ random: { samples: 5, space: { 'train.clip': { choice: [{ mode: 'none' }] } } } });
    // parseSweepSpec validated the choice; a typed spec built in code skips that, and expansion still names the path.
    const issues = issuesOf(() => expandSweep({ ...spec, random: { samples: 5, space: { 'train.lr': { uniform: [-1, -0.5] } } } }));
    expect(issues[0]).toEqual({ path: 'random.space.train.lr', message: expect.stringMatching(/^draw 1: /) });
  });
});

describe('run limit', () => {
  it('refuses a sweep over the default limit of 5,000, naming the count', () => {
    const grid = { 'model.init': ['zeros', 'normal', 'xavier_uniform'], seed: Array.from({ length: 4000 }, (_, i) => i) };
    expect(issuesOf(() => plan({ grid }))).toEqual([
      { path: 'grid', message: 'the sweep expands to 12,000 runs, over the limit of 5,000' },
    ]);
    expect(countRuns(parseSweepSpec({ grid }))).toBe(12_000);
  });

  it('takes the caller\'s limit and counts random samples', () => {
    expect(issuesOf(() => plan({ random: { samples: 11, space: { seed: { int: [0, 1e6] } } } }, 10))).toEqual([
      { path: 'random.samples', message: 'the sweep expands to 11 runs, over the limit of 10' },
    ]);
    expect(() => plan({ random: { samples: 10, space: { seed: { int: [0, 1e6] } } } }, 10)).not.toThrow();
    expect(() => plan({}, 0)).toThrow(RangeError);
  });

  it('fails a billion-run grid from its count alone', () => {
    const axis = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const spec = parseSweepSpec({ grid: { 'train.epochs': axis(1000), 'train.batchSize': axis(1000), seed: axis(1000) } });
    expect(countRuns(spec)).toBe(1e9);
    expect(issuesOf(() => expandSweep(spec))[0].message).toBe('the sweep expands to 1,000,000,000 runs, over the limit of 5,000');
  });
});
