// Builds the network a TrainConfig describes, for inputs of the given shape.
#pragma once
#include <memory>

#include "cli/config.h"
#include "nn/network.h"

namespace spikeforge {

// ShapeError/ConfigError name the layer index when layers do not fit.
std::unique_ptr<Network> build_network(const TrainConfig& c, FeatShape input, const std::string& origin);

}  // namespace spikeforge
