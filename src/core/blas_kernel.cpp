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

// Cores OpenBLAS falls back to for a CPU it does not know.
bool is_fallback_core(const char* name) {
  for (const char* f : {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge", "Generic"})
    if (std::strcmp(name, f) == 0) return true;
  return false;
}

}  // namespace

void select_blas_kernel(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") || std::getenv("SPIKEFORGE_BLAS_REEXEC")) return;
  const char* want = core_for_cpu();
  if (!want || !is_fallback_core(blas_core_name())) return;
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
