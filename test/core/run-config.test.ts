// Run config parsing: parameters an initializer or activation does not use are errors that name the field.
import { describe, expect, it } from 'vitest';
import { INITS, type InitParams } from '../../workers/core/types.js';
import { ConfigError, INIT_PARAMETERS, parseRunConfig } from '../../workers/run-config.js';

function issuesOf(input: object): { path: string; message: string }[] {
  try {
    parseRunConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

// One valid value for every initializer parameter.
const SAMPLE: Required<InitParams> = { value: 0.1, mean: 0, std: 0.5, limit: 0.5, gain: 2, mode: 'fan_out', slope: 0.2 };

describe('initializer parameters', () => {
  it('refuses a parameter the initializer ignores, naming the field and what it takes', () => {
    expect(issuesOf({ model: { init: { name: 'he_normal', gain: 5 } } })).toEqual([
      { path: 'model.init.gain', message: '"gain" does not apply to he_normal (it takes: mode, slope)' },
    ]);
    expect(() => parseRunConfig({ model: { init: { name: 'he_normal', gain: 5 } } }))
      .toThrow('invalid run config: model.init.gain: "gain" does not apply to he_normal (it takes: mode, slope)');
    expect(issuesOf({ model: { biasInit: { name: 'zeros', value: 1 } } })).toEqual([
      { path: 'model.biasInit.value', message: '"value" does not apply to zeros (it takes no parameters)' },
    ]);
  });

  it('accepts exactly the parameters each initializer uses: constant value, normal mean and std, uniform limit, '
    + 'xavier, lecun and orthogonal gain, he mode and slope, none for zeros and lsuv', () => {
    expect(INIT_PARAMETERS).toEqual({
      zeros: [], constant: ['value'], normal: ['mean', 'std'], uniform: ['limit'],
      xavier_uniform: ['gain'], xavier_normal: ['gain'], he_uniform: ['mode', 'slope'], he_normal: ['mode', 'slope'],
      lecun_uniform: ['gain'], lecun_normal: ['gain'], orthogonal: ['gain'], lsuv: [],
    });
    for (const name of INITS) {
      for (const [key, value] of Object.entries(SAMPLE)) {
        const issues = issuesOf({ model: { init: { name, [key]: value } } });
        if ((INIT_PARAMETERS[name] as readonly string[]).includes(key)) {
          expect(issues, `${name} with ${key}`).toEqual([]);
        } else {
          expect(issues, `${name} with ${key}`).toEqual([{ path: 'model.init.' + key, message: expect.stringMatching(
            new RegExp(`^"${key}" does not apply to ${name} \\(`),
          ) }]);
        }
      }
    }
  });

  it('reports each ignored parameter once, and an invalid value by its own message only', () => {
    expect(issuesOf({ model: { init: { name: 'he_normal', std: 2, gain: 1 } } }).map((i) => i.path))
      .toEqual(['model.init.std', 'model.init.gain']);
    expect(issuesOf({ model: { init: { name: 'normal', gain: -1 } } })).toEqual([
      { path: 'model.init.gain', message: 'Too small: expected number to be >0' },
    ]);
  });

  it('keeps the readable list of names for an unknown initializer, as a string or an object', () => {
    for (const init of ['glorot', { name: 'glorot' }, { name: 'glorot', gain: 1 }]) {
      const issues = issuesOf({ model: { init } });
      expect(issues).toHaveLength(1);
      expect(issues[0].path).toBe('model.init');
      expect(issues[0].message).toMatch(/^expected an initializer name \(zeros, constant, .*, lsuv\) or an object/);
    }
    expect(issuesOf({ model: { init: { name: 'normal', foo: 1 } } })).toEqual([{ path: 'model.init.foo', message: 'unknown field' }]);
  });
});

describe('activation parameters', () => {
  it('takes a slope for leaky_relu only', () => {
    expect(parseRunConfig({ model: { activation: { name: 'leaky_relu', slope: 0.2 } } }).model.activation)
      .toEqual({ name: 'leaky_relu', slope: 0.2 });
    expect(issuesOf({ model: { activation: { name: 'tanh', slope: 3 } } })).toEqual([
      { path: 'model.activation.slope', message: '"slope" does not apply to tanh (only leaky_relu takes a slope)' },
    ]);
    expect(issuesOf({ model: { activation: { name: 'relu' } } })).toEqual([]);
  });

  it('keeps the readable list of names for an unknown activation', () => {
    expect(issuesOf({ model: { activation: 'swish' } })).toEqual([{
      path: 'model.activation',
      message: 'expected an activation name (linear, sigmoid, tanh, relu, leaky_relu, elu, selu, gelu, softsign, silu) '
        + 'or {"name": "leaky_relu", "slope": 0.01}',
    }]);
  });
});
