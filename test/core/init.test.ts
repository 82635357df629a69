// Initializers against their own formulas: Kolmogorov–Smirnov tests on ≥ 10,000 draws, orthogonality, PyTorch's
// gains, LSUV's calibrated variance and seeding. Also the special functions and the generator the tests rely on.
import { describe, expect, it } from 'vitest';
import type { ActivationSpec, InitSpec, NetworkSpec } from '../../workers/core/types.js';
import { calculateGain, initBias, initStd, initWeights } from '../../workers/core/init.js';
import { createNetwork, createWorkspace, forward } from '../../workers/core/network.js';
import { createRng } from '../../workers/core/rng.js';
import { erf, erfc, normalCdf, normalPdf } from '../../workers/core/special.js';

// ---- Kolmogorov–Smirnov helpers ----

/** D = sup |F_n(x) - F(x)| for the sample against a continuous CDF. */
function ksStatistic(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** Kolmogorov's Q(λ) = 2 Σ_{j≥1} (-1)^{j-1} e^{-2j²λ²}, the asymptotic P(√n·D > λ). */
function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1; // the series has not converged; Q(0.2) = 1 - 3e-17
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    sum += j % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** The KS p-value with Stephens' small-sample correction λ = (√n + 0.12 + 0.11/√n)·D. */
function ksPValue(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const n = samples.length;
  const sn = Math.sqrt(n);
  return kolmogorovQ((sn + 0.12 + 0.11 / sn) * ksStatistic(samples, cdf));
}

const uniformCdf = (limit: number) => (x: number) => Math.min(1, Math.max(0, (x + limit) / (2 * limit)));
const normalCdfOf = (mean: number, std: number) => (x: number) => normalCdf((x - mean) / std);

describe('test helpers: KS statistic and Kolmogorov p-value', () => {
  it('gives the textbook critical values Q(1.358) ≈ 0.05 and Q(1.628) ≈ 0.01', () => {
    expect(kolmogorovQ(1.358)).toBeCloseTo(0.05, 3);
    expect(kolmogorovQ(1.628)).toBeCloseTo(0.01, 3);
    expect(kolmogorovQ(0.5)).toBeCloseTo(0.9639452436648751, 10);
  });

  it('has the power to reject a 10% wrong scale and a 0.1 offset on 10,000 draws', () => {
    const rng = createRng(1, 9);
    const xs = new Float64Array(10_000);
    for (let i = 0; i < xs.length; i++) xs[i] = rng.normal();
    expect(ksPValue(xs, normalCdfOf(0, 1))).toBeGreaterThan(1e-4);
    expect(ksPValue(xs, normalCdfOf(0, 1.1))).toBeLessThan(1e-4);
    expect(ksPValue(xs, normalCdfOf(0.1, 1))).toBeLessThan(1e-4);
    expect(ksPValue(xs, uniformCdf(1))).toBeLessThan(1e-4);
  });
});

describe('special functions', () => {
  it('erf and erfc match reference values to a few 1e-15 relative, tails included', () => {
    // Reference values from CPython's math.erf / math.erfc.
    const cases: [number, number, number][] = [
      [1e-3, 0.0011283787909692365, 0.9988716212090308],
      [0.5, 0.5204998778130465, 0.4795001221869535],
      [1, 0.8427007929497149, 0.15729920705028513],
      [2, 0.9953222650189527, 0.004677734981047266],
      [3, 0.9999779095030014, 2.2090496998585438e-05],
      [5, 0.9999999999984626, 1.5374597944280351e-12],
      [10, 1, 2.088487583762545e-45],
      [0.25, 0.2763263901682369, 0.7236736098317631],
      [0.4999, 0.5204119951613866, 0.4795880048386134],
      [0.75, 0.7111556336535151, 0.28884436634648486],
      [1.2, 0.9103139782296353, 0.08968602177036465],
      [1.5, 0.9661051464753108, 0.033894853524689274],
      [2.75, 0.9998993780778803, 0.00010062192211963684],
      [3.99, 0.9999999832607886, 1.6739211364520814e-08],
      [4.0, 0.9999999845827421, 1.541725790028002e-08],
      [4.5, 0.9999999998033839, 1.9661604415428873e-10],
      [6.5, 1.0, 3.8421483271206475e-20],
      [12, 1.0, 1.3562611692059042e-64],
    ];
    for (const [x, e, c] of cases) {
      expect(Math.abs(erf(x) - e)).toBeLessThan(1e-15 * Math.max(1, Math.abs(e)));
      expect(Math.abs(erf(-x) + e)).toBeLessThan(1e-15 * Math.max(1, Math.abs(e)));
      expect(Math.abs(erfc(x) - c) / c).toBeLessThan(5e-15);
      expect(Math.abs(erfc(-x) - (2 - c))).toBeLessThan(1e-15 * (2 - c));
    }
    expect(erf(0)).toBe(0);
    expect(Number.isNaN(erf(NaN))).toBe(true);
  });

  it('is continuous across its piece boundaries and keeps erf + erfc = 1, erf odd', () => {
    for (let k = 0; k <= 14; k++) {
      const x = 0.5 + k / 4;
      const below = erfc(x * (1 - 1e-15));
      const above = erfc(x * (1 + 1e-15));
      expect(Math.abs(below - above) / above).toBeLessThan(1e-13); // the slope alone moves it by ~x²·2e-15
      expect(below).toBeGreaterThanOrEqual(above);
    }
    for (let x = -5; x <= 5; x += 0.0137) {
      expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(1e-15);
      expect(erf(-x)).toBe(-erf(x));
    }
  });

  it('normalCdf is Φ and normalPdf is φ', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 15);
    expect(normalCdf(-8)).toBeCloseTo(6.22096057427178e-16, 28);
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 16);
  });
});

