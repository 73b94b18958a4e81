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
};

// What every spiking layer shares unless its spec overrides it, and the seed
// that layers with their own random streams (dropout) derive from.
struct NetworkDefaults {
  SpikingParams spiking;
  uint64_t seed = 0;
};

}  // namespace spikeforge
