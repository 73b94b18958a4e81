// Average pooling over K x K windows with stride S (no padding), per image.
//   forward:  y[c, oy, ox] = (1/K^2) sum_{ky,kx} x[c, oy*S + ky, ox*S + kx]
//   backward: dx[c, oy*S + ky, ox*S + kx] += dy[c, oy, ox] / K^2
// No cache.
#pragma once
#include "nn/layer.h"

namespace spikeforge {

class AvgPool2d : public Layer {
 public:
  AvgPool2d(FeatShape in, int kernel, int stride);
  std::string kind() const override { return "avgpool2d"; }
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;

 private:
  int K_, S_;
};

}  // namespace spikeforge
