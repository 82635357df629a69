// Gradient clipping over the flat gradient buffer, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ do.
import type { ClipConfig } from './types.js';

/** The global L2 norm of grads, accumulated in float64. */
export function gradNorm(grads: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i] * grads[i];
  return Math.sqrt(sum);
}

/**
 * Clips grads in place and returns the pre-clip global norm and whether anything changed.
 * norm: if ‖g‖ > max, g *= max / (‖g‖ + 1e-6) (an infinite norm therefore zeroes finite entries and leaves
 * NaN in infinite ones, as PyTorch does; a NaN norm clips nothing). value: clamp each entry to [-max, max].
 */
export interface ClipResult {
  norm: number;
  clipped: boolean;
}

/** The step loop passes one preallocated `out`, so clipping allocates nothing per step. */
export function clipGradients(
  grads: Float32Array, clip: ClipConfig, out: ClipResult = { norm: 0, clipped: false },
): ClipResult {
  const norm = gradNorm(grads);
  out.norm = norm;
  out.clipped = false;
  if (clip.mode === 'none') return out;
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
