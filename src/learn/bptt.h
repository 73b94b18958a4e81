// Surrogate-gradient backpropagation through time for a feed-forward network
// in the multi-step layout: one forward over all T steps, the loss on the
// output sequence, one backward (each neuron layer scans time in reverse),
// then one optimiser step over the flat buffers.
#pragma once
#include "learn/optimizer.h"
#include "nn/loss.h"
#include "nn/network.h"

namespace spikeforge {

class BpttLearner {
 public:
  BpttLearner(Network& net, LossParams loss, OptimizerParams opt);
  // x [Tin, B, in]; labels [B]. One training step at learning rate lr.
  LossResult step(const float* x, int Tin, int T, int B, const int* labels, float lr);
  // Forward and loss only (gradients untouched).
  LossResult evaluate(const float* x, int Tin, int T, int B, const int* labels);
  Optimizer& optimizer() { return opt_; }

 private:
  Network& net_;
  LossParams loss_;
  Optimizer opt_;
  Tensor dout_;  // [T, B, K]
};

}  // namespace spikeforge
