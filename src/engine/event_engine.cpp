#include "engine/event_engine.h"

namespace spikeforge {

EventEngine::EventEngine(Network& net, bool input_spikes) : net_(net), event_(net.layers().size()) {
  const std::vector<char> fed = spike_fed_synapses(net, input_spikes);
  for (size_t i = 0; i < fed.size(); ++i)
    if (fed[i]) event_[i] = std::make_unique<EventSynapse>(*net.layers()[i]);
  reset_spike_counts(net);  // the layers' counters now count this engine's runs
}

int EventEngine::event_nodes() const {
  int n = 0;
  for (const auto& e : event_) n += e != nullptr;
  return n;
}

void EventEngine::reset_stats() {
  unit_steps_ = synops_ = 0;
  reset_spike_counts(net_);
}

const float* EventEngine::run(const float* x, int Tin, int T, int B) {
  net_.prepare(Tin, T, B);
  unit_steps_ += double(T) * B;
  for (size_t i = 0; i < event_.size(); ++i) {
    if (!event_[i]) {
      net_.forward_node(i, x, /*train=*/false);
      continue;
    }
    const int j = net_.inputs_of(int(i))[0];
    const float* in = j == Network::kInput ? x : net_.act(j);
    synops_ += event_[i]->run(in, int64_t(net_.steps_of(j)) * B, net_.act_buffer(int(i)));
  }
  return net_.act(int(event_.size()) - 1);
}

}  // namespace spikeforge
