// The phase-diagram axes (lecun_normal gain = σ_w, a normal biasInit = σ_b, model.depth / model.width) on both
// backends. Initialization happens in TypeScript (createNetwork) before either engine runs, so the native engine
// starts from the very same parameters: its epoch 0 matches the TypeScript engine's, and it tracks σ_w.
import { describe, expect, it } from 'vitest';
import { runTraining } from '../../workers/run.js';
import { parseRunConfig } from '../../workers/run-config.js';

const configAt = (gain: number) => parseRunConfig({
  dataset: { name: 'moons', samples: 200 },
  model: { depth: 6, width: 32, activation: 'tanh', init: { name: 'lecun_normal', gain }, biasInit: { name: 'normal', std: Math.sqrt(0.05) } },
  train: { epochs: 1, probeSize: 64 },
});

describe('phase-diagram axes on the native backend', () => {
  it('start from the same network as the TypeScript backend: equal epoch-0 pre-activation stds per layer', () => {
    const config = configAt(1.5);
    expect(config.model.hidden).toEqual([32, 32, 32, 32, 32, 32]);
    const ts = runTraining(config, undefined, undefined, { backend: 'ts' });
    const native = runTraining(config, undefined, undefined, { backend: 'native' });
    expect(native.backend).toBe('native');
    const tsStd = ts.epochs[0].layers.map((l) => l.preStd);
    const nativeStd = native.epochs[0].layers.map((l) => l.preStd);
    expect(nativeStd).toHaveLength(7);
    for (let l = 0; l < 7; l++) expect(nativeStd[l]).toBeCloseTo(tsStd[l], 4);
  });

  it('scale the deep pre-activations with σ_w: a larger gain gives larger last-hidden-layer std', () => {
    const deepStd = (gain: number) => runTraining(configAt(gain), undefined, undefined, { backend: 'native' }).epochs[0].layers[5].preStd;
    const [small, large] = [deepStd(0.8), deepStd(2.5)];
    // ordered phase (σ_w = 0.8) shrinks toward √(q*) ≈ σ_b-sized values; chaotic (σ_w = 2.5) holds q* ≈ 4
    expect(small).toBeLessThan(0.5);
    expect(large).toBeGreaterThan(1.5);
  });
});
