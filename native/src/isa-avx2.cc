// The AVX2 + FMA path: 8-float vectors, 6 × 16 register tiles.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "trainer.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define INITLAB_HAS_AVX2 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#define INITLAB_VBYTES 32
#define INITLAB_MR 6
#define INITLAB_PATH_NAME "avx2"
namespace initlab {
namespace avx2 {
#include "step-impl.h"
}  // namespace avx2
const Kernels* avx2Kernels() { return &avx2::kernels; }
}  // namespace initlab
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
