// Layer: the unit every network is made of. Explicit forward and backward,
// no autograd graph [llm.c]. Multi-step layout: a layer sees a whole sequence
// at once, input [Tin, B, C, H, W] and output [Tout, B, C', H', W'].
// Stateless ops treat it as [Tin*B, ...] and keep Tout = Tin; neuron layers
// scan over time and emit T steps (Tin = 1 means "the same input every step").
//
// Contracts (DESIGN.md, Core contracts):
// - forward caches what backward needs; backward reads that cache. The
//   input activation is cached by pointer: the Network keeps it alive.
// - parameter gradients accumulate (+=), input gradients overwrite (=);
//   din == nullptr means nobody needs it (the first layer) and it is skipped.
// - prepare(Tin, T, B) sizes every buffer; forward/backward allocate nothing.
#pragma once
#include <cstdint>
#include <string>

#include "core/rng.h"
#include "nn/active_set.h"

namespace spikeforge {

// Per-sample feature shape; a flat vector of N features is {N, 1, 1}.
struct FeatShape {
  int C = 1, H = 1, W = 1;
  int64_t size() const { return int64_t(C) * H * W; }
  bool operator==(const FeatShape&) const = default;
  std::string str() const;  // "[C, H, W]"
};

enum class InitKind { KaimingUniform, KaimingNormal };
InitKind parse_init_kind(const std::string& s);  // throws ConfigError
const char* init_name(InitKind k);

class Layer {
 public:
  virtual ~Layer() = default;
  virtual std::string kind() const = 0;  // "linear", "lif", ...
  FeatShape in_shape() const { return in_; }
  FeatShape out_shape() const { return out_; }

  virtual int64_t param_count() const { return 0; }
  // params/grads: views into the network's flat buffers, param_count() each.
  virtual void bind(float* /*params*/, float* /*grads*/) {}
  virtual void init_params(InitKind, Rng&) {}
  // Non-trained state saved with the parameters (BatchNorm's running statistics).
  virtual int64_t buffer_count() const { return 0; }
  virtual void bind_buffers(float* /*buffers*/) {}
  // Normalisation layers: while on, forward (train or eval) normalises with
  // batch statistics and makes the running ones their plain mean over the
  // batches since it was turned on (nn/running_stats.h).
  virtual void set_stat_estimation(bool /*on*/) {}

  virtual int out_steps(int Tin, int /*T*/) const { return Tin; }
  virtual void prepare(int Tin, int T, int B) {
    Tin_ = Tin;
    T_ = T;
    B_ = B;
  }
  // in: [Tin, B, in_shape], out: [out_steps, B, out_shape]
  virtual void forward(const float* in, float* out, bool train) = 0;
  // dout: [out_steps, B, out_shape], din: [Tin, B, in_shape] or nullptr
  virtual void backward(const float* dout, float* din) = 0;

  // Layers with several inputs of the same shape and step count (Add) return
  // their number here and implement the *_multi calls; din[k] may be nullptr.
  virtual int arity() const { return 1; }
  virtual void forward_multi(const float* const* in, float* out, bool train) { forward(in[0], out, train); }
  virtual void backward_multi(const float* dout, float* const* din) { backward(dout, din[0]); }
  // The entries of dout this layer's backward reads when it reads only some
  // (nn/active_set.h), valid after forward; nullptr: all of them.
  virtual const ActiveSet* dout_reads() const { return nullptr; }
  // Set by the network before backward: din's only consumer reads just these
  // entries (nullptr: all), so a layer may leave the others unwritten.
  virtual void set_din_needed(const ActiveSet*) {}
  // The network tells each layer whether its (first) input holds only 0 and 1
  // (spikes), so synaptic layers can use event/bit paths (nn/linear.h).
  virtual void set_spike_input(bool) {}
  // ... and, when it is not spikes, whether it holds integers 0..max_count
  // (a spike-add join of residual spikes; 0: any real values).
  virtual void set_count_input(int /*max_count*/) {}
  // A view's output is its input's bytes (Flatten): the network may give it
  // its input's buffers and skip its forward and backward.
  virtual bool is_view() const { return false; }

  // Spiking layers count the spikes they emit in forward (for firing rates).
  virtual bool spiking() const { return false; }
  virtual double spikes_emitted() const { return 0.0; }
  virtual void reset_spike_count() {}

 protected:
  FeatShape in_, out_;
  int Tin_ = 0, T_ = 0, B_ = 0;
};

}  // namespace spikeforge
