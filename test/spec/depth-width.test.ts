// model.depth and model.width: shorthands for an equal-width model.hidden, sweepable as axes of a phase diagram.
import { describe, expect, it } from 'vitest';
import { configHash } from '../../server/config-hash.js';
import { configValue, listRunConfigPaths } from '../../server/config-paths.js';
import { axisLabelOf, chooseAxes } from '../../server/pages/axes.js';
import { parseRunConfig } from '../../workers/run-config.js';
import { issuesOf, plan } from './helpers.js';

describe('model.depth and model.width in a run config', () => {
  it('resolve to model.hidden = depth × [width], and the shorthands leave the resolved config', () => {
    const config = parseRunConfig({ model: { depth: 5, width: 16 } });
    expect(config.model.hidden).toEqual([16, 16, 16, 16, 16]);
    expect(Object.keys(config.model).sort()).toEqual(['activation', 'biasInit', 'hidden', 'init']);
  });

  it('hash exactly as the hidden array they stand for, so a depth axis and a hidden axis name the same runs', () => {
    expect(configHash(parseRunConfig({ model: { depth: 4, width: 8 } })))
      .toBe(configHash(parseRunConfig({ model: { hidden: [8, 8, 8, 8] } })));
  });

  it('take the default stack (3 × 64) for the one not given', () => {
    expect(parseRunConfig({ model: { depth: 2 } }).model.hidden).toEqual([64, 64]);
    expect(parseRunConfig({ model: { width: 10 } }).model.hidden).toEqual([10, 10, 10]);
  });

  it('are refused beside model.hidden, naming the shorthand given', () => {
    expect(issuesOf(() => parseRunConfig({ model: { hidden: [8, 8], depth: 4 } }))).toEqual([{
      path: 'model.depth',
      message: 'give either model.hidden or model.depth/model.width, not both (model.hidden is [8,8])',
    }]);
    expect(issuesOf(() => parseRunConfig({ model: { hidden: [8], width: 4 } })).map((i) => i.path)).toEqual(['model.width']);
  });

  it('are bounded as model.hidden is: 1 to 200 layers, 1 to 4096 units, whole numbers', () => {
    expect(issuesOf(() => parseRunConfig({ model: { depth: 0 } })).map((i) => i.path)).toEqual(['model.depth']);
    expect(issuesOf(() => parseRunConfig({ model: { depth: 201 } })).map((i) => i.path)).toEqual(['model.depth']);
    expect(issuesOf(() => parseRunConfig({ model: { width: 2.5 } })).map((i) => i.path)).toEqual(['model.width']);
    expect(issuesOf(() => parseRunConfig({ model: { width: 4097 } })).map((i) => i.path)).toEqual(['model.width']);
  });
});

describe('model.depth and model.width as sweep axes', () => {
  it('are run config paths', () => {
    expect(listRunConfigPaths()).toEqual(expect.arrayContaining(['model.depth', 'model.width']));
  });

  it('grid depth × σ_w (lecun_normal gain) into runs whose hidden stacks have that depth', () => {
    const { runs } = plan({
      base: { model: { width: 32, activation: 'tanh', init: { name: 'lecun_normal' } } },
      grid: { 'model.depth': [2, 6], 'model.init.gain': [1, 2] },
    });
    expect(runs.map((r) => [r.config.model.hidden.length, r.config.model.hidden[0], r.config.model.init]))
      .toEqual([
        [2, 32, { name: 'lecun_normal', gain: 1 }], [2, 32, { name: 'lecun_normal', gain: 2 }],
        [6, 32, { name: 'lecun_normal', gain: 1 }], [6, 32, { name: 'lecun_normal', gain: 2 }],
      ]);
  });

  it('blame a depth value set beside a base model.hidden at the grid value', () => {
    const issues = issuesOf(() => plan({ base: { model: { hidden: [8] } }, grid: { 'model.depth': [2, 3] } }));
    expect(issues[0].path).toBe('grid.model.depth[0]');
    expect(issues[0].message).toMatch(/give either model.hidden or model.depth\/model.width, not both/);
  });

  it('refuse a bad depth value by its index', () => {
    const issues = issuesOf(() => plan({ grid: { 'model.depth': [4, 0] } }));
    expect(issues.map((i) => i.path)).toEqual(['grid.model.depth[1]']);
  });

  it('stay axes after resolving: the sweep says depth varies, and the heatmap labels rows by depth', () => {
    const { runs, varying } = plan({
      base: { model: { width: 16, init: { name: 'lecun_normal' } } },
      grid: { 'model.init.gain': [1, 2], 'model.depth': [3, 9], seed: [1, 2] },
    });
    expect(varying).toEqual(['model.init.gain', 'model.depth', 'seed']);
    expect(runs.map((r) => configValue(r.config, 'model.depth'))).toEqual([3, 9, 3, 9, 3, 9, 3, 9]);
    expect(configValue(runs[0].config, 'model.width')).toBe(16);
    expect(configValue({ model: { hidden: [4, 8] } }, 'model.width')).toBeNull();
    const axes = chooseAxes(varying);
    expect(axes).toEqual({ row: 'model.init.gain', col: 'model.depth', pooled: [] });
    expect(runs.map((r) => axisLabelOf(r, 'model.depth')).slice(0, 4)).toEqual(['3', '9', '3', '9']);
  });
});
