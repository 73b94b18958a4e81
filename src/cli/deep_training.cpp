#include "cli/deep_training.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "data/batcher.h"
#include "data/encoder.h"
#include "nn/fluctuation_init.h"

namespace spikeforge {

FeatShape network_input_shape(const TrainConfig& cfg, int C, int H, int W, const std::string& origin) {
  const EncoderKind k = cfg.encoder.kind;
  const int steps = sequence_steps(k, H, W);
  if (steps == 0) return {C, H, W};
  const char* name = encoder_name(k);
  if (C != 1)
    throw ConfigError(origin + ": data.encoder = \"" + name + "\" reads one-channel images, got " + std::to_string(C) +
                      " channels");
  if (cfg.timesteps != steps)
    throw ConfigError(origin + ": timesteps = " + std::to_string(cfg.timesteps) + ", expected " +
                      std::to_string(steps) + " for data.encoder = \"" + name + "\" (" + std::to_string(H) + "x" +
                      std::to_string(W) + " images, one " + (k == EncoderKind::Rows ? "row" : "pixel") + " per step)");
  return {int(step_features(k, C, H, W)), 1, 1};
}

nlohmann::json run_fluctuation_init(Network& net, const TrainConfig& cfg, const ImageDataset& train) {
  const FluctuationParams& p = cfg.fluctuation;
  const int B = int(std::min<int64_t>(p.samples, train.count)), T = cfg.timesteps;
  const int Tin = encoded_steps(cfg.encoder.kind, T);
  const int64_t F = train.features(), Fs = sequence_steps(cfg.encoder.kind, train.H, train.W) ? F / T : F;
  Tensor x({B, F}), enc({Tin, B, Fs});
  std::copy(train.images.begin(), train.images.begin() + int64_t(B) * F, x.data());  // the first B images
  Rng enc_rng = Rng(cfg.seed).derive(31);
  encode(cfg.encoder, x.data(), B, F, T, enc_rng, enc.data());
  Rng rng = Rng(cfg.seed).derive(37);
  const std::vector<FluctuationLayerInit> layers = fluctuation_init(net, enc.data(), Tin, T, B, p, rng);
  const std::vector<MembraneStats> stats = free_membrane_stats(net, enc.data(), Tin, T, B);
  nlohmann::json j = {{"membrane_mean", p.membrane_mean}, {"membrane_std", p.membrane_std}, {"samples", B}};
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < layers.size(); ++i) {
    const FluctuationLayerInit& l = layers[i];
    nlohmann::json r = {{"layer", net.layers()[l.neuron_node]->kind() + std::to_string(l.neuron_node)},
                        {"synapse_node", l.synapse_node},
                        {"mu_w", l.mu_w},
                        {"sigma_w", l.sigma_w},
                        {"input_rate", l.input_rate},
                        {"epsbar", l.epsbar},
                        {"epshat", l.epshat}};
    if (l.sigma_w_rec > 0) r["sigma_w_rec"] = l.sigma_w_rec;
    if (i < stats.size()) r["free_membrane_mean"] = stats[i].mean, r["free_membrane_std"] = stats[i].std;
    std::fprintf(stderr, "fluctuation init: %s  mu_w %.4g  sigma_w %.4g  input rate %.3f  free membrane %.3f +- %.3f\n",
                 r["layer"].get<std::string>().c_str(), l.mu_w, l.sigma_w, l.input_rate,
                 i < stats.size() ? stats[i].mean : 0.0, i < stats.size() ? stats[i].std : 0.0);
    rows.push_back(r);
  }
  j["layers"] = rows;
  return j;
}

void reestimate_norm_stats(Network& net, const TrainConfig& cfg, const ImageDataset& train, int epoch) {
  const int B = cfg.batch_size, T = cfg.timesteps, Tin = encoded_steps(cfg.encoder.kind, T);
  const int64_t F = train.features(), Fs = sequence_steps(cfg.encoder.kind, train.H, train.W) ? F / T : F;
  Batcher batches(train.count, B, /*shuffle=*/true, /*drop_last=*/true, cfg.seed);
  batches.start_epoch(epoch);
  const int n = std::min(cfg.precise_bn_batches, batches.num_batches());
  Tensor x({B, F}), enc({Tin, B, Fs});
  std::vector<int> y(B);
  Rng enc_rng = Rng(cfg.seed).derive(300 + epoch);
  for (auto& l : net.layers()) l->set_stat_estimation(true);
  net.prepare(Tin, T, B);
  for (int i = 0; i < n; ++i) {
    batches.gather(train, i, x.data(), y.data());
    encode(cfg.encoder, x.data(), B, F, T, enc_rng, enc.data());
    net.forward(enc.data(), /*train=*/false);
  }
  for (auto& l : net.layers()) l->set_stat_estimation(false);
}

std::string neuron_label(const Network& net, const TrainConfig& cfg) {
  std::vector<std::string> kinds;
  for (const auto& l : net.layers())
    if (l->spiking() && std::find(kinds.begin(), kinds.end(), l->kind()) == kinds.end()) kinds.push_back(l->kind());
  if (kinds.empty()) return cfg.neuron;
  std::string s;
  for (const auto& k : kinds) s += (s.empty() ? "" : "+") + k;
  return s;
}

std::string init_label(const TrainConfig& cfg) { return cfg.fluctuation_init ? "fluctuation" : init_name(cfg.init); }

}  // namespace spikeforge
