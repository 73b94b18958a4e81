// A layer as configs and checkpoints describe it: a plain record that the
// network builder (nn/network_builder.h) turns into a Layer. Configs
// (cli/config.h) parse TOML into these; the ONNX importer and the converters
// produce them, so every model is rebuilt from (specs, flat parameters).
//
// Wiring: a spec reads the previous layer's output unless `from` names the
// layers (by `name`; "input" is the network input) it reads: one name, or two
// for "add".
#pragma once
#include <string>
#include <vector>

#include "nn/lif_layer.h"
#include "nn/neuron_model.h"

namespace spikeforge {

struct LayerSpec {
  std::string type;  // "conv2d", "linear", "lif", ... (see network_builder.h)
  std::string name;  // optional, unique: what `from` refers to
  std::vector<std::string> from;
  int units = 0, channels = 0, kernel = 0, stride = 0, pad = 0;
  bool bias = true;
  float p = 0.f, eps = 1e-5f, momentum = 0.1f;
  float beta = 0.f, threshold = 0.f;  // neuron overrides (0 = the network-wide neuron parameters)
  float ceiling = 0.f;                // relu
  int levels = 0;                     // relu
  float mean = 0.f, stddev = 1.f;     // normalize: y = (x - mean) / stddev
  float k = 0.f;                      // ilif: membrane amplification (threshold: `threshold`)
  float factor = 1.f;                 // scale
  std::string mode;                   // spike_maxpool: "msb_first" | "count"
  // Deep and recurrent training (nn/deep_layer_factory.h, nn/residual_block.h):
  std::string neuron;                // recurrent, resblock: neuron model ("lif", "alif", ...; empty: lif)
  NeuronOverrides neuron_overrides;  // alif/ahp/cuba/plif/lif/recurrent: per-layer model parameters
  bool dale = false;                 // linear, recurrent: Dale's law on the weights reading a population
  float excitatory = 0.8f;           // its excitatory fraction
  std::string skip, norm;            // resblock: skip connection kind, normalisation layer type
  std::string op;                    // sew: "add" | "and" | "iand"
  float bn_alpha = 1.f;              // tdbn: normalise to alpha * threshold
};

// What every spiking layer shares unless its spec overrides it, and the seed
// that layers with their own random streams (dropout) derive from.
struct NetworkDefaults {
  SpikingParams spiking;
  uint64_t seed = 0;
  NeuronModelParams model;       // alif/ahp/cuba/plif/recurrent parameters (nn/neuron_model.h)
  int timesteps = 0;             // T the network is built for (bntt keeps one set of statistics per step)
  bool sparse_backward = false;  // linear -> lif pairs become nn/sparse_spiking_linear.h
};

}  // namespace spikeforge