describe('rng', () => {
  it('next() is uniform on [0, 1) and normal() is N(0, 1) by KS on 20,000 draws', () => {
    const rng = createRng(123, 0);
    const u = new Float64Array(20_000);
    const z = new Float64Array(20_000);
    for (let i = 0; i < u.length; i++) u[i] = rng.next();
    for (let i = 0; i < z.length; i++) z[i] = rng.normal();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(ksPValue(u, (x) => Math.min(1, Math.max(0, x)))).toBeGreaterThan(1e-4);
    expect(ksPValue(z, normalCdfOf(0, 1))).toBeGreaterThan(1e-4);
  });

  it('replays the same sequence for the same (seed, stream) and differs across seeds and streams', () => {
    const draw = (seed: number, stream: number) => {
      const rng = createRng(seed, stream);
      return Array.from({ length: 8 }, () => rng.nextU32());
    };
    expect(draw(42, 1)).toEqual(draw(42, 1));
    expect(draw(42, 1)).not.toEqual(draw(43, 1));
    expect(draw(42, 1)).not.toEqual(draw(42, 2));
    expect(draw(0, 0).every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
  });

  it('nextU32 is the xoshiro128** sequence (golden values pin the algorithm across platforms)', () => {
    const rng = createRng(0, 0);
    const first = Array.from({ length: 4 }, () => rng.nextU32());
    // Recompute xoshiro128** independently from the state the seeding documents (splitmix32 words, xored).
    const mix = (x: number) => {
      x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
      x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
      return (x ^ (x >>> 16)) >>> 0;
    };
    let a = 0;
    let b = mix(0 ^ 0x6a09e667);
    const s = [0, 0, 0, 0].map(() => {
      a = (a + 0x9e3779b9) >>> 0;
      b = (b + 0xbb67ae85) >>> 0;
      return (mix(a) ^ mix(b ^ 0x3c6ef372)) >>> 0;
    });
    const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
    const expected = [0, 0, 0, 0].map(() => {
      const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
      const t = (s[1] << 9) >>> 0;
      s[2] = (s[2] ^ s[0]) >>> 0;
      s[3] = (s[3] ^ s[1]) >>> 0;
      s[1] = (s[1] ^ s[2]) >>> 0;
      s[0] = (s[0] ^ s[3]) >>> 0;
      s[2] = (s[2] ^ t) >>> 0;
      s[3] = rotl(s[3], 11);
      return result;
    });
    expect(first).toEqual(expected);
  });
});

// ---- initializers ----

const FAN_OUT = 100;
const FAN_IN = 120; // 12,000 draws per initializer

function draw(init: InitSpec, activation: ActivationSpec = 'tanh', fanOut = FAN_OUT, fanIn = FAN_IN, seed = 5): Float32Array {
  const w = new Float32Array(fanOut * fanIn);
  initWeights(w, fanOut, fanIn, init, activation, createRng(seed, 1));
  return w;
}

interface KsCase {
  init: InitSpec;
  activation?: ActivationSpec;
  kind: 'normal' | 'uniform';
  mean?: number;
  scale: number; // std for normal, limit for uniform
}

const s = Math.sqrt;
const KS_CASES: KsCase[] = [
  { init: 'normal', kind: 'normal', scale: 1 },
  { init: { name: 'normal', std: 0.01 }, kind: 'normal', scale: 0.01 },
  { init: { name: 'normal', mean: 0.5, std: 2 }, kind: 'normal', mean: 0.5, scale: 2 },
  { init: 'uniform', kind: 'uniform', scale: 1 },
  { init: { name: 'uniform', limit: 0.05 }, kind: 'uniform', scale: 0.05 },
  { init: 'xavier_uniform', kind: 'uniform', scale: s(6 / 220) },
  { init: { name: 'xavier_uniform', gain: 2 }, kind: 'uniform', scale: 2 * s(6 / 220) },
  { init: { name: 'xavier_uniform', gain: 'auto' }, activation: 'tanh', kind: 'uniform', scale: (5 / 3) * s(6 / 220) },
  { init: 'xavier_normal', kind: 'normal', scale: s(2 / 220) },
  { init: { name: 'xavier_normal', gain: 'auto' }, activation: 'relu', kind: 'normal', scale: s(2) * s(2 / 220) },
  { init: 'he_uniform', activation: 'relu', kind: 'uniform', scale: s(2) * s(3 / FAN_IN) },
  { init: { name: 'he_uniform', mode: 'fan_out' }, activation: 'relu', kind: 'uniform', scale: s(2) * s(3 / FAN_OUT) },
  { init: 'he_uniform', activation: { name: 'leaky_relu', slope: 0.2 }, kind: 'uniform', scale: s(2 / 1.04) * s(3 / FAN_IN) },
  { init: 'he_normal', activation: 'relu', kind: 'normal', scale: s(2) / s(FAN_IN) },
  { init: 'he_normal', activation: 'leaky_relu', kind: 'normal', scale: s(2 / (1 + 1e-4)) / s(FAN_IN) },
  { init: { name: 'he_normal', slope: 0.5, mode: 'fan_out' }, activation: 'tanh', kind: 'normal', scale: s(2 / 1.25) / s(FAN_OUT) },
  { init: 'lecun_uniform', kind: 'uniform', scale: s(3 / FAN_IN) },
  { init: 'lecun_normal', kind: 'normal', scale: s(1 / FAN_IN) },
  // a gain makes lecun_normal the mean-field family N(0, σ_w²/fan_in) with σ_w = gain
  { init: { name: 'lecun_normal', gain: 1.5 }, kind: 'normal', scale: 1.5 / s(FAN_IN) },
  { init: { name: 'lecun_uniform', gain: 2 }, kind: 'uniform', scale: 2 * s(3 / FAN_IN) },
];

const caseLabel = (c: KsCase) =>
  `${JSON.stringify(c.init)}${c.activation === undefined ? '' : ` with ${JSON.stringify(c.activation)}`}`;

describe('random initializers follow their formulas', () => {
  for (const c of KS_CASES) {
    it(`${caseLabel(c)} passes a KS test against ${c.kind}(${c.scale.toPrecision(4)}) at p > 1e-4`, () => {
      const activation = c.activation ?? 'tanh';
      const w = draw(c.init, activation);
      expect(w.length).toBeGreaterThanOrEqual(10_000);
      const cdf = c.kind === 'normal' ? normalCdfOf(c.mean ?? 0, c.scale) : uniformCdf(c.scale);
      expect(ksPValue(w, cdf)).toBeGreaterThan(1e-4);
      if (c.kind === 'uniform') expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(c.scale * (1 + 1e-6));
      // initStd reports the same formula: N's std, or a/√3 for U(-a, a).
      const std = c.kind === 'normal' ? c.scale : c.scale / Math.sqrt(3);
      expect(initStd(FAN_OUT, FAN_IN, c.init, activation)).toBeCloseTo(std, 12);
    });
  }

  it('the same draws fail the KS test against a 10% wrong scale (the test discriminates)', () => {
    const w = draw('xavier_normal');
    expect(ksPValue(w, normalCdfOf(0, 1.1 * s(2 / 220)))).toBeLessThan(1e-4);
  });

  it('zeros and constant are exact, and constant defaults to 0', () => {
    expect(draw('zeros').every((x) => x === 0)).toBe(true);
    expect(draw({ name: 'constant', value: 0.25 }).every((x) => x === 0.25)).toBe(true);
    expect(draw('constant').every((x) => x === 0)).toBe(true);
    expect(initStd(3, 4, 'zeros', 'relu')).toBe(0);
    expect(initStd(3, 4, { name: 'constant', value: 2 }, 'relu')).toBe(0);
  });

  it('biases follow the same formulas with the layer fans, and lsuv biases are zero', () => {
    const bias = new Float32Array(12_000);
    initBias(bias, 12_000, 50, 'lecun_uniform', 'tanh', createRng(3, 3));
    expect(ksPValue(bias, uniformCdf(s(3 / 50)))).toBeGreaterThan(1e-4);
    const lsuvBias = new Float32Array(10).fill(7);
    initBias(lsuvBias, 10, 4, 'lsuv', 'tanh', createRng(3, 3));
    expect(lsuvBias.every((x) => x === 0)).toBe(true);
    const ortho = new Float32Array(10);
    initBias(ortho, 10, 4, { name: 'orthogonal', gain: 3 }, 'tanh', createRng(3, 3));
    expect(Math.hypot(...ortho)).toBeCloseTo(3, 5);
  });
});

describe('calculateGain and he gains', () => {
  it('equals PyTorch calculate_gain exactly', () => {
    expect(calculateGain('linear')).toBe(1);
    expect(calculateGain('sigmoid')).toBe(1);
    expect(calculateGain('tanh')).toBe(5 / 3);
    expect(calculateGain('relu')).toBe(Math.sqrt(2.0));
    expect(calculateGain('leaky_relu')).toBe(Math.sqrt(2.0 / (1 + 0.01 ** 2)));
    expect(calculateGain({ name: 'leaky_relu', slope: 0.2 })).toBe(Math.sqrt(2.0 / (1 + 0.2 ** 2)));
    expect(calculateGain('selu')).toBe(3 / 4);
    for (const other of ['elu', 'gelu', 'softsign', 'silu'] as const) expect(calculateGain(other)).toBe(1);
  });

  it('he uses the activation leaky slope unless the init names its own, and fan_out on request', () => {
    const leaky: ActivationSpec = { name: 'leaky_relu', slope: 0.3 };
    expect(initStd(10, 40, 'he_normal', leaky)).toBeCloseTo(s(2 / 1.09) / s(40), 15);
    expect(initStd(10, 40, { name: 'he_normal', slope: 0 }, leaky)).toBeCloseTo(s(2) / s(40), 15);
    expect(initStd(10, 40, 'he_normal', 'tanh')).toBeCloseTo(s(2) / s(40), 15);
    expect(initStd(10, 40, { name: 'he_uniform', mode: 'fan_out' }, 'relu')).toBeCloseTo(s(2) / s(10), 15);
  });

  it('orthogonal and lsuv report gain/√max(fanIn, fanOut) as their std', () => {
    expect(initStd(10, 40, 'orthogonal', 'relu')).toBeCloseTo(1 / s(40), 15);
    expect(initStd(40, 10, { name: 'orthogonal', gain: 'auto' }, 'relu')).toBeCloseTo(s(2) / s(40), 15);
    expect(initStd(40, 10, 'lsuv', 'relu')).toBeCloseTo(1 / s(40), 15);
    const w = draw('orthogonal', 'tanh', 30, 90);
    const rms = Math.sqrt(w.reduce((acc, x) => acc + x * x, 0) / w.length);
    expect(rms).toBeCloseTo(initStd(30, 90, 'orthogonal', 'tanh'), 6);
  });
});

describe('orthogonal', () => {
  /** G = W·Wᵀ (rows ≤ cols) or Wᵀ·W, in float64. */
  function gram(w: Float32Array, rows: number, cols: number): { g: Float64Array; k: number } {
    const byRows = rows <= cols;
    const k = byRows ? rows : cols;
    const g = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let acc = 0;
        if (byRows) for (let c = 0; c < cols; c++) acc += w[i * cols + c] * w[j * cols + c];
        else for (let r = 0; r < rows; r++) acc += w[r * cols + i] * w[r * cols + j];
        g[i * k + j] = acc;
      }
    }
    return { g, k };
  }

  const shapes: [number, number][] = [[20, 50], [64, 64], [50, 20], [1, 7], [7, 1]];
  for (const [rows, cols] of shapes) {
    for (const gain of [1, 'auto'] as const) {
      it(`gives ${rows <= cols ? 'W·Wᵀ' : 'Wᵀ·W'} = gain²·I to 1e-5 for a (${rows}, ${cols}) weight, gain ${gain}`, () => {
        const w = draw({ name: 'orthogonal', gain }, 'relu', rows, cols);
        const g2 = gain === 'auto' ? 2 : 1;
        const { g, k } = gram(w, rows, cols);
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) expect(Math.abs(g[i * k + j] - (i === j ? g2 : 0))).toBeLessThan(1e-5);
        }
      });
    }
  }

  it('follows PyTorch: Q from QR of the row-major N(0,1) draw, with sign(diag R) folded in (R = QᵀA has a positive diagonal)', () => {
    for (const [rows, cols] of [[12, 5], [5, 12]] as const) {
      const w = draw('orthogonal', 'tanh', rows, cols, 17);
      const rng = createRng(17, 1);
      const a = Float64Array.from({ length: rows * cols }, () => rng.normal());
      // Tall M = A (rows ≥ cols) or Aᵀ, Q = W or Wᵀ; R = QᵀM must be upper triangular with a positive diagonal.
      const tall = rows >= cols;
      const m = tall ? rows : cols;
      const n = tall ? cols : rows;
      const M = (i: number, j: number) => (tall ? a[i * cols + j] : a[j * cols + i]);
      const Q = (i: number, j: number) => (tall ? w[i * cols + j] : w[j * cols + i]);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let r = 0;
          for (let t = 0; t < m; t++) r += Q(t, i) * M(t, j);
          if (i > j) expect(Math.abs(r)).toBeLessThan(1e-5);
          if (i === j) expect(r).toBeGreaterThan(0);
        }
      }
    }
  });
});

