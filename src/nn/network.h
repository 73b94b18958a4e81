// A feed-forward stack of layers with one flat parameter buffer, one flat
// gradient buffer and one flat buffer of non-trained state (BatchNorm
// statistics), so optimiser, zero_grad and checkpoints are one call each.
//
//   acts_[i]  [Tout_i, B, out_i]   output of layer i (layer i+1 reads it)
//   grads_[i] [Tout_i, B, out_i]   dLoss/d acts_[i]
// The input is [Tin, B, in] with Tin = 1 (direct encoding) or T.
#pragma once
#include <memory>
#include <vector>

#include "core/tensor.h"
#include "nn/layer.h"

namespace spikeforge {

class Network {
 public:
  explicit Network(FeatShape input) : input_(input) {}
  // Build phase: the next layer's input shape is last_shape().
  FeatShape last_shape() const { return layers_.empty() ? input_ : layers_.back()->out_shape(); }
  void add(std::unique_ptr<Layer> layer);
  // Allocates the flat buffers and binds every layer to its slice.
  void finalize();
  void init_params(InitKind kind, Rng& rng);

  // Sizes activations for a run of T steps on B samples with Tin input steps.
  void prepare(int Tin, int T, int B);
  // x [Tin, B, in] -> output [T_out, B, out] (valid until the next forward).
  const float* forward(const float* x, bool train);
  // dout [T_out, B, out]: accumulates parameter gradients.
  void backward(const float* dout);
  void zero_grad();

  int out_steps() const { return out_steps_; }
  FeatShape input_shape() const { return input_; }
  FeatShape output_shape() const { return last_shape(); }
  std::vector<std::unique_ptr<Layer>>& layers() { return layers_; }
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  std::vector<float>& params() { return params_; }
  std::vector<float>& grads() { return grads_; }
  std::vector<float>& buffers() { return buffers_; }
  // MACs per sample of one run of T steps, counting each layer's own steps.
  double macs_per_sample(int Tin, int T) const;

 private:
  FeatShape input_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<float> params_, grads_, buffers_;
  std::vector<Tensor> acts_, dacts_;
  int out_steps_ = 0;
  bool finalized_ = false;
};

}  // namespace spikeforge
