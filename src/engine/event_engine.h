// Event-driven inference: the network's synaptic layers that receive spikes
// (0/1 values: from spiking layers, spike max pooling, or a spike-coded input)
// propagate only the spikes that occurred (engine/event_synapse.h); every
// other node (neurons, pooling, adds, read-outs, synapses on analog values)
// runs the same code as the dense engine. SynOps and spikes are counted.
//
// Same spikes as the dense engine: neurons are the same code, so the spikes
// agree whenever the synaptic currents do. A product of spikes and weights
// is a sum of weights; where those sums are exact in float32 (the fixed-point
// weights convert/ gives spike-fed layers), any order gives the same bits, so
// the event scatter equals BLAS bit for bit. For float weights (a network
// trained by BPTT) the two orders can round differently, and a membrane that
// lands within rounding of its threshold can then fire in one engine only.
#pragma once
#include <memory>
#include <vector>

#include "engine/dense_engine.h"
#include "engine/event_synapse.h"
#include "nn/network.h"

namespace spikeforge {

class EventEngine {
 public:
  // input_spikes: the network input is spikes (rate or latency coding).
  EventEngine(Network& net, bool input_spikes);
  // x [Tin, B, in] -> output [out_steps, B, out], as DenseEngine::run.
  const float* run(const float* x, int Tin, int T, int B);
  FiringRates rates() const { return firing_rates(net_, unit_steps_); }
  double synops() const { return synops_; }  // since construction or reset_stats
  void reset_stats();
  // Nodes this engine computes event by event.
  int event_nodes() const;

 private:
  Network& net_;
  std::vector<std::unique_ptr<EventSynapse>> event_;  // per node, or null
  double unit_steps_ = 0, synops_ = 0;
};

}  // namespace spikeforge
