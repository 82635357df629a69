// Every backward against central finite differences in float64: activations, the linear layer, both losses,
// and whole networks' forwardBackward over all parameters.
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type ActivationSpec, type LossName, type NetworkSpec } from '../../workers/core/types.js';
import {
  activationBackward, activationForward, dphi, maxDerivative, phi,
} from '../../workers/core/activations.js';
import { linearBackward, linearForward, linearScratchSize, matmulAccumulate, transpose } from '../../workers/core/linear.js';
import {
  crossEntropyBackward, crossEntropyForward, mseBackward, mseForward,
} from '../../workers/core/loss.js';
import {
  createNetwork, createWorkspace, forward, computeLoss, forwardBackward, toFloat64,
} from '../../workers/core/network.js';
import { createRng, type Rng } from '../../workers/core/rng.js';

const H = 1e-5;

function randomArray(rng: Rng, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

/** Central differences of f over every entry of x (restored afterwards). */
function numericGradient(x: Float64Array, f: () => number, h = H): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + h;
    const up = f();
    x[i] = saved - h;
    const down = f();
    x[i] = saved;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** Largest |a - n| relative to the larger of max|n| and 1e-3 (so tiny gradients are compared absolutely). */
function maxRelativeError(analytic: ArrayLike<number>, numeric: ArrayLike<number>): number {
  expect(analytic.length).toBe(numeric.length);
  let scale = 1e-3;
  for (let i = 0; i < numeric.length; i++) scale = Math.max(scale, Math.abs(numeric[i]));
  let err = 0;
  for (let i = 0; i < numeric.length; i++) err = Math.max(err, Math.abs(analytic[i] - numeric[i]) / scale);
  return err;
}

function dot(a: Float64Array, b: Float64Array, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

const ACTIVATION_SPECS: ActivationSpec[] = [
  ...ACTIVATIONS,
  { name: 'leaky_relu', slope: 0.2 },
  { name: 'leaky_relu', slope: 1.5 },
];
const label = (spec: ActivationSpec) => (typeof spec === 'string' ? spec : `${spec.name}(${spec.slope})`);

describe('activations', () => {
  for (const spec of ACTIVATION_SPECS) {
    it(`${label(spec)}: activationBackward matches finite differences of Σ dact·φ(pre)`, () => {
      const rng = createRng(11, 0);
      const n = 400;
      const pre = randomArray(rng, n, 3);
      for (let i = 0; i < n; i++) if (Math.abs(pre[i]) < 1e-3) pre[i] = 0.5; // keep off the kinks at 0
      const dact = randomArray(rng, n);
      const act = new Float64Array(n);
      const dpre = new Float64Array(n);
      activationForward(act, pre, n, spec);
      activationBackward(dpre, dact, pre, act, n, spec);
      const out = new Float64Array(n);
      const numeric = numericGradient(pre, () => {
        activationForward(out, pre, n, spec);
        return dot(dact, out);
      });
      expect(maxRelativeError(dpre, numeric)).toBeLessThan(1e-7);
    });

    it(`${label(spec)}: the scalar phi/dphi agree with the kernels and with finite differences`, () => {
      const xs = new Float64Array([-30, -4, -1.3, -0.2, 0.05, 0.7, 1.4142135623730951, 2.5, 9, 40]);
      const act = new Float64Array(xs.length);
      activationForward(act, xs, xs.length, spec);
      const ones = new Float64Array(xs.length).fill(1);
      const dpre = new Float64Array(xs.length);
      activationBackward(dpre, ones, xs, act, xs.length, spec);
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i];
        expect(act[i]).toBe(phi(spec, x));
        expect(dpre[i]).toBeCloseTo(dphi(spec, x), 12);
        const numeric = (phi(spec, x + H) - phi(spec, x - H)) / (2 * H);
        expect(Math.abs(dphi(spec, x) - numeric)).toBeLessThan(1e-8 * Math.max(1, Math.abs(numeric)));
      }
    });

    it(`${label(spec)}: maxDerivative is the supremum of φ' on a fine grid`, () => {
      let best = 0;
      for (let x = -20; x <= 20; x += 1e-4) best = Math.max(best, dphi(spec, x));
      const sup = maxDerivative(spec);
      expect(best).toBeLessThanOrEqual(sup + 1e-12);
      expect(best).toBeGreaterThan(sup - 1e-6);
    });
  }

  it('uses the documented constants: selu λ, α; leaky slope 0.01 by default; elu α = 1', () => {
    expect(phi('selu', 1)).toBe(1.0507009873554805);
    expect(phi('selu', -1)).toBeCloseTo(1.0507009873554805 * 1.6732632423543772 * (Math.exp(-1) - 1), 15);
    expect(phi('leaky_relu', -2)).toBe(-0.02);
    expect(phi({ name: 'leaky_relu', slope: 0.3 }, -2)).toBeCloseTo(-0.6, 15);
    expect(phi('elu', -1)).toBeCloseTo(Math.exp(-1) - 1, 15);
    expect(phi('gelu', 1)).toBeCloseTo(0.8413447460685429, 14); // 1·Φ(1)
    expect(phi('silu', 2)).toBeCloseTo(2 / (1 + Math.exp(-2)), 15);
    expect(phi('softsign', 3)).toBe(0.75);
  });

  it('takes the derivative of relu at 0 as 0 and of leaky_relu at 0 as its slope', () => {
    expect(dphi('relu', 0)).toBe(0);
    expect(dphi({ name: 'leaky_relu', slope: 0.2 }, 0)).toBe(0.2);
  });
});

