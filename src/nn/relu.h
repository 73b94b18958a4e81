// Rectified linear unit for ANNs, optionally clamped and quantised, the
// activations a conversion-friendly ANN trains with (the converter turns each
// into a spiking neuron whose threshold plays the ceiling's part).
//
//   plain:      y = max(x, 0)
//   clamped:    y = min(max(x, 0), c)                         (c = ceiling > 0; ONNX Clip(0, c))
//   quantised:  y = (c / L) floor(min(max(x, 0), c) L / c)    (L = levels >= 1; needs a ceiling)
// The quantised form rounds down like the SpikeConverter neuron, which emits
// floor(A / theta 2^T) / 2^T of its threshold over T steps (L = 2^T).
// Backward (the straight-through estimator for the floor):
//   dx = dy where 0 < x < c (x > 0 without a ceiling), else 0
// | parameter | default | meaning                                  |
// | ceiling   | 0       | clamp value; 0 = none                    |
// | levels    | 0       | quantisation levels over [0, c]; 0 = off |
// Cache: the input (by pointer).
#pragma once
#include "nn/layer.h"

namespace spikeforge {

class Relu : public Layer {
 public:
  Relu(FeatShape in, float ceiling = 0.f, int levels = 0);  // ShapeError if levels > 0 without a ceiling
  std::string kind() const override { return "relu"; }
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  float ceiling() const { return ceiling_; }
  int levels() const { return levels_; }

 private:
  float ceiling_;
  int levels_;
  const float* x_ = nullptr;
};

}  // namespace spikeforge
