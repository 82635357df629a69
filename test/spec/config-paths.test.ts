import { describe, expect, it } from 'vitest';
import {
  getPath, isRunConfigPath, listRunConfigPaths, pathBelow, PathConflictError, pathsOverlap, setPath,
} from '../../server/config-paths.js';

describe('run config paths', () => {
  it('knows every field of the run config schema, including object alternatives of unions', () => {
    for (const path of ['seed', 'model', 'model.init', 'model.init.std', 'model.hidden', 'model.activation.slope',
      'train.lr', 'train.clip', 'train.clip.max', 'dataset.normalize', 'dataset.name']) {
      expect(isRunConfigPath(path), path).toBe(true);
    }
    for (const path of ['init', 'model.hidden.0', 'train.learningRate', 'seed.x', '', 'model.', 'train..lr']) {
      expect(isRunConfigPath(path), path).toBe(false);
    }
    expect(new Set(listRunConfigPaths()).size).toBe(listRunConfigPaths().length);
  });
});

describe('getPath and setPath', () => {
  it('reads nested values and misses cleanly', () => {
    const config = { model: { init: { name: 'normal', std: 0.5 } }, seed: 3 };
    expect(getPath(config, 'model.init.std')).toBe(0.5);
    expect(getPath(config, 'seed')).toBe(3);
    expect(getPath(config, 'train.lr')).toBeUndefined();
    expect(getPath(config, 'seed.x')).toBeUndefined();
  });

  it('creates missing objects and replaces values whole', () => {
    const config: Record<string, unknown> = { train: { clip: { mode: 'norm', max: 1 } } };
    setPath(config, 'train.clip', { mode: 'none' });
    setPath(config, 'model.init.std', 0.1);
    expect(config).toEqual({ train: { clip: { mode: 'none' } }, model: { init: { std: 0.1 } } });
  });

  it('refuses to set inside a non-object', () => {
    const config: Record<string, unknown> = { model: { init: 'xavier_uniform' } };
    expect(() => setPath(config, 'model.init.std', 0.1)).toThrow(PathConflictError);
    expect(() => setPath(config, 'model.init.std', 0.1)).toThrow(/model\.init holds "xavier_uniform"/);
  });

  it('relates paths by prefix', () => {
    expect(pathsOverlap('train.clip', 'train.clip.max')).toBe(true);
    expect(pathsOverlap('train.lr', 'train.lr')).toBe(true);
    expect(pathsOverlap('train.clip', 'train.clipper')).toBe(false);
    expect(pathBelow('model.hidden.1', 'model.hidden')).toBe('1');
    expect(pathBelow('model.hidden', 'model.hidden')).toBe('');
    expect(pathBelow('model.hiddenx', 'model.hidden')).toBeNull();
  });
});