describe('matrix kernels', () => {
  it('matmulAccumulate adds a·b to out for every shape from 1 to 9 (all block remainders)', () => {
    const rng = createRng(4, 0);
    for (let M = 1; M <= 9; M++) {
      for (let K = 1; K <= 9; K++) {
        for (let N = 1; N <= 9; N += 2) {
          const a = randomArray(rng, M * K);
          const b = randomArray(rng, K * N);
          const out = randomArray(rng, M * N);
          const expected = out.slice();
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) {
              let s = 0;
              for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
              expected[i * N + j] += s;
            }
          }
          matmulAccumulate(out, a, b, M, K, N);
          for (let i = 0; i < M * N; i++) expect(out[i]).toBeCloseTo(expected[i], 12);
        }
      }
    }
  });

  it('transpose maps (R, C) to (C, R)', () => {
    const out = new Float64Array(6);
    transpose(out, Float64Array.from([1, 2, 3, 4, 5, 6]), 2, 3);
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('linear layer', () => {
  // Sizes that exercise both the 4-wide blocks and the remainders of every loop.
  const B = 7;
  const C = 6;
  const OC = 9;
  const scratch = new Float64Array(linearScratchSize(B, C, OC));

  it('linearBackward matches finite differences for inputs, weights and bias', () => {
    const rng = createRng(5, 0);
    const inp = randomArray(rng, B * C);
    const weight = randomArray(rng, OC * C);
    const bias = randomArray(rng, OC);
    const dout = randomArray(rng, B * OC);
    const out = new Float64Array(B * OC);
    const objective = () => {
      linearForward(out, inp, weight, bias, B, C, OC, scratch);
      return dot(dout, out);
    };
    const dinp = new Float64Array(B * C);
    const dweight = new Float64Array(OC * C);
    const dbias = new Float64Array(OC);
    linearBackward(dinp, dweight, dbias, dout, inp, weight, B, C, OC, scratch);
    expect(maxRelativeError(dinp, numericGradient(inp, objective))).toBeLessThan(1e-8);
    expect(maxRelativeError(dweight, numericGradient(weight, objective))).toBeLessThan(1e-8);
    expect(maxRelativeError(dbias, numericGradient(bias, objective))).toBeLessThan(1e-8);
  });

  it('linearForward computes inp·Wᵀ + b, and without a bias inp·Wᵀ', () => {
    const rng = createRng(6, 0);
    const inp = randomArray(rng, B * C);
    const weight = randomArray(rng, OC * C);
    const bias = randomArray(rng, OC);
    const out = new Float64Array(B * OC);
    const noBias = new Float64Array(B * OC);
    linearForward(out, inp, weight, bias, B, C, OC, scratch);
    linearForward(noBias, inp, weight, null, B, C, OC, scratch);
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < OC; o++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += inp[b * C + c] * weight[o * C + c];
        expect(noBias[b * OC + o]).toBeCloseTo(s, 12);
        expect(out[b * OC + o]).toBeCloseTo(s + bias[o], 12);
      }
    }
  });

  it('linearBackward accumulates into its outputs and skips dinp when it is null', () => {
    const rng = createRng(7, 0);
    const inp = randomArray(rng, B * C);
    const weight = randomArray(rng, OC * C);
    const dout = randomArray(rng, B * OC);
    const dinp = new Float64Array(B * C);
    const dweight = new Float64Array(OC * C);
    const dbias = new Float64Array(OC);
    linearBackward(dinp, dweight, dbias, dout, inp, weight, B, C, OC, scratch);
    const once = { dinp: dinp.slice(), dweight: dweight.slice(), dbias: dbias.slice() };
    linearBackward(dinp, dweight, dbias, dout, inp, weight, B, C, OC, scratch);
    for (let i = 0; i < dinp.length; i++) expect(dinp[i]).toBeCloseTo(2 * once.dinp[i], 12);
    for (let i = 0; i < dweight.length; i++) expect(dweight[i]).toBeCloseTo(2 * once.dweight[i], 12);
    for (let i = 0; i < dbias.length; i++) expect(dbias[i]).toBeCloseTo(2 * once.dbias[i], 12);
    const dweight2 = new Float64Array(OC * C);
    linearBackward(null, dweight2, null, dout, inp, weight, B, C, OC, scratch);
    for (let i = 0; i < dweight2.length; i++) expect(dweight2[i]).toBeCloseTo(once.dweight[i], 12);
  });
});

