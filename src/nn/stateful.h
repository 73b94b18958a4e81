// Layers whose state can continue from one forward call to the next: truncated
// BPTT (learn/bptt.h) runs a long sequence as chunks, each starting from the
// state the previous chunk ended in. The carried state is a constant for the
// next chunk's backward (the gradient is truncated at the chunk boundary,
// as `h = h.detach()` in PyTorch).
#pragma once

namespace spikeforge {

class StateCarrier {
 public:
  virtual ~StateCarrier() = default;
  // on: every forward starts from the state the previous one ended in;
  // off (the default): from zero.
  virtual void set_carry_state(bool on) = 0;
  // Zeroes the carried state (the start of a new sequence).
  virtual void reset_state() = 0;
};

}  // namespace spikeforge
