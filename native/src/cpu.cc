// Run-time CPU dispatch: which of the compiled paths this machine can run, best first.
#include <cstring>

#include "trainer.h"

namespace initlab {

#if defined(__x86_64__)
const Kernels* avx512Kernels();
const Kernels* avx2Kernels();
const Kernels* sse2Kernels();
#endif
const Kernels* genericKernels();

std::vector<const Kernels*> availableKernels() {
  std::vector<const Kernels*> paths;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // __builtin_cpu_supports also checks that the OS saves the wide registers (XCR0).
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma")) {
    paths.push_back(avx512Kernels());
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) paths.push_back(avx2Kernels());
#endif
#if defined(__x86_64__)
  paths.push_back(sse2Kernels());
#endif
  paths.push_back(genericKernels());
  return paths;
}

const Kernels* findKernels(const char* name) {
  for (const Kernels* k : availableKernels()) {
    if (std::strcmp(k->name, name) == 0) return k;
  }
  return nullptr;
}

}  // namespace initlab
