#include "nn/batch_norm.h"

#include <cmath>

#include "nn/batch_norm_channel.h"

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

// Per channel c, over the Tin*B images (nn/batch_norm_channel.h).
void BatchNorm::forward(const float* in, float* out, bool train) {
  const int64_t N = int64_t(Tin_) * B_, C = in_.C, HW = int64_t(in_.H) * in_.W, M = N * HW;
  const bool batch_stats = train || stats_.estimating();
  const float m = stats_.weight();
  if (batch_stats) stats_.next_batch();
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < C; ++c) {
    double mean = run_mean_[c], var = run_var_[c];
    if (batch_stats) {
      channel_moments(in, 0, N, C, HW, c, mean, var);
      RunningStats::update(run_mean_[c], run_var_[c], mean, var, double(M), m);
    }
    const float is = float(1.0 / std::sqrt(var + eps_));  // xh = (x - mu) / sqrt(var + eps)
    inv_std_[c] = is;
    channel_normalise(in, xh_.data(), out, 0, N, C, HW, c, float(mean), is, gamma_[c],
                      beta_[c]);  // y = gamma xh + beta
  }
}

void BatchNorm::backward(const float* dout, float* din) {
  const int64_t N = int64_t(Tin_) * B_, C = in_.C, HW = int64_t(in_.H) * in_.W, M = N * HW;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < C; ++c) {
    double sdy, sdyxh;
    channel_grad_sums(dout, xh_.data(), 0, N, C, HW, c, sdy, sdyxh);
    dgamma_[c] += float(sdyxh);  // dgamma = sum dy xh
    dbeta_[c] += float(sdy);     // dbeta = sum dy
    if (!din) continue;
    const float k = gamma_[c] * inv_std_[c] / float(M);
    channel_input_grad(dout, xh_.data(), din, 0, N, C, HW, c, k, float(M), float(sdy), float(sdyxh));
  }
}

}  // namespace spikeforge
