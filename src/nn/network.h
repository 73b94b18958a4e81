// A network: a directed acyclic graph of layers in topological order (each
// node reads earlier nodes or the network input), with one flat parameter
// buffer, one flat gradient buffer and one flat buffer of non-trained state
// (BatchNorm statistics), so optimiser, zero_grad and checkpoints are one
// call each. A plain stack is the case where every node reads the previous
// one; skip connections (ResNets, ONNX graphs) read any earlier node.
//
//   act(i)  [Tout_i, B, out_i]   output of node i
//   dact(i) [Tout_i, B, out_i]   dLoss/d act(i), the sum over node i's consumers
// Backward visits nodes in reverse. Layers overwrite din (DESIGN.md), so the
// first consumer to run writes dact(j) and any later one writes a scratch
// buffer that the network adds in. A view layer (Flatten) shares its input's
// buffers when it is that input's only consumer, and then costs nothing.
// The input is [Tin, B, in] with Tin = 1 (direct encoding) or T.
#pragma once
#include <memory>
#include <vector>

#include "core/tensor.h"
#include "nn/layer.h"

namespace spikeforge {

class Network {
 public:
  static constexpr int kInput = -1;  // node index of the network input

  explicit Network(FeatShape input) : input_(input) {}
  // Appends a node reading `inputs` (earlier node indices or kInput; empty
  // means the previous node). Returns its index. Shapes are checked here.
  int add(std::unique_ptr<Layer> layer, std::vector<int> inputs = {});
  FeatShape shape_of(int node) const { return node == kInput ? input_ : layers_[node]->out_shape(); }
  FeatShape last_shape() const { return layers_.empty() ? input_ : layers_.back()->out_shape(); }
  // Allocates the flat buffers and binds every layer to its slice.
  void finalize();
  void init_params(InitKind kind, Rng& rng);

  // Sizes activations for a run of T steps on B samples with Tin input steps.
  void prepare(int Tin, int T, int B);
  // x [Tin, B, in] -> output of the last node [T_out, B, out] (valid until the next forward).
  const float* forward(const float* x, bool train);
  // True when node's output holds only 0 and 1: spiking layers, spike max
  // pooling, and max pooling, flattening or dropout of such outputs;
  // kInput when the input is spikes (set_input_spikes).
  bool emits_spikes(int node) const;
  // n when node's output holds only the integers 0 .. n: 1 for spikes, the
  // sum of its inputs' for an add of such outputs (a residual spike-add join
  // of two spike tensors: 2); 0 when it holds real values.
  int max_count(int node) const;
  // Whether the network input is spikes (rate or latency coding); tells every
  // layer whether its input is spikes or counts (Layer::set_spike_input,
  // set_count_input). finalize()
  // assumes analog input.
  void set_input_spikes(bool spikes);
  bool input_spikes() const { return input_spikes_; }

  // Runs node i alone on its inputs' current outputs (x: the network input);
  // forward() is this for every node. Engines that compute some nodes their
  // own way (engine/event_engine.h) call it for the others.
  void forward_node(size_t i, const float* x, bool train);
  // Node i's output buffer, for an engine that computes the node itself.
  float* act_buffer(int node) { return act_[node]; }
  bool is_aliased(size_t i) const { return aliases_input(i); }
  // dout [T_out, B, out]: accumulates parameter gradients.
  void backward(const float* dout);
  void zero_grad();

  int out_steps() const { return steps_.empty() ? 0 : steps_.back(); }
  int steps_of(int node) const { return node == kInput ? Tin_ : steps_[node]; }
  // Output of node i after forward (valid until the next forward).
  const float* act(int node) const { return act_[node]; }
  const std::vector<int>& inputs_of(int node) const { return inputs_[node]; }
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
  bool aliases_input(size_t i) const;
  void prepare_grads();

  FeatShape input_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<std::vector<int>> inputs_;  // node -> the nodes it reads
  std::vector<int> consumers_;            // node -> how many nodes read it
  std::vector<float> params_, grads_, buffers_;
  std::vector<Tensor> acts_, dacts_;  // owned buffers (empty for aliased views)
  std::vector<float*> act_, dact_;    // node -> its buffers (owned or its input's)
  std::vector<char> written_;         // backward: dact(node) holds a first write
  std::vector<int> steps_;            // node -> output steps
  Tensor scratch_;                    // a second consumer's din, before it is added
  int Tin_ = 0, B_ = 0;
  bool finalized_ = false, input_spikes_ = false;
};

}  // namespace spikeforge
