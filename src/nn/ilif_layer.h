// The SpikeConverter neuron (Liu, Zhao, Chen, Wang, Jiang, AAAI 2022): an
// integrate-and-fire neuron with soft reset whose membrane is amplified by
// k > 1 every step ("iLIF", inverted leak), run in two separated phases of T
// steps each. Per element, with the input currents I_1..I_T of the
// accumulation phase (Tin = 1: the same current every step):
//
//   accumulate  V_0 = 0;  V_t = k V_{t-1} + I_t              t = 1..T   (no firing)
//   fire        V <- k V;  s_j = H(V - theta);  V <- V - theta s_j   j = 1..T (no input)
//
// Summing the accumulation with weights gives the paper's identical relation
// theta sum_j k^(T-j) s_j = sum_t k^(T-t) I_t - V_T' (V_T' the residual), so with
// k = 2 and theta = 2^T the firing phase is successive approximation: s_1..s_T
// is u = V_T / 2^T written as a T-bit binary fraction, MSB first,
//   sum_j s_j 2^-j = min(floor(max(u, 0) 2^T), 2^T - 1) / 2^T,
// i.e. a ReLU clipped at 1 - 2^-T and floored to steps of 2^-T. A receiving
// layer's accumulation phase (V <- 2V + I_t) weights the spike at step j by
// 2^(T-j), which decodes the code exactly. Output: the spikes of the firing
// phase [T, B, F]; with layer pipelining (convert/, engine/) the firing phase
// of one layer is the accumulation phase of the next.
//
// | parameter | default | unit | meaning                                          |
// | k         | 2       | -    | membrane amplification per step                   |
// | theta     | k^T     | a.u. | firing threshold (the converter normalises weights) |
// Inference only: backward is a bug (InternalError).
// State: V [B, F] per run, not cached.
#pragma once
#include "core/tensor.h"
#include "nn/layer.h"

namespace spikeforge {

class IlifLayer : public Layer {
 public:
  IlifLayer(FeatShape in, float k, float theta);
  std::string kind() const override { return "ilif"; }
  int out_steps(int, int T) const override { return T; }
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  bool spiking() const override { return true; }
  double spikes_emitted() const override { return spikes_; }
  void reset_spike_count() override { spikes_ = 0; }
  float k() const { return k_; }
  float theta() const { return theta_; }

 private:
  float k_, theta_;
  double spikes_ = 0;
};

}  // namespace spikeforge
