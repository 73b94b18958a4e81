// Input normalisation with one scalar mean and standard deviation, for models
// trained on standardised images (ONNX import's --input-mean / --input-std):
//   forward:  y = (x - mean) / std
//   backward: dx = dy / std
// It stays a layer of its own rather than being folded into the first conv
// (W' = W / std, b' = b - mean sum W / std): under zero padding the border
// windows see padded zeros that the folded bias would wrongly shift.
// | parameter | default | meaning                         |
// | mean      | 0       | subtracted from every input     |
// | std       | 1       | divides the centred input (> 0) |
// No parameters, no cache.
#pragma once
#include "nn/layer.h"

namespace spikeforge {

class Normalize : public Layer {
 public:
  Normalize(FeatShape in, float mean, float std_dev);  // ShapeError unless std_dev > 0 and both finite
  std::string kind() const override { return "normalize"; }
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  float mean() const { return mean_; }
  float std_dev() const { return std_; }

 private:
  float mean_, std_;
};

}  // namespace spikeforge
