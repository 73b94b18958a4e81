#include "nn/relu.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace spikeforge {

Relu::Relu(FeatShape in, float ceiling, int levels) : ceiling_(ceiling), levels_(levels) {
  in_ = out_ = in;
  if (ceiling < 0 || levels < 0 || (levels > 0 && ceiling <= 0))
    throw ShapeError("relu: ceiling " + std::to_string(ceiling) + ", levels " + std::to_string(levels) +
                     ", expected ceiling >= 0, levels >= 0, and a ceiling > 0 when levels > 0");
}

void Relu::forward(const float* in, float* out, bool) {
  x_ = in;
  const int64_t n = int64_t(Tin_) * B_ * in_.size();
  const float c = ceiling_ > 0 ? ceiling_ : std::numeric_limits<float>::infinity();
  if (levels_ == 0) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) {  // y = min(max(x, 0), c); compares, not fmin/fmax (libm calls here)
      const float y = in[i] > 0.f ? in[i] : 0.f;
      out[i] = y < c ? y : c;
    }
    return;
  }
  const float up = float(levels_) / c, down = c / float(levels_);
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) {  // y = (c/L) floor(clamp(x) L/c)
    const float y = in[i] > 0.f ? in[i] : 0.f;
    // x >= c gives c itself: floor(c * fl(L/c)) can round to L - 1.
    out[i] = y < c ? down * std::floor(y * up) : c;
  }
}

void Relu::backward(const float* dout, float* din) {
  if (!din) return;
  const int64_t n = int64_t(Tin_) * B_ * in_.size();
  const float c = ceiling_ > 0 ? ceiling_ : std::numeric_limits<float>::infinity();
  const float* x = x_;
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) din[i] = (x[i] > 0.f && x[i] < c) ? dout[i] : 0.f;  // straight through
}

}  // namespace spikeforge
