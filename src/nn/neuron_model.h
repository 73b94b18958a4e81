// The neuron models beyond plain LIF, as configs choose them, and the
// parameters they share. Each model's equations sit in its own header:
//   lif   LIF with an optional refractory period and learnable decay (PLIF)  nn/plif_neuron.h
//   alif  adaptive-threshold LIF (Bellec et al. 2018, LSNN)                   nn/alif_neuron.h
//   ahp   LIF with a slow after-hyperpolarising current (Rao et al. 2022)    nn/ahp_neuron.h
//   cuba  current-based LIF with a synaptic current (snnTorch Synaptic,      nn/cuba_neuron.h
//         NIR CubaLIF)
// Layers: nn/neuron_layer.h (element-wise, feed-forward) and
// nn/recurrent_layer.h (input and recurrent weights, step-by-step scan).
//
// | parameter      | default | unit  | meaning                                              |
// | tau_adapt      | 100     | steps | adaptation time constant: rho = exp(-1 / tau_adapt)  |
// | adapt_strength | 1.8     | a.u.  | gamma: threshold rise (alif) / AHP current (ahp)     |
// | adapt_fraction | 1.0     | -     | the first round(f N) neurons adapt, the rest gamma 0 |
// | alpha          | 0.8     | -     | synaptic current decay per step (cuba)               |
// | refractory     | 0       | steps | after a spike the neuron cannot fire for this long   |
// | learn_beta     | none    | -     | PLIF: beta = sigmoid(p) learned per layer or neuron  |
#pragma once
#include <optional>
#include <string>

namespace spikeforge {

enum class NeuronModelKind { Lif, Alif, Ahp, Cuba };
NeuronModelKind parse_neuron_model(const std::string& s);  // throws ConfigError
const char* neuron_model_name(NeuronModelKind k);

enum class LearnBeta { None, Layer, Neuron };
LearnBeta parse_learn_beta(const std::string& s);  // throws ConfigError
const char* learn_beta_name(LearnBeta k);

struct NeuronModelParams {
  float tau_adapt = 100.f;
  float adapt_strength = 1.8f;
  float adapt_fraction = 1.f;
  float alpha = 0.8f;
  int refractory = 0;
  LearnBeta learn_beta = LearnBeta::None;
};

// A layer's overrides of the network-wide NeuronModelParams (unset: the default).
struct NeuronOverrides {
  std::optional<float> tau_adapt, adapt_strength, adapt_fraction, alpha;
  std::optional<int> refractory;
  std::optional<LearnBeta> learn_beta;

  NeuronModelParams apply(NeuronModelParams p) const {
    if (tau_adapt) p.tau_adapt = *tau_adapt;
    if (adapt_strength) p.adapt_strength = *adapt_strength;
    if (adapt_fraction) p.adapt_fraction = *adapt_fraction;
    if (alpha) p.alpha = *alpha;
    if (refractory) p.refractory = *refractory;
    if (learn_beta) p.learn_beta = *learn_beta;
    return p;
  }
  bool any() const { return tau_adapt || adapt_strength || adapt_fraction || alpha || refractory || learn_beta; }
};

}  // namespace spikeforge
