// The whole training step for one instruction set. isa-*.cc include this file inside their own namespace with
// INITLAB_VBYTES (vector width in bytes), INITLAB_MR (rows of a GEMM register tile) and INITLAB_PATH_NAME set,
// after <cmath>, <cstring>, <algorithm> and trainer.h, under a `#pragma GCC target` for their instruction set.
// Vectors are GCC/Clang vector extensions, so one source gives AVX-512, AVX2+FMA, SSE2 and portable code.
//
// Layout and semantics match workers/core (docs/core-math.md): W (fanOut, fanIn) row-major then bias, per layer;
// pre = act_{l-1}·Wᵀ + b; act = φ(pre) for hidden layers; batch-mean losses; PyTorch optimizers and clipping.

typedef float vf __attribute__((vector_size(INITLAB_VBYTES)));
typedef float vfu __attribute__((vector_size(INITLAB_VBYTES), aligned(4)));
typedef int32_t vi __attribute__((vector_size(INITLAB_VBYTES)));
typedef uint32_t vu __attribute__((vector_size(INITLAB_VBYTES)));
typedef double vd __attribute__((vector_size(2 * INITLAB_VBYTES)));  // VL doubles

constexpr int VL = INITLAB_VBYTES / 4;  // floats per vector
constexpr int NV = 2;                    // vectors per row of a register tile
constexpr int NR = NV * VL;              // columns of a register tile
constexpr int MR = INITLAB_MR;           // rows of a register tile
constexpr int KC = 256;                  // depth of one pass over k (a packed panel is KC × NR floats)

static inline vf load(const float* p) { return *reinterpret_cast<const vfu*>(p); }
static inline void store(float* p, vf x) { *reinterpret_cast<vfu*>(p) = x; }
static inline vf splat(float s) { return vf{} + s; }
static inline vf loadPartial(const float* p, int64_t n) {
  vf x = vf{};
  for (int64_t j = 0; j < n; j++) x[j] = p[j];
  return x;
}
static inline void storePartial(float* p, vf x, int64_t n) {
  for (int64_t j = 0; j < n; j++) p[j] = x[j];
}
static inline vf asFloat(vu x) { return (vf)x; }  // same-size vector casts reinterpret the bits
static inline vu asBits(vf x) { return (vu)x; }
static inline vf vabs(vf x) { return asFloat(asBits(x) & 0x7fffffffu); }
static inline vf vmin(vf a, vf b) { return b < a ? b : a; }  // NaN in a stays NaN
static inline vf vmax(vf a, vf b) { return b > a ? b : a; }

// ---------------------------------------------------------------------------------------------------------------
// Elementwise math in float32, branch-free so it vectorizes; within a few ulp of the float64 functions the
// TypeScript backend rounds (checked on a dense grid in test/native).

/** Round to nearest integer (as a float) for |x| < 2^22, by the 1.5·2^23 shifter. */
static inline vf vround(vf x) {
  const vf shifter = splat(12582912.0f);
  return (x + shifter) - shifter;
}

/** 2^n for integer-valued n in [-150, 128], as two factors that are each a normal float (2^-75 .. 2^64). */
static inline void pow2Split(vf n, vf* f1, vf* f2) {
  vi k = __builtin_convertvector(n, vi);
  vi k1 = k >> 1;
  vi k2 = k - k1;
  *f1 = asFloat((vu)((k1 + 127) << 23));
  *f2 = asFloat((vu)((k2 + 127) << 23));
}

/** x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite, two-part ln2). */
static inline vf reduceLn2(vf x, vf* n) {
  *n = vround(x * splat(1.44269504088896341f));
  vf r = x - *n * splat(0.693359375f);
  return r - *n * splat(-2.12194440e-4f);
}

/** x clamped to [-104, 89] (beyond, e^x is 0 or +Inf in float32; NaN stays NaN), then reduced as above. */
static inline vf reduceClamped(vf x, vf* n) {
  return reduceLn2(vmax(vmin(x, splat(89.0f)), splat(-104.0f)), n);
}

