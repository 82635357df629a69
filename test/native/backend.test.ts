// Backend selection: native by default when the addon loads, explicit choices, forced CPU paths and their errors.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError, nativeCpuPaths, parseBackendName, resolveBackend } from '../../workers/backend.js';
import { runTraining } from '../../workers/run.js';
import { parseRunConfig } from '../../workers/run-config.js';

const PATHS = nativeCpuPaths();

describe('resolveBackend', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('defaults to the native backend on the best CPU path this machine runs', () => {
    expect(PATHS.length).toBeGreaterThan(0);
    const resolved = resolveBackend();
    expect(resolved).toMatchObject({ backend: 'native', cpuPath: PATHS[0], fallback: null });
  });

  it('gives the TypeScript backend on request, on the "js" path', () => {
    expect(resolveBackend({ backend: 'ts' })).toMatchObject({ backend: 'ts', cpuPath: 'js', fallback: null });
    expect(() => resolveBackend({ backend: 'ts', cpuPath: 'avx2' })).toThrow(/runs on CPU path "js"/);
  });

  it('takes a lower CPU path from the request or INITLAB_CPU_PATH', () => {
    expect(resolveBackend({ backend: 'native', cpuPath: 'generic' }).cpuPath).toBe('generic');
    vi.stubEnv('INITLAB_CPU_PATH', 'generic');
    expect(resolveBackend().cpuPath).toBe('generic');
    expect(resolveBackend({ cpuPath: PATHS[0] }).cpuPath).toBe(PATHS[0]); // the request wins
  });

  it('refuses a CPU path this machine cannot run, naming where it came from', () => {
    expect(() => resolveBackend({ backend: 'native', cpuPath: 'neon9000' })).toThrow(BackendError);
    expect(() => resolveBackend({ cpuPath: 'neon9000' })).toThrow(/CPU path "neon9000" is not available/);
    vi.stubEnv('INITLAB_CPU_PATH', 'neon9000');
    expect(() => resolveBackend()).toThrow(/INITLAB_CPU_PATH "neon9000" is not available/);
  });

  it('parses backend names and names the source of a bad one', () => {
    expect(parseBackendName('native', '--backend')).toBe('native');
    expect(parseBackendName(undefined, '--backend')).toBeUndefined();
    expect(() => parseBackendName('gpu', 'INITLAB_BACKEND')).toThrow('INITLAB_BACKEND must be one of ts, native, got "gpu"');
  });
});

describe('runTraining', () => {
  it('records the backend and CPU path that computed the run', () => {
    const config = parseRunConfig({ dataset: { samples: 100 }, model: { hidden: [8] }, train: { epochs: 1 } });
    expect(runTraining(config, undefined, undefined, { backend: 'ts' })).toMatchObject({ backend: 'ts', cpuPath: 'js' });
    const last = PATHS.at(-1)!;
    expect(runTraining(config, undefined, undefined, { backend: 'native', cpuPath: last }))
      .toMatchObject({ backend: 'native', cpuPath: last });
  });
});
