// The fully connected layer's kernels over flat row-major buffers, llm.c style: outputs first, then inputs and
// weights, then sizes. This module is the seam a WebAssembly SIMD backend would replace; nothing else multiplies
// matrices. Generic over FloatArray so tests can run the very same loops in float64.

/** A flat buffer of floats: Float32Array in training, Float64Array in gradient checks. */
export type FloatArray = Float32Array | Float64Array;

/**
 * out = inp · weightᵀ + bias. Overwrites out's first B·OC entries; bias may be null.
 * Four output units at a time share each load of the input row (a 4×1 register block over contiguous rows).
 */
export function linearForward(
  out: FloatArray, inp: FloatArray, weight: FloatArray, bias: FloatArray | null,
  B: number, C: number, OC: number,
): void {
  // inp (B, C), weight (OC, C), bias (OC), out (B, OC)
  const OC4 = OC - (OC % 4);
  for (let b = 0; b < B; b++) {
    const ib = b * C;
    const ob = b * OC;
    let o = 0;
    for (; o < OC4; o += 4) {
      const w0 = o * C;
      const w1 = w0 + C;
      const w2 = w1 + C;
      const w3 = w2 + C;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let c = 0; c < C; c++) {
        const x = inp[ib + c];
        s0 += x * weight[w0 + c];
        s1 += x * weight[w1 + c];
        s2 += x * weight[w2 + c];
        s3 += x * weight[w3 + c];
      }
      if (bias !== null) {
        s0 += bias[o];
        s1 += bias[o + 1];
        s2 += bias[o + 2];
        s3 += bias[o + 3];
      }
      out[ob + o] = s0;
      out[ob + o + 1] = s1;
      out[ob + o + 2] = s2;
      out[ob + o + 3] = s3;
    }
    for (; o < OC; o++) {
      const w0 = o * C;
      let s = 0;
      for (let c = 0; c < C; c++) s += inp[ib + c] * weight[w0 + c];
      out[ob + o] = bias !== null ? s + bias[o] : s;
    }
  }
}

/**
 * Backward of linearForward. ACCUMULATES (+=) into dinp, dweight and dbias (zero them first when not shared).
 * dinp may be null (the first layer needs no input gradient).
 */
export function linearBackward(
  dinp: FloatArray | null, dweight: FloatArray, dbias: FloatArray | null,
  dout: FloatArray, inp: FloatArray, weight: FloatArray,
  B: number, C: number, OC: number,
): void {
  // dout (B, OC), inp (B, C), weight (OC, C) → dinp (B, C), dweight (OC, C), dbias (OC)
  const OC4 = OC - (OC % 4);
  if (dinp !== null) {
    // dinp[b,:] += Σ_o dout[b,o] · weight[o,:], four weight rows per pass over the dinp row.
    for (let b = 0; b < B; b++) {
      const ib = b * C;
      const ob = b * OC;
      let o = 0;
      for (; o < OC4; o += 4) {
        const d0 = dout[ob + o];
        const d1 = dout[ob + o + 1];
        const d2 = dout[ob + o + 2];
        const d3 = dout[ob + o + 3];
        if (d0 === 0 && d1 === 0 && d2 === 0 && d3 === 0) continue; // dead ReLU units cost nothing
        const w0 = o * C;
        const w1 = w0 + C;
        const w2 = w1 + C;
        const w3 = w2 + C;
        for (let c = 0; c < C; c++) {
          dinp[ib + c] += d0 * weight[w0 + c] + d1 * weight[w1 + c] + d2 * weight[w2 + c] + d3 * weight[w3 + c];
        }
      }
      for (; o < OC; o++) {
        const d = dout[ob + o];
        if (d === 0) continue;
        const w0 = o * C;
        for (let c = 0; c < C; c++) dinp[ib + c] += d * weight[w0 + c];
      }
    }
  }
  // dweight[o,:] += Σ_b dout[b,o] · inp[b,:], four samples per pass over the dweight row.
  const B4 = B - (B % 4);
  for (let o = 0; o < OC; o++) {
    const wo = o * C;
    let b = 0;
    for (; b < B4; b += 4) {
      const d0 = dout[b * OC + o];
      const d1 = dout[(b + 1) * OC + o];
      const d2 = dout[(b + 2) * OC + o];
      const d3 = dout[(b + 3) * OC + o];
      if (d0 === 0 && d1 === 0 && d2 === 0 && d3 === 0) continue;
      const i0 = b * C;
      const i1 = i0 + C;
      const i2 = i1 + C;
      const i3 = i2 + C;
      for (let c = 0; c < C; c++) {
        dweight[wo + c] += d0 * inp[i0 + c] + d1 * inp[i1 + c] + d2 * inp[i2 + c] + d3 * inp[i3 + c];
      }
    }
    for (; b < B; b++) {
      const d = dout[b * OC + o];
      if (d === 0) continue;
      const ib = b * C;
      for (let c = 0; c < C; c++) dweight[wo + c] += d * inp[ib + c];
    }
    if (dbias !== null) {
      let s = 0;
      for (let bb = 0; bb < B; bb++) s += dout[bb * OC + o];
      dbias[o] += s;
    }
  }
}
