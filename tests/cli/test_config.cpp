// Training configuration: validation errors name origin, key and value; the
// resolved JSON carries every default.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/config.h"
#include "core/error.h"
#include "nn/network_builder.h"

using namespace spikeforge;
using nlohmann::json;

namespace {

json minimal() { return json::parse(R"({"layers": [{"type": "linear", "units": 10}]})"); }

// Expects parse_train_config(j) to throw ConfigError; returns the message.
std::string config_error(const json& j) {
  try {
    parse_train_config(j, "test.toml");
  } catch (const ConfigError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ConfigError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected ConfigError for " << j.dump();
  return "";
}

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "message: " << (msg)

}  // namespace

TEST(Config, UnknownKeyIsNamed) {
  json j = minimal();
  j["timestep"] = 8;  // typo of timesteps
  std::string m = config_error(j);
  EXPECT_HAS(m, "test.toml");
  EXPECT_HAS(m, "'timestep'");
  EXPECT_HAS(m, "timesteps");  // the list of expected keys

  j = minimal();
  j["optimizer"] = {{"nmae", "sgd"}};
  m = config_error(j);
  EXPECT_HAS(m, "optimizer.nmae");

  j = minimal();
  j["layers"][0]["kernel"] = 3;  // not a linear layer's key
  m = config_error(j);
  EXPECT_HAS(m, "layers[0].kernel");

  j = minimal();
  j["data"] = {{"encoding", "rate"}};
  EXPECT_HAS(config_error(j), "data.encoding");
}

TEST(Config, OutOfRangeValueIsNamed) {
  json j = minimal();
  j["timesteps"] = -1;
  std::string m = config_error(j);
  EXPECT_HAS(m, "test.toml");
  EXPECT_HAS(m, "timesteps");
  EXPECT_HAS(m, "-1");
  EXPECT_HAS(m, "expected");

  j = minimal();
  j["timesteps"] = 0;
  EXPECT_HAS(config_error(j), "timesteps = 0");

  j = minimal();
  j["lr"] = 0.0;  // lr in (0, 100]
  EXPECT_HAS(config_error(j), "lr");

  j = minimal();
  j["neuron_params"] = {{"beta", 1.5}};
  EXPECT_HAS(config_error(j), "neuron_params.beta");

  j = minimal();
  j["layers"][0]["units"] = 0;
  EXPECT_HAS(config_error(j), "layers[0].units");

  j = minimal();
  j["data"] = {{"augment_shift", -1}};
  EXPECT_HAS(config_error(j), "data.augment_shift = -1");

  j = minimal();
  j["precise_bn_batches"] = -2;
  EXPECT_HAS(config_error(j), "precise_bn_batches = -2");

  j = minimal();
  j["ema_decay"] = 1.0;  // d = 1 would never move off the initial weights
  EXPECT_HAS(config_error(j), "ema_decay = 1");

  j = minimal();
  j["eval_every"] = 0;
  EXPECT_HAS(config_error(j), "eval_every = 0");

  j = minimal();
  j["loss"] = {{"label_smoothing", 1.0}};  // e in [0, 0.999]: e = 1 would ignore the label
  EXPECT_HAS(config_error(j), "loss.label_smoothing = 1");

  j = minimal();
  j["loss"] = {{"name", "hinge"}};
  m = config_error(j);
  EXPECT_HAS(m, "loss.");
  EXPECT_HAS(m, "hinge");
}

// An unknown choice names the key as the user wrote it ("table.key"), per
// STYLE.md: "where, what was found, what was expected".
TEST(Config, UnknownChoiceNamesTheKey) {
  const struct {
    const char* table;
    const char* key;
    const char* value;
  } cases[] = {{"data", "encoder", "poisson"},
               {"neuron_params", "reset", "zero"},
               {"neuron_params", "surrogate", "sigmoid"},
               {"optimizer", "schedule", "linear"},
               {"optimizer", "name", "rmsprop"},
               {"loss", "name", "hinge"}};
  for (const auto& c : cases) {
    json j = minimal();
    j[c.table] = {{c.key, c.value}};
    const std::string m = config_error(j);
    EXPECT_HAS(m, std::string(c.table) + "." + c.key + " = \"" + c.value + "\"");
  }
  json j = minimal();
  j["init"] = "xavier";
  EXPECT_HAS(config_error(j), "init = \"xavier\"");
  j = minimal();
  j["layers"][0]["type"] = "lstm";
  EXPECT_HAS(config_error(j), "layers[0].type = \"lstm\"");
}

// The unsupervised learners' read-out is chosen in their own table; a wrong
// choice names the table's key.
TEST(Config, ReadoutInStdpAndVdspTables) {
  for (const char* learner : {"stdp", "vdsp"}) {
    json j = {{"learner", learner}, {learner, {{"readout", "linear"}, {"readout_epochs", 5}}}};
    const TrainConfig c = parse_train_config(j, "test.toml");
    EXPECT_EQ(c.plasticity.readout, "linear") << learner;
    EXPECT_EQ(c.plasticity.readout_epochs, 5) << learner;
    j[learner]["readout"] = "proportion";
    EXPECT_EQ(parse_train_config(j, "test.toml").plasticity.readout, "proportion") << learner;
    j[learner]["readout"] = "knn";
    EXPECT_HAS(config_error(j), std::string(learner) + ".readout = \"knn\"");
  }
}

TEST(Config, WrongTypeIsNamed) {
  json j = minimal();
  j["batch_size"] = "64";  // a string, not an integer
  std::string m = config_error(j);
  EXPECT_HAS(m, "batch_size");
  EXPECT_HAS(m, "\"64\"");
  EXPECT_HAS(m, "integer");

  j = minimal();
  j["epochs"] = 2.5;  // a float where an integer is required
  EXPECT_HAS(config_error(j), "epochs");

  j = minimal();
  j["lr"] = "fast";
  EXPECT_HAS(config_error(j), "lr");

  j = minimal();
  j["neuron_params"] = {{"detach_reset", 1}};
  EXPECT_HAS(config_error(j), "neuron_params.detach_reset");

  j = minimal();
  j["optimizer"] = "adam";  // a string where a table is expected
  EXPECT_HAS(config_error(j), "optimizer");

  j = minimal();
  j["layers"] = json::object();
  EXPECT_HAS(config_error(j), "layers");
}

TEST(Config, MissingRequiredValues) {
  EXPECT_HAS(config_error(json::object()), "layers");
  json j = minimal();
  j["layers"][0].erase("units");
  EXPECT_HAS(config_error(j), "layers[0].units");
  j = minimal();
  j["layers"][0] = {{"type", "conv2d"}};
  EXPECT_HAS(config_error(j), "layers[0].channels");
}

TEST(Config, ResolvedContainsDefaults) {
  TrainConfig c = parse_train_config(minimal(), "test.toml");
  // The parsed struct: the documented defaults.
  EXPECT_EQ(c.timesteps, 8);
  EXPECT_EQ(c.epochs, 1);
  EXPECT_EQ(c.batch_size, 64);
  EXPECT_FLOAT_EQ(c.lr, 1e-3f);
  EXPECT_EQ(c.optimizer.kind, OptimizerKind::Adam);
  EXPECT_EQ(c.schedule.kind, ScheduleKind::Cosine);
  EXPECT_EQ(c.loss.kind, LossKind::CeMemMean);
  EXPECT_EQ(c.encoder.kind, EncoderKind::Direct);
  EXPECT_FLOAT_EQ(c.spiking.lif.beta, 0.9f);
  EXPECT_EQ(c.spiking.lif.reset, ResetKind::Soft);
  EXPECT_EQ(c.spiking.surrogate, SurrogateKind::Arctan);
  ASSERT_EQ(c.layers.size(), 1u);
  EXPECT_EQ(c.layers[0].type, "linear");
  EXPECT_EQ(c.layers[0].units, 10);
  EXPECT_TRUE(c.layers[0].bias);
  // The resolved JSON: every key, defaults filled in.
  const json& r = c.resolved;
  EXPECT_EQ(r.at("timesteps"), 8);
  EXPECT_EQ(r.at("seed"), 0);
  EXPECT_EQ(r.at("batch_size"), 64);
  EXPECT_EQ(r.at("learner"), "bptt");
  EXPECT_EQ(r.at("neuron"), "lif");
  EXPECT_EQ(r.at("init"), "kaiming_uniform");
  EXPECT_DOUBLE_EQ(r.at("lr").get<double>(), 1e-3);
  EXPECT_EQ(r.at("data").at("encoder"), "direct");
  EXPECT_EQ(r.at("data").at("dataset"), "fashion-mnist");
  EXPECT_DOUBLE_EQ(r.at("neuron_params").at("beta").get<double>(), 0.9);
  EXPECT_EQ(r.at("neuron_params").at("surrogate"), "arctan");
  EXPECT_EQ(r.at("optimizer").at("name"), "adam");
  EXPECT_EQ(r.at("optimizer").at("schedule"), "cosine");
  EXPECT_DOUBLE_EQ(r.at("optimizer").at("beta2").get<double>(), 0.999);
  EXPECT_EQ(r.at("loss").at("name"), "ce_mem_mean");
  EXPECT_EQ(r.at("layers").at(0).at("type"), "linear");
  EXPECT_EQ(r.at("layers").at(0).at("units"), 10);
  EXPECT_EQ(r.at("layers").at(0).at("bias"), true);
  // Resolving the resolved config changes nothing (what eval rebuilds from a checkpoint).
  EXPECT_EQ(parse_train_config(r, "resolved").resolved, r);
}

TEST(Config, GivenValuesAndLayerDefaults) {
  json j = json::parse(R"({
    "timesteps": 12, "neuron": "if", "seed": 5,
    "optimizer": {"name": "sgd", "momentum": 0.5},
    "layers": [{"type": "conv2d", "channels": 4}, {"type": "maxpool2d", "kernel": 3},
               {"type": "neuron"}, {"type": "flatten"}, {"type": "linear", "units": 10, "bias": false}]})");
  TrainConfig c = parse_train_config(j, "t");
  EXPECT_EQ(c.timesteps, 12);
  EXPECT_EQ(c.seed, 5u);
  EXPECT_EQ(c.optimizer.kind, OptimizerKind::Sgd);
  EXPECT_FLOAT_EQ(c.optimizer.momentum, 0.5f);
  ASSERT_EQ(c.layers.size(), 5u);
  EXPECT_EQ(c.layers[0].kernel, 3);  // conv2d defaults: kernel 3, stride 1, pad 0
  EXPECT_EQ(c.layers[0].stride, 1);
  EXPECT_EQ(c.layers[0].pad, 0);
  EXPECT_EQ(c.layers[1].stride, 3);   // pooling stride defaults to the kernel
  EXPECT_EQ(c.layers[2].type, "if");  // "neuron" is the top-level neuron model
  EXPECT_FALSE(c.layers[4].bias);
  EXPECT_EQ(c.resolved.at("layers").at(1).at("stride"), 3);
}

