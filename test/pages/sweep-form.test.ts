// The new-sweep form's logic: typed values → spec, issues → fields, presets → form values.
import { describe, expect, it } from 'vitest';
import { getPreset, listPresets } from '../../server/presets.js';
import { chooseAxes, formatAxisValue } from '../../server/pages/axes.js';
import { parseRunIds } from '../../server/pages/compare.js';
import { issuesToFields, plainMessage } from '../../server/pages/form-issues.js';
import { specToFormValues } from '../../server/pages/spec-to-form.js';
import { defaultFormValues, formToSpec, parseSeeds, SeedsError } from '../../server/pages/sweep-form.js';
import { parseSweepQuery } from '../../server/pages/sweep-query.js';
import { expandSweep, parseSweepSpec } from '../../server/sweep-spec.js';

describe('sweep form', () => {
  it('builds a spec whose grid is initializers × activations × seeds', () => {
    const values = { ...defaultFormValues(), inits: ['normal', 'he_normal'], initParams: { normal: 'default, 0.01' } };
    const { spec, errors } = formToSpec(values);
    expect(errors).toEqual({});
    expect(spec.grid).toEqual({
      'model.init': ['normal', { name: 'normal', std: 0.01 }, 'he_normal'],
      'model.activation': ['tanh', 'relu'],
      seed: [1, 2, 3],
    });
    expect(spec.base).toMatchObject({ model: { hidden: [32, 32, 32] }, train: { epochs: 20, lr: 0.05, clip: { mode: 'none' } } });
    expect(expandSweep(parseSweepSpec(spec)).runs).toHaveLength(18);
  });

  it('names each field that does not parse, and keeps going for the others', () => {
    const { errors } = formToSpec({ ...defaultFormValues(), lr: 'x', width: '1.5', clip: 'norm', clipMax: '', activations: [] });
    expect(errors).toEqual({
      lr: '"x" is not a number',
      width: 'enter a whole number',
      clipMax: 'enter a value',
      activations: 'tick at least one activation',
    });
  });

  it('reads seeds as lists and ranges', () => {
    expect(parseSeeds('1, 2, 3')).toEqual([1, 2, 3]);
    expect(parseSeeds('1-4 7')).toEqual([1, 2, 3, 4, 7]);
    expect(() => parseSeeds('')).toThrow(/at least one seed/);
    expect(() => parseSeeds('5-2')).toThrow(/backwards/);
    expect(() => parseSeeds('x')).toThrow(SeedsError);
    expect(formToSpec({ ...defaultFormValues(), seeds: '1, x' }).errors.seeds).toMatch(/"x" is not a seed/);
  });

  it('keeps the first occurrence of each seed and refuses more than 10,000 distinct seeds, naming the cap', () => {
    expect(parseSeeds('3 1-4 2 3')).toEqual([3, 1, 2, 4]);
    const tenThousand = Array.from({ length: 10 }, (_, i) => `${i * 1000}-${i * 1000 + 999}`).join(' ');
    expect(parseSeeds(tenThousand)).toHaveLength(10_000);
    const twoHundredRanges = Array.from({ length: 200 }, (_, i) => `${i * 1000}-${i * 1000 + 999}`).join(' ');
    expect(() => parseSeeds(twoHundredRanges)).toThrow('more than 10,000 seeds');
    expect(parseSeeds('0-999 '.repeat(200))).toHaveLength(1000);   // repeats cost nothing extra
  });

  it('puts spec issues beside the fields that set them, in plain words and without spec paths', () => {
    const { spec } = formToSpec({ ...defaultFormValues(), inits: ['normal'], initParams: { normal: '-1, -2' } });
    const placed = issuesToFields([
      { path: 'base.train.epochs', message: 'Too small: expected number to be >0' },
      { path: 'base.model.hidden[1]', message: 'Too small: expected number to be >0' },
      { path: 'base.dataset.samples', message: 'Too big: expected number to be <=100000' },
      { path: 'grid.model.init[0].std', message: 'Too small: expected number to be >=0' },
      { path: 'grid.model.init[1].std', message: 'Too small: expected number to be >=0' },
      { path: 'grid.seed[0]', message: 'Invalid input: expected int, received number' },
      { path: 'grid', message: 'the sweep expands to 9,999 runs, over the limit of 5,000' },
    ], spec);
    expect(placed.errors).toEqual({
      epochs: 'train for at least 1 epoch',
      width: 'each hidden layer needs at least 1 unit',
      samples: 'must be at most 100000',
      param_normal: 'must be at least 0',   // two values, one message
      seeds: 'must be a whole number',
    });
    expect(placed.general).toEqual(['The sweep expands to 9,999 runs, over the limit of 5,000']);
  });

  it('drops a spec path a cross-field message starts with, and joins different messages of one field', () => {
    expect(plainMessage('width', { path: 'grid.x', message: 'model.hidden: give either model.hidden or model.depth' }))
      .toBe('give either model.hidden or model.depth');
    expect(plainMessage('optimizer', { path: 'base.train.optimizer', message: 'Invalid option: expected one of "sgd"|"adam"' }))
      .toBe('choose one of sgd, adam');
    const placed = issuesToFields([
      { path: 'base.train.lr', message: 'Too small: expected number to be >0' },
      { path: 'base.train.lr', message: 'Too big: expected number to be <=10' },
    ], formToSpec(defaultFormValues()).spec);
    expect(placed.errors.lr).toBe('the learning rate must be above 0 (e.g. 0.05); must be at most 10');
  });

  it('opens every preset the form can express with exactly the preset\'s runs', () => {
    const expressible = listPresets().filter((p) => specToFormValues(getPreset(p.name).spec, p.name) !== null).map((p) => p.name);
    expect(expressible).toEqual(expect.arrayContaining(['seed-tour', 'deep-tanh', 'deep-relu', 'selu', 'mnist']));
    expect(expressible).not.toContain('clipping');      // grid over train.clip and train.lr
    expect(expressible).not.toContain('lr-search');     // random search
    const tour = specToFormValues(getPreset('seed-tour').spec, 'seed-tour')!;
    expect(tour.initParams).toEqual({ constant: '0.1', normal: 'default, 0.01, 5' });
    expect(tour.depth).toBe('3');
    expect(tour.optimizer).toBe('momentum');
  });

  it('keeps a spec that pins a backend as JSON, since the form would drop the pin', () => {
    const spec = getPreset('seed-tour').spec;
    expect(specToFormValues(spec)).not.toBeNull();
    expect(specToFormValues(parseSweepSpec({ ...spec, backend: 'ts' }))).toBeNull();
    expect(specToFormValues(parseSweepSpec({ ...spec, backend: 'ts', cpuPath: 'js' }))).toBeNull();
  });
});