/** e^x: 1 + r + … + r^7/7! on the reduced argument, scaled by 2^n. NaN stays NaN; overflow gives +Inf. */
static inline vf vexp(vf x) {
  vf n;
  vf r = reduceClamped(x, &n);
  vf p = splat(1.0f / 5040);
  p = p * r + splat(1.0f / 720);
  p = p * r + splat(1.0f / 120);
  p = p * r + splat(1.0f / 24);
  p = p * r + splat(1.0f / 6);
  p = p * r + splat(0.5f);
  p = p * r + splat(1.0f);
  p = p * r + splat(1.0f);
  vf f1, f2;
  pow2Split(n, &f1, &f2);
  vf y = p * f1 * f2;
  return x != x ? x : y;
}

/** e^x - 1, accurate near 0: 2^n·expm1(r) + (2^n - 1), expm1(r) = r + r²/2 + … + r^8/8!. */
static inline vf vexpm1(vf x) {
  vf n;
  vf r = reduceClamped(x, &n);
  vf p = splat(1.0f / 40320);
  p = p * r + splat(1.0f / 5040);
  p = p * r + splat(1.0f / 720);
  p = p * r + splat(1.0f / 120);
  p = p * r + splat(1.0f / 24);
  p = p * r + splat(1.0f / 6);
  p = p * r + splat(0.5f);
  vf em1 = (p * r) * r + r;  // expm1(r)
  vf f1, f2;
  pow2Split(n, &f1, &f2);
  vf scale = f1 * f2;
  vf y = (em1 * f1) * f2 + (scale - splat(1.0f));
  return x != x ? x : y;
}

/** tanh x = sign(x)·e/(e + 2), e = expm1(2|x|); 1 beyond |x| = 9.02, where tanh rounds to 1 in float32. */
static inline vf vtanh(vf x) {
  vf a = vabs(x);
  vf e = vexpm1(a + a);
  vf t = a > splat(9.02f) ? splat(1.0f) : e / (e + splat(2.0f));
  return asFloat(asBits(t) | (asBits(x) & 0x80000000u));
}

/** σ(x) = 1/(1 + e^-x) for x ≥ 0, e^x/(1 + e^x) below, with e = e^{-|x|} (never overflows). */
static inline vf vsigmoid(vf x) {
  vf e = vexp(-vabs(x));
  vf inv = splat(1.0f) / (splat(1.0f) + e);
  return x >= splat(0.0f) ? inv : e * inv;
}

constexpr double SELU_LAMBDA = 1.0507009873554805;
constexpr double SELU_ALPHA = 1.6732632423543772;

/** φ(x) for one vector. GELU goes through float64 erfc lane by lane (no vector erfc; it is not a hot path). */
static inline vf activate(Activation kind, vf slope, vf x) {
  const vf zero = splat(0.0f);
  switch (kind) {
    case Activation::Linear: return x;
    case Activation::Sigmoid: return vsigmoid(x);
    case Activation::Tanh: return vtanh(x);
    case Activation::Relu: return x > zero ? x : zero;
    case Activation::LeakyRelu: return x > zero ? x : slope * x;
    case Activation::Elu: return x > zero ? x : vexpm1(vmin(x, zero));
    case Activation::Selu: {
      vf neg = splat(static_cast<float>(SELU_LAMBDA * SELU_ALPHA)) * vexpm1(vmin(x, zero));
      return x > zero ? splat(static_cast<float>(SELU_LAMBDA)) * x : neg;
    }
    case Activation::Gelu: {
      vf y;
      for (int j = 0; j < VL; j++) {
        double v = x[j];
        y[j] = static_cast<float>(v * 0.5 * std::erfc(-v * 0.70710678118654752440));
      }
      return y;
    }
    case Activation::Softsign: return x / (splat(1.0f) + vabs(x));
    case Activation::Silu: return x * vsigmoid(x);
  }
  return x;
}