// TOML -> JSON: the shipped configs parse and validate; a syntax error names file and line.
TEST(Config, TomlFiles) {
  const std::string dir = std::string(SPIKEFORGE_SOURCE_DIR) + "/configs/";
  TrainConfig mlp = parse_train_config(read_toml_as_json(dir + "fmnist_mlp.toml"), "fmnist_mlp.toml");
  EXPECT_EQ(mlp.timesteps, 16);
  EXPECT_EQ(mlp.batch_size, 128);
  EXPECT_EQ(mlp.optimizer.kind, OptimizerKind::AdamW);
  EXPECT_FLOAT_EQ(mlp.optimizer.weight_decay, 1e-4f);
  ASSERT_FALSE(mlp.layers.empty());
  EXPECT_EQ(mlp.layers[0].units, 1000);
  EXPECT_NO_THROW(parse_train_config(read_toml_as_json(dir + "fmnist_cnn.toml"), "fmnist_cnn.toml"));

  const auto tmp = std::filesystem::temp_directory_path() / ("spikeforge_test_cfg_" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp);
  const std::string bad = (tmp / "bad.toml").string();
  std::ofstream(bad) << "timesteps = 8\nlr = = 2\n";
  try {
    read_toml_as_json(bad);
    ADD_FAILURE() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_HAS(std::string(e.what()), bad + ":2:");
  }
  EXPECT_THROW(read_toml_as_json((tmp / "missing.toml").string()), InputError);
  std::filesystem::remove_all(tmp);
}

