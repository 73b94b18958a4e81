#include "nn/normalize.h"

#include <cmath>

#include "core/error.h"

namespace spikeforge {

Normalize::Normalize(FeatShape in, float mean, float std_dev) : mean_(mean), std_(std_dev) {
  in_ = out_ = in;
  if (!std::isfinite(mean) || !std::isfinite(std_dev) || !(std_dev > 0.f))
    throw ShapeError("normalize: mean " + std::to_string(mean) + ", std " + std::to_string(std_dev) +
                     ", expected a finite mean and a finite std > 0");
}

void Normalize::forward(const float* in, float* out, bool) {
  const int64_t n = int64_t(Tin_) * B_ * in_.size();
  const float m = mean_, s = std_;
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) out[i] = (in[i] - m) / s;  // y = (x - mean) / std
}

void Normalize::backward(const float* dout, float* din) {
  if (!din) return;
  const int64_t n = int64_t(Tin_) * B_ * in_.size();
  const float s = std_;
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) din[i] = dout[i] / s;  // dx = dy / std
}

}  // namespace spikeforge
