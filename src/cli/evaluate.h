// Evaluation of a network on a whole data set with the dense or the
// event-driven engine: accuracy, mean loss, firing rates, spikes and SynOps
// per sample, and throughput.
#pragma once
#include <string>

#include "cli/config.h"
#include "data/image_dataset.h"
#include "engine/dense_engine.h"
#include "nn/network.h"

namespace spikeforge {

enum class EngineKind { Dense, Event };
EngineKind parse_engine_kind(const std::string& s);  // throws ConfigError
const char* engine_name(EngineKind k);

struct EvalResult {
  double accuracy = 0, loss = 0, seconds = 0;
  double spikes_per_sample = 0, synops_per_sample = 0;
  int64_t samples = 0;
  FiringRates rates;
};

// Encoding randomness (rate encoder) comes from Rng(cfg.seed).derive(key).
EvalResult evaluate_dataset(Network& net, const TrainConfig& cfg, const ImageDataset& ds, uint64_t key,
                            EngineKind engine = EngineKind::Dense);

}  // namespace spikeforge
