// Batch normalisation for multi-step spiking networks, per channel c.
//
// bntt: Batch Normalisation Through Time (Kim & Panda 2021): every time step t
// has its own statistics AND its own scale, and no bias (the paper removes it):
//   train:  mu_{t,c}, var_{t,c} = mean, biased variance of x_t[:, c] over (B, H, W)   (M = B H W values)
//           xh = (x_t - mu_{t,c}) / sqrt(var_{t,c} + eps)
//           y_t = gamma_{t,c} xh  (+ beta_{t,c} with bias = true)
//           running_{t,c} <- (1 - momentum) running_{t,c} + momentum stat_{t,c}   (nn/running_stats.h)
//   eval:   xh uses the step-t running statistics. A network cannot run more
//           steps than it was built for (no BN_t for t >= T); fewer is early exit.
//   Tin = 1 (direct encoding: the same input every step): one set of statistics,
//           T outputs y_t = gamma_{t,c} xh (+ beta_{t,c}); every step's running
//           statistics get the same update.
//   backward (train), per step:  dgamma_{t,c} += sum dy_t xh,  dbeta_{t,c} += sum dy_t
//           dx_t = gamma_{t,c} / (M sqrt(var_{t,c} + eps)) (M dy_t - sum dy_t - xh sum(dy_t xh))
//           Tin = 1: the same formula with gamma_{t,c} dy_t summed over t in place of gamma dy.
//   Parameters [gamma (T, C), beta (T, C) if bias]; buffers [running_mean (T, C), running_var (T, C)].
//   Defaults (the paper's code): eps 1e-4, momentum 0.1, gamma = 1, no bias.
//
// tdbn: threshold-dependent BN (Zheng, Wu, Deng, Hu, Li 2021): one set of
// statistics over all steps and the batch (M = Tin B H W values), normalised
// to the firing threshold theta times alpha (alpha = 1, or 1/sqrt(2) before a
// residual add):
//   y = gamma (alpha theta xh) + beta
//   backward: dgamma += alpha theta sum dy xh,  dbeta += sum dy,
//             dx = gamma alpha theta / (M sqrt(var + eps)) (M dy - sum dy - xh sum(dy xh))
//   Parameters [gamma (C), beta (C)]; buffers [running_mean (C), running_var (C)].
//
// Cache: xh [Tin, B, C, H, W] and 1/sqrt(var + eps) per statistics group and channel.
// References: Kim & Panda 2021, Front. Neurosci. 15:773954, eq. 6 (BNTT);
// Zheng et al. 2021, AAAI, "Going deeper with directly-trained larger SNNs", eq. 7 (tdBN).
#pragma once
#include "core/tensor.h"
#include "nn/layer.h"
#include "nn/running_stats.h"

namespace spikeforge {

class BatchNormThroughTime : public Layer {
 public:
  // steps: the T the network is built for (one gamma, beta and statistics per step).
  BatchNormThroughTime(FeatShape in, int steps, bool bias = false, float eps = 1e-4f, float momentum = 0.1f);
  std::string kind() const override { return "bntt"; }
  int64_t param_count() const override { return (bias_ ? 2 : 1) * int64_t(steps_) * in_.C; }
  int64_t buffer_count() const override { return 2 * int64_t(steps_) * in_.C; }
  void bind(float* params, float* grads) override;
  void bind_buffers(float* buffers) override;
  void init_params(InitKind kind, Rng& rng) override;
  int out_steps(int, int T) const override { return T; }
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  void set_stat_estimation(bool on) override { stats_.set_estimating(on); }

  int steps() const { return steps_; }
  const float* gamma() const { return gamma_; }  // [T, C]
  const float* running_mean() const { return run_mean_; }
  const float* running_var() const { return run_var_; }

 private:
  int steps_;
  bool bias_;
  float eps_;
  RunningStats stats_;
  float *gamma_ = nullptr, *beta_ = nullptr, *dgamma_ = nullptr, *dbeta_ = nullptr;
  float *run_mean_ = nullptr, *run_var_ = nullptr;
  Tensor xh_;       // [Tin, B, C, HW]
  Tensor inv_std_;  // [Tin, C]
  Tensor dyg_;      // [B, C, HW] sum_t gamma_t dy_t (Tin = 1)
};

class ThresholdBatchNorm : public Layer {
 public:
  ThresholdBatchNorm(FeatShape in, float theta, float alpha = 1.f, float eps = 1e-5f, float momentum = 0.1f);
  std::string kind() const override { return "tdbn"; }
  int64_t param_count() const override { return 2 * int64_t(in_.C); }
  int64_t buffer_count() const override { return 2 * int64_t(in_.C); }
  void bind(float* params, float* grads) override;
  void bind_buffers(float* buffers) override;
  void init_params(InitKind kind, Rng& rng) override;
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  void set_stat_estimation(bool on) override { stats_.set_estimating(on); }
  float scale() const { return scale_; }  // alpha theta

 private:
  float scale_, eps_;
  RunningStats stats_;
  float *gamma_ = nullptr, *beta_ = nullptr, *dgamma_ = nullptr, *dbeta_ = nullptr;
  float *run_mean_ = nullptr, *run_var_ = nullptr;
  Tensor xh_;       // [Tin, B, C, HW]
  Tensor inv_std_;  // [C]
};

}  // namespace spikeforge
