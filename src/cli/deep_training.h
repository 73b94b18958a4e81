// What `train` (and `eval`) need for deep and recurrent training: the input
// shape a sequential encoder gives the network, fluctuation-driven
// initialisation on real training images, and the neuron/init names the
// report carries (what was really used, DESIGN.md's report keys).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "cli/config.h"
#include "data/image_dataset.h"
#include "nn/network.h"

namespace spikeforge {

// The per-step input of the network for images [C, H, W]: the image itself,
// or one row [W] / one pixel [1] per step for the sequential encoders, whose
// T must then be H (rows) or H W (pixels): ConfigError naming `origin` otherwise.
FeatShape network_input_shape(const TrainConfig& cfg, int C, int H, int W, const std::string& origin);

// Initialises net from cfg.fluctuation.samples training images (the first
// ones, encoded as in training); returns the report entry: the targets and,
// per layer, the weight distribution set and the free membrane it gives.
nlohmann::json run_fluctuation_init(Network& net, const TrainConfig& cfg, const ImageDataset& train);

// Precise BN (nn/running_stats.h): makes every normalisation layer's running
// statistics the plain mean over the first cfg.precise_bn_batches batches of
// training epoch `epoch` (the training order, Batcher), run with dropout off.
void reestimate_norm_stats(Network& net, const TrainConfig& cfg, const ImageDataset& train, int epoch);

// The neuron models of the network's spiking layers, as their kinds joined by
// "+" in order of appearance ("lif", "ralif", "alif+lif"), or cfg.neuron if none.
std::string neuron_label(const Network& net, const TrainConfig& cfg);
// "fluctuation" or the init kind's name.
std::string init_label(const TrainConfig& cfg);

}  // namespace spikeforge
