// The N-API boundary of the native backend (workers/native/addon.ts types it). Every argument is checked here —
// sizes, buffer lengths, indices — so the kernels never read or write outside a buffer: a bad call throws a
// JavaScript error (and fails its run) instead of crashing the process. No state is global: each worker thread
// that loads the addon gets its own trainers.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "trainer.h"

namespace initlab {
namespace {

constexpr int64_t MAX_LAYER_SIZE = 1 << 20;
constexpr int64_t MAX_BATCH = 1 << 20;

/** A trainer plus the references that keep its JavaScript buffers alive. */
struct Handle {
  Trainer trainer;
  const Kernels* kernels = nullptr;
  std::vector<napi_ref> refs;
  bool released = false;  // releaseTrainer ran: the buffers are let go and every further call is refused
};

/** Thrown through the N-API call as a JavaScript Error (or TypeError/RangeError). */
struct Failure {
  std::string message;
  const char* kind;  // "Error", "TypeError", "RangeError"
};

#define CHECK_NAPI(env, call)                                  \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      throw_napi(env, #call);                                  \
      return nullptr;                                          \
    }                                                          \
  } while (0)

void throw_napi(napi_env env, const char* what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_INITLAB_NATIVE", what);
}

napi_value fail(napi_env env, const Failure& f) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return nullptr;
  if (std::strcmp(f.kind, "TypeError") == 0) napi_throw_type_error(env, "ERR_INITLAB_NATIVE", f.message.c_str());
  else if (std::strcmp(f.kind, "RangeError") == 0) napi_throw_range_error(env, "ERR_INITLAB_NATIVE", f.message.c_str());
  else napi_throw_error(env, "ERR_INITLAB_NATIVE", f.message.c_str());
  return nullptr;
}

/** Argument readers: each returns false and fills `err` when the value is not what the name promises. */
struct Args {
  napi_env env;
  std::vector<napi_value> argv;
  Failure err{"", "TypeError"};

  bool number(size_t i, const char* name, double* out) {
    napi_valuetype type;
    if (i >= argv.size() || napi_typeof(env, argv[i], &type) != napi_ok || type != napi_number) {
      err = {std::string(name) + " must be a number", "TypeError"};
      return false;
    }
    napi_get_value_double(env, argv[i], out);
    return true;
  }
  bool integer(size_t i, const char* name, int64_t lo, int64_t hi, int64_t* out) {
    double v;
    if (!number(i, name, &v)) return false;
    if (!(v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) || std::floor(v) != v) {
      err = {std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
             "RangeError"};
      return false;
    }
    *out = static_cast<int64_t>(v);
    return true;
  }
  bool string(size_t i, const char* name, std::string* out) {
    napi_valuetype type;
    if (i >= argv.size() || napi_typeof(env, argv[i], &type) != napi_ok || type != napi_string) {
      err = {std::string(name) + " must be a string", "TypeError"};
      return false;
    }
    char buf[64];
    size_t len = 0;
    napi_get_value_string_utf8(env, argv[i], buf, sizeof buf, &len);
    out->assign(buf, len);
    return true;
  }
};

bool typedArray(napi_env env, napi_value value, napi_typedarray_type want, const char* name, void** data,
                size_t* length, Failure* err) {
  bool is = false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok || type != want) {
    *err = {std::string(name) + (want == napi_float32_array ? " must be a Float32Array" : " must be an Int32Array"),
            "TypeError"};
    return false;
  }
  return true;
}

bool floatArrayOf(napi_env env, napi_value value, const char* name, int64_t minLength, float** data, Failure* err) {
  void* p;
  size_t length;
  if (!typedArray(env, value, napi_float32_array, name, &p, &length, err)) return false;
  if (static_cast<int64_t>(length) < minLength) {
    *err = {std::string(name) + " holds " + std::to_string(length) + " values, needs " + std::to_string(minLength),
            "RangeError"};
    return false;
  }
  *data = static_cast<float*>(p);
  return true;
}

napi_value property(napi_env env, napi_value object, const char* key) {
  napi_value v = nullptr;
  napi_get_named_property(env, object, key, &v);
  return v;
}

