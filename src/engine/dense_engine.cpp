#include "engine/dense_engine.h"

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

const float* DenseEngine::run(const float* x, int Tin, int T, int B) {
  net_.prepare(Tin, T, B);
  unit_steps_ += double(T) * B;
  return net_.forward(x, /*train=*/false);
}

}  // namespace spikeforge
