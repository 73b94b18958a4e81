#include "core/threads.h"

#include <omp.h>

extern "C" void openblas_set_num_threads(int);

namespace spikeforge {

void set_num_threads(int n) {
  if (n <= 0) return;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int num_threads() { return omp_get_max_threads(); }
int thread_index() { return omp_get_thread_num(); }

void add_partials(const float* parts, int count, int64_t stride, int64_t n, float* dst) {
#pragma omp parallel for simd schedule(static)
  for (int64_t e = 0; e < n; ++e) {
    float acc = dst[e];
    for (int th = 0; th < count; ++th) acc += parts[th * stride + e];
    dst[e] = acc;
  }
}

}  // namespace spikeforge