/** dact·φ'(x); sigmoid and tanh take φ from the forward's act (σ(1-σ), 1-t²), as the TypeScript backend does. */
static inline vf activateBackward(Activation kind, vf slope, vf dact, vf x, vf y) {
  const vf zero = splat(0.0f);
  const vf one = splat(1.0f);
  switch (kind) {
    case Activation::Linear: return dact;
    case Activation::Sigmoid: return dact * y * (one - y);
    case Activation::Tanh: return dact * ((one - y) * (one + y));  // 1 - t², exact-ish where t → ±1
    case Activation::Relu: return x > zero ? dact : zero;
    case Activation::LeakyRelu: return x > zero ? dact : slope * dact;
    case Activation::Elu: return x > zero ? dact : dact * vexp(vmin(x, zero));
    case Activation::Selu: {
      vf neg = splat(static_cast<float>(SELU_LAMBDA * SELU_ALPHA)) * vexp(vmin(x, zero));
      return dact * (x > zero ? splat(static_cast<float>(SELU_LAMBDA)) : neg);
    }
    case Activation::Gelu: {
      vf d;
      for (int j = 0; j < VL; j++) {
        double v = x[j];
        double cdf = 0.5 * std::erfc(-v * 0.70710678118654752440);
        double pdf = 0.39894228040143267794 * std::exp(-0.5 * v * v);
        d[j] = static_cast<float>(dact[j] * (cdf + v * pdf));
      }
      return d;
    }
    case Activation::Softsign: {
      vf d = one + vabs(x);
      return dact / (d * d);
    }
    case Activation::Silu: {
      vf s = vsigmoid(x);
      return dact * s * (one + x * (one - s));
    }
  }
  return dact;
}

static void activationForward(Activation kind, float slope, float* out, const float* pre, int64_t n) {
  const vf s = splat(slope);
  int64_t i = 0;
  for (; i + VL <= n; i += VL) store(out + i, activate(kind, s, load(pre + i)));
  if (i < n) storePartial(out + i, activate(kind, s, loadPartial(pre + i, n - i)), n - i);
}

static void activationBackward(Activation kind, float slope, float* dpre, const float* dact, const float* pre,
                               const float* act, int64_t n) {
  const vf s = splat(slope);
  int64_t i = 0;
  for (; i + VL <= n; i += VL) {
    store(dpre + i, activateBackward(kind, s, load(dact + i), load(pre + i), load(act + i)));
  }
  if (i < n) {
    int64_t r = n - i;
    vf d = activateBackward(kind, s, loadPartial(dact + i, r), loadPartial(pre + i, r), loadPartial(act + i, r));
    storePartial(dpre + i, d, r);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// GEMM: c (M, N) (+)= a (M, K) · b (K, N) over strided operands. A register tile of MR rows × NR columns
// accumulates over k, broadcasting one a(i, k) per row against NV vectors of row k of b. b is read in place when
// its rows are contiguous (csB = 1); otherwise (b = Wᵀ in the forward pass) each KC × NR panel is packed once and
// reused by every row tile. a is read in place, by rows (csA = 1) or by columns (rsA = 1). Tiles that do not fit
// c directly (partial columns, a strided c) go through a small tile buffer.

template <int M, bool ACC, bool AROWS>
static inline void microKernel(int K, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                               int64_t ldc) {
  // a: AROWS ? a(i, k) = a[i*lda + k] : a(i, k) = a[k*lda + i]; b(k, j) = b[k*ldb + j]; c(i, j) = c[i*ldc + j]
  vf acc[M][NV];
#pragma GCC unroll 16
  for (int i = 0; i < M; i++) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[i][v] = ACC ? load(c + i * ldc + v * VL) : vf{};
  }
  for (int k = 0; k < K; k++) {
    vf bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) bv[v] = load(b + k * ldb + v * VL);
#pragma GCC unroll 16
    for (int i = 0; i < M; i++) {
      vf av = splat(AROWS ? a[i * lda + k] : a[k * lda + i]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc[i][v] += av * bv[v];
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < M; i++) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) store(c + i * ldc + v * VL, acc[i][v]);
  }
}

