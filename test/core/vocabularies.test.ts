// Lists the project keeps in one place, checked against what they claim: the form's initializer parameters against
// validation, and the saturating activations against their derivatives.
import { describe, expect, it } from 'vitest';
import { dphi } from '../../workers/core/activations.js';
import { SATURATING_ACTIVATIONS, saturationBound } from '../../workers/core/diagnostics.js';
import { FORM_INIT_PARAMETER, formInitParameter, INIT_PARAMETERS } from '../../workers/core/init-params.js';
import { ACTIVATIONS, INITS } from '../../workers/core/types.js';
import { ConfigError, parseRunConfig } from '../../workers/run-config.js';

describe('initializer parameters', () => {
  it('lets the form vary only a parameter its initializer takes, and validation accepts it', () => {
    for (const [init, param] of Object.entries(FORM_INIT_PARAMETER)) {
      expect(INIT_PARAMETERS[init as keyof typeof INIT_PARAMETERS]).toContain(param);
      const config = parseRunConfig({ model: { init: { name: init, [param]: 0.5 } } });
      expect(config.model.init).toEqual({ name: init, [param]: 0.5 });
    }
  });

  it('refuses every parameter an initializer does not take', () => {
    const all = [...new Set(Object.values(INIT_PARAMETERS).flat())];
    for (const init of INITS) {
      for (const param of all.filter((p) => !(INIT_PARAMETERS[init] as readonly string[]).includes(p))) {
        expect(() => parseRunConfig({ model: { init: { name: init, [param]: 1 } } }), `${init}.${param}`).toThrow(ConfigError);
      }
    }
  });

  it('offers no form parameter for unknown names or inherited keys', () => {
    expect(formInitParameter('normal')).toBe('std');
    expect(formInitParameter('he_normal')).toBeUndefined();
    expect(formInitParameter('constructor')).toBeUndefined();
  });
});

describe('saturating activations', () => {
  it('are exactly those whose derivative falls towards 0 far out (and only they get a finite bound)', () => {
    for (const name of ACTIVATIONS) {
      const fades = Math.abs(dphi(name, 50)) < 1e-3 && Math.abs(dphi(name, -50)) < 1e-3;
      expect(SATURATING_ACTIVATIONS.has(name), name).toBe(fades);
      expect(Number.isFinite(saturationBound(name)), name).toBe(fades);
    }
  });
});