describe('losses', () => {
  const B = 5;
  const V = 4;

  function oneHot(rng: Rng): Float64Array {
    const t = new Float64Array(B * V);
    for (let b = 0; b < B; b++) t[b * V + (rng.nextU32() % V)] = 1;
    return t;
  }

  it('cross-entropy backward matches finite differences, for one-hot and soft targets', () => {
    const rng = createRng(8, 0);
    const logits = randomArray(rng, B * V, 2);
    const probs = new Float64Array(B * V);
    const soft = new Float64Array(B * V);
    for (let i = 0; i < soft.length; i++) soft[i] = rng.next();
    for (const targets of [oneHot(rng), soft]) {
      crossEntropyForward(probs, logits, targets, B, V);
      const dlogits = new Float64Array(B * V);
      crossEntropyBackward(dlogits, probs, targets, B, V);
      const numeric = numericGradient(logits, () => crossEntropyForward(probs, logits, targets, B, V));
      expect(maxRelativeError(dlogits, numeric)).toBeLessThan(1e-8);
    }
  });

  it('cross-entropy is the batch mean of -log softmax at the label, and its probabilities sum to 1', () => {
    const rng = createRng(9, 0);
    const logits = randomArray(rng, B * V);
    const targets = oneHot(rng);
    const probs = new Float64Array(B * V);
    const loss = crossEntropyForward(probs, logits, targets, B, V);
    let expected = 0;
    for (let b = 0; b < B; b++) {
      let z = 0;
      for (let j = 0; j < V; j++) z += Math.exp(logits[b * V + j]);
      let rowSum = 0;
      for (let j = 0; j < V; j++) {
        rowSum += probs[b * V + j];
        if (targets[b * V + j] === 1) expected -= Math.log(Math.exp(logits[b * V + j]) / z);
      }
      expect(rowSum).toBeCloseTo(1, 14);
    }
    expect(loss).toBeCloseTo(expected / B, 13);
  });

  it('cross-entropy stays finite and exact for huge logits (row max subtracted, log-sum-exp)', () => {
    const logits = new Float32Array([1000, 0, -1000, 5000, 5001, -3e38]);
    const targets = new Float32Array([0, 0, 1, 1, 0, 0]);
    const probs = new Float32Array(6);
    const loss = crossEntropyForward(probs, logits, targets, 2, 3);
    // row 0: lse = 1000, loss 2000; row 1: lse = 5001 + log(1 + e^-1), loss = 1 + log(1 + e^-1)
    expect(loss).toBeCloseTo((2000 + 1 + Math.log1p(Math.exp(-1))) / 2, 9);
    expect(Array.from(probs).every(Number.isFinite)).toBe(true);
  });

  it('mse is the batch mean of the per-sample squared-error sum, and its backward matches finite differences', () => {
    const rng = createRng(10, 0);
    const pred = randomArray(rng, B * V);
    const targets = randomArray(rng, B * V);
    let expected = 0;
    for (let i = 0; i < B * V; i++) expected += (pred[i] - targets[i]) ** 2;
    expect(mseForward(pred, targets, B, V)).toBeCloseTo(expected / B, 13);
    const dpred = new Float64Array(B * V);
    mseBackward(dpred, pred, targets, B, V);
    const numeric = numericGradient(pred, () => mseForward(pred, targets, B, V));
    expect(maxRelativeError(dpred, numeric)).toBeLessThan(1e-8);
  });
});

