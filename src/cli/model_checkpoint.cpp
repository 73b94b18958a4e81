#include "cli/model_checkpoint.h"

#include "cli/deep_training.h"
#include "core/error.h"
#include "io/checkpoint.h"
#include "nn/network_builder.h"

namespace spikeforge {

void save_model_checkpoint(const std::string& path, const TrainConfig& cfg, Network& net, const Optimizer* opt,
                           const nlohmann::json& meta, const std::vector<float>* train_params) {
  Checkpoint ck;
  nlohmann::json m = meta;
  m["param_count"] = net.params().size();
  m["buffer_count"] = net.buffers().size();
  ck.put_text("config", cfg.resolved.dump());
  ck.put_text("meta", m.dump());
  ck.put_floats("params", net.params());
  ck.put_floats("buffers", net.buffers());
  if (opt) ck.put_floats("optimizer", opt->state());
  if (train_params) ck.put_floats("train_params", *train_params);
  write_checkpoint(path, ck);
}

void load_weights(Network& net, const std::vector<float>& params, const std::vector<float>& buffers,
                  const std::string& origin) {
  if (params.size() != net.params().size() || buffers.size() != net.buffers().size())
    throw InputError(origin + ": checkpoint holds " + std::to_string(params.size()) + " parameters and " +
                     std::to_string(buffers.size()) + " buffers, the network needs " +
                     std::to_string(net.params().size()) + " and " + std::to_string(net.buffers().size()));
  net.params() = params;
  net.buffers() = buffers;
}

LoadedModel load_model_checkpoint(const std::string& path, FeatShape input) {
  Checkpoint ck = read_checkpoint(path);
  LoadedModel m;
  nlohmann::json cfg_json;
  try {
    cfg_json = nlohmann::json::parse(ck.text("config", path));
    m.meta = nlohmann::json::parse(ck.text("meta", path));
  } catch (const nlohmann::json::exception&) {
    throw InputError(path + ": corrupt checkpoint: config or meta section is not valid JSON");
  }
  m.cfg = parse_train_config(cfg_json, path + " (stored config)");
  m.net = build_network(m.cfg.layers, m.cfg.network_defaults(),
                        network_input_shape(m.cfg, input.C, input.H, input.W, path + " (stored config)"),
                        path + " (stored config)");  // sequential encoders: a row or pixel per step
  load_weights(*m.net, ck.floats("params", path), ck.floats("buffers", path), path);
  if (ck.sections.count("optimizer")) m.optimizer_state = ck.floats("optimizer", path);
  return m;
}

}  // namespace spikeforge
