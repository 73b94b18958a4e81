// The model files commands take: a spikeforge checkpoint (cli/model_checkpoint.h)
// or an ONNX file (convert/onnx_import.h). A file that starts with the
// checkpoint magic "SPKFCKPT" is a checkpoint whatever its name; any other file
// whose name ends in ".onnx" is imported; the rest go to the checkpoint reader,
// which names what is wrong with them.
//
// An imported model becomes an ordinary TrainConfig (the layer specs written
// back as config keys and parsed again, so a checkpoint of it rebuilds the same
// network) with timesteps = 1 and the direct encoder: the ANN itself.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/config.h"
#include "cli/model_checkpoint.h"
#include "convert/onnx_import.h"
#include "nn/network.h"

namespace spikeforge {

struct ModelOptions {
  std::optional<float> input_mean, input_std;  // ONNX only: a normalize layer first
  std::string data_dir;                        // ONNX only: stored as data.dir (empty: the default)
};

// Checkpoint or ONNX, as above. ConfigError if input_mean/input_std are given for a checkpoint.
LoadedModel load_model(const std::string& path, FeatShape input, const ModelOptions& o = {});
// An ONNX file whatever its name. meta: {"epoch": 0, "source", "opset", "onnx_input", "onnx_output"}.
LoadedModel load_onnx_model(const std::string& path, FeatShape input, const ModelOptions& o = {});
// True when the file exists and starts with the checkpoint magic.
bool is_checkpoint_file(const std::string& path);

// The config of an imported network; `origin` names it in messages.
TrainConfig imported_config(const ImportedNetwork& imp, const std::string& data_dir, const std::string& origin);
// One layer spec as the [[layers]] keys of a config (cli/config.h).
nlohmann::json layer_spec_json(const LayerSpec& s);

// [{"index", "name", "type", "input", "output", "parameters"}] for reports, and its printout.
nlohmann::json layer_table(const TrainConfig& cfg, const Network& net);
void print_layer_table(const nlohmann::json& table);

}  // namespace spikeforge