// A residual block in TOML terms: named layers, `from`, and an add of two.
TEST(Config, SkipConnectionsBuildAGraph) {
  json j = json::parse(R"({"layers": [
    {"type": "linear", "units": 6, "name": "stem"},
    {"type": "relu"},
    {"type": "linear", "units": 6, "name": "body"},
    {"type": "add", "from": ["stem", "body"]},
    {"type": "linear", "units": 3, "from": "stem"}
  ]})");
  // The last layer reads "stem", so the add feeds nothing: the builder refuses.
  TrainConfig c = parse_train_config(j, "test.toml");
  EXPECT_EQ(c.layers[3].from, (std::vector<std::string>{"stem", "body"}));
  EXPECT_EQ(c.layers[4].from, (std::vector<std::string>{"stem"}));
  EXPECT_THROW(build_network(c.layers, c.network_defaults(), {4, 1, 1}, "test.toml"), ShapeError);

  j["layers"][4].erase("from");  // now a proper chain through the add
  c = parse_train_config(j, "test.toml");
  auto net = build_network(c.layers, c.network_defaults(), {4, 1, 1}, "test.toml");
  EXPECT_EQ(net->inputs_of(3), (std::vector<int>{0, 2}));
  EXPECT_EQ(net->inputs_of(4), (std::vector<int>{3}));

  json bad = j;
  bad["layers"][3]["from"] = json::array({"stem", "nope"});
  c = parse_train_config(bad, "test.toml");
  try {
    build_network(c.layers, c.network_defaults(), {4, 1, 1}, "test.toml");
    ADD_FAILURE() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_HAS(std::string(e.what()), "layers[3].from = \"nope\"");
  }
  bad = j;
  bad["layers"][2]["name"] = "stem";
  c = parse_train_config(bad, "test.toml");
  EXPECT_THROW(build_network(c.layers, c.network_defaults(), {4, 1, 1}, "test.toml"), ConfigError);
  bad = j;
  bad["layers"][3]["from"] = 7;
  EXPECT_HAS(config_error(bad), "layers[3].from");
}
