// Spiking residual blocks, as one `resblock` layer spec that the network
// builder expands into nodes. Main path (every conv 3x3, pad 1, no bias):
//   conv(stride) -> norm -> neuron -> conv -> norm  = m      (norm: bntt | tdbn | batchnorm | none)
// Skip path: the block input x, or, when the stride is not 1 or the channel
// count changes, the down-sampling skip  p = norm(conv1x1(stride)(x))  (SEW: neuron(p)).
// The join, by `skip`:
//   spike_add     y = neuron(m) + x                 add after the neuron: spikes plus skip spikes
//                                                   (values 0, 1, 2, ...; S-ResNet, Vicente-Sola et al. 2022)
//   membrane_add  y = neuron(m + x)                 add before the neuron, into its input current
//                                                   (Spiking ResNet of Zheng et al. 2021 / Hu et al.)
//   sew_add / sew_and / sew_iand   y = g(neuron(m), x)   spike-element-wise (nn/sew.h; Fang et al. 2021)
//   none          y = neuron(m)                     the plain block, for nets of the same depth without skips
// The neuron is the block's `neuron` model (the config's `neuron` unless set),
// with the network-wide neuron parameters.
// References: Vicente-Sola, Manna, Kirkland, Di Caterina, Bihl 2022, "Keys to
// accurate feature extraction using residual spiking neural networks", NCE
// 2:044001 (Fig. 2, model.py); Fang et al. 2021 NeurIPS (SEW ResNet, eq. 11).
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "nn/layer_spec.h"
#include "nn/network.h"

namespace spikeforge {

enum class SkipKind { SpikeAdd, MembraneAdd, SewAdd, SewAnd, SewIand, None };
SkipKind parse_skip_kind(const std::string& s);  // throws ConfigError
const char* skip_kind_name(SkipKind k);

// Builds one layer from a spec (the network builder's make_layer).
using LayerMaker = std::function<std::unique_ptr<Layer>(const LayerSpec& spec, FeatShape in)>;

// Adds the nodes of `block` (type "resblock") reading node `input`; returns the block's output node.
int add_residual_block(Network& net, const LayerSpec& block, int input, const LayerMaker& make);

}  // namespace spikeforge
