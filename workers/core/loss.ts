// Losses over a batch of network outputs, each a forward that returns the batch-mean loss and a backward
// that OVERWRITES the gradient (it starts the chain). Losses are summed in float64.
//   cross_entropy: L = (1/B) Σ_b Σ_j t_bj (lse_b - z_bj), lse_b = log Σ_j e^{z_bj}; softmax + log-sum-exp, row max
//                  subtracted, so it never overflows and never takes log(0). One-hot t gives -log p_{b,label}.
//   mse:           L = (1/B) Σ_b Σ_j (y_bj - t_bj)²  — mean over the batch of the per-sample squared error sum
//                  (PyTorch's MSELoss(reduction='mean') would further divide by the number of outputs).
import type { FloatArray } from './linear.js';

/** probs = softmax(logits) row by row, and the batch-mean cross-entropy against (soft or one-hot) targets. */
export function crossEntropyForward(
  probs: FloatArray, logits: FloatArray, targets: FloatArray, B: number, V: number,
): number {
  // logits (B, V), targets (B, V) → probs (B, V)
  let total = 0;
  for (let b = 0; b < B; b++) {
    const row = b * V;
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (logits[row + j] > max) max = logits[row + j];
    let sum = 0;
    for (let j = 0; j < V; j++) {
      const e = Math.exp(logits[row + j] - max);
      probs[row + j] = e;
      sum += e;
    }
    const lse = max + Math.log(sum);
    const inv = 1 / sum;
    let loss = 0;
    for (let j = 0; j < V; j++) {
      probs[row + j] *= inv;
      const t = targets[row + j];
      if (t !== 0) loss += t * (lse - logits[row + j]);
    }
    total += loss;
  }
  return total / B;
}

/** dlogits = ((Σ_j t_bj)·p_bj - t_bj) / B, i.e. (p - t)/B for one-hot targets. Overwrites dlogits. */
export function crossEntropyBackward(
  dlogits: FloatArray, probs: FloatArray, targets: FloatArray, B: number, V: number,
): void {
  // probs (B, V), targets (B, V) → dlogits (B, V)
  const invB = 1 / B;
  for (let b = 0; b < B; b++) {
    const row = b * V;
    let mass = 0;
    for (let j = 0; j < V; j++) mass += targets[row + j];
    for (let j = 0; j < V; j++) dlogits[row + j] = (mass * probs[row + j] - targets[row + j]) * invB;
  }
}

/** The batch-mean of the per-sample sum of squared errors. */
export function mseForward(pred: FloatArray, targets: FloatArray, B: number, V: number): number {
  // pred (B, V), targets (B, V)
  let total = 0;
  const n = B * V;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - targets[i];
    total += d * d;
  }
  return total / B;
}

/** dpred = 2(y - t)/B. Overwrites dpred. */
export function mseBackward(dpred: FloatArray, pred: FloatArray, targets: FloatArray, B: number, V: number): void {
  // pred (B, V), targets (B, V) → dpred (B, V)
  const scale = 2 / B;
  const n = B * V;
  for (let i = 0; i < n; i++) dpred[i] = (pred[i] - targets[i]) * scale;
}