bool isNull(napi_env env, napi_value v) {
  napi_valuetype type;
  napi_typeof(env, v, &type);
  return type == napi_null || type == napi_undefined;
}

bool activationByName(const std::string& s, Activation* a) {
  static const struct { const char* name; Activation a; } names[] = {
      {"linear", Activation::Linear}, {"sigmoid", Activation::Sigmoid}, {"tanh", Activation::Tanh},
      {"relu", Activation::Relu},     {"leaky_relu", Activation::LeakyRelu}, {"elu", Activation::Elu},
      {"selu", Activation::Selu},     {"gelu", Activation::Gelu},       {"softsign", Activation::Softsign},
      {"silu", Activation::Silu},
  };
  for (const auto& n : names) {
    if (s == n.name) {
      *a = n.a;
      return true;
    }
  }
  return false;
}

const Kernels* kernelsOrFail(const std::string& path, Failure* err) {
  const Kernels* k = findKernels(path.c_str());
  if (k == nullptr) *err = {"CPU path \"" + path + "\" is not available on this machine", "Error"};
  return k;
}

// --- cpuPaths() -------------------------------------------------------------------------------------------------

napi_value CpuPaths(napi_env env, napi_callback_info) {
  napi_value list;
  CHECK_NAPI(env, napi_create_array(env, &list));
  uint32_t i = 0;
  for (const Kernels* k : availableKernels()) {
    napi_value name;
    CHECK_NAPI(env, napi_create_string_utf8(env, k->name, NAPI_AUTO_LENGTH, &name));
    CHECK_NAPI(env, napi_set_element(env, list, i++, name));
  }
  return list;
}

// --- createTrainer(options) -------------------------------------------------------------------------------------

void releaseRefs(napi_env env, Handle* h) {
  for (napi_ref ref : h->refs) napi_delete_reference(env, ref);
  h->refs.clear();
}

void finalizeHandle(napi_env env, void* data, void*) {
  Handle* h = static_cast<Handle*>(data);
  releaseRefs(env, h);
  delete h;
}

bool numberProperty(napi_env env, napi_value o, const char* key, double* out, Failure* err) {
  napi_value v = property(env, o, key);
  napi_valuetype type;
  if (v == nullptr || napi_typeof(env, v, &type) != napi_ok || type != napi_number) {
    *err = {std::string("options.") + key + " must be a number", "TypeError"};
    return false;
  }
  napi_get_value_double(env, v, out);
  if (!std::isfinite(*out)) {
    *err = {std::string("options.") + key + " must be finite", "RangeError"};
    return false;
  }
  return true;
}

bool stringProperty(napi_env env, napi_value o, const char* key, std::string* out, Failure* err) {
  Args a{env, {property(env, o, key)}};
  if (!a.string(0, (std::string("options.") + key).c_str(), out)) {
    *err = a.err;
    return false;
  }
  return true;
}

/** Reads a Float32Array property, checks its length and keeps it alive through a reference. */
bool bufferProperty(napi_env env, Handle* h, napi_value value, const std::string& name, int64_t minLength,
                    float** out, Failure* err) {
  if (!floatArrayOf(env, value, name.c_str(), minLength, out, err)) return false;
  napi_ref ref;
  napi_create_reference(env, value, 1, &ref);
  h->refs.push_back(ref);
  return true;
}

bool bufferListProperty(napi_env env, Handle* h, napi_value o, const char* key, const std::vector<Layer>& layers,
                        int64_t maxBatch, std::vector<float*>* out, Failure* err) {
  napi_value list = property(env, o, key);
  bool isArray = false;
  uint32_t length = 0;
  if (list == nullptr || napi_is_array(env, list, &isArray) != napi_ok || !isArray ||
      napi_get_array_length(env, list, &length) != napi_ok || length != layers.size()) {
    *err = {std::string("options.") + key + " must be an array of " + std::to_string(layers.size()) +
                " Float32Arrays (one per layer)", "TypeError"};
    return false;
  }
  for (uint32_t l = 0; l < length; l++) {
    napi_value item;
    napi_get_element(env, list, l, &item);
    float* p;
    std::string name = std::string("options.") + key + "[" + std::to_string(l) + "]";
    if (!bufferProperty(env, h, item, name, maxBatch * layers[l].fanOut, &p, err)) return false;
    out->push_back(p);
  }
  return true;
}

