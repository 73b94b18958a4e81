#include "nn/network.h"

#include <algorithm>

#include "core/error.h"
#include "nn/conv2d.h"
#include "nn/linear.h"

namespace spikeforge {

int Network::add(std::unique_ptr<Layer> layer, std::vector<int> inputs) {
  if (finalized_) throw InternalError("Network::add after finalize");
  const int self = static_cast<int>(layers_.size());
  if (inputs.empty()) inputs = {self - 1};  // the previous node, or kInput for the first
  if (static_cast<int>(inputs.size()) != layer->arity())
    throw ShapeError(layer->kind() + " layer takes " + std::to_string(layer->arity()) + " inputs, got " +
                     std::to_string(inputs.size()));
  for (int j : inputs) {
    if (j < kInput || j >= self)
      throw ShapeError(layer->kind() + " layer reads node " + std::to_string(j) + ", expected an earlier node");
    if (!(layer->in_shape() == shape_of(j)))
      throw ShapeError(layer->kind() + " layer expects input " + layer->in_shape().str() + ", got " +
                       shape_of(j).str());
  }
  for (int j : inputs)
    if (j != kInput) ++consumers_[j];
  layers_.push_back(std::move(layer));
  inputs_.push_back(std::move(inputs));
  consumers_.push_back(0);
  return self;
}

void Network::finalize() {
  if (layers_.empty()) throw ShapeError("network has no layers");
  for (size_t i = 0; i + 1 < layers_.size(); ++i)
    if (consumers_[i] == 0)
      throw ShapeError(layers_[i]->kind() + " layer (node " + std::to_string(i) +
                       ") feeds nothing, expected every node but the last to be read");
  int64_t np = 0, nb = 0;
  for (auto& l : layers_) np += l->param_count(), nb += l->buffer_count();
  params_.assign(np, 0.f);
  grads_.assign(np, 0.f);
  buffers_.assign(nb, 0.f);
  int64_t po = 0, bo = 0;
  for (auto& l : layers_) {
    l->bind(params_.data() + po, grads_.data() + po);
    l->bind_buffers(buffers_.data() + bo);
    po += l->param_count();
    bo += l->buffer_count();
  }
  const size_t n = layers_.size();
  acts_.resize(n);
  dacts_.resize(n);
  act_.assign(n, nullptr);
  dact_.assign(n, nullptr);
  written_.assign(n, 0);
  steps_.assign(n, 0);
  finalized_ = true;
  set_input_spikes(false);
}

bool Network::emits_spikes(int node) const {
  if (node == kInput) return input_spikes_;
  const Layer& l = *layers_[node];
  if (l.spiking() || l.kind() == "spike_maxpool") return true;
  // Dropout is not among these: in training its output is 0 or 1 / (1 - p).
  if (l.kind() == "flatten" || l.kind() == "maxpool2d") return emits_spikes(inputs_[node][0]);
  return false;
}

int Network::max_count(int node) const {
  if (emits_spikes(node)) return 1;
  if (node == kInput) return 0;
  const Layer& l = *layers_[node];
  if (l.kind() == "flatten" || l.kind() == "maxpool2d") return max_count(inputs_[node][0]);
  if (l.kind() != "add") return 0;
  const int a = max_count(inputs_[node][0]), b = max_count(inputs_[node][1]);
  return a > 0 && b > 0 ? a + b : 0;
}

void Network::set_input_spikes(bool spikes) {
  input_spikes_ = spikes;
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->set_spike_input(emits_spikes(inputs_[i][0]));
    layers_[i]->set_count_input(max_count(inputs_[i][0]));
  }
}

void Network::init_params(InitKind kind, Rng& rng) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    Rng r = rng.derive(i);
    layers_[i]->init_params(kind, r);
  }
}

// A view node shares its input's buffers when nothing else reads that input
// (the input's gradient is then exactly the view's).
bool Network::aliases_input(size_t i) const {
  const int j = inputs_[i][0];
  return layers_[i]->is_view() && j != kInput && consumers_[j] == 1;
}