template <bool ACC, bool AROWS>
static void tileKernel(int m, int K, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                       int64_t ldc) {
  switch (m) {
    case 1: microKernel<1, ACC, AROWS>(K, a, lda, b, ldb, c, ldc); return;
    case 2: microKernel<2, ACC, AROWS>(K, a, lda, b, ldb, c, ldc); return;
    case 3: microKernel<3, ACC, AROWS>(K, a, lda, b, ldb, c, ldc); return;
    case 4: microKernel<4, ACC, AROWS>(K, a, lda, b, ldb, c, ldc); return;
#if INITLAB_MR > 4
    case 5: microKernel<5, ACC, AROWS>(K, a, lda, b, ldb, c, ldc); return;
    case 6: microKernel<6, ACC, AROWS>(K, a, lda, b, ldb, c, ldc); return;
#endif
#if INITLAB_MR > 6
    case 7: microKernel<7, ACC, AROWS>(K, a, lda, b, ldb, c, ldc); return;
    case 8: microKernel<8, ACC, AROWS>(K, a, lda, b, ldb, c, ldc); return;
#endif
    default: return;
  }
}

static inline void runTile(bool acc, bool arows, int m, int K, const float* a, int64_t lda, const float* b,
                           int64_t ldb, float* c, int64_t ldc) {
  if (arows) {
    if (acc) tileKernel<true, true>(m, K, a, lda, b, ldb, c, ldc);
    else tileKernel<false, true>(m, K, a, lda, b, ldb, c, ldc);
  } else {
    if (acc) tileKernel<true, false>(m, K, a, lda, b, ldb, c, ldc);
    else tileKernel<false, false>(m, K, a, lda, b, ldb, c, ldc);
  }
}

/** The reference loop for operands the tiled path does not read in place (a with no unit stride). */
static void gemmReference(int M, int N, int K, const float* a, int64_t rsA, int64_t csA, const float* b,
                          int64_t rsB, int64_t csB, float* c, int64_t rsC, int64_t csC, bool accumulate) {
  for (int i = 0; i < M; i++) {
    for (int j = 0; j < N; j++) {
      float s = accumulate ? c[i * rsC + j * csC] : 0.0f;
      for (int k = 0; k < K; k++) s += a[i * rsA + k * csA] * b[k * rsB + j * csB];
      c[i * rsC + j * csC] = s;
    }
  }
}

