// Dense multi-step inference: the whole sequence through every layer as one
// batched call per layer (BLAS for synapses, fused scans for neurons), with
// per-layer spike statistics for firing rates.
#pragma once
#include <memory>
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

// The synaptic nodes (conv2d, linear) whose input is spikes: the ones that
// the event engine computes event by event and whose SynOps both engines count.
// Also tells the network whether its input is spikes (Network::set_input_spikes).
std::vector<char> spike_fed_synapses(Network& net, bool input_spikes);

class DenseEngine {
 public:
  // input_spikes: the network input is spikes (rate or latency coding).
  explicit DenseEngine(Network& net, bool input_spikes = false);
  ~DenseEngine();
  // x [Tin, B, in] -> output [out_steps, B, out]; spikes and SynOps are counted.
  const float* run(const float* x, int Tin, int T, int B);
  FiringRates rates() const { return firing_rates(net_, unit_steps_); }
  double synops() const { return synops_; }  // weights added by spikes (engine/event_synapse.h)
  void reset_stats() {
    unit_steps_ = synops_ = 0;
    reset_spike_counts(net_);
  }

 private:
  Network& net_;
  std::vector<std::unique_ptr<class EventSynapse>> counters_;  // per spike-fed synapse, or null
  double unit_steps_ = 0, synops_ = 0;
};

}  // namespace spikeforge
