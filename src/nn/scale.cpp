#include "nn/scale.h"

namespace spikeforge {

void Scale::forward(const float* in, float* out, bool) {
  const int64_t n = int64_t(Tin_) * B_ * in_.size();
  const float a = a_;
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) out[i] = a * in[i];  // y = a x
}

void Scale::backward(const float* dout, float* din) {
  if (!din) return;
  const int64_t n = int64_t(Tin_) * B_ * in_.size();
  const float a = a_;
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) din[i] = a * dout[i];  // dx = a dy
}

}  // namespace spikeforge
