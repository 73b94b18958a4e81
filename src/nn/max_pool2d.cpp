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
  const int H = in_.H, W = in_.W, Ho = out_.H, Wo = out_.W, K = K_, S = S_;
  int32_t* am = argmax_.data();
  if (K == 2 && S == 2) return forward_2x2(in, out);
#pragma omp parallel for schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* x = in + pl * H * W;
    float* y = out + pl * Ho * Wo;
    int32_t* a = am + pl * Ho * Wo;
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        // Branch-free running max (spike inputs make the comparison unpredictable);
        // strict > keeps the first maximum in row-major window order.
        int best = (oy * S) * W + ox * S;
        float m = x[best];
        for (int ky = 0; ky < K; ++ky)
          for (int kx = 0; kx < K; ++kx) {
            const int idx = (oy * S + ky) * W + ox * S + kx;
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