describe('whole network', () => {
  function batchFor(spec: NetworkSpec, batch: number, seed: number): { inputs: Float32Array; targets: Float32Array } {
    const rng = createRng(seed, 0);
    const inputs = new Float32Array(batch * spec.inputs);
    for (let i = 0; i < inputs.length; i++) inputs[i] = rng.normal();
    const targets = new Float32Array(batch * spec.outputs);
    for (let b = 0; b < batch; b++) {
      if (spec.loss === 'cross_entropy') targets[b * spec.outputs + (rng.nextU32() % spec.outputs)] = 1;
      else for (let j = 0; j < spec.outputs; j++) targets[b * spec.outputs + j] = rng.normal();
    }
    return { inputs, targets };
  }

  const losses: LossName[] = ['cross_entropy', 'mse'];
  for (const activation of ACTIVATION_SPECS) {
    for (const loss of losses) {
      it(`forwardBackward matches finite differences of the loss over all params (${label(activation)}, ${loss})`, () => {
        const spec: NetworkSpec = {
          inputs: 3, outputs: 3, hidden: [6, 5], activation, init: 'xavier_normal',
          biasInit: { name: 'normal', std: 0.1 }, loss,
        };
        const batch = 4;
        const net32 = createNetwork(spec, 21);
        const net = toFloat64(net32);
        const { inputs, targets } = batchFor(spec, batch, 22);
        const ws = createWorkspace(net, batch);
        forwardBackward(net, ws, inputs, targets, batch);
        const analytic = net.grads.slice();
        const numeric = numericGradient(net.params, () => {
          forward(net, ws, inputs, batch);
          return computeLoss(net, ws, targets, batch);
        });
        expect(maxRelativeError(analytic, numeric)).toBeLessThan(1e-6);

        // The float32 network agrees with its float64 twin to float32 precision.
        const ws32 = createWorkspace(net32, batch);
        forwardBackward(net32, ws32, inputs, targets, batch);
        expect(maxRelativeError(net32.grads, analytic)).toBeLessThan(1e-4);
      });
    }
  }

  it('fills ws.delta with dL/dpre: the output delta is (softmax - onehot)/B for cross-entropy', () => {
    const spec: NetworkSpec = { inputs: 2, outputs: 3, hidden: [4], activation: 'tanh', init: 'xavier_uniform', loss: 'cross_entropy' };
    const net = toFloat64(createNetwork(spec, 3));
    const batch = 5;
    const { inputs, targets } = batchFor(spec, batch, 4);
    const ws = createWorkspace(net, batch);
    forwardBackward(net, ws, inputs, targets, batch);
    for (let i = 0; i < batch * 3; i++) expect(ws.delta[1][i]).toBeCloseTo((ws.probs[i] - targets[i]) / batch, 14);
    // Hidden delta = (W₁ᵀ δ₁) ⊙ tanh'(pre₀), and the first layer's weight gradient is δ₀ᵀ·x.
    const { wOffset, fanIn } = net.layout[1];
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < 4; h++) {
        let s = 0;
        for (let o = 0; o < 3; o++) s += ws.delta[1][b * 3 + o] * net.params[wOffset + o * fanIn + h];
        const t = Math.tanh(ws.pre[0][b * 4 + h]);
        expect(ws.delta[0][b * 4 + h]).toBeCloseTo(s * (1 - t * t), 14);
      }
    }
  });
});
