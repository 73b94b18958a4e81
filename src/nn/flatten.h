// Flatten [C, H, W] -> [C*H*W, 1, 1]. Row-major memory is already flat, so
// this is a view: the network shares its input's buffers where it can
// (nn/network.h) and calls the copies below only where it cannot.
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
  bool is_view() const override { return true; }
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
};

}  // namespace spikeforge
