// Multiplication by a constant, y = a x: in converted SNNs it rescales a
// spike train from the scale of the layer that fired it to the scale of the
// neuron it joins (an identity skip into a residual add).
//   backward: dx = a dy.   No cache, no parameters (a is part of the spec).
#pragma once
#include "nn/layer.h"

namespace spikeforge {

class Scale : public Layer {
 public:
  Scale(FeatShape in, float factor) : a_(factor) { in_ = out_ = in; }
  std::string kind() const override { return "scale"; }
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  float factor() const { return a_; }

 private:
  float a_;
};

}  // namespace spikeforge
