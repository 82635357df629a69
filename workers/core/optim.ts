// Optimizers with PyTorch semantics over the flat parameter buffer: sgd, momentum (optionally Nesterov) and adam.
// Weight decay is the classic L2 penalty added to the gradient (g += wd·p), on weights only, never on biases
// (torch.optim with a separate no-decay group for biases); for adam that is Adam, not AdamW.
// State lives in Float32Arrays of the parameter layout, allocated once; a step is one pass over the layers.
import type { RunConfig } from './types.js';
import type { LayerLayout } from './network.js';

export interface Optimizer {
  /** Updates params in place from grads (grads are not modified). */
  step(params: Float32Array, grads: Float32Array): void;
  /** The state buffers (parameter layout), shared with the native backend: momentum's buf, adam's m and v. */
  readonly state: OptimizerState;
}

/** An optimizer's state, each buffer in the parameter layout (null where the optimizer keeps none). */
export interface OptimizerState {
  momentum: Float32Array | null; // momentum: buf
  m: Float32Array | null;        // adam: first moment
  v: Float32Array | null;        // adam: second moment
}

/** Updates params[from..to) from grads with decay coefficient `decay` (0: none). */
type RangeUpdate = (params: Float32Array, grads: Float32Array, from: number, to: number, decay: number) => void;

/** One step over every layer: each W range with the weight decay, each bias range without. */
function stepLayers(
  layout: LayerLayout[], params: Float32Array, grads: Float32Array, decay: number, update: RangeUpdate,
): void {
  for (let l = 0; l < layout.length; l++) {
    const { wOffset, bOffset, fanOut } = layout[l];
    update(params, grads, wOffset, bOffset, decay);
    update(params, grads, bOffset, bOffset + fanOut, 0);
  }
}

export function createOptimizer(train: RunConfig['train'], layout: LayerLayout[], numParams: number): Optimizer {
  const lr = train.lr;
  // Rounded to float32 as the parameters it multiplies are (the results match a float32 per-parameter mask).
  const decay = Math.fround(train.weightDecay);
  let update: RangeUpdate;
  let beforeStep = (): void => {};
  const state: OptimizerState = { momentum: null, m: null, v: null };
  switch (train.optimizer) {
    case 'sgd':
      // p -= lr · (g + wd·p)
      update = (params, grads, from, to, wd) => {
        for (let i = from; i < to; i++) {
          const g = wd === 0 ? grads[i] : grads[i] + wd * params[i];
          params[i] -= lr * g;
        }
      };
      break;
    case 'momentum': {
      // PyTorch SGD(momentum=μ, dampening=0): buf = μ·buf + g (buf = g on the first step, the same from buf = 0);
      // p -= lr·buf, or with Nesterov p -= lr·(g + μ·buf).
      const mu = train.momentum;
      const nesterov = train.nesterov;
      const buf = new Float32Array(numParams);
      state.momentum = buf;
      update = (params, grads, from, to, wd) => {
        for (let i = from; i < to; i++) {
          const g = wd === 0 ? grads[i] : grads[i] + wd * params[i];
          const v = mu * buf[i] + g;
          buf[i] = v;
          params[i] -= lr * (nesterov ? g + mu * v : v);
        }
      };
      break;
    }
    case 'adam': {
      // PyTorch Adam: m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
      // p -= (lr / (1-β1^t)) · m / (√v / √(1-β2^t) + eps).
      const { beta1, beta2, eps } = train;
      const m = new Float32Array(numParams);
      const v = new Float32Array(numParams);
      state.m = m;
      state.v = v;
      let t = 0;
      let stepSize = 0;
      let sqrtBc2 = 0;
      beforeStep = () => {
        t++;
        stepSize = lr / (1 - Math.pow(beta1, t));
        sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
      };
      update = (params, grads, from, to, wd) => {
        for (let i = from; i < to; i++) {
          const g = wd === 0 ? grads[i] : grads[i] + wd * params[i];
          const mi = beta1 * m[i] + (1 - beta1) * g;
          const vi = beta2 * v[i] + (1 - beta2) * g * g;
          m[i] = mi;
          v[i] = vi;
          params[i] -= (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
        }
      };
      break;
    }
  }
  return {
    state,
    step(params, grads) {
      beforeStep();
      stepLayers(layout, params, grads, decay, update);
    },
  };
}
