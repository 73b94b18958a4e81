// Flatten [C, H, W] -> [C*H*W, 1, 1]. Row-major memory is already flat, so
// forward and backward are copies (kept explicit: no aliasing between buffers).
#pragma once
#include "nn/layer.h"

namespace spikeforge {

class Flatten : public Layer {
 public:
  explicit Flatten(FeatShape in) {
    in_ = in;
    out_ = {static_cast<int>(in.size()), 1, 1};
  }
  std::string kind() const override { return "flatten"; }
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
};

}  // namespace spikeforge
