#include "nn/batch_norm.h"

#include <cmath>

namespace spikeforge {

BatchNorm::BatchNorm(FeatShape in, float eps, float momentum) : eps_(eps), stats_(momentum) { in_ = out_ = in; }

void BatchNorm::bind(float* params, float* grads) {
  gamma_ = params;
  beta_ = params + in_.C;
  dgamma_ = grads;
  dbeta_ = grads + in_.C;
}

void BatchNorm::bind_buffers(float* buffers) {
  run_mean_ = buffers;
  run_var_ = buffers + in_.C;
}

void BatchNorm::init_params(InitKind, Rng&) {
  for (int c = 0; c < in_.C; ++c) gamma_[c] = 1.f, beta_[c] = 0.f, run_mean_[c] = 0.f, run_var_[c] = 1.f;
}

void BatchNorm::prepare(int Tin, int T, int B) {
  if (Tin == Tin_ && T == T_ && B == B_) return;
  Layer::prepare(Tin, T, B);
  xh_.resize({int64_t(Tin) * B, in_.size()});
  inv_std_.resize({in_.C});
}

// Per channel c, the Tin*B planes of HW values: sums in float along a plane
// (vectorised), in double across planes.
void BatchNorm::forward(const float* in, float* out, bool train) {
  const int64_t N = int64_t(Tin_) * B_, C = in_.C, HW = int64_t(in_.H) * in_.W, M = N * HW;
  float* xh = xh_.data();
  const bool batch_stats = train || stats_.estimating();
  const float m = stats_.weight();
  if (batch_stats) stats_.next_batch();
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < C; ++c) {
    double mean = run_mean_[c], var = run_var_[c];
    if (batch_stats) {
      double s = 0, s2 = 0;
      for (int64_t n = 0; n < N; ++n) {
        const float* x = in + (n * C + c) * HW;
        float ps = 0, ps2 = 0;
#pragma omp simd reduction(+ : ps, ps2)
        for (int64_t p = 0; p < HW; ++p) ps += x[p], ps2 += x[p] * x[p];
        s += ps, s2 += ps2;
      }
      mean = s / double(M);
      var = std::max(0.0, s2 / double(M) - mean * mean);
      RunningStats::update(run_mean_[c], run_var_[c], mean, var, double(M), m);
    }
    const float is = float(1.0 / std::sqrt(var + eps_)), mu = float(mean), g = gamma_[c], b = beta_[c];
    inv_std_[c] = is;
    for (int64_t n = 0; n < N; ++n) {
      const float* __restrict x = in + (n * C + c) * HW;
      float* __restrict h = xh + (n * C + c) * HW;
      float* __restrict y = out + (n * C + c) * HW;
#pragma omp simd
      for (int64_t p = 0; p < HW; ++p) {
        h[p] = (x[p] - mu) * is;  // xh = (x - mu) / sqrt(var + eps)
        y[p] = g * h[p] + b;      // y = gamma xh + beta
      }
    }
  }
}

void BatchNorm::backward(const float* dout, float* din) {
  const int64_t N = int64_t(Tin_) * B_, C = in_.C, HW = int64_t(in_.H) * in_.W, M = N * HW;
  const float* xh = xh_.data();
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < C; ++c) {
    double sdy = 0, sdyxh = 0;
    for (int64_t n = 0; n < N; ++n) {
      const float* dy = dout + (n * C + c) * HW;
      const float* h = xh + (n * C + c) * HW;
      float ps = 0, psh = 0;
#pragma omp simd reduction(+ : ps, psh)
      for (int64_t p = 0; p < HW; ++p) ps += dy[p], psh += dy[p] * h[p];
      sdy += ps, sdyxh += psh;
    }
    dgamma_[c] += float(sdyxh);  // dgamma = sum dy xh
    dbeta_[c] += float(sdy);     // dbeta = sum dy
    if (!din) continue;
    const float k = gamma_[c] * inv_std_[c] / float(M), mdy = float(sdy), mdyxh = float(sdyxh), fm = float(M);
    for (int64_t n = 0; n < N; ++n) {
      const float* __restrict dy = dout + (n * C + c) * HW;
      const float* __restrict h = xh + (n * C + c) * HW;
      float* __restrict dx = din + (n * C + c) * HW;
#pragma omp simd
      for (int64_t p = 0; p < HW; ++p) dx[p] = k * (fm * dy[p] - mdy - h[p] * mdyxh);
    }
  }
}

}  // namespace spikeforge