bool buildTrainer(napi_env env, napi_value o, Handle* h, Failure* err) {
  Trainer& t = h->trainer;
  std::string cpuPath, activation, loss, optimizer, clip;
  if (!stringProperty(env, o, "cpuPath", &cpuPath, err)) return false;
  h->kernels = kernelsOrFail(cpuPath, err);
  if (h->kernels == nullptr) return false;

  napi_value sizes = property(env, o, "sizes");
  bool isArray = false;
  uint32_t count = 0;
  if (sizes == nullptr || napi_is_array(env, sizes, &isArray) != napi_ok || !isArray ||
      napi_get_array_length(env, sizes, &count) != napi_ok || count < 2) {
    *err = {"options.sizes must be an array of at least two layer sizes", "TypeError"};
    return false;
  }
  std::vector<int> dims;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    napi_get_element(env, sizes, i, &item);
    Args a{env, {item}};
    int64_t v;
    if (!a.integer(0, "options.sizes[i]", 1, MAX_LAYER_SIZE, &v)) {
      *err = a.err;
      return false;
    }
    dims.push_back(static_cast<int>(v));
  }
  int64_t offset = 0;
  int maxWidth = 0;
  for (uint32_t i = 0; i + 1 < count; i++) {
    Layer L{dims[i], dims[i + 1], offset, offset + static_cast<int64_t>(dims[i]) * dims[i + 1]};
    offset = L.bOffset + L.fanOut;
    t.layers.push_back(L);
  }
  for (int d : dims) maxWidth = std::max(maxWidth, d);
  t.numParams = offset;
  t.inputs = dims.front();
  t.outputs = dims.back();

  double maxBatch, slope, clipMax;
  if (!numberProperty(env, o, "maxBatch", &maxBatch, err)) return false;
  if (!(maxBatch >= 1 && maxBatch <= MAX_BATCH) || std::floor(maxBatch) != maxBatch) {
    *err = {"options.maxBatch must be an integer in [1, " + std::to_string(MAX_BATCH) + "]", "RangeError"};
    return false;
  }
  t.maxBatch = static_cast<int>(maxBatch);

  if (!stringProperty(env, o, "activation", &activation, err)) return false;
  if (!activationByName(activation, &t.activation)) {
    *err = {"options.activation: unknown activation \"" + activation + "\"", "RangeError"};
    return false;
  }
  if (!numberProperty(env, o, "slope", &slope, err)) return false;
  t.slope = static_cast<float>(slope);

  if (!stringProperty(env, o, "loss", &loss, err)) return false;
  if (loss == "cross_entropy") t.loss = Loss::CrossEntropy;
  else if (loss == "mse") t.loss = Loss::Mse;
  else {
    *err = {"options.loss: unknown loss \"" + loss + "\"", "RangeError"};
    return false;
  }

  if (!stringProperty(env, o, "optimizer", &optimizer, err)) return false;
  if (optimizer == "sgd") t.optimizer = Optimizer::Sgd;
  else if (optimizer == "momentum") t.optimizer = Optimizer::Momentum;
  else if (optimizer == "adam") t.optimizer = Optimizer::Adam;
  else {
    *err = {"options.optimizer: unknown optimizer \"" + optimizer + "\"", "RangeError"};
    return false;
  }
  if (!numberProperty(env, o, "lr", &t.lr, err) || !numberProperty(env, o, "momentum", &t.momentum, err) ||
      !numberProperty(env, o, "beta1", &t.beta1, err) || !numberProperty(env, o, "beta2", &t.beta2, err) ||
      !numberProperty(env, o, "eps", &t.eps, err) || !numberProperty(env, o, "weightDecay", &t.weightDecay, err)) {
    return false;
  }
  bool nesterov = false;
  if (napi_get_value_bool(env, property(env, o, "nesterov"), &nesterov) != napi_ok) {
    *err = {"options.nesterov must be a boolean", "TypeError"};
    return false;
  }
  t.nesterov = nesterov;

  if (!stringProperty(env, o, "clip", &clip, err)) return false;
  if (clip == "none") t.clip = Clip::None;
  else if (clip == "norm") t.clip = Clip::Norm;
  else if (clip == "value") t.clip = Clip::Value;
  else {
    *err = {"options.clip: unknown clipping mode \"" + clip + "\"", "RangeError"};
    return false;
  }
  if (!numberProperty(env, o, "clipMax", &clipMax, err)) return false;
  t.clipMax = clipMax;

  const int64_t P = t.numParams;
  if (!bufferProperty(env, h, property(env, o, "params"), "options.params", P, &t.params, err) ||
      !bufferProperty(env, h, property(env, o, "grads"), "options.grads", P, &t.grads, err)) {
    return false;
  }
  struct { const char* key; float** slot; bool needed; } state[] = {
      {"momentumBuf", &t.momentumBuf, t.optimizer == Optimizer::Momentum},
      {"adamM", &t.adamM, t.optimizer == Optimizer::Adam},
      {"adamV", &t.adamV, t.optimizer == Optimizer::Adam},
  };
  for (auto& s : state) {
    napi_value v = property(env, o, s.key);
    if (!s.needed && isNull(env, v)) continue;
    if (!bufferProperty(env, h, v, std::string("options.") + s.key, P, s.slot, err)) return false;
  }
  if (!bufferListProperty(env, h, o, "pre", t.layers, t.maxBatch, &t.pre, err) ||
      !bufferListProperty(env, h, o, "act", t.layers, t.maxBatch, &t.act, err) ||
      !bufferListProperty(env, h, o, "delta", t.layers, t.maxBatch, &t.delta, err) ||
      !bufferProperty(env, h, property(env, o, "probs"), "options.probs",
                      static_cast<int64_t>(t.maxBatch) * t.outputs, &t.probs, err)) {
    return false;
  }
  if (t.act.back() != t.pre.back()) {
    *err = {"options.act's last buffer must be options.pre's last (the output layer has no activation)", "Error"};
    return false;
  }
  t.batchInputs.assign(static_cast<size_t>(t.maxBatch) * t.inputs, 0.0f);
  t.batchTargets.assign(static_cast<size_t>(t.maxBatch) * t.outputs, 0.0f);
  t.panel.assign(static_cast<size_t>(h->kernels->panelFloats), 0.0f);
  t.tile.assign(static_cast<size_t>(h->kernels->tileFloats), 0.0f);
  (void)maxWidth;
  return true;
}

