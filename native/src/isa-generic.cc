// The portable path: one-float "vectors", plain C++ on any CPU (what a machine without a SIMD path runs).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "trainer.h"

#define INITLAB_VBYTES 4
#define INITLAB_MR 4
#define INITLAB_PATH_NAME "generic"
namespace initlab {
namespace generic {
#include "step-impl.h"
}  // namespace generic
const Kernels* genericKernels() { return &generic::kernels; }
}  // namespace initlab
