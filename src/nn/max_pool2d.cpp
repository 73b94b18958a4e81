#include "nn/max_pool2d.h"

#include <cstring>

#include "core/error.h"

namespace spikeforge {

// Output size of K x K pooling with stride S over in, or ShapeError.
static FeatShape pooled_shape(const char* kind, FeatShape in, int K, int S) {
  if (K < 1 || S < 1 || in.H < K || in.W < K)
    throw ShapeError(std::string(kind) + ": kernel " + std::to_string(K) + ", stride " + std::to_string(S) +
                     " do not fit input " + in.str());
  return {in.C, (in.H - K) / S + 1, (in.W - K) / S + 1};
}

MaxPool2d::MaxPool2d(FeatShape in, int kernel, int stride) : K_(kernel), S_(stride) {
  in_ = in;
  out_ = pooled_shape("maxpool2d", in, kernel, stride);
}

void MaxPool2d::prepare(int Tin, int T, int B) {
  Layer::prepare(Tin, T, B);
  argmax_.resize(static_cast<size_t>(int64_t(Tin) * B * out_.size()));
}

void MaxPool2d::forward(const float* in, float* out, bool) {
  const int64_t planes = int64_t(Tin_) * B_ * in_.C;
  const int H = in_.H, W = in_.W, Ho = out_.H, Wo = out_.W;
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* x = in + pl * H * W;
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        int best = (oy * S_) * W + ox * S_;
        for (int ky = 0; ky < K_; ++ky)
          for (int kx = 0; kx < K_; ++kx) {
            int idx = (oy * S_ + ky) * W + ox * S_ + kx;
            if (x[idx] > x[best]) best = idx;
          }
        const int64_t o = pl * Ho * Wo + oy * Wo + ox;
        out[o] = x[best];
        argmax_[o] = best;
      }
  }
}

void MaxPool2d::backward(const float* dout, float* din) {
  if (!din) return;
  const int64_t planes = int64_t(Tin_) * B_ * in_.C;
  const int HW = in_.H * in_.W, HWo = out_.H * out_.W;
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    float* dx = din + pl * HW;
    std::memset(dx, 0, sizeof(float) * HW);
    for (int o = 0; o < HWo; ++o) dx[argmax_[pl * HWo + o]] += dout[pl * HWo + o];
  }
}

}  // namespace spikeforge
