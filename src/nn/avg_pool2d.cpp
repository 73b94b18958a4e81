#include "nn/avg_pool2d.h"

#include <cstring>

#include "core/error.h"

namespace spikeforge {

AvgPool2d::AvgPool2d(FeatShape in, int kernel, int stride) : K_(kernel), S_(stride) {
  in_ = in;
  if (kernel < 1 || stride < 1 || in.H < kernel || in.W < kernel)
    throw ShapeError("avgpool2d: kernel " + std::to_string(kernel) + ", stride " + std::to_string(stride) +
                     " do not fit input " + in.str());
  out_ = {in.C, (in.H - kernel) / stride + 1, (in.W - kernel) / stride + 1};
}

void AvgPool2d::forward(const float* in, float* out, bool) {
  const int64_t planes = int64_t(Tin_) * B_ * in_.C;
  const int H = in_.H, W = in_.W, Ho = out_.H, Wo = out_.W;
  const float scale = 1.f / float(K_ * K_);
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* x = in + pl * H * W;
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        float s = 0;
        for (int ky = 0; ky < K_; ++ky)
          for (int kx = 0; kx < K_; ++kx) s += x[(oy * S_ + ky) * W + ox * S_ + kx];
        out[pl * Ho * Wo + oy * Wo + ox] = s * scale;
      }
  }
}

void AvgPool2d::backward(const float* dout, float* din) {
  if (!din) return;
  const int64_t planes = int64_t(Tin_) * B_ * in_.C;
  const int H = in_.H, W = in_.W, Ho = out_.H, Wo = out_.W;
  const float scale = 1.f / float(K_ * K_);
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    float* dx = din + pl * H * W;
    std::memset(dx, 0, sizeof(float) * H * W);
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        const float g = dout[pl * Ho * Wo + oy * Wo + ox] * scale;
        for (int ky = 0; ky < K_; ++ky)
          for (int kx = 0; kx < K_; ++kx) dx[(oy * S_ + ky) * W + ox * S_ + kx] += g;
      }
  }
}

}  // namespace spikeforge
