// The layers of deep and recurrent training, built from their specs
// (nn/layer_spec.h) for the network builder:
//   alif / ahp / cuba / plif   (beta, threshold, tau_adapt, adapt_strength, adapt_fraction, alpha,
//                              refractory, learn_beta)                nn/neuron_layer.h
//   lif with refractory or learn_beta                                  nn/neuron_layer.h
//   recurrent (units, neuron, bias, dale, excitatory, + the neuron keys)  nn/recurrent_layer.h
//   bntt (bias, eps, momentum)   tdbn (alpha, eps, momentum)           nn/temporal_batch_norm.h
//   sew (op, from: two names)                                          nn/sew.h
//   linear with dale (excitatory)                                      nn/dale_linear.h
// (resblock: nn/residual_block.h, expanded by the builder.)
#pragma once
#include <memory>

#include "nn/layer.h"
#include "nn/layer_spec.h"

namespace spikeforge {

// The layer, or nullptr when the spec is not one of the above (the builder's own types).
std::unique_ptr<Layer> make_deep_layer(const NetworkDefaults& d, const LayerSpec& s, FeatShape in);

}  // namespace spikeforge
