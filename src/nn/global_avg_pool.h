// Global average pooling [C, H, W] -> [C, 1, 1] (ONNX GlobalAveragePool,
// PyTorch AdaptiveAvgPool2d(1)).
//   forward:  y[c] = (1 / (H W)) sum_{y,x} x[c, y, x]
//   backward: dx[c, y, x] = dy[c] / (H W)
// No cache.
#pragma once
#include "nn/layer.h"

namespace spikeforge {

class GlobalAvgPool : public Layer {
 public:
  explicit GlobalAvgPool(FeatShape in) {
    in_ = in;
    out_ = {in.C, 1, 1};
  }
  std::string kind() const override { return "global_avgpool"; }
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
};

}  // namespace spikeforge
