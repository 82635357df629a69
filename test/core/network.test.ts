// The network's layout, creation, symmetry under zero/constant init, buffer reuse, accuracy counting, and a
// tiny training run end to end.
import { describe, expect, it } from 'vitest';
import type { NetworkSpec } from '../../workers/core/types.js';
import {
  computeLoss, countCorrect, createNetwork, createWorkspace, createWorkspaceCache, forward, forwardBackward, lossAndGradients,
} from '../../workers/core/network.js';
import { createOptimizer } from '../../workers/core/optim.js';
import { createRng } from '../../workers/core/rng.js';

const base: NetworkSpec = {
  inputs: 3, outputs: 2, hidden: [4, 5], activation: 'tanh', init: 'xavier_uniform', loss: 'cross_entropy',
};

function randomBatch(spec: NetworkSpec, batch: number, seed: number): { inputs: Float32Array; targets: Float32Array } {
  const rng = createRng(seed, 0);
  const inputs = Float32Array.from({ length: batch * spec.inputs }, () => rng.normal());
  const targets = new Float32Array(batch * spec.outputs);
  for (let b = 0; b < batch; b++) targets[b * spec.outputs + (rng.nextU32() % spec.outputs)] = 1;
  return { inputs, targets };
}

describe('layout', () => {
  it('stores each layer as W (fanOut, fanIn) row-major followed by its bias', () => {
    const net = createNetwork(base, 1);
    expect(net.layout).toEqual([
      { fanIn: 3, fanOut: 4, wOffset: 0, bOffset: 12 },
      { fanIn: 4, fanOut: 5, wOffset: 16, bOffset: 36 },
      { fanIn: 5, fanOut: 2, wOffset: 41, bOffset: 51 },
    ]);
    expect(net.numParams).toBe(53);
    expect(net.params).toBeInstanceOf(Float32Array);
    expect(net.params.length).toBe(53);
    expect(net.grads.length).toBe(53);
  });

  it('uses W[o, c] at wOffset + o·fanIn + c in the forward pass', () => {
    const spec: NetworkSpec = { inputs: 2, outputs: 2, hidden: [], activation: 'linear', init: 'zeros', loss: 'mse' };
    const net = createNetwork(spec, 1);
    net.params.set([1, 2, 3, 4, 10, 20]); // W = [[1, 2], [3, 4]], b = [10, 20]
    const ws = createWorkspace(net, 1);
    const out = forward(net, ws, Float32Array.from([5, 7]), 1);
    expect(Array.from(out)).toEqual([1 * 5 + 2 * 7 + 10, 3 * 5 + 4 * 7 + 20]);
  });

  it('rejects layer sizes that are not positive integers', () => {
    expect(() => createNetwork({ ...base, hidden: [0] }, 1)).toThrow(RangeError);
    expect(() => createNetwork({ ...base, inputs: 2.5 }, 1)).toThrow(RangeError);
  });
});

describe('createNetwork', () => {
  it('is deterministic in the seed and biases default to zeros', () => {
    const a = createNetwork(base, 99);
    const b = createNetwork(base, 99);
    expect(Array.from(a.params)).toEqual(Array.from(b.params));
    expect(Array.from(createNetwork(base, 100).params)).not.toEqual(Array.from(a.params));
    for (const { bOffset, fanOut } of a.layout) {
      expect(a.params.subarray(bOffset, bOffset + fanOut).every((x) => x === 0)).toBe(true);
    }
    expect(a.grads.every((x) => x === 0)).toBe(true);
  });

  it('applies biasInit to biases', () => {
    const net = createNetwork({ ...base, biasInit: { name: 'constant', value: 0.1 } }, 1);
    for (const { bOffset, fanOut } of net.layout) {
      expect(net.params.subarray(bOffset, bOffset + fanOut).every((x) => x === Math.fround(0.1))).toBe(true);
    }
  });
});

