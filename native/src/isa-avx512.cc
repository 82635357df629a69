// The AVX-512 path (avx512f/vl/bw/dq + FMA): 16-float vectors, 8 × 32 register tiles.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "trainer.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define INITLAB_HAS_AVX512 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,prefer-vector-width=512")
#endif
#define INITLAB_VBYTES 64
#define INITLAB_MR 8
#define INITLAB_PATH_NAME "avx512"
namespace initlab {
namespace avx512 {
#include "step-impl.h"
}  // namespace avx512
const Kernels* avx512Kernels() { return &avx512::kernels; }
}  // namespace initlab
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
