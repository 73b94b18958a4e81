#include "nn/deep_layer_factory.h"

#include "core/error.h"
#include "nn/dale_linear.h"
#include "nn/neuron_layer.h"
#include "nn/recurrent_layer.h"
#include "nn/sew.h"
#include "nn/temporal_batch_norm.h"

namespace spikeforge {
namespace {

SpikingParams spiking_for(const NetworkDefaults& d, const LayerSpec& s) {
  SpikingParams p = d.spiking;
  if (s.beta > 0) p.lif.beta = s.beta;
  if (s.threshold > 0) p.lif.theta = s.threshold;
  return p;
}

}  // namespace

std::unique_ptr<Layer> make_deep_layer(const NetworkDefaults& d, const LayerSpec& s, FeatShape in) {
  const std::string& t = s.type;
  // A lif layer takes the stateful model when it, or the whole network ([neuron_params]),
  // asks for a learned decay or a refractory period; the plain LifLayer has neither.
  const bool lif_extras = s.neuron_overrides.any() || d.model.learn_beta != LearnBeta::None || d.model.refractory > 0;
  if (t == "alif" || t == "ahp" || t == "cuba" || t == "plif" || (t == "lif" && lif_extras)) {
    NeuronModelParams mp = d.model;
    if (t == "plif") mp.learn_beta = LearnBeta::Layer;  // plif = lif with a learned decay, per layer unless set
    mp = s.neuron_overrides.apply(mp);
    const NeuronModelKind model = t == "plif" ? NeuronModelKind::Lif : parse_neuron_model(t);
    return std::make_unique<NeuronLayer>(in, model, spiking_for(d, s), mp);
  }
  if (t == "recurrent") {
    NeuronModelKind model = NeuronModelKind::Lif;
    NeuronModelParams mp = d.model;
    const std::string neuron = s.neuron.empty() ? "lif" : s.neuron;
    if (neuron == "plif")
      mp.learn_beta = LearnBeta::Layer;
    else
      model = parse_neuron_model(neuron);
    mp = s.neuron_overrides.apply(mp);
    return std::make_unique<RecurrentLayer>(in, RecurrentParams{s.units, s.bias, s.dale, s.excitatory}, model,
                                            spiking_for(d, s), mp);
  }
  if (t == "bntt") return std::make_unique<BatchNormThroughTime>(in, d.timesteps, s.bias, s.eps, s.momentum);
  if (t == "tdbn") return std::make_unique<ThresholdBatchNorm>(in, d.spiking.lif.theta, s.bn_alpha, s.eps, s.momentum);
  if (t == "sew") return std::make_unique<SewJoin>(in, parse_sew_op(s.op));
  if (t == "linear" && s.dale) return std::make_unique<DaleLinear>(in, s.units, s.bias, s.excitatory);
  return nullptr;
}

}  // namespace spikeforge
