#include "cli/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string_view>

#include "cli/config_reader.h"
#include "cli/deep_config.h"
#include "core/enum_names.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/image_dataset.h"
#include "nn/spike_max_pool.h"

namespace spikeforge {
using nlohmann::json;

namespace {

json toml_to_json(const toml::node& n) {
  if (auto* t = n.as_table()) {
    json j = json::object();
    for (auto&& [k, v] : *t) j[std::string(k.str())] = toml_to_json(v);
    return j;
  }
  if (auto* a = n.as_array()) {
    json j = json::array();
    for (auto&& v : *a) j.push_back(toml_to_json(v));
    return j;
  }
  if (auto* v = n.as_integer()) return v->get();
  if (auto* v = n.as_floating_point()) return v->get();
  if (auto* v = n.as_boolean()) return v->get();
  if (auto* v = n.as_string()) return v->get();
  return json();  // dates and times: rejected as wrong types later
}

// String-valued choices that are not enums of a module.
constexpr EnumName<std::string_view> kDatasets[] = {{"fashion-mnist", "fashion-mnist"}, {"mnist", "mnist"}};
constexpr EnumName<std::string_view> kLearners[] = {
    {"bptt", "bptt"}, {"stdp", "stdp"}, {"vdsp", "vdsp"}, {"rstdp", "rstdp"}, {"desire", "desire"}};
constexpr EnumName<std::string_view> kNeurons[] = {{"lif", "lif"}, {"if", "if"},     {"alif", "alif"},
                                                   {"ahp", "ahp"}, {"cuba", "cuba"}, {"plif", "plif"}};
constexpr EnumName<std::string_view> kLayerTypes[] = {
    {"conv2d", "conv2d"},
    {"linear", "linear"},
    {"maxpool2d", "maxpool2d"},
    {"avgpool2d", "avgpool2d"},
    {"flatten", "flatten"},
    {"dropout", "dropout"},
    {"batchnorm", "batchnorm"},
    {"neuron", "neuron"},
    {"lif", "lif"},
    {"if", "if"},
    {"readout", "readout"},
    {"relu", "relu"},
    {"add", "add"},
    {"global_avgpool", "global_avgpool"},
    {"normalize", "normalize"},
    {"ilif", "ilif"},
    {"scale", "scale"},
    {"spike_maxpool", "spike_maxpool"},
    {"alif", "alif"},  // deep and recurrent training: cli/deep_config.h
    {"ahp", "ahp"},
    {"cuba", "cuba"},
    {"plif", "plif"},
    {"recurrent", "recurrent"},
    {"bntt", "bntt"},
    {"tdbn", "tdbn"},
    {"sew", "sew"},
    {"resblock", "resblock"}};

template <size_t N>
auto parse_string_choice(const char* key, const EnumName<std::string_view> (&table)[N]) {
  return [key, &table](const std::string& s) { return std::string(parse_enum(key, s, table)); };
}

void read_data(TrainConfig& c, const json& j, const std::string& origin) {
  ConfigReader r(table_or_empty(j, "data"), c.resolved["data"], origin, "data.");
  c.dataset = r.choice("dataset", "fashion-mnist", parse_string_choice("dataset", kDatasets));
  c.data_dir = r.string("dir", default_dataset_dir(c.dataset));
  c.encoder.kind = r.choice("encoder", "direct", parse_encoder_kind);
  c.encoder.rate_gain = r.number("rate_gain", 1.0, 0.0, 1.0, true);
  c.encoder.latency_threshold = r.number("latency_threshold", 0.2, 0.0, 1.0);
  c.encoder.latency_tau = r.number("latency_tau", 20.0, 0.0, 1e6, true);
  c.train_limit = r.integer("train_limit", 0, 0, int64_t(1) << 40);
  c.test_limit = r.integer("test_limit", 0, 0, int64_t(1) << 40);
  c.holdout = r.integer("holdout", 0, 0, int64_t(1) << 40);
  read_augment(r, c.augment);
  r.reject_unknown();
}

void read_neuron_params(TrainConfig& c, const json& j, const std::string& origin) {
  ConfigReader r(table_or_empty(j, "neuron_params"), c.resolved["neuron_params"], origin, "neuron_params.");
  c.spiking.lif.beta = r.number("beta", 0.9, 0.0, 1.0);
  c.spiking.lif.theta = r.number("threshold", 1.0, 0.0, 1e6, true);
  c.spiking.lif.reset = r.choice("reset", "soft", parse_reset_kind);
  c.spiking.lif.detach_reset = r.boolean("detach_reset", false);
  c.spiking.surrogate = r.choice("surrogate", "arctan", parse_surrogate_kind);
  c.spiking.surrogate_width = r.number("surrogate_width", 0.5, 0.0, 100.0, true);
  c.spiking.surrogate_band = r.number("surrogate_band", 0.0, 0.0, 100.0);
  read_neuron_model_params(r, c.model);  // cli/deep_config.h
  r.reject_unknown();
}

void read_optimizer(TrainConfig& c, const json& j, const std::string& origin) {
  ConfigReader r(table_or_empty(j, "optimizer"), c.resolved["optimizer"], origin, "optimizer.");
  OptimizerParams& o = c.optimizer;
  o.kind = r.choice("name", "adam", parse_optimizer_kind);
  o.momentum = r.number("momentum", 0.9, 0.0, 1.0);
  o.weight_decay = r.number("weight_decay", 0.0, 0.0, 1.0);
  o.beta1 = r.number("beta1", 0.9, 0.0, 1.0);
  o.beta2 = r.number("beta2", 0.999, 0.0, 1.0);
  o.eps = r.number("eps", 1e-8, 0.0, 1.0, true);
  c.schedule.kind = r.choice("schedule", "cosine", parse_schedule_kind);
  c.schedule.lr_min = r.number("lr_min", 0.0, 0.0, 10.0);
  c.schedule.step_epochs = static_cast<int>(r.integer("step_epochs", 10, 1, 1 << 20));
  c.schedule.gamma = r.number("gamma", 0.1, 0.0, 1.0, true);
  r.reject_unknown();
}

void read_loss(TrainConfig& c, const json& j, const std::string& origin) {
  ConfigReader r(table_or_empty(j, "loss"), c.resolved["loss"], origin, "loss.");
  c.loss.kind = r.choice("name", "ce_mem_mean", parse_loss_kind);
  c.loss.correct_rate = r.number("correct_rate", 1.0, 0.0, 1.0);
  c.loss.incorrect_rate = r.number("incorrect_rate", 0.0, 0.0, 1.0);
  c.loss.label_smoothing = r.number("label_smoothing", 0.0, 0.0, 0.999);
  r.reject_unknown();
}

LayerSpec read_layer(const json& lj, json& out, const std::string& origin, size_t i, const std::string& neuron) {
  ConfigReader r(lj, out, origin, "layers[" + std::to_string(i) + "].");
  LayerSpec s;
  s.type = r.choice("type", "", parse_string_choice("type", kLayerTypes));
  if (s.type == "neuron") s.type = neuron;
  out["type"] = s.type;  // resolved, so a stored config rebuilds the same layer
  s.name = r.string("name", "");
  s.from = r.names("from");
  if (s.type == "conv2d") {
    s.channels = int(r.integer("channels", 0, 1, 1 << 16));
    s.kernel = int(r.integer("kernel", 3, 1, 64));
    s.stride = int(r.integer("stride", 1, 1, 64));
    s.pad = int(r.integer("pad", 0, 0, 64));
    s.bias = r.boolean("bias", true);
    if (!lj.contains("channels")) r.fail("channels", "(missing)", "an integer >= 1");
  } else if (s.type == "linear") {
    s.units = int(r.integer("units", 0, 1, 1 << 24));
    s.bias = r.boolean("bias", true);
    if (!lj.contains("units")) r.fail("units", "(missing)", "an integer >= 1");
  } else if (s.type == "maxpool2d" || s.type == "avgpool2d") {
    s.kernel = int(r.integer("kernel", 2, 1, 64));
    s.stride = int(r.integer("stride", s.kernel, 1, 64));
    s.pad = int(r.integer("pad", 0, 0, 32));
  } else if (s.type == "normalize") {
    s.mean = r.number("mean", 0.0, -1e6, 1e6);
    s.stddev = r.number("std", 1.0, 0.0, 1e6, true);
  } else if (s.type == "dropout") {
    s.p = r.number("p", 0.5, 0.0, 0.99);
  } else if (s.type == "batchnorm") {
    s.eps = r.number("eps", 1e-5, 0.0, 1.0, true);
    s.momentum = r.number("momentum", 0.1, 0.0, 1.0, true);
  } else if (s.type == "ilif") {
    s.k = r.number("k", 2.0, 1.0, 64.0);
    s.threshold = r.number("threshold", 1.0, 0.0, 1e30, true);
  } else if (s.type == "scale") {
    s.factor = r.number("factor", 1.0, -1e30, 1e30);
  } else if (s.type == "spike_maxpool") {
    s.kernel = int(r.integer("kernel", 2, 1, 64));
    s.stride = int(r.integer("stride", s.kernel, 1, 64));
    s.pad = int(r.integer("pad", 0, 0, 32));
    s.mode = r.choice("mode", "msb_first",
                      [](const std::string& m) { return std::string(spike_pool_mode_name(parse_spike_pool_mode(m))); });
  } else if (s.type == "relu") {
    s.ceiling = r.number("ceiling", 0.0, 0.0, 1e6);
    s.levels = int(r.integer("levels", 0, 0, 1 << 24));
  } else if (s.type == "lif" || s.type == "if" || s.type == "readout") {
    // A read-out may amplify (beta up to 16): a converted SNN's read-out
    // integrates as the SpikeConverter neuron accumulates (beta = k).
    if (s.type != "if") s.beta = r.number("beta", 0.0, 0.0, s.type == "readout" ? 16.0 : 1.0);
    if (s.type != "readout") s.threshold = r.number("threshold", 0.0, 0.0, 1e6);
  }
  read_deep_layer(r, lj, s, neuron);  // cli/deep_config.h: its types, and dale / refractory / learn_beta
  r.reject_unknown();
  return s;
}

void read_layers(TrainConfig& c, const json& j, const std::string& origin) {
  if (!j.contains("layers") || !j["layers"].is_array() || j["layers"].empty())
    throw ConfigError(origin + ": layers is missing, expected an array of [[layers]] tables");
  c.resolved["layers"] = json::array();
  for (size_t i = 0; i < j["layers"].size(); ++i) {
    json out = json::object();
    c.layers.push_back(read_layer(j["layers"][i], out, origin, i, c.neuron));
    c.resolved["layers"].push_back(out);
  }
}

// [init_params] (with init = "fluctuation") and [bptt]: cli/deep_config.h.
void read_deep_tables(TrainConfig& c, const json& j, const std::string& origin) {
  if (c.fluctuation_init || j.contains("init_params")) {
    ConfigReader r(table_or_empty(j, "init_params"), c.resolved["init_params"], origin, "init_params.");
    read_fluctuation_params(r, c.fluctuation);
    r.reject_unknown();
  }
  if (j.contains("bptt")) {
    ConfigReader r(j["bptt"], c.resolved["bptt"], origin, "bptt.");
    read_bptt_params(r, c.bptt);
    r.reject_unknown();
  }
}

}  // namespace

json read_toml_as_json(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw InputError(path + ": config file not found");
  try {
    toml::table t = toml::parse_file(path);
    return toml_to_json(t);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ConfigError(path + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) + ": " +
                      std::string(e.description()));
  }
}