napi_value CreateTrainer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  napi_valuetype type;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_object) {
    return fail(env, {"createTrainer takes an options object", "TypeError"});
  }
  Handle* h = new Handle();
  Failure err{"", "Error"};
  if (!buildTrainer(env, argv[0], h, &err)) {
    for (napi_ref ref : h->refs) napi_delete_reference(env, ref);
    delete h;
    return fail(env, err);
  }
  napi_value external;
  if (napi_create_external(env, h, finalizeHandle, nullptr, &external) != napi_ok) {
    finalizeHandle(env, h, nullptr);
    throw_napi(env, "napi_create_external");
    return nullptr;
  }
  return external;
}

// --- per-call entry points --------------------------------------------------------------------------------------

Handle* handleOf(napi_env env, napi_value v, Failure* err) {
  napi_valuetype type;
  void* data = nullptr;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_external ||
      napi_get_value_external(env, v, &data) != napi_ok || data == nullptr) {
    *err = {"trainer must be a handle from createTrainer", "TypeError"};
    return nullptr;
  }
  Handle* h = static_cast<Handle*>(data);
  if (h->released) {
    *err = {"trainer was released", "Error"};
    return nullptr;
  }
  return h;
}

Args readArgs(napi_env env, napi_callback_info info, size_t count) {
  Args a{env, std::vector<napi_value>(count, nullptr)};
  size_t argc = count;
  // Missing arguments arrive as undefined, so argv always holds `count` values.
  napi_get_cb_info(env, info, &argc, a.argv.data(), nullptr, nullptr);
  return a;
}

