#include "nn/temporal_batch_norm.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "nn/batch_norm_channel.h"

namespace spikeforge {

// ---------------------------------------------------------------- bntt

BatchNormThroughTime::BatchNormThroughTime(FeatShape in, int steps, bool bias, float eps, float momentum)
    : steps_(steps), bias_(bias), eps_(eps), stats_(momentum) {
  if (steps < 1) throw ConfigError("bntt needs the network's timesteps >= 1, got " + std::to_string(steps));
  in_ = out_ = in;
}

void BatchNormThroughTime::bind(float* params, float* grads) {
  const int64_t n = int64_t(steps_) * in_.C;
  gamma_ = params;
  dgamma_ = grads;
  beta_ = bias_ ? params + n : nullptr;
  dbeta_ = bias_ ? grads + n : nullptr;
}

void BatchNormThroughTime::bind_buffers(float* buffers) {
  run_mean_ = buffers;
  run_var_ = buffers + int64_t(steps_) * in_.C;
}

void BatchNormThroughTime::init_params(InitKind, Rng&) {
  const int64_t n = int64_t(steps_) * in_.C;
  for (int64_t i = 0; i < n; ++i) {
    gamma_[i] = 1.f, run_mean_[i] = 0.f, run_var_[i] = 1.f;
    if (beta_) beta_[i] = 0.f;
  }
}

void BatchNormThroughTime::prepare(int Tin, int T, int B) {
  if (Tin == Tin_ && T == T_ && B == B_) return;
  if (T > steps_)
    throw ShapeError("bntt layer was built for " + std::to_string(steps_) + " timesteps, asked to run " +
                     std::to_string(T) + " (it has no statistics for steps past " + std::to_string(steps_) + ")");
  if (Tin != 1 && Tin != T)
    throw ShapeError("bntt layer takes 1 or T = " + std::to_string(T) + " input steps, got " + std::to_string(Tin));
  Layer::prepare(Tin, T, B);
  xh_.resize({Tin, B, in_.size()});
  inv_std_.resize({Tin, in_.C});
  if (Tin == 1) dyg_.resize({B, in_.size()});
}

void BatchNormThroughTime::forward(const float* in, float* out, bool train) {
  const int64_t B = B_, C = in_.C, HW = int64_t(in_.H) * in_.W, M = B * HW, T = T_;
  const int64_t step = B * C * HW;  // floats per step
  const bool batch_stats = train || stats_.estimating();
  const float m = stats_.weight();
  if (batch_stats) stats_.next_batch();
  if (Tin_ == 1 && batch_stats) {  // one set of statistics, T scaled copies
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < C; ++c) {
      double mean, var;
      channel_moments(in, 0, B, C, HW, c, mean, var);
      for (int64_t t = 0; t < steps_; ++t)
        RunningStats::update(run_mean_[t * C + c], run_var_[t * C + c], mean, var, double(M), m);
      const float is = float(1.0 / std::sqrt(var + eps_));
      inv_std_[c] = is;
      for (int64_t t = 0; t < T; ++t)  // y_t = gamma_t xh + beta_t (xh stored once)
        channel_normalise(in, t == 0 ? xh_.data() : nullptr, out + t * step, 0, B, C, HW, c, float(mean), is,
                          gamma_[t * C + c], beta_ ? beta_[t * C + c] : 0.f);
    }
    return;
  }
  // Tin = T (batch: step statistics; eval: step running statistics), or Tin = 1 in eval.
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t t = 0; t < T; ++t)
    for (int64_t c = 0; c < C; ++c) {
      const int64_t src = Tin_ == 1 ? 0 : t;  // the input step this output step reads
      double mean = run_mean_[t * C + c], var = run_var_[t * C + c];
      if (batch_stats) {
        channel_moments(in, src * B, src * B + B, C, HW, c, mean, var);
        RunningStats::update(run_mean_[t * C + c], run_var_[t * C + c], mean, var, double(M), m);
      }
      const float is = float(1.0 / std::sqrt(var + eps_));
      if (Tin_ != 1) inv_std_[t * C + c] = is;
      // out image (t, b) from input image (src, b): shift the output pointer so both use index src * B + b
      channel_normalise(in, Tin_ == 1 ? nullptr : xh_.data(), out + (t - src) * step, src * B, src * B + B, C, HW, c,
                        float(mean), is, gamma_[t * C + c], beta_ ? beta_[t * C + c] : 0.f);
    }
}

