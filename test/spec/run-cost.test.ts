import { describe, expect, it } from 'vitest';
import { computeLayout } from '../../workers/core/network.js';
import { networkSpecFor } from '../../workers/core/train.js';
import { parseRunConfig } from '../../workers/run-config.js';
import { countParameters, estimateRunCost } from '../../server/sweep-spec.js';

describe('countParameters', () => {
  it('matches the parameter count of the network the trainer builds', () => {
    const cases: [unknown, number, number][] = [
      [{ dataset: { name: 'spirals', classes: 3 }, model: { hidden: [32, 32, 32] } }, 2, 3],
      [{ dataset: { name: 'moons' }, model: { hidden: [64, 64, 64, 64] } }, 2, 2],
      [{ dataset: { name: 'iris' }, model: { hidden: [16] } }, 4, 3],
      [{ dataset: { name: 'mnist', samples: 2000 }, model: { hidden: [64, 64] } }, 784, 10],
    ];
    for (const [input, features, classes] of cases) {
      const config = parseRunConfig(input);
      expect(countParameters(config)).toBe(computeLayout(networkSpecFor(config, features, classes)).numParams);
    }
    expect(countParameters(parseRunConfig({ model: { hidden: [32, 32, 32] } }))).toBe(3 * 32 + 2 * 33 * 32 + 33 * 2);
  });
});

describe('estimateRunCost', () => {
  it('counts multiply-adds: 3 passes per training sample, one forward pass over all samples and 3 over the probe per evaluation', () => {
    const config = parseRunConfig({ dataset: { samples: 1000, valFraction: 0.2 }, model: { hidden: [32, 32, 32] }, train: { epochs: 40, probeSize: 256 } });
    expect(estimateRunCost(config)).toBe(2274 * (40 * 3 * 800 + 41 * (1000 + 3 * 256)));
  });

  it('grows with epochs, samples and width, and caps iris at its 150 flowers', () => {
    const cost = (input: unknown) => estimateRunCost(parseRunConfig(input));
    expect(cost({ train: { epochs: 20 } })).toBeGreaterThan(cost({ train: { epochs: 10 } }));
    expect(cost({ dataset: { samples: 2000 } })).toBeGreaterThan(cost({ dataset: { samples: 1000 } }));
    expect(cost({ model: { hidden: [128] } })).toBeGreaterThan(cost({ model: { hidden: [64] } }));
    expect(cost({ dataset: { name: 'iris', samples: 1000 } })).toBe(cost({ dataset: { name: 'iris', samples: 150 } }));
  });
});
