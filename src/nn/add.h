// Element-wise sum of two inputs of the same shape and step count: the join
// of a residual (skip) connection, and ONNX's Add of two tensors.
//   forward:  y = a + b
//   backward: da = dy,  db = dy
// No cache.
#pragma once
#include "nn/layer.h"

namespace spikeforge {

class Add : public Layer {
 public:
  explicit Add(FeatShape in) { in_ = out_ = in; }
  std::string kind() const override { return "add"; }
  int arity() const override { return 2; }
  void forward(const float*, float*, bool) override;
  void backward(const float*, float*) override;
  void forward_multi(const float* const* in, float* out, bool train) override;
  void backward_multi(const float* dout, float* const* din) override;
};

}  // namespace spikeforge
