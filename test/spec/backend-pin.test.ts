// A sweep spec's `backend` and `cpuPath`: their shape, and whether this machine can run them. The addon loader is
// replaced by a test double so both kinds of machine (native built with some CPU paths, or not built) are checked
// whatever this machine has.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeBackend, runRequest } from '../../server/backend-choice.js';
import { parseSweepSpec } from '../../server/sweep-spec.js';
import { issuesOf, plan } from './helpers.js';

const machine = vi.hoisted(() => ({ cpuPaths: null as string[] | null }));
vi.mock('../../workers/native/addon.js', () => ({
  loadAddon: () => (machine.cpuPaths === null
    ? { addon: null, reason: 'build/Release/initlab_native.node was not built (test double)' }
    : { addon: { cpuPaths: () => machine.cpuPaths }, reason: null }),
}));

const base = { base: { model: { hidden: [4] }, train: { epochs: 1 } }, grid: { seed: [1, 2] } };

beforeEach(() => {
  vi.stubEnv('INITLAB_CPU_PATH', '');   // the best path is the first, whatever the shell running the tests set
});
afterEach(() => {
  vi.unstubAllEnvs();
  machine.cpuPaths = null;
});

describe('sweep spec backend and cpuPath', () => {
  it('keeps a pinned backend and CPU path, and the same runs as without them', () => {
    const spec = parseSweepSpec({ ...base, backend: 'ts', cpuPath: 'js' });
    expect(spec).toMatchObject({ backend: 'ts', cpuPath: 'js' });
    expect(parseSweepSpec(spec)).toEqual(spec);
    const hashes = (input: unknown) => plan(input).runs.map((r) => r.hash);
    expect(hashes({ ...base, backend: 'ts' })).toEqual(hashes(base));
    expect(parseSweepSpec(base)).not.toHaveProperty('backend');
    expect(parseSweepSpec(base)).not.toHaveProperty('cpuPath');
  });

  it('names a backend that is neither ts nor native, and a CPU path that is not a string', () => {
    expect(issuesOf(() => parseSweepSpec({ ...base, backend: 'cuda' }))).toEqual([
      { path: 'backend', message: 'expected one of "ts", "native"' },
    ]);
    expect(issuesOf(() => parseSweepSpec({ ...base, backend: 'ts', cpuPath: 2 }))).toEqual([
      { path: 'cpuPath', message: 'expected a string, e.g. "avx2"' },
    ]);
    expect(issuesOf(() => parseSweepSpec({ ...base, backend: 'ts', cpuPath: '' }))[0].path).toBe('cpuPath');
  });

  it('asks for the backend when only a CPU path is given', () => {
    machine.cpuPaths = ['avx2', 'generic'];
    expect(issuesOf(() => parseSweepSpec({ ...base, cpuPath: 'avx2' }))).toEqual([
      { path: 'cpuPath', message: expect.stringContaining('expected "backend" too') },
    ]);
  });

  it('refuses a CPU path the ts backend does not run on', () => {
    expect(issuesOf(() => parseSweepSpec({ ...base, backend: 'ts', cpuPath: 'avx2' }))).toEqual([
      { path: 'cpuPath', message: 'the ts backend runs on CPU path "js", not "avx2"' },
    ]);
  });

  it('accepts native and each CPU path the machine runs, and names one it does not', () => {
    machine.cpuPaths = ['avx2', 'sse2', 'generic'];
    expect(parseSweepSpec({ ...base, backend: 'native' })).toMatchObject({ backend: 'native' });
    for (const cpuPath of ['avx2', 'sse2', 'generic']) {
      expect(parseSweepSpec({ ...base, backend: 'native', cpuPath })).toMatchObject({ backend: 'native', cpuPath });
    }
    expect(issuesOf(() => parseSweepSpec({ ...base, backend: 'native', cpuPath: 'avx512' }))).toEqual([
      { path: 'cpuPath', message: 'CPU path "avx512" is not available on this machine (it runs: avx2, sse2, generic)' },
    ]);
  });

  it('takes a pinned CPU path over INITLAB_CPU_PATH, and names the variable when the default path is bad', () => {
    machine.cpuPaths = ['avx2', 'generic'];
    vi.stubEnv('INITLAB_CPU_PATH', 'avx9000');
    expect(parseSweepSpec({ ...base, backend: 'native', cpuPath: 'generic' })).toMatchObject({ cpuPath: 'generic' });
    expect(issuesOf(() => parseSweepSpec({ ...base, backend: 'native' }))).toEqual([
      { path: 'backend', message: 'INITLAB_CPU_PATH "avx9000" is not available on this machine (it runs: avx2, generic)' },
    ]);
  });

  it('names the backend when native is asked for on a machine without the addon', () => {
    expect(issuesOf(() => parseSweepSpec({ ...base, backend: 'native', cpuPath: 'avx2' }))).toEqual([
      { path: 'backend', message: expect.stringMatching(/^the native backend is unavailable: .*not built \(test double\)/) },
    ]);
  });

  it('reports a backend issue beside the spec\'s other issues', () => {
    const paths = issuesOf(() => parseSweepSpec({ ...base, backend: 'native', grid: { 'model.init': ['nope'] } }))
      .map((issue) => issue.path);
    expect(paths).toEqual(['backend', 'grid.model.init[0]']);
  });
});

describe('the backend a pinned sweep\'s task asks for', () => {
  it('is the default without a pin, and the pin itself when it names a CPU path', () => {
    expect(runRequest(null, { backend: 'native', cpuPath: 'sse2' })).toEqual({ backend: 'native', cpuPath: 'sse2' });
    expect(runRequest({ backend: 'ts', cpuPath: 'js' }, { backend: 'native', cpuPath: 'sse2' })).toEqual({ backend: 'ts', cpuPath: 'js' });
  });

  it('takes the default\'s CPU path when the pin names the default\'s backend, else the best path here', () => {
    machine.cpuPaths = ['avx2', 'generic'];
    expect(runRequest({ backend: 'native' }, { backend: 'native', cpuPath: 'generic' })).toEqual({ backend: 'native', cpuPath: 'generic' });
    expect(runRequest({ backend: 'native' }, { backend: 'ts', cpuPath: 'js' })).toEqual({ backend: 'native', cpuPath: 'avx2' });
    expect(runRequest({ backend: 'ts' }, { backend: 'native', cpuPath: 'avx2' })).toEqual({ backend: 'ts', cpuPath: 'js' });
  });

  it('leaves the CPU path to the worker when the pinned backend does not load here (the worker then says why)', () => {
    expect(runRequest({ backend: 'native' }, { backend: 'ts', cpuPath: 'js' })).toEqual({ backend: 'native' });
  });

  it('is described as the command lines print it', () => {
    expect(describeBackend({ backend: 'native', cpuPath: 'avx512' })).toBe('native backend (avx512)');
    expect(describeBackend({ backend: 'ts', cpuPath: 'js' })).toBe('ts backend (js)');
    expect(describeBackend({ backend: 'native' })).toBe('native backend');
  });
});
