// The native addon's kernels against the TypeScript reference, on every CPU path this machine runs:
// activations on a dense grid with extremes, and the GEMM over shapes that hit every tile remainder and stride.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, activationBackward, activationForward } from '../../workers/core/index.js';
import { loadAddon, type NativeAddon } from '../../workers/native/addon.js';
import { createRng } from '../../workers/core/rng.js';

function addon(): NativeAddon {
  const load = loadAddon();
  if (load.addon === null) throw new Error(`the native addon must be built for these tests: ${load.reason}`);
  return load.addon;
}

const PATHS = addon().cpuPaths();
const ULP = 2 ** -23;

/** A dense grid over [-30, 30] plus the values where float32 math goes wrong first. */
function grid(): Float32Array {
  const n = 60_001;
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(-30 + (60 * i) / (n - 1));
  values.push(0, -0, 1e-30, -1e-30, 1e-8, -1e-8, 0.5, -0.5, 9, 9.05, -9.05, 17, 88, 89, -88, -104, -110, 200, -200,
    3.4e38, -3.4e38, 1e-45, Infinity, -Infinity, NaN);
  return Float32Array.from(values);
}

/** The first index where got and want differ by more than tolerance(i) (non-finite wants must match exactly). */
function firstMismatch(
  pre: Float32Array, got: Float32Array, want: Float32Array, tolerance: (i: number) => number,
): number | null {
  for (let i = 0; i < pre.length; i++) {
    if (!Number.isFinite(want[i])) {
      if (!Object.is(got[i], want[i]) && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) return i;
    } else if (!(Math.abs(got[i] - want[i]) <= tolerance(i))) {
      return i;
    }
  }
  return null;
}

describe('the native addon', () => {
  it('loads and offers the portable path plus whatever SIMD this CPU has, best first', () => {
    expect(PATHS.at(-1)).toBe('generic');
    const order = ['avx512', 'avx2', 'sse2', 'generic'];
    const ranks = PATHS.map((p) => order.indexOf(p));
    expect(ranks.every((r) => r >= 0)).toBe(true);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('loads in several worker threads at once (N-API addons are context-aware)', async () => {
    const file = new URL('../../build/Release/initlab_native.node', import.meta.url).pathname;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.file);
      const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]), c = new Float32Array(4);
      addon.gemm(addon.cpuPaths()[0], 2, 2, 2, a, 2, 1, b, 2, 1, c, 0);
      parentPort.postMessage(Array.from(c));`;
    const results = await Promise.all([0, 1, 2].map(() => new Promise<number[]>((resolve, reject) => {
      const worker = new Worker(code, { eval: true, workerData: { file } });
      worker.once('message', resolve);
      worker.once('error', reject);
    })));
    for (const c of results) expect(c).toEqual([19, 22, 43, 50]);
  });
});

describe.each(PATHS)('activations on the %s path', (path) => {
  const pre = grid();
  const n = pre.length;

  it.each(ACTIVATIONS)('%s forward is within 3 ulp of the float64 function rounded to float32', (name) => {
    const slope = name === 'leaky_relu' ? 0.01 : 0;
    const ref = new Float32Array(n);
    activationForward(ref, pre, n, name);
    const out = new Float32Array(n);
    addon().activationForward(path, name, slope, out, pre, n);
    // 3 ulp, or a denormal's absolute size where the result underflows; NaN and ±Inf exactly as the reference
    const bad = firstMismatch(pre, out, ref, (i) => 3 * ULP * Math.abs(ref[i]) + 2 ** -140);
    expect(bad, bad === null ? '' : `${name}(${pre[bad]}) = ${out[bad]}, want ${ref[bad]}`).toBeNull();
  });

  it.each(ACTIVATIONS)('%s backward is within float32 rounding of the float64 derivative', (name) => {
    const slope = name === 'leaky_relu' ? 0.01 : 0;
    const act = new Float32Array(n);
    activationForward(act, pre, n, name);
    const dact = Float32Array.from(pre, (_, i) => Math.sin(i));
    const ref = new Float32Array(n);
    activationBackward(ref, dact, pre, act, n, name);
    const out = new Float32Array(n);
    addon().activationBackward(path, name, slope, out, dact, pre, act, n);
    // float32 evaluation of the derivative's formula: a few ulp of the result, plus the rounding of its
    // terms (|dact|·(1 + |x|)·2⁻²²), which dominates only where the derivative crosses zero (silu near -1.28)
    const bad = firstMismatch(pre, out, ref, (i) => {
      const x = Number.isFinite(pre[i]) ? Math.abs(pre[i]) : 0;
      return 3 * ULP * Math.abs(ref[i]) + 2 ** -22 * Math.abs(dact[i]) * (1 + x) + 2 ** -140;
    });
    expect(bad, bad === null ? '' : `${name}'(${pre[bad]}) = ${out[bad]}, want ${ref[bad]}`).toBeNull();
  });
});

