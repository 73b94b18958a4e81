// Event-driven synaptic products for spike inputs (values 0 or 1): per image,
// only the inputs that spiked add their weights to the outputs.
//
//   linear:  y[o] = b[o] + sum_{i : x_i = 1} W[o, i]
//   conv2d:  y[o, oy, ox] = b[o] + sum_{(c, iy, ix) : x = 1} sum_{ky, kx} W[o, c, ky, kx]
//            over the taps with iy = oy S - P + ky, ix = ox S - P + kx
// SynOps (synaptic operations) = weights added: O per linear event, O times
// the valid taps of its position per conv event. The same count comes from
// count_synops() on a dense input, which the dense engine reports, so both
// engines report identical SynOps for identical spikes.
//
// Layout: the weights are re-laid out once, input-major ([I, O] and
// [C, K, K, O]), so an event adds one contiguous row (vectorised over O);
// conv outputs accumulate channels-last [Ho*Wo, O] per image, then are
// transposed into the network's [O, Ho, Wo]. Finding the events scans the
// dense spike tensor (one compare per neuron and step); the synaptic work,
// which dominates, is proportional to spikes x fan-out.
#pragma once
#include <cstdint>
#include <vector>

#include "nn/layer.h"

namespace spikeforge {

class EventSynapse {
 public:
  // `layer` must be a Conv2d or a Linear; weights are copied now (call again after they change).
  explicit EventSynapse(Layer& layer);
  // x [images, in] spikes -> y [images, out]; returns the SynOps.
  double run(const float* x, int64_t images, float* y);
  // SynOps that run() would perform on x, without computing anything.
  double count_synops(const float* x, int64_t images) const;

 private:
  bool conv_ = false;
  int O_ = 0, C_ = 0, H_ = 0, W_ = 0, K_ = 1, S_ = 1, P_ = 0, Ho_ = 1, Wo_ = 1;
  int64_t in_size_ = 0;
  std::vector<float> Wt_;                    // [I, O] or [C, K, K, O]
  std::vector<float> bias_;                  // [O]
  std::vector<int> taps_;                    // [H, W] valid kernel taps per input position (linear: 1)
  std::vector<std::vector<float>> scratch_;  // per thread: the channels-last accumulator
};

}  // namespace spikeforge
