// Inverted dropout with one mask per sample shared over all steps (a dropped
// neuron stays dropped for the whole sequence, as SpikingJelly's
// MultiStepDropout): m[b, f] ~ Bernoulli(1 - p) / (1 - p).
//   train:  y_t = m * x_t         eval: y_t = x_t
//   backward: dx_t = m * dy_t
// Masks come from Rng(seed).derive(call count): deterministic given the seed.
// Cache: the mask [B, F].
#pragma once
#include "core/rng.h"
#include "core/tensor.h"
#include "nn/layer.h"

namespace spikeforge {

class Dropout : public Layer {
 public:
  Dropout(FeatShape in, float p, uint64_t seed);
  std::string kind() const override { return "dropout"; }
  void prepare(int Tin, int T, int B) override;
  void forward(const float* in, float* out, bool train) override;
  void backward(const float* dout, float* din) override;
  // Restarts the mask stream (e.g. at the start of epoch e) for resumable runs.
  void reseed(uint64_t key) { calls_ = key << 32; }

 private:
  float p_;
  uint64_t seed_, calls_ = 0;
  bool train_ = false;
  Tensor mask_;  // [B, F]
};

}  // namespace spikeforge