/** c = beta·c + a·b in float64, with the same strided operands. */
function referenceGemm(
  M: number, N: number, K: number, a: Float32Array, rsA: number, csA: number,
  b: Float32Array, rsB: number, csB: number, c: Float32Array, beta: number,
): { value: Float64Array; scale: Float64Array } {
  const value = new Float64Array(M * N);
  const scale = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = beta * c[i * N + j];
      let m = Math.abs(s);
      for (let k = 0; k < K; k++) {
        const p = a[i * rsA + k * csA] * b[k * rsB + j * csB];
        s += p;
        m += Math.abs(p);
      }
      value[i * N + j] = s;
      scale[i * N + j] = m;
    }
  }
  return { value, scale };
}

type Layout = 'a·b' | 'aᵀ·b' | 'a·bᵀ' | 'strided a';

function operands(layout: Layout, M: number, N: number, K: number) {
  switch (layout) {
    case 'a·b': return { rsA: K, csA: 1, aSize: M * K, rsB: N, csB: 1, bSize: K * N };
    case 'aᵀ·b': return { rsA: 1, csA: M, aSize: M * K, rsB: N, csB: 1, bSize: K * N };
    case 'a·bᵀ': return { rsA: K, csA: 1, aSize: M * K, rsB: 1, csB: K, bSize: K * N };
    case 'strided a': return { rsA: 2 * K, csA: 2, aSize: 2 * M * K, rsB: N, csB: 1, bSize: K * N };
  }
}

describe.each(PATHS)('GEMM on the %s path', (path) => {
  const rng = createRng(11, 0);
  // Every tile remainder (rows 1..8 past a multiple of 8, columns past 4, 8, 16, 32), narrow outputs that take
  // the transposed route, and depths past one 256-deep pass.
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1], [2, 3, 1], [7, 2, 5], [8, 32, 8], [9, 33, 17], [13, 10, 64], [32, 2, 64], [64, 2, 32],
    [6, 17, 300], [24, 48, 257], [5, 100, 3], [40, 40, 40], [3, 5, 513],
  ];
  const layouts: Layout[] = ['a·b', 'aᵀ·b', 'a·bᵀ', 'strided a'];

  it.each(layouts)('computes %s for every shape, overwriting (beta 0) and accumulating (beta 1)', (layout) => {
    for (const [M, N, K] of shapes) {
      for (const beta of [0, 1]) {
        const { rsA, csA, aSize, rsB, csB, bSize } = operands(layout, M, N, K);
        const a = Float32Array.from({ length: aSize }, () => rng.normal());
        const b = Float32Array.from({ length: bSize }, () => rng.normal());
        const c = Float32Array.from({ length: M * N }, () => rng.normal());
        const { value, scale } = referenceGemm(M, N, K, a, rsA, csA, b, rsB, csB, c, beta);
        addon().gemm(path, M, N, K, a, rsA, csA, b, rsB, csB, c, beta);
        let worst = 0; // the largest error in units of the float32 error bound K·2⁻²⁴·Σ|a·b|
        for (let i = 0; i < M * N; i++) {
          worst = Math.max(worst, Math.abs(c[i] - value[i]) / (K * 2 ** -24 * scale[i] + 1e-30));
        }
        expect(worst, `${layout} ${M}×${N}×${K} beta ${beta}`).toBeLessThanOrEqual(4);
      }
    }
  });

  it('refuses operands too short for their shape instead of reading past them', () => {
    const a = new Float32Array(5);
    const b = new Float32Array(6);
    const c = new Float32Array(6);
    expect(() => addon().gemm(path, 2, 3, 3, a, 3, 1, b, 3, 1, c, 0)).toThrow(/a holds 5 values, needs 6/);
    expect(() => addon().gemm(path, 2, 3, 2, new Float32Array(4), 2, 1, b, 3, 1, new Float32Array(5), 0))
      .toThrow(/c holds 5 values, needs 6/);
    expect(() => addon().gemm(path, 2, 3, 2, new Float64Array(4) as unknown as Float32Array, 2, 1, b, 3, 1, c, 0))
      .toThrow(TypeError);
  });
});
