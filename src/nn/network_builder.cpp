#include "nn/network_builder.h"

#include <map>

#include "core/error.h"
#include "nn/add.h"
#include "nn/avg_pool2d.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/deep_layer_factory.h"
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
#include "nn/residual_block.h"
#include "nn/scale.h"
#include "nn/sparse_spiking_linear.h"
#include "nn/spike_max_pool.h"

namespace spikeforge {
namespace {

std::unique_ptr<Layer> make_layer(const NetworkDefaults& d, const LayerSpec& s, FeatShape in, size_t i) {
  if (auto l = make_deep_layer(d, s, in)) return l;  // nn/deep_layer_factory.h
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
         type == "spike_maxpool" || type == "resblock";
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
    const size_t arity = s.type == "add" || s.type == "sew" ? 2 : 1;
    if (!inputs.empty() && inputs.size() != arity)
      throw ConfigError(where + ".from has " + std::to_string(inputs.size()) + " names, expected " +
                        std::to_string(arity));
    if (inputs.empty() && arity == 2) throw ConfigError(where + ": " + s.type + " needs from = [two layer names]");
    const int input = inputs.empty() ? int(net->layers().size()) - 1 : inputs[0];  // a resblock adds several nodes
    const FeatShape in = net->shape_of(input);
    if (needs_image(s.type) && in.H == 1 && in.W == 1 && in.C > 1)
      throw ShapeError(where + " " + s.type + " needs an image input [C, H, W], got flat " + in.str());
    // backward = "sparse": a linear and the lif reading it become one layer (nn/sparse_spiking_linear.h).
    if (d.sparse_backward && s.type == "linear" && i + 1 < specs.size() && specs[i + 1].type == "lif" &&
        specs[i + 1].from.empty()) {
      const LayerSpec& lif = specs[++i];
      SpikingParams p = d.spiking;
      if (lif.beta > 0) p.lif.beta = lif.beta;
      if (lif.threshold > 0) p.lif.theta = lif.threshold;
      try {
        const int node = net->add(std::make_unique<SparseSpikingLinear>(in, s.units, s.bias, p), inputs);
        for (const std::string& name : {s.name, lif.name})
          if (!name.empty() && !node_of.emplace(name, node).second)
            throw ConfigError(where + ".name = \"" + name + "\", expected a name no other layer has");
      } catch (const ShapeError& e) {
        throw ShapeError(where + ": " + e.what());
      }
      continue;
    }
    try {
      const int node =
          s.type == "resblock"  // nn/residual_block.h
              ? add_residual_block(*net, s, input,
                                   [&](const LayerSpec& b, FeatShape bin) { return make_layer(d, b, bin, i); })
              : net->add(make_layer(d, s, in, i), inputs);
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
