// Optimizers with PyTorch semantics over the flat parameter buffer: sgd, momentum (optionally Nesterov) and adam.
// Weight decay is the classic L2 penalty added to the gradient (g += wd·p), on weights only, never on biases
// (torch.optim with a separate no-decay group for biases); for adam that is Adam, not AdamW.
// State lives in Float32Arrays of the parameter layout, allocated once; a step is one loop.
import type { RunConfig } from './types.js';
import type { LayerLayout } from './network.js';

export interface Optimizer {
  /** Updates params in place from grads (grads are not modified). */
  step(params: Float32Array, grads: Float32Array): void;
}

/** Per-parameter decay coefficient: weightDecay on weights, 0 on biases. */
function decayMask(layout: LayerLayout[], numParams: number, weightDecay: number): Float32Array {
  const mask = new Float32Array(numParams);
  for (const { wOffset, bOffset } of layout) mask.fill(weightDecay, wOffset, bOffset);
  return mask;
}

export function createOptimizer(train: RunConfig['train'], layout: LayerLayout[], numParams: number): Optimizer {
  const { lr, weightDecay } = train;
  const decay = weightDecay > 0 ? decayMask(layout, numParams, weightDecay) : null;
  switch (train.optimizer) {
    case 'sgd':
      return {
        // p -= lr · (g + wd·p)
        step(params, grads) {
          for (let i = 0; i < numParams; i++) {
            const g = decay === null ? grads[i] : grads[i] + decay[i] * params[i];
            params[i] -= lr * g;
          }
        },
      };
    case 'momentum': {
      // PyTorch SGD(momentum=μ, dampening=0): buf = μ·buf + g (buf = g on the first step, the same from buf = 0);
      // p -= lr·buf, or with Nesterov p -= lr·(g + μ·buf).
      const mu = train.momentum;
      const nesterov = train.nesterov;
      const buf = new Float32Array(numParams);
      return {
        step(params, grads) {
          for (let i = 0; i < numParams; i++) {
            const g = decay === null ? grads[i] : grads[i] + decay[i] * params[i];
            const v = mu * buf[i] + g;
            buf[i] = v;
            params[i] -= lr * (nesterov ? g + mu * v : v);
          }
        },
      };
    }
    case 'adam': {
      // PyTorch Adam: m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
      // p -= (lr / (1-β1^t)) · m / (√v / √(1-β2^t) + eps).
      const { beta1, beta2, eps } = train;
      const m = new Float32Array(numParams);
      const v = new Float32Array(numParams);
      let t = 0;
      return {
        step(params, grads) {
          t++;
          const stepSize = lr / (1 - Math.pow(beta1, t));
          const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
          for (let i = 0; i < numParams; i++) {
            const g = decay === null ? grads[i] : grads[i] + decay[i] * params[i];
            const mi = beta1 * m[i] + (1 - beta1) * g;
            const vi = beta2 * v[i] + (1 - beta2) * g * g;
            m[i] = mi;
            v[i] = vi;
            params[i] -= (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
          }
        },
      };
    }
  }
}
