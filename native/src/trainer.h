// The native trainer's state, shared by every CPU path: the network's shape and settings, and pointers into the
// JavaScript Float32Arrays it computes in (parameters, gradients, optimizer state, workspace). The math lives in
// step-impl.h, compiled once per instruction set (isa-*.cc); addon.cc is the N-API boundary.
#pragma once

#include <cstdint>
#include <vector>

namespace initlab {

enum class Activation { Linear, Sigmoid, Tanh, Relu, LeakyRelu, Elu, Selu, Gelu, Softsign, Silu };
enum class Loss { CrossEntropy, Mse };
enum class Optimizer { Sgd, Momentum, Adam };
enum class Clip { None, Norm, Value };
enum class Stop : int { None = 0, Loss = 1, Gradient = 2 };

struct Layer {
  int fanIn;
  int fanOut;
  int64_t wOffset;  // W (fanOut, fanIn) row-major at params[wOffset]
  int64_t bOffset;  // bias (fanOut) right after W
};

struct Trainer {
  std::vector<Layer> layers;
  int inputs = 0;
  int outputs = 0;
  int maxBatch = 0;
  int64_t numParams = 0;

  Activation activation = Activation::Tanh;
  float slope = 0;  // leaky_relu
  Loss loss = Loss::CrossEntropy;
  Optimizer optimizer = Optimizer::Sgd;
  double lr = 0, momentum = 0, beta1 = 0, beta2 = 0, eps = 0, weightDecay = 0;
  bool nesterov = false;
  Clip clip = Clip::None;
  double clipMax = 0;

  // JavaScript-owned buffers (kept alive by references held in addon.cc).
  float* params = nullptr;
  float* grads = nullptr;
  float* momentumBuf = nullptr;  // momentum
  float* adamM = nullptr;        // adam
  float* adamV = nullptr;
  std::vector<float*> pre;       // per layer (maxBatch, fanOut)
  std::vector<float*> act;       // per layer; act[last] == pre[last]
  std::vector<float*> delta;     // per layer
  float* probs = nullptr;        // (maxBatch, outputs)

  // Native scratch, sized once at creation.
  std::vector<float> batchInputs;   // (maxBatch, inputs)
  std::vector<float> batchTargets;  // (maxBatch, outputs)
  std::vector<float> panel;         // a packed block of a GEMM's B operand
  std::vector<float> tile;          // one register tile that does not fit C directly
};

/** Values per layer that measureActivations writes: act mean and variance, pre variance, saturated and dead
 *  fractions, ‖δ‖ (workers/core/diagnostics.ts ACTIVATION_STATS and STAT). */
constexpr int ACTIVATION_STATS = 6;

struct EpochResult {
  int steps;
  int clippedSteps;
  Stop stop;
  int stopBatch;
};

/** The entry points one instruction set compiles (step-impl.h). */
struct Kernels {
  const char* name;
  void (*forward)(Trainer& t, const float* inputs, int n);
  double (*forwardBackward)(Trainer& t, const float* inputs, const float* targets, int n);
  void (*evaluate)(Trainer& t, const float* inputs, const float* targets, int size, double* lossSum, int64_t* correct);
  EpochResult (*trainEpoch)(Trainer& t, const int32_t* order, const float* inputs, const float* targets, int size,
                            int batchSize, int64_t stepsBefore);
  void (*measureActivations)(Trainer& t, int n, double saturationBound, double* out);
  void (*activationForward)(Activation a, float slope, float* out, const float* pre, int64_t n);
  void (*activationBackward)(Activation a, float slope, float* dpre, const float* dact, const float* pre,
                             const float* act, int64_t n);
  // c (M, N), element (i, n) at c[i*rsC + n*csC] = (accumulate ? c : 0) + Σ_k a(i, k)·b(k, n),
  // a(i, k) = a[i*rsA + k*csA], b(k, n) = b[k*rsB + n*csB]. Uses t's panel and tile scratch.
  void (*gemm)(Trainer& t, int M, int N, int K, const float* a, int64_t rsA, int64_t csA, const float* b,
               int64_t rsB, int64_t csB, float* c, int64_t rsC, int64_t csC, bool accumulate);
  // The scratch sizes gemm needs (floats), for a Trainer built outside createTrainer (tests).
  int64_t panelFloats;
  int64_t tileFloats;
};

/** The CPU paths this machine runs, best first. */
std::vector<const Kernels*> availableKernels();
/** The kernels of a named path, or null if this machine (or build) cannot run it. */
const Kernels* findKernels(const char* name);

}  // namespace initlab
