// Non-spiking leaky integrator read-out: [Tin, B, F] -> membrane [T, B, F].
//   v_t = beta * v_{t-1} + x_t        (v_{-1} = 0, no threshold, no reset)
// Backward:  dv_t = dout_t + beta * dv_{t+1},  dx_t = dv_t.
// | parameter | default | meaning                              |
// | beta      | 0.9     | decay per step (1 = perfect integrator) |
// No cache: backward needs only beta.
#pragma once
#include "core/tensor.h"
#include "nn/layer.h"

namespace spikeforge {

class LeakyReadout : public Layer {
 public:
  LeakyReadout(FeatShape in, float beta);
  std::string kind() const override { return "readout"; }
  int out_steps(int, int T) const override { return T; }
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  float beta() const { return beta_; }

 private:
  float beta_;
  Tensor carry_;  // [B, F]
};

}  // namespace spikeforge
