// A population of LIF (or IF: beta = 1) neurons applied element-wise to its
// input current: [Tin, B, F] -> spikes [T, B, F]. Equations: nn/lif_neuron.h.
// Cache: v, the pre-reset membrane [T, B, F] (spikes are recomputed from it).
#pragma once
#include "core/tensor.h"
#include "nn/layer.h"
#include "nn/lif_neuron.h"
#include "nn/surrogate.h"

namespace spikeforge {

struct SpikingParams {
  LifParams lif;
  SurrogateKind surrogate = SurrogateKind::Arctan;
  float surrogate_width = 0.5f;
  float surrogate_band = 0.f;  // > 0: the gradient is zero where |v - theta| >= band
};

class LifLayer : public Layer {
 public:
  // is_if: integrate-and-fire, beta forced to 1.
  LifLayer(FeatShape in, SpikingParams p, bool is_if);
  std::string kind() const override { return is_if_ ? "if" : "lif"; }
  int out_steps(int, int T) const override { return T; }
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  bool spiking() const override { return true; }
  double spikes_emitted() const override { return spikes_; }
  void reset_spike_count() override { spikes_ = 0; }
  const SpikingParams& params() const { return p_; }

 private:
  SpikingParams p_;
  bool is_if_;
  Tensor v_;  // [T, B, F] pre-reset membrane
  double spikes_ = 0;
};

}  // namespace spikeforge
