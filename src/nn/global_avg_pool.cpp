#include "nn/global_avg_pool.h"

namespace spikeforge {

void GlobalAvgPool::forward(const float* in, float* out, bool) {
  const int64_t planes = int64_t(Tin_) * B_ * in_.C, HW = int64_t(in_.H) * in_.W;
  const float scale = 1.f / float(HW);
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* x = in + pl * HW;
    float s = 0;
    for (int64_t p = 0; p < HW; ++p) s += x[p];
    out[pl] = s * scale;  // y[c] = mean over the plane
  }
}

void GlobalAvgPool::backward(const float* dout, float* din) {
  if (!din) return;
  const int64_t planes = int64_t(Tin_) * B_ * in_.C, HW = int64_t(in_.H) * in_.W;
  const float scale = 1.f / float(HW);
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl)
    for (int64_t p = 0; p < HW; ++p) din[pl * HW + p] = dout[pl] * scale;  // dx = dy / (H W)
}

}  // namespace spikeforge