TrainConfig parse_train_config(const json& j, const std::string& origin) {
  TrainConfig c;
  c.resolved = json::object();
  ConfigReader r(j, c.resolved, origin, "");
  c.seed = static_cast<uint64_t>(r.integer("seed", 0, 0, int64_t(1) << 62));
  c.timesteps = int(r.integer("timesteps", 8, 1, 100000));
  c.epochs = int(r.integer("epochs", 1, 1, 100000));
  c.batch_size = int(r.integer("batch_size", 64, 1, 1 << 20));
  c.threads = int(r.integer("threads", 0, 0, 4096));
  c.lr = r.number("lr", 1e-3, 0.0, 100.0, true);
  c.learner = r.choice("learner", "bptt", parse_string_choice("learner", kLearners));
  if (is_plasticity_learner(c.learner)) return parse_plasticity_config(j, origin);  // cli/plasticity_config.h
  c.neuron = r.choice("neuron", "lif", parse_string_choice("neuron", kNeurons));
  const std::string init = r.choice("init", "kaiming_uniform", [](const std::string& s) {
    if (s != "fluctuation") parse_init_kind(s);  // throws, naming the choices
    return s;
  });
  c.fluctuation_init = init == "fluctuation";  // cli/deep_config.h; the other layers: kaiming_uniform
  c.init = c.fluctuation_init ? InitKind::KaimingUniform : parse_init_kind(init);
  c.init_gain = r.number("init_gain", 1.0, 0.0, 1e3, true);
  c.precise_bn_batches = int(r.integer("precise_bn_batches", 0, 0, 1 << 20));
  c.ema_decay = r.number("ema_decay", 0.0, 0.0, 0.99999);
  c.eval_every = int(r.integer("eval_every", 1, 1, 1 << 20));
  c.sparse_backward = r.choice("backward", "dense", [](const std::string& b) {
    if (b != "dense" && b != "sparse") throw ConfigError("backward: expected dense or sparse");
    return b;
  }) == "sparse";
  for (const char* t : {"data", "neuron_params", "optimizer", "loss", "layers", "init_params", "bptt"}) r.allow(t);
  r.reject_unknown();
  read_deep_tables(c, j, origin);
  read_data(c, j, origin);
  read_neuron_params(c, j, origin);
  read_optimizer(c, j, origin);
  read_loss(c, j, origin);
  read_layers(c, j, origin);
  return c;
}

}  // namespace spikeforge
