#include "nn/network_builder.h"

#include <map>

#include "core/error.h"
#include "nn/add.h"
#include "nn/avg_pool2d.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/flatten.h"
#include "nn/global_avg_pool.h"
#include "nn/ilif_layer.h"
#include "nn/leaky_readout.h"
#include "nn/lif_layer.h"
#include "nn/linear.h"
#include "nn/max_pool2d.h"
#include "nn/normalize.h"
#include "nn/relu.h"
#include "nn/scale.h"
#include "nn/spike_max_pool.h"

namespace spikeforge {
namespace {

std::unique_ptr<Layer> make_layer(const NetworkDefaults& d, const LayerSpec& s, FeatShape in, size_t i) {
  if (s.type == "conv2d") return std::make_unique<Conv2d>(in, s.channels, s.kernel, s.stride, s.pad, s.bias);
  if (s.type == "linear") return std::make_unique<Linear>(in, s.units, s.bias);
  if (s.type == "maxpool2d") return std::make_unique<MaxPool2d>(in, s.kernel, s.stride, s.pad);
  if (s.type == "avgpool2d") return std::make_unique<AvgPool2d>(in, s.kernel, s.stride, s.pad);
  if (s.type == "global_avgpool") return std::make_unique<GlobalAvgPool>(in);
  if (s.type == "flatten") return std::make_unique<Flatten>(in);
  if (s.type == "dropout") return std::make_unique<Dropout>(in, s.p, Rng(d.seed).derive(1000 + i).next_u64());
  if (s.type == "batchnorm") return std::make_unique<BatchNorm>(in, s.eps, s.momentum);
  if (s.type == "relu") return std::make_unique<Relu>(in, s.ceiling, s.levels);
  if (s.type == "add") return std::make_unique<Add>(in);
  if (s.type == "normalize") return std::make_unique<Normalize>(in, s.mean, s.stddev);
  if (s.type == "scale") return std::make_unique<Scale>(in, s.factor);
  if (s.type == "ilif") return std::make_unique<IlifLayer>(in, s.k, s.threshold);
  if (s.type == "spike_maxpool")
    return std::make_unique<SpikeMaxPool>(in, s.kernel, s.stride, s.pad, parse_spike_pool_mode(s.mode));
  if (s.type == "readout") return std::make_unique<LeakyReadout>(in, s.beta > 0 ? s.beta : d.spiking.lif.beta);
  if (s.type == "lif" || s.type == "if") {
    SpikingParams p = d.spiking;
    if (s.beta > 0) p.lif.beta = s.beta;
    if (s.threshold > 0) p.lif.theta = s.threshold;
    return std::make_unique<LifLayer>(in, p, s.type == "if");
  }
  throw InternalError("build_network: unhandled layer type " + s.type);
}

bool needs_image(const std::string& type) {
  return type == "conv2d" || type == "maxpool2d" || type == "avgpool2d" || type == "global_avgpool" ||
         type == "spike_maxpool";
}

}  // namespace

std::unique_ptr<Network> build_network(const std::vector<LayerSpec>& specs, const NetworkDefaults& d, FeatShape input,
                                       const std::string& origin) {
  auto net = std::make_unique<Network>(input);
  std::map<std::string, int> node_of{{"input", Network::kInput}};
  for (size_t i = 0; i < specs.size(); ++i) {
    const LayerSpec& s = specs[i];
    const std::string where = origin + ": layers[" + std::to_string(i) + "]";
    std::vector<int> inputs;
    for (const std::string& f : s.from) {
      auto it = node_of.find(f);
      if (it == node_of.end())
        throw ConfigError(where + ".from = \"" + f + "\", expected the name of an earlier layer or \"input\"");
      inputs.push_back(it->second);
    }
    const size_t arity = s.type == "add" ? 2 : 1;
    if (!inputs.empty() && inputs.size() != arity)
      throw ConfigError(where + ".from has " + std::to_string(inputs.size()) + " names, expected " +
                        std::to_string(arity));
    if (inputs.empty() && arity == 2) throw ConfigError(where + ": add needs from = [two layer names]");
    const FeatShape in = net->shape_of(inputs.empty() ? int(i) - 1 : inputs[0]);
    if (needs_image(s.type) && in.H == 1 && in.W == 1 && in.C > 1)
      throw ShapeError(where + " " + s.type + " needs an image input [C, H, W], got flat " + in.str());
    try {
      const int node = net->add(make_layer(d, s, in, i), inputs);
      if (!s.name.empty() && !node_of.emplace(s.name, node).second)
        throw ConfigError(where + ".name = \"" + s.name + "\", expected a name no other layer has");
    } catch (const ShapeError& e) {
      throw ShapeError(where + ": " + e.what());
    }
  }
  try {
    net->finalize();
  } catch (const ShapeError& e) {
    throw ShapeError(origin + ": " + e.what());
  }
  return net;
}

}  // namespace spikeforge