static void gemm(Trainer& t, int M, int N, int K, const float* a, int64_t rsA, int64_t csA, const float* b,
                 int64_t rsB, int64_t csB, float* c, int64_t rsC, int64_t csC, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) {
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) c[i * rsC + j * csC] = 0.0f;
    }
    return;
  }
  // A narrow c (N below one vector) wastes most of each tile; its transpose cᵀ = bᵀ·aᵀ is wide. bᵀ is read
  // by columns (rsA' = 1), so the swap always stays on the tiled path.
  if (N < VL && M > N && (rsA == 1 || csA == 1)) {
    gemm(t, N, M, K, b, csB, rsB, a, csA, rsA, c, csC, rsC, accumulate);
    return;
  }
  const bool arows = csA == 1;
  if (!arows && rsA != 1) {
    gemmReference(M, N, K, a, rsA, csA, b, rsB, csB, c, rsC, csC, accumulate);
    return;
  }
  const int64_t lda = arows ? rsA : csA;
  float* panel = t.panel.data();
  float* tile = t.tile.data();
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = std::min(KC, K - k0);
    const bool acc = accumulate || k0 > 0;
    for (int n0 = 0; n0 < N; n0 += NR) {
      const int nr = std::min(NR, N - n0);
      const float* bp;
      int64_t ldb;
      if (csB == 1 && nr == NR) {
        bp = b + k0 * rsB + n0;
        ldb = rsB;
      } else {
        // pack b(k0.., n0..) into panel (kc, NR), zero beyond column nr
        if (csB == 1) {
          for (int k = 0; k < kc; k++) {
            const float* src = b + (k0 + k) * rsB + n0;
            float* dst = panel + k * NR;
            for (int j = 0; j < nr; j++) dst[j] = src[j];
            for (int j = nr; j < NR; j++) dst[j] = 0.0f;
          }
        } else {
          for (int j = 0; j < nr; j++) {
            const float* src = b + (n0 + j) * csB + k0 * rsB;
            for (int k = 0; k < kc; k++) panel[k * NR + j] = src[k * rsB];
          }
          for (int j = nr; j < NR; j++)
            for (int k = 0; k < kc; k++) panel[k * NR + j] = 0.0f;
        }
        bp = panel;
        ldb = NR;
      }
      for (int m0 = 0; m0 < M; m0 += MR) {
        const int mr = std::min(MR, M - m0);
        const float* ap = arows ? a + m0 * rsA + k0 : a + k0 * csA + m0;
        if (csC == 1 && nr == NR) {
          runTile(acc, arows, mr, kc, ap, lda, bp, ldb, c + m0 * rsC + n0, rsC);
        } else {
          for (int i = 0; i < mr; i++) {
            for (int j = 0; j < NR; j++) {
              tile[i * NR + j] = (acc && j < nr) ? c[(m0 + i) * rsC + (n0 + j) * csC] : 0.0f;
            }
          }
          runTile(true, arows, mr, kc, ap, lda, bp, ldb, tile, NR);
          for (int i = 0; i < mr; i++)
            for (int j = 0; j < nr; j++) c[(m0 + i) * rsC + (n0 + j) * csC] = tile[i * NR + j];
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Forward, loss and backward.

static void forward(Trainer& t, const float* inputs, int n) {
  const int last = static_cast<int>(t.layers.size()) - 1;
  const float* x = inputs;
  for (int l = 0; l <= last; l++) {
    const Layer& L = t.layers[l];
    const float* w = t.params + L.wOffset;
    const float* bias = t.params + L.bOffset;
    float* pre = t.pre[l];
    // inp (n, fanIn), W (fanOut, fanIn): pre (n, fanOut) = inp·Wᵀ, then + bias and φ
    gemm(t, n, L.fanOut, L.fanIn, x, L.fanIn, 1, w, 1, L.fanIn, pre, L.fanOut, 1, false);
    for (int b = 0; b < n; b++) {
      float* row = pre + static_cast<int64_t>(b) * L.fanOut;
      for (int o = 0; o < L.fanOut; o++) row[o] += bias[o];
    }
    if (l < last) activationForward(t.activation, t.slope, t.act[l], pre, static_cast<int64_t>(n) * L.fanOut);
    x = t.act[l];
  }
}

/** The batch-mean loss of the last forward against targets (n, outputs), in float64; fills probs for CE. */
static double computeLoss(Trainer& t, const float* targets, int n) {
  const int V = t.outputs;
  const float* out = t.act.back();
  double total = 0;
  if (t.loss == Loss::CrossEntropy) {
    for (int b = 0; b < n; b++) {
      const float* z = out + static_cast<int64_t>(b) * V;
      const float* tg = targets + static_cast<int64_t>(b) * V;
      float* p = t.probs + static_cast<int64_t>(b) * V;
      double mx = -INFINITY;
      for (int j = 0; j < V; j++) if (z[j] > mx) mx = z[j];
      double sum = 0;
      for (int j = 0; j < V; j++) {
        double e = std::exp(static_cast<double>(z[j]) - mx);
        p[j] = static_cast<float>(e);
        sum += e;
      }
      double lse = mx + std::log(sum);
      double inv = 1 / sum;
      double rowLoss = 0;
      for (int j = 0; j < V; j++) {
        // as the TypeScript loss does: the float32 exponential times the float64 reciprocal
        p[j] = static_cast<float>(static_cast<double>(p[j]) * inv);
        if (tg[j] != 0) rowLoss += tg[j] * (lse - z[j]);
      }
      total += rowLoss;
    }
  } else {
    const int64_t count = static_cast<int64_t>(n) * V;
    for (int64_t i = 0; i < count; i++) {
      double d = static_cast<double>(out[i]) - targets[i];
      total += d * d;
    }
  }
  return total / n;
}

static double forwardBackward(Trainer& t, const float* inputs, const float* targets, int n) {
  forward(t, inputs, n);
  const double loss = computeLoss(t, targets, n);
  const int last = static_cast<int>(t.layers.size()) - 1;
  const int V = t.outputs;
  float* dlast = t.delta[last];
  if (t.loss == Loss::CrossEntropy) {
    // dlogits = (mass·p - t)/n, mass = Σ_j t_bj (1 for one-hot targets)
    const double invB = 1.0 / n;
    for (int b = 0; b < n; b++) {
      const float* tg = targets + static_cast<int64_t>(b) * V;
      const float* p = t.probs + static_cast<int64_t>(b) * V;
      float* d = dlast + static_cast<int64_t>(b) * V;
      double mass = 0;
      for (int j = 0; j < V; j++) mass += tg[j];
      for (int j = 0; j < V; j++) d[j] = static_cast<float>((mass * p[j] - tg[j]) * invB);
    }
  } else {
    const double scale = 2.0 / n;
    const float* y = t.act[last];
    const int64_t count = static_cast<int64_t>(n) * V;
    for (int64_t i = 0; i < count; i++) dlast[i] = static_cast<float>((static_cast<double>(y[i]) - targets[i]) * scale);
  }
  for (int l = last; l >= 0; l--) {
    const Layer& L = t.layers[l];
    const float* x = l == 0 ? inputs : t.act[l - 1];
    const float* d = t.delta[l];
    float* dw = t.grads + L.wOffset;
    float* db = t.grads + L.bOffset;
    // dW (fanOut, fanIn) = dᵀ·x: a(o, b) = d[b*fanOut + o], b(b, c) = x[b*fanIn + c]
    gemm(t, L.fanOut, L.fanIn, n, d, 1, L.fanOut, x, L.fanIn, 1, dw, L.fanIn, 1, false);
    for (int o = 0; o < L.fanOut; o++) db[o] = 0.0f;
    for (int b = 0; b < n; b++) {
      const float* row = d + static_cast<int64_t>(b) * L.fanOut;
      for (int o = 0; o < L.fanOut; o++) db[o] += row[o];
    }
    if (l > 0) {
      // dact (n, fanIn) = d·W, into delta[l-1], then · φ'(pre[l-1])
      float* dprev = t.delta[l - 1];
      gemm(t, n, L.fanIn, L.fanOut, d, L.fanOut, 1, t.params + L.wOffset, L.fanIn, 1, dprev, L.fanIn, 1, false);
      activationBackward(t.activation, t.slope, dprev, dprev, t.pre[l - 1], t.act[l - 1],
                         static_cast<int64_t>(n) * L.fanIn);
    }
  }
  return loss;
}

// ---------------------------------------------------------------------------------------------------------------
// Clipping and optimizers over the flat buffers.

/** Σ g² in float64 (float32 squares overflow past 1.8e19, where the TypeScript backend's sum stays finite). */
static double sumSquares(const float* g, int64_t n) {
  vd acc = vd{};
  int64_t i = 0;
  for (; i + VL <= n; i += VL) {
    vd x = __builtin_convertvector(load(g + i), vd);
    acc += x * x;
  }
  if (i < n) {
    vd x = __builtin_convertvector(loadPartial(g + i, n - i), vd);
    acc += x * x;
  }
  double total = 0;
  for (int j = 0; j < VL; j++) total += acc[j];
  return total;
}

/** Clips grads in place as clip_grad_norm_ / clip_grad_value_; returns whether anything changed. */
static bool clipGrads(Trainer& t, double norm) {
  float* g = t.grads;
  const int64_t n = t.numParams;
  if (t.clip == Clip::Norm) {
    if (!(norm > t.clipMax)) return false;
    const float coef = static_cast<float>(t.clipMax / (norm + 1e-6));
    for (int64_t i = 0; i < n; i++) g[i] *= coef;
    return true;
  }
  if (t.clip == Clip::Value) {
    const float mx = static_cast<float>(t.clipMax);
    int changed = 0;
    for (int64_t i = 0; i < n; i++) {
      const float x = g[i];
      const float y = x > mx ? mx : (x < -mx ? -mx : x);
      changed |= (y != x);
      g[i] = y;
    }
    return changed != 0;
  }
  return false;
}

static void sgdRange(float* p, const float* g, int64_t from, int64_t to, float lr, float wd) {
  for (int64_t i = from; i < to; i++) p[i] -= lr * (g[i] + wd * p[i]);
}

static void momentumRange(float* p, const float* g, float* buf, int64_t from, int64_t to, float lr, float wd,
                          float mu, bool nesterov) {
  if (nesterov) {
    for (int64_t i = from; i < to; i++) {
      const float gi = g[i] + wd * p[i];
      const float v = mu * buf[i] + gi;
      buf[i] = v;
      p[i] -= lr * (gi + mu * v);
    }
  } else {
    for (int64_t i = from; i < to; i++) {
      const float gi = g[i] + wd * p[i];
      const float v = mu * buf[i] + gi;
      buf[i] = v;
      p[i] -= lr * v;
    }
  }
}

static void adamRange(float* p, const float* g, float* m, float* v, int64_t from, int64_t to, float wd, float b1,
                      float b2, float stepSize, float invSqrtBc2, float eps) {
  const float c1 = 1.0f - b1;
  const float c2 = 1.0f - b2;
  for (int64_t i = from; i < to; i++) {
    const float gi = g[i] + wd * p[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= (stepSize * mi) / (std::sqrt(vi) * invSqrtBc2 + eps);
  }
}

/** One optimizer step; `step` counts from 1 (adam's bias correction). Weight decay on weights, never biases. */
static void optimizerStep(Trainer& t, int64_t step) {
  const float lr = static_cast<float>(t.lr);
  const float wd = static_cast<float>(t.weightDecay);
  float stepSize = 0, invSqrtBc2 = 0;
  if (t.optimizer == Optimizer::Adam) {
    stepSize = static_cast<float>(t.lr / (1 - std::pow(t.beta1, static_cast<double>(step))));
    invSqrtBc2 = static_cast<float>(1 / std::sqrt(1 - std::pow(t.beta2, static_cast<double>(step))));
  }
  for (const Layer& L : t.layers) {
    const int64_t ranges[2][2] = {{L.wOffset, L.bOffset}, {L.bOffset, L.bOffset + L.fanOut}};
    for (int r = 0; r < 2; r++) {
      const float decay = r == 0 ? wd : 0.0f;
      const int64_t from = ranges[r][0], to = ranges[r][1];
      switch (t.optimizer) {
        case Optimizer::Sgd: sgdRange(t.params, t.grads, from, to, lr, decay); break;
        case Optimizer::Momentum:
          momentumRange(t.params, t.grads, t.momentumBuf, from, to, lr, decay, static_cast<float>(t.momentum),
                        t.nesterov);
          break;
        case Optimizer::Adam:
          adamRange(t.params, t.grads, t.adamM, t.adamV, from, to, decay, static_cast<float>(t.beta1),
                    static_cast<float>(t.beta2), stepSize, invSqrtBc2, static_cast<float>(t.eps));
          break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Whole-split evaluation and one epoch of steps.

static void evaluate(Trainer& t, const float* inputs, const float* targets, int size, double* lossSum,
                     int64_t* correct) {
  const int D = t.inputs;
  const int V = t.outputs;
  double total = 0;
  int64_t right = 0;
  for (int start = 0; start < size; start += t.maxBatch) {
    const int n = std::min(t.maxBatch, size - start);
    const float* tg = targets + static_cast<int64_t>(start) * V;
    forward(t, inputs + static_cast<int64_t>(start) * D, n);
    total += computeLoss(t, tg, n) * n;
    const float* out = t.act.back();
    for (int b = 0; b < n; b++) {
      const float* o = out + static_cast<int64_t>(b) * V;
      const float* y = tg + static_cast<int64_t>(b) * V;
      int bestOut = 0, bestTarget = 0;
      for (int j = 1; j < V; j++) {
        if (o[j] > o[bestOut]) bestOut = j;
        if (y[j] > y[bestTarget]) bestTarget = j;
      }
      if (bestOut == bestTarget) right++;
    }
  }
  *lossSum = total;
  *correct = right;
}

static EpochResult trainEpoch(Trainer& t, const int32_t* order, const float* inputs, const float* targets, int size,
                              int batchSize, int64_t stepsBefore) {
  const int D = t.inputs;
  const int V = t.outputs;
  const int B = std::min(batchSize, t.maxBatch);
  EpochResult result{0, 0, Stop::None, 0};
  for (int start = 0; start < size; start += B) {
    const int n = std::min(B, size - start);
    for (int r = 0; r < n; r++) {
      const int64_t src = order[start + r];
      std::memcpy(t.batchInputs.data() + static_cast<int64_t>(r) * D, inputs + src * D, sizeof(float) * D);
      std::memcpy(t.batchTargets.data() + static_cast<int64_t>(r) * V, targets + src * V, sizeof(float) * V);
    }
    const double loss = forwardBackward(t, t.batchInputs.data(), t.batchTargets.data(), n);
    if (!std::isfinite(loss)) {
      result.stop = Stop::Loss;
      result.stopBatch = n;
      return result;
    }
    const double norm = std::sqrt(sumSquares(t.grads, t.numParams));
    if (!std::isfinite(norm)) {
      result.stop = Stop::Gradient;
      result.stopBatch = n;
      return result;
    }
    if (clipGrads(t, norm)) result.clippedSteps++;
    optimizerStep(t, stepsBefore + result.steps + 1);
    result.steps++;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Probe statistics (what workers/core/diagnostics.ts measureActivations computes), accumulated in float64.

static double sumOf(const float* x, int64_t n) {
  vd acc = vd{};
  int64_t i = 0;
  for (; i + VL <= n; i += VL) acc += __builtin_convertvector(load(x + i), vd);
  if (i < n) acc += __builtin_convertvector(loadPartial(x + i, n - i), vd);
  double total = 0;
  for (int j = 0; j < VL; j++) total += acc[j];
  return total;
}

/** Σ (x - mean)² in float64. */
static double squaredDeviations(const float* x, int64_t n, double mean) {
  vd acc = vd{};
  const vd m = vd{} + mean;
  int64_t i = 0;
  for (; i + VL <= n; i += VL) {
    vd d = __builtin_convertvector(load(x + i), vd) - m;
    acc += d * d;
  }
  double total = 0;
  for (int j = 0; j < VL; j++) total += acc[j];
  for (; i < n; i++) {
    double d = x[i] - mean;
    total += d * d;
  }
  return total;
}

static void measureActivations(Trainer& t, int n, double bound, double* out) {
  const int last = static_cast<int>(t.layers.size()) - 1;
  for (int l = 0; l <= last; l++) {
    const int fanOut = t.layers[l].fanOut;
    const int64_t count = static_cast<int64_t>(n) * fanOut;
    const float* act = t.act[l];
    const float* pre = t.pre[l];
    double* o = out + static_cast<int64_t>(l) * ACTIVATION_STATS;
    const double actMean = sumOf(act, count) / count;
    const double preMean = sumOf(pre, count) / count;
    o[0] = actMean;
    o[1] = squaredDeviations(act, count, actMean) / count;
    o[2] = squaredDeviations(pre, count, preMean) / count;
    int64_t saturated = 0;
    if (l < last && std::isfinite(bound)) {
      // compared in float64, as the TypeScript engine does
      for (int64_t i = 0; i < count; i++) saturated += std::fabs(static_cast<double>(pre[i])) > bound;
    }
    o[3] = static_cast<double>(saturated) / count;
    int dead = 0;
    if (l < last && t.activation == Activation::Relu) {
      for (int j = 0; j < fanOut; j++) {
        bool alive = false;
        for (int b = 0; b < n && !alive; b++) alive = act[static_cast<int64_t>(b) * fanOut + j] != 0.0f;
        dead += !alive;
      }
    }
    o[4] = static_cast<double>(dead) / fanOut;
    o[5] = std::sqrt(sumSquares(t.delta[l], count));
  }
}

static const Kernels kernels = {
    INITLAB_PATH_NAME, forward,    forwardBackward,    evaluate, trainEpoch, measureActivations,
    activationForward, activationBackward, gemm, KC * NR, MR * NR,
};