void Network::prepare(int Tin, int T, int B) {
  Tin_ = Tin;
  B_ = B;
  int64_t scratch = 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const int in_steps = steps_of(inputs_[i][0]);
    for (int j : inputs_[i])
      if (steps_of(j) != in_steps)
        throw ShapeError(layers_[i]->kind() + " layer (node " + std::to_string(i) + ") joins inputs with " +
                         std::to_string(in_steps) + " and " + std::to_string(steps_of(j)) +
                         " steps, expected equal step counts");
    layers_[i]->prepare(in_steps, T, B);
    steps_[i] = layers_[i]->out_steps(in_steps, T);
    const int64_t numel = int64_t(steps_[i]) * B * layers_[i]->out_shape().size();
    if (consumers_[i] > 1) scratch = std::max(scratch, numel);
    if (aliases_input(i)) {
      acts_[i] = Tensor();
      act_[i] = act_[inputs_[i][0]];
      continue;
    }
    Shape s{steps_[i], B, layers_[i]->out_shape().size()};
    if (!(acts_[i].shape() == s)) acts_[i].resize(s);
    act_[i] = acts_[i].data();
  }
  if (scratch_.numel() < scratch) scratch_.resize({scratch});
}

// Gradient buffers shaped like the activations, made on the first backward
// after a prepare: inference never allocates them (half the memory).
void Network::prepare_grads() {
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (aliases_input(i)) {
      dacts_[i] = Tensor();
      dact_[i] = dact_[inputs_[i][0]];
      continue;
    }
    if (!(dacts_[i].shape() == acts_[i].shape())) dacts_[i].resize(acts_[i].shape());
    dact_[i] = dacts_[i].data();
  }
}

void Network::forward_node(size_t i, const float* x, bool train) {
  if (aliases_input(i)) return;  // same bytes as its input
  const float* ins[4];
  const auto& in = inputs_[i];
  for (size_t k = 0; k < in.size(); ++k) ins[k] = in[k] == kInput ? x : act_[in[k]];
  if (in.size() == 1)
    layers_[i]->forward(ins[0], act_[i], train);
  else
    layers_[i]->forward_multi(ins, act_[i], train);
}

const float* Network::forward(const float* x, bool train) {
  for (size_t i = 0; i < layers_.size(); ++i) forward_node(i, x, train);
  return act_.back();
}

void Network::backward(const float* dout) {
  prepare_grads();
  std::fill(written_.begin(), written_.end(), 0);
  float* dins[4];
  bool to_scratch[4];
  for (size_t i = layers_.size(); i-- > 0;) {
    const float* d = i + 1 == layers_.size() ? dout : dact_[i];
    const auto& in = inputs_[i];
    if (aliases_input(i)) {  // the gradient is already in the input's buffer
      written_[in[0]] = 1;
      continue;
    }
    for (size_t k = 0; k < in.size(); ++k) {
      const int j = in[k];
      to_scratch[k] = j != kInput && written_[j];
      dins[k] = j == kInput ? nullptr : to_scratch[k] ? scratch_.data() : dact_[j];
    }
    // Two inputs read from the same node would both want the scratch buffer.
    if (in.size() == 2 && in[0] == in[1] && in[0] != kInput) throw InternalError("layer reads one node twice");
    // A sole consumer that reads only some of its dout: write just those.
    const int j0 = in[0];
    layers_[i]->set_din_needed(in.size() == 1 && j0 != kInput && consumers_[j0] == 1 ? layers_[j0]->dout_reads()
                                                                                     : nullptr);
    if (in.size() == 1)
      layers_[i]->backward(d, dins[0]);
    else
      layers_[i]->backward_multi(d, dins);
    for (size_t k = 0; k < in.size(); ++k) {
      const int j = in[k];
      if (j == kInput) continue;
      if (to_scratch[k]) {  // dact(j) += the second consumer's din
        const int64_t n = int64_t(steps_[j]) * B_ * layers_[j]->out_shape().size();
        float* __restrict dst = dact_[j];
        const float* __restrict src = scratch_.data();
#pragma omp parallel for simd schedule(static)
        for (int64_t e = 0; e < n; ++e) dst[e] += src[e];
      }
      written_[j] = 1;
    }
  }
}

void Network::zero_grad() { std::fill(grads_.begin(), grads_.end(), 0.f); }

double Network::macs_per_sample(int Tin, int T) const {
  double macs = 0;
  std::vector<int> steps(layers_.size());
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer* l = layers_[i].get();
    const int in_steps = inputs_[i][0] == kInput ? Tin : steps[inputs_[i][0]];
    if (auto* c = dynamic_cast<const Conv2d*>(l))
      macs += double(in_steps) * c->out_shape().size() * c->geom().col_rows();
    else if (dynamic_cast<const Linear*>(l))
      macs += double(in_steps) * l->in_shape().size() * l->out_shape().size();
    steps[i] = l->out_steps(in_steps, T);
  }
  return macs;
}

}  // namespace spikeforge
