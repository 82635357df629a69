// Gradient clipping over the flat gradient buffer, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ do.
import type { ClipConfig } from './types.js';

/** The global L2 norm of grads, accumulated in float64. */
export function gradNorm(grads: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i] * grads[i];
  return Math.sqrt(sum);
}

/** The pre-clip global norm and whether clipping changed anything. */
export interface ClipResult {
  norm: number;
  clipped: boolean;
}

/**
 * Clips grads in place and returns the pre-clip global norm and whether anything changed.
 * norm: if ‖g‖ > max, g *= max / (‖g‖ + 1e-6). value: clamp each entry to [-max, max].
 * A non-finite norm (an Inf or NaN entry) clips nothing in any mode: the step loop stops there as a divergence,
 * and the untouched gradients still show which layer went non-finite (clamping would turn ±Inf into ±max).
 * The step loop passes one preallocated `out`, so clipping allocates nothing per step.
 */
export function clipGradients(
  grads: Float32Array, clip: ClipConfig, out: ClipResult = { norm: 0, clipped: false },
): ClipResult {
  const norm = gradNorm(grads);
  out.norm = norm;
  out.clipped = false;
  if (clip.mode === 'none' || !Number.isFinite(norm)) return out;
  const max = clip.max;
  if (clip.mode === 'norm') {
    if (!(norm > max)) return out;
    const coef = max / (norm + 1e-6);
    for (let i = 0; i < grads.length; i++) grads[i] *= coef;
    out.clipped = true;
    return out;
  }
  let clipped = false;
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i];
    if (g > max) { grads[i] = max; clipped = true; } else if (g < -max) { grads[i] = -max; clipped = true; }
  }
  out.clipped = clipped;
  return out;
}
