// Average pooling over K x K windows with stride S and zero padding P, per
// image, counting the padding in every window (PyTorch's default
// count_include_pad = True; ONNX Pad + AveragePool or count_include_pad = 1).
//   forward:  y[c, oy, ox] = (1/K^2) sum_{ky,kx valid} x[c, oy*S - P + ky, ox*S - P + kx]
//             Ho = (H + 2P - K) / S + 1 (floor), likewise Wo; 2P <= K (as PyTorch)
//   backward: dx[c, oy*S - P + ky, ox*S - P + kx] += dy[c, oy, ox] / K^2   (valid positions)
// No cache.
#pragma once
#include "nn/layer.h"

namespace spikeforge {

class AvgPool2d : public Layer {
 public:
  AvgPool2d(FeatShape in, int kernel, int stride, int pad = 0);  // ShapeError when they do not fit
  std::string kind() const override { return "avgpool2d"; }
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  int pad() const { return P_; }

 private:
  int K_, S_, P_;
};

}  // namespace spikeforge
