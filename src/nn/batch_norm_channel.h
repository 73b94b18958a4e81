// The per-channel loops of batch normalisation over images x [N, C, HW]
// (N = Tin*B, or one step's B), shared by BatchNorm (nn/batch_norm.h) and
// BNTT and tdBN (nn/temporal_batch_norm.h): the moments, xh and y, and the
// two sums and the input gradient of the backward pass, for channel c of the
// images [n0, n1).
#pragma once
#include <algorithm>
#include <cstdint>

namespace spikeforge {

// Channel c of the images [n0, n1) of x [N, C, HW]: sums in float along a
// plane (vectorised), in double across planes.
inline void channel_moments(const float* x, int64_t n0, int64_t n1, int64_t C, int64_t HW, int64_t c, double& mean,
                            double& var) {
  double s = 0, s2 = 0;
  for (int64_t n = n0; n < n1; ++n) {
    const float* p = x + (n * C + c) * HW;
    float ps = 0, ps2 = 0;
#pragma omp simd reduction(+ : ps, ps2)
    for (int64_t i = 0; i < HW; ++i) ps += p[i], ps2 += p[i] * p[i];
    s += ps, s2 += ps2;
  }
  const double M = double(n1 - n0) * double(HW);
  mean = s / M;
  var = std::max(0.0, s2 / M - mean * mean);
}

// xh = (x - mu) is (stored when xh != nullptr);  y = g xh + b.
inline void channel_normalise(const float* x, float* xh, float* y, int64_t n0, int64_t n1, int64_t C, int64_t HW,
                              int64_t c, float mu, float is, float g, float b) {
  for (int64_t n = n0; n < n1; ++n) {
    const float* __restrict xp = x + (n * C + c) * HW;
    float* __restrict yp = y + (n * C + c) * HW;
    if (xh) {
      float* __restrict hp = xh + (n * C + c) * HW;
#pragma omp simd
      for (int64_t i = 0; i < HW; ++i) {
        hp[i] = (xp[i] - mu) * is;
        yp[i] = g * hp[i] + b;
      }
    } else {
#pragma omp simd
      for (int64_t i = 0; i < HW; ++i) yp[i] = g * ((xp[i] - mu) * is) + b;
    }
  }
}

// sum dy and sum dy xh over channel c of images [n0, n1).
inline void channel_grad_sums(const float* dy, const float* xh, int64_t n0, int64_t n1, int64_t C, int64_t HW,
                              int64_t c, double& sdy, double& sdyxh) {
  sdy = 0, sdyxh = 0;
  for (int64_t n = n0; n < n1; ++n) {
    const float* d = dy + (n * C + c) * HW;
    const float* h = xh + (n * C + c) * HW;
    float ps = 0, psh = 0;
#pragma omp simd reduction(+ : ps, psh)
    for (int64_t i = 0; i < HW; ++i) ps += d[i], psh += d[i] * h[i];
    sdy += ps, sdyxh += psh;
  }
}

// dx = k (M dy - sdy - xh sdyxh) over channel c of images [n0, n1).
inline void channel_input_grad(const float* dy, const float* xh, float* dx, int64_t n0, int64_t n1, int64_t C,
                               int64_t HW, int64_t c, float k, float M, float sdy, float sdyxh) {
  for (int64_t n = n0; n < n1; ++n) {
    const float* __restrict d = dy + (n * C + c) * HW;
    const float* __restrict h = xh + (n * C + c) * HW;
    float* __restrict o = dx + (n * C + c) * HW;
#pragma omp simd
    for (int64_t i = 0; i < HW; ++i) o[i] = k * (M * d[i] - sdy - h[i] * sdyxh);
  }
}

}  // namespace spikeforge
