// Batch normalisation over the merged [Tin*B] axis (and H, W), per channel:
// one set of statistics for all steps (per-step BNTT comes with deep training).
//   train:  mu_c = mean(x[:, c]),  var_c = mean((x[:, c] - mu_c)^2)     (M values)
//           xh = (x - mu_c) / sqrt(var_c + eps),  y = gamma_c xh + beta_c
//           running_c <- (1 - momentum) running_c + momentum * stat_c   (nn/running_stats.h)
//   eval:   xh uses running mean and variance.
//   backward (train): dgamma_c += sum dy xh,  dbeta_c += sum dy
//           dx = gamma_c / (M sqrt(var_c + eps)) (M dy - sum dy - xh sum(dy xh))
// Parameters [gamma(C), beta(C)]; buffers [running_mean(C), running_var(C)].
// Cache: xh [Tin*B, C, H, W] and 1/sqrt(var + eps) [C].
#pragma once
#include "core/tensor.h"
#include "nn/layer.h"
#include "nn/running_stats.h"

namespace spikeforge {

class BatchNorm : public Layer {
 public:
  BatchNorm(FeatShape in, float eps = 1e-5f, float momentum = 0.1f);
  std::string kind() const override { return "batchnorm"; }
  int64_t param_count() const override { return 2 * int64_t(in_.C); }
  int64_t buffer_count() const override { return 2 * int64_t(in_.C); }
  void bind(float* params, float* grads) override;
  void bind_buffers(float* buffers) override;
  void init_params(InitKind kind, Rng& rng) override;
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  void set_stat_estimation(bool on) override { stats_.set_estimating(on); }

  // Per channel [C]: scale, shift, running mean, running variance (eval mode).
  const float* gamma() const { return gamma_; }
  const float* beta() const { return beta_; }
  const float* running_mean() const { return run_mean_; }
  const float* running_var() const { return run_var_; }
  float eps() const { return eps_; }

 private:
  float eps_;
  RunningStats stats_;
  float *gamma_ = nullptr, *beta_ = nullptr, *dgamma_ = nullptr, *dbeta_ = nullptr;
  float *run_mean_ = nullptr, *run_var_ = nullptr;
  Tensor xh_;       // [Tin*B, C, H*W]
  Tensor inv_std_;  // [C]
};

}  // namespace spikeforge
