// Dense multi-step inference: the whole sequence through every layer as one
// batched call per layer (BLAS for synapses, fused scans for neurons), with
// per-layer spike statistics for firing rates.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "nn/network.h"

namespace spikeforge {

using FiringRates = std::vector<std::pair<std::string, double>>;  // layer name -> spikes/neuron/step

// Name of spiking layer i of a network, as reports show it: "<kind><layer index>", e.g. "lif1".
std::vector<std::string> spiking_layer_names(const Network& net);
// Rates from the layers' spike counters after `unit_steps` = sum over runs of T * B.
FiringRates firing_rates(const Network& net, double unit_steps);
void reset_spike_counts(Network& net);

class DenseEngine {
 public:
  explicit DenseEngine(Network& net) : net_(net) {}
  // x [Tin, B, in] -> output [out_steps, B, out]; spikes are counted.
  const float* run(const float* x, int Tin, int T, int B);
  FiringRates rates() const { return firing_rates(net_, unit_steps_); }
  void reset_stats() {
    unit_steps_ = 0;
    reset_spike_counts(net_);
  }

 private:
  Network& net_;
  double unit_steps_ = 0;
};

}  // namespace spikeforge
