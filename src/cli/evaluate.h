// Evaluation of a network on a whole data set with the dense engine:
// accuracy, mean loss, firing rates and throughput.
#pragma once
#include "cli/config.h"
#include "data/image_dataset.h"
#include "engine/dense_engine.h"
#include "nn/network.h"

namespace spikeforge {

struct EvalResult {
  double accuracy = 0, loss = 0, seconds = 0;
  int64_t samples = 0;
  FiringRates rates;
};

// Encoding randomness (rate encoder) comes from Rng(cfg.seed).derive(key).
EvalResult evaluate_dataset(Network& net, const TrainConfig& cfg, const ImageDataset& ds, uint64_t key);

}  // namespace spikeforge
