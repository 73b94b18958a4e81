#include "learn/grad_clip.h"

#include <cmath>

namespace spikeforge {

double clip_grad_norm(float* g, int64_t n, float c) {
  double s = 0;
#pragma omp parallel for simd reduction(+ : s) schedule(static)
  for (int64_t i = 0; i < n; ++i) s += double(g[i]) * double(g[i]);
  const double norm = std::sqrt(s);
  if (c > 0 && norm > c) {
    const float k = float(c / norm);
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) g[i] *= k;
  }
  return norm;
}

}  // namespace spikeforge