describe('symmetry under zero and constant init', () => {
  function rowsIdentical(params: Float32Array, wOffset: number, fanOut: number, fanIn: number): boolean {
    for (let o = 1; o < fanOut; o++) {
      for (let c = 0; c < fanIn; c++) if (params[wOffset + o * fanIn + c] !== params[wOffset + c]) return false;
    }
    return true;
  }

  for (const activation of ['tanh', 'relu'] as const) {
    it(`zero init gives bit-identical hidden units and exactly zero weight gradients (${activation})`, () => {
      const spec: NetworkSpec = { ...base, hidden: [8, 8], activation, init: 'zeros' };
      const net = createNetwork(spec, 3);
      const batch = 16;
      const { inputs, targets } = randomBatch(spec, batch, 4);
      const ws = createWorkspace(net, batch);
      forwardBackward(net, ws, inputs, targets, batch);
      for (let l = 0; l < 2; l++) {
        const act = ws.act[l];
        for (let b = 0; b < batch; b++) for (let u = 1; u < 8; u++) expect(act[b * 8 + u]).toBe(act[b * 8]);
      }
      for (const { wOffset, bOffset } of net.layout) {
        expect(net.grads.subarray(wOffset, bOffset).every((g) => g === 0)).toBe(true);
      }
      // Only the output bias learns; it is the mean of (softmax - onehot).
      const last = net.layout[2];
      expect(net.grads.subarray(last.bOffset, last.bOffset + 2).some((g) => g !== 0)).toBe(true);
    });
  }

  it('constant init keeps the hidden rows of W bit-identical through training', () => {
    const spec: NetworkSpec = { ...base, hidden: [6, 6], activation: 'tanh', init: { name: 'constant', value: 0.3 } };
    const net = createNetwork(spec, 5);
    const batch = 8;
    const { inputs, targets } = randomBatch(spec, batch, 6);
    const ws = createWorkspace(net, batch);
    const opt = createOptimizer({
      epochs: 1, batchSize: batch, loss: 'cross_entropy', optimizer: 'momentum', lr: 0.1, momentum: 0.9,
      nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: { mode: 'none' }, probeSize: 8,
    }, net.layout, net.numParams);
    const before = net.params.slice();
    for (let step = 0; step < 20; step++) {
      forwardBackward(net, ws, inputs, targets, batch);
      opt.step(net.params, net.grads);
    }
    expect(Array.from(net.params)).not.toEqual(Array.from(before));
    for (const { wOffset, fanIn, fanOut } of net.layout.slice(0, 2)) {
      expect(rowsIdentical(net.params, wOffset, fanOut, fanIn)).toBe(true);
    }
  });
});

describe('buffers', () => {
  it('forward and forwardBackward reuse the workspace and gradient buffers on every call', () => {
    const net = createNetwork(base, 7);
    const batch = 10;
    const { inputs, targets } = randomBatch(base, batch, 8);
    const ws = createWorkspace(net, batch);
    const grads = net.grads;
    const buffers = [...ws.pre, ...ws.act, ...ws.delta, ws.probs];
    const out1 = forward(net, ws, inputs, batch);
    const loss1 = forwardBackward(net, ws, inputs, targets, batch);
    const g1 = net.grads.slice();
    const out2 = forward(net, ws, inputs, batch);
    const loss2 = forwardBackward(net, ws, inputs, targets, batch);
    expect(out1).toBe(out2);
    expect(out1).toBe(ws.act[2]);
    expect(ws.act[2]).toBe(ws.pre[2]); // the output layer's activation is its pre-activation
    expect(net.grads).toBe(grads);
    const after = [...ws.pre, ...ws.act, ...ws.delta, ws.probs];
    buffers.forEach((buf, i) => expect(after[i]).toBe(buf));
    // Gradients are overwritten, not accumulated.
    expect(loss2).toBe(loss1);
    expect(Array.from(net.grads)).toEqual(Array.from(g1));
  });

  it('handles batches smaller than maxBatch, row for row like a full batch', () => {
    const net = createNetwork(base, 9);
    const { inputs } = randomBatch(base, 12, 10);
    const big = createWorkspace(net, 12);
    const full = forward(net, big, inputs, 12).slice(0, 12 * 2);
    const small = createWorkspace(net, 32);
    const part = forward(net, small, inputs.subarray(0, 5 * 3), 5);
    expect(Array.from(part.subarray(0, 10))).toEqual(Array.from(full.subarray(0, 10)));
  });

  it('rejects batches beyond maxBatch and short inputs or targets', () => {
    const net = createNetwork(base, 1);
    const ws = createWorkspace(net, 4);
    expect(() => forward(net, ws, new Float32Array(15), 5)).toThrow(RangeError);
    expect(() => forward(net, ws, new Float32Array(6), 3)).toThrow(RangeError);
    forward(net, ws, new Float32Array(12), 4);
    expect(() => computeLoss(net, ws, new Float32Array(7), 4)).toThrow(RangeError);
  });

  it('follows a replaced params buffer', () => {
    const net = createNetwork(base, 11);
    const ws = createWorkspace(net, 2);
    const inputs = Float32Array.from([1, 2, 3, -1, 0, 1]);
    forward(net, ws, inputs, 2);
    net.params = new Float32Array(net.numParams); // all zeros: outputs must become 0
    expect(Array.from(forward(net, ws, inputs, 2).subarray(0, 4))).toEqual([0, 0, 0, 0]);
  });

  it('lossAndGradients matches forwardBackward and returns a copy of the gradients', () => {
    const net = createNetwork({ ...base, loss: 'mse' }, 12);
    const batch = 6;
    const rng = createRng(13, 0);
    const inputs = Float32Array.from({ length: batch * 3 }, () => rng.normal());
    const targets = Float32Array.from({ length: batch * 2 }, () => rng.normal());
    const { loss, grads } = lossAndGradients(net, inputs, targets);
    const ws = createWorkspace(net, batch);
    expect(forwardBackward(net, ws, inputs, targets, batch)).toBe(loss);
    expect(Array.from(grads)).toEqual(Array.from(net.grads));
    expect(grads).not.toBe(net.grads);
    expect(() => lossAndGradients(net, new Float32Array(7), targets)).toThrow(RangeError);
  });
});