/**
 * The rows argument (argv[rowsAt], an integer in [1, maxRows]) and the inputs (argv[1]) and, when asked for,
 * targets (argv[2]) that must hold that many rows. False with a.err filled otherwise.
 */
bool rowBuffers(napi_env env, Args& a, const Trainer& t, size_t rowsAt, const char* rowsName, int64_t maxRows,
                int64_t* rows, float** inputs, float** targets) {
  if (!a.integer(rowsAt, rowsName, 1, maxRows, rows)) return false;
  if (!floatArrayOf(env, a.argv[1], "inputs", *rows * t.inputs, inputs, &a.err)) return false;
  return targets == nullptr || floatArrayOf(env, a.argv[2], "targets", *rows * t.outputs, targets, &a.err);
}

// --- releaseTrainer(trainer): lets go of the buffers and frees the trainer's own memory at once --------------------
// Without it both wait for the handle's finalizer, which runs only after a full collection: a worker whose JS heap
// stays small collects rarely, and its memory grew by ~95 KB a run (1 GB after 8,000 small runs, bench/load.ts).

napi_value ReleaseTrainer(napi_env env, napi_callback_info info) {
  Args a = readArgs(env, info, 1);
  Handle* h = handleOf(env, a.argv[0], &a.err);
  if (h == nullptr) return fail(env, a.err);
  releaseRefs(env, h);
  h->trainer = Trainer();
  h->released = true;
  return nullptr;
}

napi_value Forward(napi_env env, napi_callback_info info) {
  Args a = readArgs(env, info, 3);
  Handle* h = handleOf(env, a.argv[0], &a.err);
  if (h == nullptr) return fail(env, a.err);
  int64_t n;
  float* inputs;
  if (!rowBuffers(env, a, h->trainer, 2, "n", h->trainer.maxBatch, &n, &inputs, nullptr)) return fail(env, a.err);
  h->kernels->forward(h->trainer, inputs, static_cast<int>(n));
  return nullptr;
}

napi_value ForwardBackward(napi_env env, napi_callback_info info) {
  Args a = readArgs(env, info, 4);
  Handle* h = handleOf(env, a.argv[0], &a.err);
  if (h == nullptr) return fail(env, a.err);
  int64_t n;
  float *inputs, *targets;
  if (!rowBuffers(env, a, h->trainer, 3, "n", h->trainer.maxBatch, &n, &inputs, &targets)) return fail(env, a.err);
  double loss = h->kernels->forwardBackward(h->trainer, inputs, targets, static_cast<int>(n));
  napi_value result;
  CHECK_NAPI(env, napi_create_double(env, loss, &result));
  return result;
}

napi_value Evaluate(napi_env env, napi_callback_info info) {
  Args a = readArgs(env, info, 4);
  Handle* h = handleOf(env, a.argv[0], &a.err);
  if (h == nullptr) return fail(env, a.err);
  Trainer& t = h->trainer;
  int64_t size;
  float *inputs, *targets;
  if (!rowBuffers(env, a, t, 3, "size", INT32_MAX, &size, &inputs, &targets)) return fail(env, a.err);
  double lossSum = 0;
  int64_t correct = 0;
  h->kernels->evaluate(t, inputs, targets, static_cast<int>(size), &lossSum, &correct);
  napi_value result, v0, v1;
  CHECK_NAPI(env, napi_create_array_with_length(env, 2, &result));
  CHECK_NAPI(env, napi_create_double(env, lossSum, &v0));
  CHECK_NAPI(env, napi_create_double(env, static_cast<double>(correct), &v1));
  napi_set_element(env, result, 0, v0);
  napi_set_element(env, result, 1, v1);
  return result;
}

