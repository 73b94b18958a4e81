#include "nn/network.h"

#include <algorithm>

#include "core/error.h"
#include "nn/conv2d.h"
#include "nn/linear.h"

namespace spikeforge {

void Network::add(std::unique_ptr<Layer> layer) {
  if (finalized_) throw InternalError("Network::add after finalize");
  if (!(layer->in_shape() == last_shape()))
    throw ShapeError(layer->kind() + " layer expects input " + layer->in_shape().str() + ", got " + last_shape().str());
  layers_.push_back(std::move(layer));
}

void Network::finalize() {
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
  acts_.resize(layers_.size());
  dacts_.resize(layers_.size());
  finalized_ = true;
}

void Network::init_params(InitKind kind, Rng& rng) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    Rng r = rng.derive(i);
    layers_[i]->init_params(kind, r);
  }
}

void Network::prepare(int Tin, int T, int B) {
  int steps = Tin;
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->prepare(steps, T, B);
    steps = layers_[i]->out_steps(steps, T);
    Shape s{steps, B, layers_[i]->out_shape().size()};
    if (!(acts_[i].shape() == s)) {
      acts_[i].resize(s);
      dacts_[i].resize(s);
    }
  }
  out_steps_ = steps;
}

const float* Network::forward(const float* x, bool train) {
  const float* in = x;
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->forward(in, acts_[i].data(), train);
    in = acts_[i].data();
  }
  return in;
}

void Network::backward(const float* dout) {
  const float* d = dout;
  for (size_t i = layers_.size(); i-- > 0;) {
    float* din = i > 0 ? dacts_[i - 1].data() : nullptr;
    layers_[i]->backward(d, din);
    d = din;
  }
}

void Network::zero_grad() { std::fill(grads_.begin(), grads_.end(), 0.f); }

double Network::macs_per_sample(int Tin, int T) const {
  double macs = 0;
  int steps = Tin;
  for (const auto& l : layers_) {
    if (auto* c = dynamic_cast<const Conv2d*>(l.get()))
      macs += double(steps) * c->out_shape().size() * c->geom().col_rows();
    else if (dynamic_cast<const Linear*>(l.get()))
      macs += double(steps) * l->in_shape().size() * l->out_shape().size();
    steps = l->out_steps(steps, T);
  }
  return macs;
}

}  // namespace spikeforge
