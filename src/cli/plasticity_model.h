// A model trained by a local plasticity rule, as the CLI handles it: the
// four networks of learn/ (Diehl & Cook STDP, VDSP WTA, BioLCNet R-STDP,
// desire backpropagation) behind one small interface for the training loop
// (cli/plasticity_train.cpp), and their checkpoints.
//
// Checkpoint (io/checkpoint.h container), written after every epoch:
//   "config"            resolved config, JSON text
//   "meta"              JSON: {"epoch", "learner", "network", "test_accuracy",
//                       "arrays": [names], "receptive_fields": {"count",
//                       "height", "width", "min", "max"}}
//   one float32 section per model array (weights, thresholds, labels), named in meta.arrays
//   "receptive_fields"  float32 [count, height * width]: the input weights of
//                       each first-layer neuron as an image (what `spikeforge
//                       plot` draws), values in [min, max]
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cli/config.h"
#include "data/image_dataset.h"
#include "engine/dense_engine.h"

namespace spikeforge {

struct PlasticEval {
  double accuracy = 0;                              // the figure: test accuracy of the configured read-out
  nlohmann::json extra = nlohmann::json::object();  // read-out details (vote/linear accuracy, ...)
  FiringRates rates;                                // on the test pass, spikes per neuron per step
};

struct ReceptiveFields {
  int count = 0, height = 0, width = 0;
  float min = 0, max = 1;
  std::vector<float> values;  // [count, height * width]
};

class PlasticModel {
 public:
  virtual ~PlasticModel() = default;
  virtual std::string network() const = 0;  // "diehl_cook", "vdsp_wta", "biolcnet", "desire"
  virtual std::string init_name() const = 0;
  virtual void init(Rng& rng) = 0;
  // One online training step on image x (label y); key seeds its randomness.
  // Returns 1 when the training-time prediction was right (-1: no prediction).
  virtual int train_sample(const float* x, int y, int epoch, uint64_t key) = 0;
  virtual void end_epoch(int /*epoch*/) {}
  // Read-out fitting (if any) on the training split, then the test split.
  virtual PlasticEval evaluate(const ImageDataset& train, const ImageDataset& test, int epoch) = 0;
  // Named arrays that make up the model (checkpointed, restored by --resume).
  virtual std::vector<std::pair<std::string, std::vector<float>*>> arrays() = 0;
  virtual ReceptiveFields receptive_fields() const = 0;
  virtual int64_t parameter_count() = 0;
};

std::unique_ptr<PlasticModel> make_plastic_model(const TrainConfig& cfg, const ImageDataset& train);

void save_plastic_checkpoint(const std::string& path, const TrainConfig& cfg, PlasticModel& m,
                             const nlohmann::json& meta);
// Restores the arrays; returns the completed epochs. InputError naming the file on mismatch.
int load_plastic_checkpoint(const std::string& path, PlasticModel& m, const std::string& learner);
// The receptive fields of any plasticity checkpoint (for `spikeforge plot`);
// InputError when the file is not a checkpoint or holds none.
ReceptiveFields read_receptive_fields(const std::string& path);

}  // namespace spikeforge
