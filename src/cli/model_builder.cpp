#include "cli/model_builder.h"

#include "core/error.h"
#include "nn/avg_pool2d.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/flatten.h"
#include "nn/leaky_readout.h"
#include "nn/lif_layer.h"
#include "nn/linear.h"
#include "nn/max_pool2d.h"

namespace spikeforge {

static std::unique_ptr<Layer> make_layer(const TrainConfig& c, const LayerSpec& s, FeatShape in, size_t i) {
  if (s.type == "conv2d") return std::make_unique<Conv2d>(in, s.channels, s.kernel, s.stride, s.pad, s.bias);
  if (s.type == "linear") return std::make_unique<Linear>(in, s.units, s.bias);
  if (s.type == "maxpool2d") return std::make_unique<MaxPool2d>(in, s.kernel, s.stride);
  if (s.type == "avgpool2d") return std::make_unique<AvgPool2d>(in, s.kernel, s.stride);
  if (s.type == "flatten") return std::make_unique<Flatten>(in);
  if (s.type == "dropout") return std::make_unique<Dropout>(in, s.p, Rng(c.seed).derive(1000 + i).next_u64());
  if (s.type == "batchnorm") return std::make_unique<BatchNorm>(in, s.eps, s.momentum);
  if (s.type == "readout") return std::make_unique<LeakyReadout>(in, s.beta > 0 ? s.beta : c.spiking.lif.beta);
  if (s.type == "lif" || s.type == "if") {
    SpikingParams p = c.spiking;
    if (s.beta > 0) p.lif.beta = s.beta;
    if (s.threshold > 0) p.lif.theta = s.threshold;
    return std::make_unique<LifLayer>(in, p, s.type == "if");
  }
  throw InternalError("build_network: unhandled layer type " + s.type);
}

std::unique_ptr<Network> build_network(const TrainConfig& c, FeatShape input, const std::string& origin) {
  auto net = std::make_unique<Network>(input);
  for (size_t i = 0; i < c.layers.size(); ++i) {
    const LayerSpec& s = c.layers[i];
    const FeatShape in = net->last_shape();
    if ((s.type == "conv2d" || s.type == "maxpool2d" || s.type == "avgpool2d") && in.H == 1 && in.W == 1 && in.C > 1)
      throw ShapeError(origin + ": layers[" + std::to_string(i) + "] " + s.type +
                       " needs an image input [C, H, W], got flat " + in.str());
    try {
      net->add(make_layer(c, s, in, i));
    } catch (const ShapeError& e) {
      throw ShapeError(origin + ": layers[" + std::to_string(i) + "]: " + e.what());
    }
  }
  net->finalize();
  return net;
}

}  // namespace spikeforge