napi_value TrainEpoch(napi_env env, napi_callback_info info) {
  Args a = readArgs(env, info, 7);
  Handle* h = handleOf(env, a.argv[0], &a.err);
  if (h == nullptr) return fail(env, a.err);
  Trainer& t = h->trainer;
  int64_t size, batchSize, stepsBefore;
  if (!a.integer(4, "size", 1, INT32_MAX, &size) || !a.integer(5, "batchSize", 1, INT32_MAX, &batchSize) ||
      !a.integer(6, "stepsBefore", 0, INT64_C(1) << 52, &stepsBefore)) {
    return fail(env, a.err);
  }
  void* orderData;
  size_t orderLength;
  float *inputs, *targets;
  if (!typedArray(env, a.argv[1], napi_int32_array, "order", &orderData, &orderLength, &a.err)) return fail(env, a.err);
  if (static_cast<int64_t>(orderLength) < size) {
    return fail(env, {"order holds " + std::to_string(orderLength) + " indices, needs " + std::to_string(size),
                      "RangeError"});
  }
  if (!floatArrayOf(env, a.argv[2], "inputs", t.inputs, &inputs, &a.err) ||
      !floatArrayOf(env, a.argv[3], "targets", t.outputs, &targets, &a.err)) {
    return fail(env, a.err);
  }
  size_t inputLength, targetLength;
  void* ignored;
  typedArray(env, a.argv[2], napi_float32_array, "inputs", &ignored, &inputLength, &a.err);
  typedArray(env, a.argv[3], napi_float32_array, "targets", &ignored, &targetLength, &a.err);
  const int64_t rows = std::min<int64_t>(inputLength / t.inputs, targetLength / t.outputs);
  const int32_t* order = static_cast<const int32_t*>(orderData);
  for (int64_t i = 0; i < size; i++) {
    if (order[i] < 0 || order[i] >= rows) {
      return fail(env, {"order[" + std::to_string(i) + "] = " + std::to_string(order[i]) + " is outside the " +
                            std::to_string(rows) + " rows of inputs and targets", "RangeError"});
    }
  }
  EpochResult r = h->kernels->trainEpoch(t, order, inputs, targets, static_cast<int>(size),
                                         static_cast<int>(batchSize), stepsBefore);
  napi_value result;
  CHECK_NAPI(env, napi_create_array_with_length(env, 4, &result));
  const double values[4] = {static_cast<double>(r.steps), static_cast<double>(r.clippedSteps),
                            static_cast<double>(static_cast<int>(r.stop)), static_cast<double>(r.stopBatch)};
  for (uint32_t i = 0; i < 4; i++) {
    napi_value v;
    napi_create_double(env, values[i], &v);
    napi_set_element(env, result, i, v);
  }
  return result;
}