describe('page data parsing', () => {
  it('picks heatmap axes: initializers × activations when they vary, else the varying settings', () => {
    expect(chooseAxes(['model.init', 'model.activation', 'seed'])).toEqual({ row: 'model.init', col: 'model.activation', pooled: [] });
    expect(chooseAxes(['train.clip', 'train.lr', 'seed'])).toEqual({ row: 'train.clip', col: 'train.lr', pooled: [] });
    expect(chooseAxes(['model.init', 'seed'])).toEqual({ row: 'model.init', col: 'model.activation', pooled: [] });
    expect(chooseAxes(['model.init', 'model.activation', 'train.lr'])).toEqual({ row: 'model.init', col: 'model.activation', pooled: ['train.lr'] });
  });

  it('labels axis values readably', () => {
    expect(formatAxisValue('train.clip', { mode: 'norm', max: 1 })).toBe('norm ≤ 1');
    expect(formatAxisValue('train.clip', { mode: 'none' })).toBe('none');
    expect(formatAxisValue('train.lr', 0.012345)).toBe('0.0123');
    expect(formatAxisValue('model.hidden', [64, 64, 64])).toBe('3 × 64');
  });

  it('falls back to defaults for unknown query values instead of failing', () => {
    expect(parseSweepQuery({ metric: 'bogus', sort: 'drop table', page: '-2', status: 'nope' }))
      .toEqual({ metric: 'acc', sort: 'id', order: 'asc', page: 1, status: undefined, verdict: undefined });
    expect(parseRunIds('3, 1,3')).toEqual([3, 1]);
    expect(parseRunIds(['4', '5'])).toEqual([4, 5]);
    expect(parseRunIds('1,x').some(Number.isNaN)).toBe(true);
  });
});
