// Max pooling of spike trains, the converted form of an ANN's max pooling
// (K x K windows, stride S, padding P: padded positions never spike).
// Stateful over the T steps of a run, per output window w with inputs i in w:
//
//   msb_first (SpikeConverter codes, MSB first): candidates C_0 = all of w;
//       y_t = OR_{i in C_t} s_{i,t};   C_{t+1} = {i in C_t : s_{i,t} = y_t}
//     Binary fractions compare like strings, so the first step where the
//     candidates differ decides, and y is exactly the code of the maximum.
//   count (rate codes): n_{i,t} = sum_{t' <= t} s_{i,t'},  M_t = max_i n_{i,t};
//       y_t = H(M_t - M_{t-1})
//     so the output's spike count is the largest input count at every step:
//     its rate is the maximum rate. (Gating by the input that has fired most
//     so far, Rueckauer et al. 2017, passes extra spikes whenever two inputs
//     with close rates swap the lead: one logit of the conversion test net
//     came out 38 % high at T = 1000.)
// Inference only: backward is a bug (InternalError).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/layer.h"

namespace spikeforge {

enum class SpikePoolMode { MsbFirst, Count };
SpikePoolMode parse_spike_pool_mode(const std::string& s);  // throws ConfigError
const char* spike_pool_mode_name(SpikePoolMode m);

class SpikeMaxPool : public Layer {
 public:
  SpikeMaxPool(FeatShape in, int kernel, int stride, int pad, SpikePoolMode mode);
  std::string kind() const override { return "spike_maxpool"; }
  int out_steps(int, int T) const override { return T; }
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  SpikePoolMode mode() const { return mode_; }

 private:
  int K_, S_, P_;
  SpikePoolMode mode_;
};

}  // namespace spikeforge
