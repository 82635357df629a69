// The SSE2 path, x86-64's baseline: 4-float vectors, 6 × 8 register tiles, no FMA.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "trainer.h"

#if defined(__x86_64__)
#define INITLAB_VBYTES 16
#define INITLAB_MR 6
#define INITLAB_PATH_NAME "sse2"
namespace initlab {
namespace sse2 {
#include "step-impl.h"
}  // namespace sse2
const Kernels* sse2Kernels() { return &sse2::kernels; }
}  // namespace initlab
#endif
