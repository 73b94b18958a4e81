#include "nn/max_pool2d.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace spikeforge {

MaxPool2d::MaxPool2d(FeatShape in, int kernel, int stride, int pad) : K_(kernel), S_(stride), P_(pad) {
  in_ = in;
  if (kernel < 1 || stride < 1 || pad < 0 || 2 * pad > kernel || in.H + 2 * pad < kernel || in.W + 2 * pad < kernel)
    throw ShapeError("maxpool2d: kernel " + std::to_string(kernel) + ", stride " + std::to_string(stride) + ", pad " +
                     std::to_string(pad) + " do not fit input " + in.str() + " (expected 0 <= 2 pad <= kernel)");
  out_ = {in.C, (in.H + 2 * pad - kernel) / stride + 1, (in.W + 2 * pad - kernel) / stride + 1};
}

void MaxPool2d::prepare(int Tin, int T, int B) {
  Layer::prepare(Tin, T, B);
  argmax_.resize(static_cast<size_t>(int64_t(Tin) * B * out_.size()));
}

// The common 2x2, stride 2 case without the window loops.
void MaxPool2d::forward_2x2(const float* in, float* out) {
  const int64_t planes = int64_t(Tin_) * B_ * in_.C;
  const int H = in_.H, W = in_.W, Ho = out_.H, Wo = out_.W;
  int32_t* am = argmax_.data();
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* x = in + pl * H * W;
    float* y = out + pl * Ho * Wo;
    int32_t* a = am + pl * Ho * Wo;
    for (int oy = 0; oy < Ho; ++oy) {
      const float* r0 = x + 2 * oy * W;
      const float* r1 = r0 + W;
#pragma omp simd
      for (int ox = 0; ox < Wo; ++ox) {
        const int i0 = 2 * oy * W + 2 * ox;  // window order: (0,0) (0,1) (1,0) (1,1), first maximum wins
        float m = r0[2 * ox];
        int best = i0;
        if (r0[2 * ox + 1] > m) m = r0[2 * ox + 1], best = i0 + 1;
        if (r1[2 * ox] > m) m = r1[2 * ox], best = i0 + W;
        if (r1[2 * ox + 1] > m) m = r1[2 * ox + 1], best = i0 + W + 1;
        y[oy * Wo + ox] = m;
        a[oy * Wo + ox] = best;
      }
    }
  }
}

void MaxPool2d::forward(const float* in, float* out, bool) {
  const int64_t planes = int64_t(Tin_) * B_ * in_.C;
  const int H = in_.H, W = in_.W, Ho = out_.H, Wo = out_.W, K = K_, S = S_, P = P_;
  int32_t* am = argmax_.data();
  if (K == 2 && S == 2 && P == 0) return forward_2x2(in, out);
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* x = in + pl * H * W;
    float* y = out + pl * Ho * Wo;
    int32_t* a = am + pl * Ho * Wo;
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        // The window clipped to the image: -inf padding never wins, so skipping it is exact.
        const int y0 = oy * S - P, x0 = ox * S - P;
        const int ky0 = std::max(0, -y0), ky1 = std::min(K, H - y0);
        const int kx0 = std::max(0, -x0), kx1 = std::min(K, W - x0);
        // Branch-free running max (spike inputs make the comparison unpredictable);
        // strict > keeps the first maximum in row-major window order.
        int best = (y0 + ky0) * W + x0 + kx0;
        float m = x[best];
        for (int ky = ky0; ky < ky1; ++ky)
          for (int kx = kx0; kx < kx1; ++kx) {
            const int idx = (y0 + ky) * W + x0 + kx;
            const bool gt = x[idx] > m;
            m = gt ? x[idx] : m;
            best = gt ? idx : best;
          }
        y[oy * Wo + ox] = m;
        a[oy * Wo + ox] = best;
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
