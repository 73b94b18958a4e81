#include "cli/model_loader.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "data/image_dataset.h"
#include "nn/network_builder.h"

namespace spikeforge {

bool is_checkpoint_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  return in.read(magic, sizeof magic) && std::memcmp(magic, "SPKFCKPT", sizeof magic) == 0;  // io/checkpoint.h
}

nlohmann::json layer_spec_json(const LayerSpec& s) {
  nlohmann::json j = {{"type", s.type}};
  if (!s.name.empty()) j["name"] = s.name;
  if (!s.from.empty()) j["from"] = s.from;
  const std::string& t = s.type;
  if (t == "conv2d") {
    j["channels"] = s.channels, j["kernel"] = s.kernel, j["stride"] = s.stride, j["pad"] = s.pad, j["bias"] = s.bias;
  } else if (t == "linear") {
    j["units"] = s.units, j["bias"] = s.bias;
  } else if (t == "maxpool2d" || t == "avgpool2d") {
    j["kernel"] = s.kernel, j["stride"] = s.stride, j["pad"] = s.pad;
  } else if (t == "batchnorm") {
    j["eps"] = double(s.eps), j["momentum"] = double(s.momentum);  // float -> double -> float is exact
  } else if (t == "relu") {
    j["ceiling"] = double(s.ceiling), j["levels"] = s.levels;
  } else if (t == "normalize") {
    j["mean"] = double(s.mean), j["std"] = double(s.stddev);
  } else if (t == "dropout") {
    j["p"] = double(s.p);
  } else if (t == "ilif") {
    j["k"] = double(s.k), j["threshold"] = double(s.threshold);
  } else if (t == "scale") {
    j["factor"] = double(s.factor);
  } else if (t == "spike_maxpool") {
    j["kernel"] = s.kernel, j["stride"] = s.stride, j["pad"] = s.pad, j["mode"] = s.mode;
  } else if (t == "lif" || t == "readout") {
    j["beta"] = double(s.beta);
    if (t == "lif") j["threshold"] = double(s.threshold);
  } else if (t == "if") {
    j["threshold"] = double(s.threshold);
  } else if (t != "flatten" && t != "global_avgpool" && t != "add") {
    throw InternalError("layer_spec_json: layer type " + t + " has keys this writer does not know");
  }
  return j;
}

TrainConfig imported_config(const ImportedNetwork& imp, const std::string& data_dir, const std::string& origin) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerSpec& s : imp.layers) layers.push_back(layer_spec_json(s));
  nlohmann::json j = {{"timesteps", 1},
                      {"batch_size", 256},
                      {"data", {{"dir", data_dir.empty() ? std::string(kDefaultFashionMnistDir) : data_dir}}},
                      {"layers", layers}};
  return parse_train_config(j, origin + " (imported)");
}

LoadedModel load_onnx_model(const std::string& path, FeatShape input, const ModelOptions& o) {
  OnnxImportOptions io;
  io.data_shape = input;
  io.input_mean = o.input_mean;
  io.input_std = o.input_std;
  ImportedNetwork imp = import_onnx_file(path, io);
  LoadedModel m;
  m.cfg = imported_config(imp, o.data_dir, path);
  m.net = build_network(m.cfg.layers, m.cfg.network_defaults(), input, path + " (imported)");
  load_weights(*m.net, imp.params, imp.buffers, path);
  m.meta = {{"epoch", 0},
            {"source", path},
            {"opset", imp.opset},
            {"onnx_input", imp.input_name},
            {"onnx_output", imp.output_name}};
  return m;
}

LoadedModel load_model(const std::string& path, FeatShape input, const ModelOptions& o) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (!is_checkpoint_file(path) && ext == ".onnx") return load_onnx_model(path, input, o);
  if (o.input_mean || o.input_std)
    throw ConfigError(path +
                      ": --input-mean/--input-std apply to ONNX models only; a checkpoint stores its own "
                      "normalize layer");
  return load_model_checkpoint(path, input);
}

nlohmann::json layer_table(const TrainConfig& cfg, const Network& net) {
  nlohmann::json t = nlohmann::json::array();
  const auto& layers = net.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = *layers[i];
    t.push_back({{"index", i},
                 {"name", i < cfg.layers.size() ? cfg.layers[i].name : std::string()},
                 {"type", l.kind()},
                 {"input", l.in_shape().str()},
                 {"output", l.out_shape().str()},
                 {"parameters", l.param_count()}});
  }
  return t;
}

void print_layer_table(const nlohmann::json& table) {
  int w = 4;  // the name column fits the longest name (ONNX names can be long)
  for (const auto& r : table) w = std::max(w, int(r["name"].get<std::string>().size()));
  std::printf("%3s  %-*s  %-15s %-15s %-15s %10s\n", "#", w, "name", "type", "input", "output", "parameters");
  int64_t total = 0;
  for (const auto& r : table) {
    std::printf("%3d  %-*s  %-15s %-15s %-15s %10lld\n", r["index"].get<int>(), w, r["name"].get<std::string>().c_str(),
                r["type"].get<std::string>().c_str(), r["input"].get<std::string>().c_str(),
                r["output"].get<std::string>().c_str(), (long long)r["parameters"].get<int64_t>());
    total += r["parameters"].get<int64_t>();
  }
  std::printf("%3s  %-*s  %-15s %-15s %-15s %10lld\n", "", w, "total", "", "", "", (long long)total);
}

}  // namespace spikeforge
