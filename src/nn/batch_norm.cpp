#include "nn/batch_norm.h"

#include <cmath>

namespace spikeforge {

BatchNorm::BatchNorm(FeatShape in, float eps, float momentum) : eps_(eps), momentum_(momentum) { in_ = out_ = in; }

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

void BatchNorm::forward(const float* in, float* out, bool train) {
  const int64_t N = int64_t(Tin_) * B_, C = in_.C, HW = int64_t(in_.H) * in_.W, M = N * HW;
  float* xh = xh_.data();
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < C; ++c) {
    double mean = run_mean_[c], var = run_var_[c];
    if (train) {
      double s = 0, s2 = 0;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t p = 0; p < HW; ++p) {
          double x = in[(n * C + c) * HW + p];
          s += x;
          s2 += x * x;
        }
      mean = s / double(M);
      var = std::max(0.0, s2 / double(M) - mean * mean);
      const double unbiased = M > 1 ? var * double(M) / double(M - 1) : var;
      run_mean_[c] = float((1 - momentum_) * run_mean_[c] + momentum_ * mean);
      run_var_[c] = float((1 - momentum_) * run_var_[c] + momentum_ * unbiased);
    }
    const float is = float(1.0 / std::sqrt(var + eps_)), mu = float(mean);
    inv_std_[c] = is;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t p = 0; p < HW; ++p) {
        const int64_t i = (n * C + c) * HW + p;
        xh[i] = (in[i] - mu) * is;              // xh = (x - mu) / sqrt(var + eps)
        out[i] = gamma_[c] * xh[i] + beta_[c];  // y = gamma xh + beta
      }
  }
}

void BatchNorm::backward(const float* dout, float* din) {
  const int64_t N = int64_t(Tin_) * B_, C = in_.C, HW = int64_t(in_.H) * in_.W, M = N * HW;
  const float* xh = xh_.data();
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < C; ++c) {
    double sdy = 0, sdyxh = 0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t p = 0; p < HW; ++p) {
        const int64_t i = (n * C + c) * HW + p;
        sdy += dout[i];
        sdyxh += double(dout[i]) * xh[i];
      }
    dgamma_[c] += float(sdyxh);  // dgamma = sum dy xh
    dbeta_[c] += float(sdy);     // dbeta = sum dy
    if (!din) continue;
    const float k = gamma_[c] * inv_std_[c] / float(M), mdy = float(sdy), mdyxh = float(sdyxh);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t p = 0; p < HW; ++p) {
        const int64_t i = (n * C + c) * HW + p;
        din[i] = k * (float(M) * dout[i] - mdy - xh[i] * mdyxh);
      }
  }
}

}  // namespace spikeforge
