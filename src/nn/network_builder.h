// Builds the network that a list of layer specs describes (nn/layer_spec.h).
//   conv2d (channels, kernel, stride, pad, bias)   linear (units, bias)
//   maxpool2d / avgpool2d (kernel, stride, pad)     global_avgpool   flatten   normalize (mean, stddev)
//   dropout (p)   batchnorm (eps, momentum)         relu (ceiling, levels)
//   lif / if (beta, threshold)                      readout (beta)    add (from: two names)
//   converted SNNs: ilif (k, threshold)   spike_maxpool (kernel, stride, pad, mode)   scale (factor)
//   deep and recurrent training: alif / ahp / cuba / plif, recurrent, bntt, tdbn, sew, linear with dale
//   (nn/deep_layer_factory.h), resblock (channels, stride, skip, norm, neuron: nn/residual_block.h)
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/layer_spec.h"
#include "nn/network.h"

namespace spikeforge {

// ShapeError/ConfigError name `origin` and the layer index when layers do not fit.
std::unique_ptr<Network> build_network(const std::vector<LayerSpec>& specs, const NetworkDefaults& d, FeatShape input,
                                       const std::string& origin);

}  // namespace spikeforge
