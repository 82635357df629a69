// The signal-propagation atlas presets: their mean-field coordinates are the papers' (read back from the resolved
// configs, as the phase view reads them), and each fits this machine's default per-run memory budget.
import { describe, expect, it } from 'vitest';
import { phaseCoordinates } from '../../server/pages/phase.js';
import { getPreset } from '../../server/presets.js';
import { checkRunMemory, defaultMaxRunMb } from '../../server/run-memory.js';
import { expandSweep } from '../../server/sweep-spec.js';
import { initStd } from '../../workers/core/init.js';

const unique = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

describe('atlas presets', () => {
  it('tanh-phase grids σ_w² 1–4 × depth 10–150 at σ_b² = 0.05 (to 1e-6), width 64, two seeds', () => {
    const { runs } = expandSweep(getPreset('tanh-phase').spec);
    expect(runs).toHaveLength(98);
    const coordinates = runs.map((r) => phaseCoordinates(r.config));
    expect(unique(coordinates.map((c) => c.sigmaW2))).toEqual([1, 1.5, 1.76, 2, 2.5, 3, 4]);
    expect(unique(coordinates.map((c) => c.depth))).toEqual([10, 20, 30, 50, 75, 100, 150]);
    for (const c of coordinates) expect(Math.abs(c.sigmaB2 - 0.05)).toBeLessThan(1e-6);
    expect(runs.every((r) => r.config.model.hidden.every((w) => w === 64) && r.config.model.activation === 'tanh')).toBe(true);
  });

  it('glorot-2010 sets the standard init to U(±1/√fan_in) on every layer, beside xavier_uniform, for three activations', () => {
    const { runs } = expandSweep(getPreset('glorot-2010').spec);
    expect(runs).toHaveLength(12);
    const standard = runs.find((r) => typeof r.config.model.init === 'object')!.config.model.init;
    for (const fanIn of [784, 128]) {
      // U(−a, a) has std a/√3; a = 1/√fan_in
      expect(initStd(128, fanIn, standard, 'tanh')).toBeCloseTo(1 / Math.sqrt(fanIn) / Math.sqrt(3), 6);
    }
    expect(unique(runs.map((r) => r.config.model.hidden.length))).toEqual([5]);
    expect(new Set(runs.map((r) => r.activationLabel))).toEqual(new Set(['tanh', 'softsign', 'sigmoid']));
  });

  it('he-2015 compares σ_w² = 1 (lecun_normal, xavier_normal at equal widths) with σ_w² = 2 (he_normal) at 30 ReLU layers', () => {
    const { runs } = expandSweep(getPreset('he-2015').spec);
    expect(runs).toHaveLength(9);
    const byInit = new Map(runs.map((r) => [r.initLabel, phaseCoordinates(r.config)]));
    expect(byInit.get('lecun_normal')).toEqual({ sigmaW2: 1, sigmaB2: 0, depth: 30 });
    expect(byInit.get('xavier_normal')).toEqual({ sigmaW2: 1, sigmaB2: 0, depth: 30 });
    expect(byInit.get('he_normal')).toEqual({ sigmaW2: 2, sigmaB2: 0, depth: 30 });
  });

  it('fit the per-run memory budget of a 2-core, 4 GB machine', () => {
    const budget = defaultMaxRunMb(2, 4 * 1024 ** 3);
    for (const name of ['tanh-phase', 'glorot-2010', 'he-2015']) {
      const { spec } = getPreset(name);
      expect(() => checkRunMemory(spec, expandSweep(spec).runs, budget), name).not.toThrow();
    }
  });
});
