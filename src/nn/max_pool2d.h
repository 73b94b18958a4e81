// Max pooling over K x K windows with stride S and padding P, per image.
// Padding is -inf (ONNX MaxPool pads, PyTorch MaxPool2d(padding=P)): a padded
// position never wins, so each window is the part of it inside the image.
//   forward:  y[c, oy, ox] = max_{ky,kx valid} x[c, oy*S - P + ky, ox*S - P + kx]
//             Ho = (H + 2P - K) / S + 1 (floor), likewise Wo; 2P <= K (as PyTorch),
//             so every window holds at least one input.
//   backward: dx[argmax] += dy (the first maximum in row-major window order wins
//             ties, as PyTorch)
// K = S = 2, P = 0 takes a fast path without window loops (same tie rule).
// Cache: the flat input index of each output's maximum [Tin*B, C, Ho, Wo].
#pragma once
#include <cstdint>
#include <vector>

#include "nn/layer.h"

namespace spikeforge {

class MaxPool2d : public Layer {
 public:
  MaxPool2d(FeatShape in, int kernel, int stride, int pad = 0);  // ShapeError when they do not fit
  std::string kind() const override { return "maxpool2d"; }
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  int pad() const { return P_; }

 private:
  void forward_2x2(const float* in, float* out);
  int K_, S_, P_;
  std::vector<int32_t> argmax_;
};

}  // namespace spikeforge
