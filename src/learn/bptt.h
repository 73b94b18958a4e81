// Surrogate-gradient backpropagation through time for a feed-forward network
// in the multi-step layout: one forward over all T steps, the loss on the
// output sequence, one backward (each neuron layer scans time in reverse),
// then one optimiser step over the flat buffers.
#pragma once
#include "learn/optimizer.h"
#include "nn/loss.h"
#include "nn/network.h"

namespace spikeforge {

// Long sequences and exploding gradients (deep and recurrent training):
//   truncation K > 0 (truncated BPTT): a run of T > K steps goes as chunks of
//     K steps, each starting from the state the previous chunk ended in (every
//     stateful layer must carry state, nn/stateful.h) with the gradient cut at
//     the chunk start; each chunk's loss is weighted by its share k/T of the
//     steps, and the chunk gradients accumulate into one optimiser step.
//   clip_norm c > 0: g <- g min(1, c / ||g||_2) before the step (learn/grad_clip.h).
struct BpttParams {
  int truncation = 0;
  float clip_norm = 0.f;
};

class BpttLearner {
 public:
  BpttLearner(Network& net, LossParams loss, OptimizerParams opt, BpttParams bp = {});
  // x [Tin, B, in]; labels [B]. One training step at learning rate lr.
  LossResult step(const float* x, int Tin, int T, int B, const int* labels, float lr);
  // Forward and loss only (gradients untouched).
  LossResult evaluate(const float* x, int Tin, int T, int B, const int* labels);
  Optimizer& optimizer() { return opt_; }
  double last_grad_norm() const { return grad_norm_; }  // before clipping, of the last step

 private:
  LossResult truncated_step(const float* x, int Tin, int T, int B, const int* labels, float lr);

  Network& net_;
  LossParams loss_;
  Optimizer opt_;
  BpttParams bp_;
  double grad_norm_ = 0;
  Tensor dout_;  // [T, B, K]
};

}  // namespace spikeforge
