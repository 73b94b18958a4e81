#include "core/blas_kernel.h"

#include <cblas.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace spikeforge {

const char* blas_core_name() { return openblas_get_corename(); }

namespace {

// The best OpenBLAS core type this CPU's features allow, or nullptr.
const char* core_for_cpu() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  return nullptr;
}

// How much of the CPU an OpenBLAS core type uses: 0 for the cores OpenBLAS
// falls back to on a CPU it does not know, 2 for AVX2 + FMA, 3 for AVX-512.
// OpenBLAS 0.3.21 runs AVX-512 Zen 4/5 CPUs on its Haswell (or Zen) kernels:
// on a Zen 5 core SkylakeX's sgemm is 1.9x faster (442 vs 234 GFLOP/s on 2 threads).
// -1: a name not listed here, left alone.
int core_rank(const char* name) {
  for (const char* f : {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge", "Generic"})
    if (std::strcmp(name, f) == 0) return 0;
  for (const char* f : {"Haswell", "Zen"})
    if (std::strcmp(name, f) == 0) return 2;
  for (const char* f : {"SkylakeX", "Cooperlake", "SapphireRapids"})
    if (std::strcmp(name, f) == 0) return 3;
  return -1;
}

}  // namespace

void select_blas_kernel(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") || std::getenv("SPIKEFORGE_BLAS_REEXEC")) return;
  const char* want = core_for_cpu();
  const int have = core_rank(blas_core_name());
  if (!want || have < 0 || have >= core_rank(want)) return;
  setenv("OPENBLAS_CORETYPE", want, 1);
  setenv("SPIKEFORGE_BLAS_REEXEC", "1", 1);  // never loop, even if the kernel is refused
  // The real path, not /proc/self/exe: the process keeps its name ("spikeforge", not "exe").
  char self[4096];
  const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len > 0) {
    self[len] = '\0';
    execv(self, argv);
  }
  // execv failed: keep running with the kernels we have.
  unsetenv("OPENBLAS_CORETYPE");
}

}  // namespace spikeforge
