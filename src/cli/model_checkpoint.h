// A trained model as a checkpoint (io/checkpoint.h container):
//   "config"    resolved TrainConfig, JSON text (rebuilds the network)
//   "meta"      JSON: {"epoch": completed epochs, "param_count", "buffer_count", "test_accuracy" (if evaluated)}
//   "params"    float32 [param_count]   the network's flat parameters
//   "buffers"   float32 [buffer_count]  non-trained state (BatchNorm statistics)
//   "optimizer" float32 optimiser state (for --resume)
//   "train_params" float32 [param_count], only with ema_decay > 0: the weights
//               training continues from; "params" then hold their average
//               (learn/weight_average.h), the model that was evaluated, and
//               meta has "ema_steps"
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/config.h"
#include "learn/optimizer.h"
#include "nn/network.h"

namespace spikeforge {

void save_model_checkpoint(const std::string& path, const TrainConfig& cfg, Network& net, const Optimizer* opt,
                           const nlohmann::json& meta, const std::vector<float>* train_params = nullptr);

struct LoadedModel {
  TrainConfig cfg;
  std::unique_ptr<Network> net;
  nlohmann::json meta;
  std::vector<float> optimizer_state;
};

// Throws InputError naming the file when it is not a valid model checkpoint.
LoadedModel load_model_checkpoint(const std::string& path, FeatShape input);
// Copies a checkpoint's parameters and buffers into `net`, checking sizes.
void load_weights(Network& net, const std::vector<float>& params, const std::vector<float>& buffers,
                  const std::string& origin);

}  // namespace spikeforge