void BatchNormThroughTime::backward(const float* dout, float* din) {
  const int64_t B = B_, C = in_.C, HW = int64_t(in_.H) * in_.W, M = B * HW, T = T_;
  const int64_t step = B * C * HW;
  const float* xh = xh_.data();
  if (Tin_ == 1) {
    float* dyg = dyg_.data();
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < C; ++c) {
      for (int64_t t = 0; t < T; ++t) {  // per-step parameter gradients, against the shared xh
        double sdy, sdyxh;
        channel_grad_sums(dout + t * step, xh, 0, B, C, HW, c, sdy, sdyxh);
        dgamma_[t * C + c] += float(sdyxh);  // dgamma_t = sum dy_t xh
        if (dbeta_) dbeta_[t * C + c] += float(sdy);
      }
      if (!din) continue;
      for (int64_t b = 0; b < B; ++b) {  // dyg = sum_t gamma_t dy_t
        float* __restrict g = dyg + (b * C + c) * HW;
        for (int64_t i = 0; i < HW; ++i) g[i] = 0.f;
        for (int64_t t = 0; t < T; ++t) {
          const float* __restrict d = dout + t * step + (b * C + c) * HW;
          const float gt = gamma_[t * C + c];
#pragma omp simd
          for (int64_t i = 0; i < HW; ++i) g[i] += gt * d[i];
        }
      }
      double sdy, sdyxh;
      channel_grad_sums(dyg, xh, 0, B, C, HW, c, sdy, sdyxh);
      channel_input_grad(dyg, xh, din, 0, B, C, HW, c, inv_std_[c] / float(M), float(M), float(sdy), float(sdyxh));
    }
    return;
  }
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t t = 0; t < T; ++t)
    for (int64_t c = 0; c < C; ++c) {
      double sdy, sdyxh;
      channel_grad_sums(dout, xh, t * B, t * B + B, C, HW, c, sdy, sdyxh);
      dgamma_[t * C + c] += float(sdyxh);
      if (dbeta_) dbeta_[t * C + c] += float(sdy);
      if (!din) continue;
      const float k = gamma_[t * C + c] * inv_std_[t * C + c] / float(M);
      channel_input_grad(dout, xh, din, t * B, t * B + B, C, HW, c, k, float(M), float(sdy), float(sdyxh));
    }
}

// ---------------------------------------------------------------- tdbn

ThresholdBatchNorm::ThresholdBatchNorm(FeatShape in, float theta, float alpha, float eps, float momentum)
    : scale_(alpha * theta), eps_(eps), stats_(momentum) {
  in_ = out_ = in;
}

void ThresholdBatchNorm::bind(float* params, float* grads) {
  gamma_ = params;
  beta_ = params + in_.C;
  dgamma_ = grads;
  dbeta_ = grads + in_.C;
}

void ThresholdBatchNorm::bind_buffers(float* buffers) {
  run_mean_ = buffers;
  run_var_ = buffers + in_.C;
}

void ThresholdBatchNorm::init_params(InitKind, Rng&) {
  for (int c = 0; c < in_.C; ++c) gamma_[c] = 1.f, beta_[c] = 0.f, run_mean_[c] = 0.f, run_var_[c] = 1.f;
}

void ThresholdBatchNorm::prepare(int Tin, int T, int B) {
  if (Tin == Tin_ && T == T_ && B == B_) return;
  Layer::prepare(Tin, T, B);
  xh_.resize({Tin, B, in_.size()});
  inv_std_.resize({in_.C});
}

void ThresholdBatchNorm::forward(const float* in, float* out, bool train) {
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
    const float is = float(1.0 / std::sqrt(var + eps_));
    inv_std_[c] = is;
    channel_normalise(in, xh_.data(), out, 0, N, C, HW, c, float(mean), is, gamma_[c] * scale_, beta_[c]);
  }
}

void ThresholdBatchNorm::backward(const float* dout, float* din) {
  const int64_t N = int64_t(Tin_) * B_, C = in_.C, HW = int64_t(in_.H) * in_.W, M = N * HW;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < C; ++c) {
    double sdy, sdyxh;
    channel_grad_sums(dout, xh_.data(), 0, N, C, HW, c, sdy, sdyxh);
    dgamma_[c] += float(scale_ * sdyxh);  // y = gamma (alpha theta xh) + beta
    dbeta_[c] += float(sdy);
    if (!din) continue;
    const float k = gamma_[c] * scale_ * inv_std_[c] / float(M);
    channel_input_grad(dout, xh_.data(), din, 0, N, C, HW, c, k, float(M), float(sdy), float(sdyxh));
  }
}

}  // namespace spikeforge
