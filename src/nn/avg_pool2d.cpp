#include "nn/avg_pool2d.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace spikeforge {

AvgPool2d::AvgPool2d(FeatShape in, int kernel, int stride, int pad) : K_(kernel), S_(stride), P_(pad) {
  in_ = in;
  if (kernel < 1 || stride < 1 || pad < 0 || 2 * pad > kernel || in.H + 2 * pad < kernel || in.W + 2 * pad < kernel)
    throw ShapeError("avgpool2d: kernel " + std::to_string(kernel) + ", stride " + std::to_string(stride) + ", pad " +
                     std::to_string(pad) + " do not fit input " + in.str() + " (expected 0 <= 2 pad <= kernel)");
  out_ = {in.C, (in.H + 2 * pad - kernel) / stride + 1, (in.W + 2 * pad - kernel) / stride + 1};
}

void AvgPool2d::forward(const float* in, float* out, bool) {
  const int64_t planes = int64_t(Tin_) * B_ * in_.C;
  const int H = in_.H, W = in_.W, Ho = out_.H, Wo = out_.W, K = K_, S = S_, P = P_;
  const float scale = 1.f / float(K * K);  // padding counts: always K^2
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* x = in + pl * H * W;
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        const int y0 = oy * S - P, x0 = ox * S - P;  // window corner; zeros outside the image add nothing
        const int ky0 = std::max(0, -y0), ky1 = std::min(K, H - y0);
        const int kx0 = std::max(0, -x0), kx1 = std::min(K, W - x0);
        float s = 0;
        for (int ky = ky0; ky < ky1; ++ky)
          for (int kx = kx0; kx < kx1; ++kx) s += x[(y0 + ky) * W + x0 + kx];
        out[pl * Ho * Wo + oy * Wo + ox] = s * scale;
      }
  }
}

void AvgPool2d::backward(const float* dout, float* din) {
  if (!din) return;
  const int64_t planes = int64_t(Tin_) * B_ * in_.C;
  const int H = in_.H, W = in_.W, Ho = out_.H, Wo = out_.W, K = K_, S = S_, P = P_;
  const float scale = 1.f / float(K * K);
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    float* dx = din + pl * H * W;
    std::memset(dx, 0, sizeof(float) * H * W);
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        const float g = dout[pl * Ho * Wo + oy * Wo + ox] * scale;
        const int y0 = oy * S - P, x0 = ox * S - P;
        const int ky0 = std::max(0, -y0), ky1 = std::min(K, H - y0);
        const int kx0 = std::max(0, -x0), kx1 = std::min(K, W - x0);
        for (int ky = ky0; ky < ky1; ++ky)
          for (int kx = kx0; kx < kx1; ++kx) dx[(y0 + ky) * W + x0 + kx] += g;
      }
  }
}

}  // namespace spikeforge