describe('lsuv', () => {
  function preVariances(spec: NetworkSpec, seed: number, inputs: Float32Array, batch: number): number[] {
    const net = createNetwork(spec, seed, { lsuvBatch: { inputs, batch } });
    const ws = createWorkspace(net, batch);
    forward(net, ws, inputs, batch);
    return net.layout.map((l, i) => {
      const n = batch * l.fanOut;
      const pre = ws.pre[i];
      let mean = 0;
      for (let j = 0; j < n; j++) mean += pre[j];
      mean /= n;
      let v = 0;
      for (let j = 0; j < n; j++) v += (pre[j] - mean) ** 2;
      return v / n;
    });
  }

  for (const activation of ['tanh', 'relu', 'sigmoid', 'selu'] as const) {
    it(`calibrates every layer's pre-activation variance to 1 ± 0.1 on its batch (${activation})`, () => {
      const spec: NetworkSpec = { inputs: 10, outputs: 4, hidden: [48, 48, 48, 48], activation, init: 'lsuv', loss: 'cross_entropy' };
      const rng = createRng(77, 0);
      const batch = 200;
      const inputs = Float32Array.from({ length: batch * 10 }, () => 3 * rng.next());
      for (const v of preVariances(spec, 4, inputs, batch)) expect(Math.abs(v - 1)).toBeLessThan(0.1);
    });
  }

  it('without a batch, calibrates on 256 N(0,1) rows from createRng(seed, 2)', () => {
    const spec: NetworkSpec = { inputs: 6, outputs: 3, hidden: [32, 32], activation: 'tanh', init: { name: 'lsuv', gain: 5 }, loss: 'mse' };
    const rng = createRng(9, 2);
    const inputs = Float32Array.from({ length: 256 * 6 }, () => rng.normal());
    const net = createNetwork(spec, 9);
    const calibrated = createNetwork(spec, 9, { lsuvBatch: { inputs, batch: 256 } });
    expect(Array.from(net.params)).toEqual(Array.from(calibrated.params));
    for (const v of preVariances(spec, 9, inputs, 256)) expect(Math.abs(v - 1)).toBeLessThan(0.1);
  });
});

describe('seeding', () => {
  const spec: NetworkSpec = {
    inputs: 5, outputs: 3, hidden: [16, 16], activation: 'relu', init: 'he_normal',
    biasInit: { name: 'uniform', limit: 0.1 }, loss: 'cross_entropy',
  };

  it('gives identical params for the same seed and different params for another seed', () => {
    for (const init of ['he_normal', 'orthogonal', 'lsuv', 'xavier_uniform'] as const) {
      const a = createNetwork({ ...spec, init }, 1234);
      const b = createNetwork({ ...spec, init }, 1234);
      const c = createNetwork({ ...spec, init }, 1235);
      expect(Buffer.from(a.params.buffer).equals(Buffer.from(b.params.buffer))).toBe(true);
      expect(a.params.some((x, i) => x !== c.params[i])).toBe(true);
    }
  });

  it('draws biases from their own stream, so the bias init never shifts the weights', () => {
    const a = createNetwork(spec, 8);
    const b = createNetwork({ ...spec, biasInit: 'zeros' }, 8);
    for (const { wOffset, bOffset } of a.layout) {
      expect(Array.from(a.params.subarray(wOffset, bOffset))).toEqual(Array.from(b.params.subarray(wOffset, bOffset)));
    }
  });
});