napi_value MeasureActivations(napi_env env, napi_callback_info info) {
  Args a = readArgs(env, info, 4);
  Handle* h = handleOf(env, a.argv[0], &a.err);
  if (h == nullptr) return fail(env, a.err);
  Trainer& t = h->trainer;
  int64_t n;
  double bound;
  if (!a.integer(1, "n", 1, t.maxBatch, &n) || !a.number(2, "saturationBound", &bound)) return fail(env, a.err);
  bool is = false;
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t offset;
  const size_t need = t.layers.size() * ACTIVATION_STATS;
  if (napi_is_typedarray(env, a.argv[3], &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, a.argv[3], &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_float64_array || length < need) {
    return fail(env, {"out must be a Float64Array of at least " + std::to_string(need) + " values", "TypeError"});
  }
  h->kernels->measureActivations(t, static_cast<int>(n), bound, static_cast<double*>(data));
  return nullptr;
}

// --- kernel entry points for tests ------------------------------------------------------------------------------

napi_value ActivationForward(napi_env env, napi_callback_info info) {
  Args a = readArgs(env, info, 6);
  std::string path, name;
  double slope;
  int64_t n;
  float *out, *pre;
  Activation act;
  if (!a.string(0, "cpuPath", &path) || !a.string(1, "activation", &name) || !a.number(2, "slope", &slope) ||
      !a.integer(5, "n", 0, INT32_MAX, &n)) {
    return fail(env, a.err);
  }
  const Kernels* k = kernelsOrFail(path, &a.err);
  if (k == nullptr) return fail(env, a.err);
  if (!activationByName(name, &act)) return fail(env, {"unknown activation \"" + name + "\"", "RangeError"});
  if (!floatArrayOf(env, a.argv[3], "out", n, &out, &a.err) || !floatArrayOf(env, a.argv[4], "pre", n, &pre, &a.err)) {
    return fail(env, a.err);
  }
  k->activationForward(act, static_cast<float>(slope), out, pre, n);
  return nullptr;
}

napi_value ActivationBackward(napi_env env, napi_callback_info info) {
  Args a = readArgs(env, info, 8);
  std::string path, name;
  double slope;
  int64_t n;
  float *dpre, *dact, *pre, *act;
  Activation kind;
  if (!a.string(0, "cpuPath", &path) || !a.string(1, "activation", &name) || !a.number(2, "slope", &slope) ||
      !a.integer(7, "n", 0, INT32_MAX, &n)) {
    return fail(env, a.err);
  }
  const Kernels* k = kernelsOrFail(path, &a.err);
  if (k == nullptr) return fail(env, a.err);
  if (!activationByName(name, &kind)) return fail(env, {"unknown activation \"" + name + "\"", "RangeError"});
  if (!floatArrayOf(env, a.argv[3], "dpre", n, &dpre, &a.err) || !floatArrayOf(env, a.argv[4], "dact", n, &dact, &a.err) ||
      !floatArrayOf(env, a.argv[5], "pre", n, &pre, &a.err) || !floatArrayOf(env, a.argv[6], "act", n, &act, &a.err)) {
    return fail(env, a.err);
  }
  k->activationBackward(kind, static_cast<float>(slope), dpre, dact, pre, act, n);
  return nullptr;
}

/** The last index a strided operand touches: (rows-1)·rs + (cols-1)·cs, + 1. */
int64_t extent(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  return (rows - 1) * rs + (cols - 1) * cs + 1;
}

napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a = readArgs(env, info, 12);
  std::string path;
  int64_t M, N, K, rsA, csA, rsB, csB;
  double beta;
  float *pa, *pb, *pc;
  const int64_t big = 1 << 24;
  if (!a.string(0, "cpuPath", &path) || !a.integer(1, "M", 1, 1 << 16, &M) || !a.integer(2, "N", 1, 1 << 16, &N) ||
      !a.integer(3, "K", 1, 1 << 16, &K) || !a.integer(5, "rsA", 0, big, &rsA) || !a.integer(6, "csA", 0, big, &csA) ||
      !a.integer(8, "rsB", 0, big, &rsB) || !a.integer(9, "csB", 0, big, &csB) || !a.number(11, "beta", &beta)) {
    return fail(env, a.err);
  }
  if (beta != 0 && beta != 1) return fail(env, {"beta must be 0 or 1", "RangeError"});
  const Kernels* k = kernelsOrFail(path, &a.err);
  if (k == nullptr) return fail(env, a.err);
  if (!floatArrayOf(env, a.argv[4], "a", extent(M, K, rsA, csA), &pa, &a.err) ||
      !floatArrayOf(env, a.argv[7], "b", extent(K, N, rsB, csB), &pb, &a.err) ||
      !floatArrayOf(env, a.argv[10], "c", M * N, &pc, &a.err)) {
    return fail(env, a.err);
  }
  Trainer scratch;
  scratch.panel.assign(static_cast<size_t>(k->panelFloats), 0.0f);
  scratch.tile.assign(static_cast<size_t>(k->tileFloats), 0.0f);
  k->gemm(scratch, static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), pa, rsA, csA, pb, rsB, csB, pc, N,
          1, beta == 1);
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"cpuPaths", nullptr, CpuPaths, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"createTrainer", nullptr, CreateTrainer, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"releaseTrainer", nullptr, ReleaseTrainer, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"forward", nullptr, Forward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"forwardBackward", nullptr, ForwardBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"evaluate", nullptr, Evaluate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"trainEpoch", nullptr, TrainEpoch, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"measureActivations", nullptr, MeasureActivations, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"activationForward", nullptr, ActivationForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"activationBackward", nullptr, ActivationBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace
}  // namespace initlab

NAPI_MODULE_INIT() { return initlab::Init(env, exports); }
