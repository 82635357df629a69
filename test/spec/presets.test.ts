import { describe, expect, it } from 'vitest';
import { getPreset, listPresets, PresetNotFoundError } from '../../server/presets.js';
import { DEFAULT_MAX_RUNS, expandSweep, parseSweepSpec } from '../../server/sweep-spec.js';

describe('presets', () => {
  it('ships the named presets, each with a title and a one-line description', () => {
    const names = listPresets().map((p) => p.name);
    for (const name of ['seed-tour', 'deep-tanh', 'deep-relu', 'selu', 'clipping', 'normalization', 'mnist']) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
    for (const preset of listPresets()) {
      expect(preset.title.length).toBeGreaterThan(0);
      expect(preset.description).not.toMatch(/\n/);
    }
  });

  it('parses and expands every preset within the run limit, with the listed run count and no duplicates', () => {
    for (const summary of listPresets()) {
      const { spec } = getPreset(summary.name);
      expect(parseSweepSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
      const { runs, duplicates } = expandSweep(spec);
      expect(runs.length, summary.name).toBe(summary.runs);
      expect(runs.length).toBeLessThanOrEqual(DEFAULT_MAX_RUNS);
      expect(duplicates, summary.name).toBe(0);
    }
  });

  it('makes the seed tour 7 inits × 4 activations × 3 seeds = 84 runs on spirals', () => {
    const { runs, varying } = expandSweep(getPreset('seed-tour').spec);
    expect(runs).toHaveLength(84);
    expect(varying).toEqual(['model.init', 'model.activation', 'seed']);
    expect(new Set(runs.map((run) => run.initLabel))).toEqual(new Set([
      'zeros', 'constant(value=0.1)', 'normal', 'normal(std=0.01)', 'normal(std=5)', 'xavier_uniform', 'he_normal',
    ]));
    expect(new Set(runs.map((run) => run.activationLabel))).toEqual(new Set(['sigmoid', 'tanh', 'relu', 'leaky_relu']));
    expect(runs.every((run) => run.config.dataset.name === 'spirals')).toBe(true);
    expect(runs.slice(0, 28).every((run) => run.seed === 1)).toBe(true);
  });

  it('hands out a copy that callers may change', () => {
    getPreset('seed-tour').spec.grid.seed.push(4);
    expect(getPreset('seed-tour').spec.grid.seed).toEqual([1, 2, 3]);
  });

  it('refuses an unknown name with a 404 that lists the presets', () => {
    expect(() => getPreset('seed-tuor')).toThrow(PresetNotFoundError);
    try {
      getPreset('seed-tuor');
    } catch (error) {
      expect(error).toMatchObject({ status: 404, code: 'preset_not_found' });
      expect((error as Error).message).toMatch(/"seed-tuor".*seed-tour, deep-tanh/);
    }
  });
});
