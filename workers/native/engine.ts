// The native engine: the Engine contract of workers/core/engine.ts, computed by the C++ addon. Parameters,
// gradients, optimizer state and the workspace stay the TypeScript Float32Arrays; the addon computes in them, so
// diagnostics, verdicts, LSUV and everything above the core read the same buffers whichever engine ran.
import { activationName } from '../core/labels.js';
import { leakySlope } from '../core/activations.js';
import type { Engine, EngineContext, EngineFactory } from '../core/engine.js';
import type { NativeAddon } from './addon.js';

const STOPS = ['none', 'loss', 'gradient'] as const;

/** An engine factory that binds the addon's trainer on `cpuPath` (one of addon.cpuPaths()). */
export function createNativeEngineFactory(addon: NativeAddon, cpuPath: string): EngineFactory {
  return (context: EngineContext): Engine => createNativeEngine(addon, cpuPath, context);
}

function createNativeEngine(addon: NativeAddon, cpuPath: string, { net, ws, optimizer, train }: EngineContext): Engine {
  const { spec } = net;
  const trainer = addon.createTrainer({
    cpuPath,
    sizes: [spec.inputs, ...spec.hidden, spec.outputs],
    activation: activationName(spec.activation),
    slope: leakySlope(spec.activation),
    loss: spec.loss,
    optimizer: train.optimizer,
    lr: train.lr,
    momentum: train.momentum,
    nesterov: train.nesterov,
    beta1: train.beta1,
    beta2: train.beta2,
    eps: train.eps,
    weightDecay: train.weightDecay,
    clip: train.clip.mode,
    clipMax: train.clip.mode === 'none' ? 0 : train.clip.max,
    maxBatch: ws.maxBatch,
    params: net.params,
    grads: net.grads,
    momentumBuf: optimizer.state.momentum,
    adamM: optimizer.state.m,
    adamV: optimizer.state.v,
    pre: ws.pre,
    act: ws.act,
    delta: ws.delta,
    probs: ws.probs,
  });
  const checkRows = (n: number) => {
    if (!Number.isInteger(n) || n <= 0 || n > ws.maxBatch) {
      throw new RangeError(`batch must be an integer in [1, ${ws.maxBatch}], got ${n}`);
    }
  };
  return {
    backend: 'native',
    cpuPath,
    forward(inputs, n) {
      checkRows(n);
      addon.forward(trainer, inputs, n);
    },
    forwardBackward(inputs, targets, n) {
      checkRows(n);
      return addon.forwardBackward(trainer, inputs, targets, n);
    },
    measureActivations(n, saturationBound, out) {
      checkRows(n);
      addon.measureActivations(trainer, n, saturationBound, out);
    },
    evaluate({ inputs, targets, size }) {
      const [lossSum, correct] = addon.evaluate(trainer, inputs, targets, size);
      return { loss: lossSum / size, acc: correct / size };
    },
    trainEpoch(order, split, batchSize, stepsBefore) {
      const B = Math.min(batchSize, ws.maxBatch);
      const [steps, clippedSteps, stop, stopBatch] = addon.trainEpoch(
        trainer, order, split.inputs, split.targets, split.size, B, stepsBefore,
      );
      return { steps, clippedSteps, stop: STOPS[stop], stopBatch };
    },
    release() {
      addon.releaseTrainer(trainer);
    },
  };
}
