#include "engine/dense_engine.h"

#include "engine/event_synapse.h"
#include "nn/conv2d.h"
#include "nn/linear.h"

namespace spikeforge {

std::vector<std::string> spiking_layer_names(const Network& net) {
  std::vector<std::string> names;
  for (size_t i = 0; i < net.layers().size(); ++i)
    if (net.layers()[i]->spiking()) names.push_back(net.layers()[i]->kind() + std::to_string(i));
  return names;
}

FiringRates firing_rates(const Network& net, double unit_steps) {
  FiringRates rates;
  auto names = spiking_layer_names(net);
  size_t j = 0;
  for (const auto& l : net.layers()) {
    if (!l->spiking()) continue;
    const double denom = unit_steps * double(l->out_shape().size());
    rates.emplace_back(names[j++], denom > 0 ? l->spikes_emitted() / denom : 0.0);
  }
  return rates;
}

void reset_spike_counts(Network& net) {
  for (auto& l : net.layers()) l->reset_spike_count();
}

std::vector<char> spike_fed_synapses(Network& net, bool input_spikes) {
  net.set_input_spikes(input_spikes);
  std::vector<char> fed(net.layers().size(), 0);
  for (size_t i = 0; i < net.layers().size(); ++i) {
    const Layer& l = *net.layers()[i];
    const bool synapse = dynamic_cast<const Conv2d*>(&l) || dynamic_cast<const Linear*>(&l);
    fed[i] = synapse && net.emits_spikes(net.inputs_of(int(i))[0]);
  }
  return fed;
}

DenseEngine::DenseEngine(Network& net, bool input_spikes) : net_(net), counters_(net.layers().size()) {
  const std::vector<char> fed = spike_fed_synapses(net, input_spikes);
  for (size_t i = 0; i < fed.size(); ++i)
    if (fed[i]) counters_[i] = std::make_unique<EventSynapse>(*net.layers()[i]);
  reset_spike_counts(net);  // the layers' counters now count this engine's runs
}

DenseEngine::~DenseEngine() = default;

const float* DenseEngine::run(const float* x, int Tin, int T, int B) {
  net_.prepare(Tin, T, B);
  unit_steps_ += double(T) * B;
  const float* out = net_.forward(x, /*train=*/false);
  for (size_t i = 0; i < counters_.size(); ++i) {
    if (!counters_[i]) continue;
    const int j = net_.inputs_of(int(i))[0];
    synops_ += counters_[i]->count_synops(j == Network::kInput ? x : net_.act(j), int64_t(net_.steps_of(j)) * B);
  }
  return out;
}

}  // namespace spikeforge