describe('workspace cache', () => {
  it('gives the same buffers back, zeroed and bound to the new network, for the same shape, and new ones otherwise', () => {
    const cache = createWorkspaceCache();
    const a = createNetwork(base, 1);
    const ws1 = cache.workspaceFor(a, 6);
    const { inputs, targets } = randomBatch(base, 6, 2);
    forwardBackward(a, ws1, inputs, targets, 6);
    expect(ws1.pre[0].some((x) => x !== 0)).toBe(true);
    const b = createNetwork(base, 2);
    const ws2 = cache.workspaceFor(b, 6);
    expect(ws2).toBe(ws1);
    expect([...ws2.pre, ...ws2.act, ...ws2.delta, ws2.probs, ws2.dact, ws2.scratch].every((buf) => buf.every((x) => x === 0))).toBe(true);
    expect(ws2.weights[0].buffer).toBe(b.params.buffer);
    expect(forward(b, ws2, inputs, 6)).toEqual(forward(b, createWorkspace(b, 6), inputs, 6));
    expect(cache.workspaceFor(b, 7)).not.toBe(ws1);
    expect(cache.workspaceFor(createNetwork({ ...base, hidden: [4, 6] }, 1), 7).pre[1].length).toBe(7 * 6);
  });
});

describe('countCorrect', () => {
  it('counts rows whose output argmax equals the target argmax (first maximum on ties)', () => {
    const spec: NetworkSpec = { inputs: 1, outputs: 3, hidden: [], activation: 'linear', init: 'zeros', loss: 'cross_entropy' };
    const net = createNetwork(spec, 1);
    const ws = createWorkspace(net, 4);
    ws.act[0].set([
      0.1, 0.7, 0.2, // argmax 1
      5, -1, 5,      // tie → 0
      -3, -2, -1,    // argmax 2
      0, 0, 0,       // ignored: beyond batch
    ]);
    const targets = Float32Array.from([0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(countCorrect(ws, targets, 3, 3)).toBe(2);
    expect(countCorrect(ws, targets, 1, 3)).toBe(1);
  });
});

describe('training end to end', () => {
  it('learns XOR with a 2-8-2 tanh network and SGD', () => {
    const spec: NetworkSpec = { inputs: 2, outputs: 2, hidden: [8], activation: 'tanh', init: 'xavier_normal', loss: 'cross_entropy' };
    const net = createNetwork(spec, 2024);
    const inputs = Float32Array.from([-1, -1, -1, 1, 1, -1, 1, 1]);
    const targets = Float32Array.from([1, 0, 0, 1, 0, 1, 1, 0]);
    const ws = createWorkspace(net, 4);
    const opt = createOptimizer({
      epochs: 1, batchSize: 4, loss: 'cross_entropy', optimizer: 'sgd', lr: 0.5, momentum: 0, nesterov: false,
      beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: { mode: 'none' }, probeSize: 4,
    }, net.layout, net.numParams);
    const first = forwardBackward(net, ws, inputs, targets, 4);
    let loss = first;
    for (let step = 0; step < 500; step++) {
      loss = forwardBackward(net, ws, inputs, targets, 4);
      opt.step(net.params, net.grads);
    }
    expect(first).toBeGreaterThan(0.5);
    expect(loss).toBeLessThan(0.05);
    forward(net, ws, inputs, 4);
    expect(countCorrect(ws, targets, 4, 2)).toBe(4);
  });
});
