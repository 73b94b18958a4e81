// Max pooling over K x K windows with stride S (no padding), per image.
//   forward:  y[c, oy, ox] = max_{ky,kx} x[c, oy*S + ky, ox*S + kx]
//   backward: dx[argmax] += dy (the first maximum wins ties, as PyTorch)
// Cache: the flat input index of each output's maximum [Tin*B, C, Ho, Wo].
#pragma once
#include <cstdint>
#include <vector>

#include "nn/layer.h"

namespace spikeforge {

class MaxPool2d : public Layer {
 public:
  MaxPool2d(FeatShape in, int kernel, int stride);
  std::string kind() const override { return "maxpool2d"; }
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;

 private:
  void forward_2x2(const float* in, float* out);
  int K_, S_;
  std::vector<int32_t> argmax_;
};

}  // namespace spikeforge
