// spikeforge convert: a trained ANN (checkpoint or ONNX) -> an SNN, with the
// ANN's and the SNN's accuracy on the Fashion-MNIST test split, latency,
// spikes and SynOps per sample, and optionally accuracy against T (--sweep).
// Calibration images are the first --calib-samples of the training split.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "cli/commands.h"
#include "cli/evaluate.h"
#include "cli/model_loader.h"
#include "cli/report.h"
#include "convert/ann_to_snn.h"
#include "convert/calibrate.h"
#include "core/error.h"
#include "core/threads.h"
#include "data/dataset.h"
#include "data/image_dataset.h"
#include "nn/network_builder.h"

namespace spikeforge {
namespace {

std::vector<int> parse_sweep(const std::string& s) {
  std::vector<int> ts;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t used = 0;
    int t = 0;
    try {
      t = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || t < 1)
      throw ConfigError("--sweep " + s + ": '" + item + "' is not an integer >= 1, expected e.g. 2,4,8,16");
    ts.push_back(t);
  }
  if (ts.empty()) throw ConfigError("--sweep is empty, expected a list of timestep counts like 2,4,8,16");
  return ts;
}

// The config an SNN checkpoint stores: its layers, T, the input coding, the
// read-out loss (its membrane after the last step).
TrainConfig snn_config(const SnnModel& m, const TrainConfig& ann, int64_t test_limit, const std::string& origin) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerSpec& s : m.layers) layers.push_back(layer_spec_json(s));
  // Activations take T x batch images per layer: keep T x batch near 800
  // (about 1 GB for the Fashion-MNIST CNN) whatever T is.
  const int batch = std::max(1, std::min(100, 800 / m.timesteps));
  nlohmann::json j = {
      {"timesteps", m.timesteps},
      {"batch_size", batch},
      {"seed", ann.seed},
      {"data", {{"dir", ann.data_dir}, {"encoder", m.rate_input ? "rate" : "direct"}, {"test_limit", test_limit}}},
      {"loss", {{"name", "ce_mem_last"}}},
      {"layers", layers}};
  return parse_train_config(j, origin + " (converted)");
}

struct SnnRun {
  SnnModel model;
  TrainConfig cfg;
  EvalResult ev;
};

SnnRun convert_and_evaluate(const LoadedModel& ann, Network& net, const std::vector<float>& theta,
                            const ConvertOptions& co, EngineKind engine, const ImageDataset& test, int64_t test_limit,
                            const std::string& origin) {
  SnnRun r;
  r.model = convert_ann(ann.cfg.layers, net, theta, co, origin);
  r.cfg = snn_config(r.model, ann.cfg, test_limit, origin);
  auto snn = build_network(r.cfg.layers, r.cfg.network_defaults(), net.input_shape(), origin + " (converted)");
  snn->params() = r.model.params;
  snn->buffers() = r.model.buffers;
  r.ev = evaluate_dataset(*snn, r.cfg, test, 0xC0417, engine);
  return r;
}

nlohmann::json run_json(const SnnRun& r) {
  return {{"timesteps", r.model.timesteps},
          {"latency_timesteps", r.model.latency_timesteps},
          {"snn_accuracy", r.ev.accuracy},
          {"spikes_per_sample", r.ev.spikes_per_sample},
          {"synops_per_sample", r.ev.synops_per_sample},
          {"samples_per_second", r.ev.seconds > 0 ? double(r.ev.samples) / r.ev.seconds : 0.0}};
}

void print_run(const SnnRun& r, double ann_accuracy) {
  std::printf(
      "T=%-3d latency %4d steps  snn_accuracy %.4f (ann %+.2f pt)  spikes/sample %.0f  synops/sample %.0f  "
      "%.0f samples/s\n",
      r.model.timesteps, r.model.latency_timesteps, r.ev.accuracy, 100.0 * (r.ev.accuracy - ann_accuracy),
      r.ev.spikes_per_sample, r.ev.synops_per_sample, r.ev.seconds > 0 ? double(r.ev.samples) / r.ev.seconds : 0.0);
  std::fflush(stdout);
}

}  // namespace

int run_convert(const ConvertCliOptions& o) {
  // Validate every option, the data and the model before anything is written.
  if (o.threads) set_num_threads(*o.threads);
  ConvertOptions co;
  co.method = parse_convert_method(o.method);
  co.timesteps = o.timesteps;
  co.k = o.k;
  // The rate baseline's classic input is Bernoulli spikes; SpikeConverter's first layer takes the analog image.
  const std::string coding = !o.input_coding.empty()            ? o.input_coding
                             : co.method == ConvertMethod::Rate ? "rate"
                                                                : "direct";
  if (coding != "rate" && coding != "direct")
    throw ConfigError("--input-coding " + coding + ", expected rate or direct");
  if (coding == "rate" && co.method == ConvertMethod::SpikeConverter)
    throw ConfigError("--input-coding rate: the spikeconverter method takes the analog image, expected direct");
  co.rate_input = coding == "rate";
  const EngineKind engine = parse_engine_kind(o.engine);
  if (o.calib_samples < 1) throw ConfigError("--calib-samples " + std::to_string(o.calib_samples) + ", expected >= 1");
  if (!(o.percentile > 0 && o.percentile <= 100))
    throw ConfigError("--percentile " + (std::ostringstream() << o.percentile).str() +
                      ", expected a number in (0, 100]");
  const std::vector<int> sweep = o.sweep.empty() ? std::vector<int>{} : parse_sweep(o.sweep);
  for (const std::string& path : {o.out, o.report}) {
    if (path.empty()) continue;
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
      throw ConfigError(path + ": directory " + dir.string() + " does not exist");
  }

  ModelOptions mo{o.input_mean, o.input_std, o.data_dir};
  LoadedModel ann = load_model(o.model, {1, 28, 28}, mo);
  if (!o.data_dir.empty()) ann.cfg.data_dir = o.data_dir;
  ImageDataset train = load_image_dataset(ann.cfg.dataset, ann.cfg.data_dir, "train", o.calib_samples);
  ImageDataset test = load_image_dataset(ann.cfg.dataset, ann.cfg.data_dir, "test", o.test_limit);
  if (!(ann.net->input_shape() == FeatShape{test.C, test.H, test.W}))
    throw ShapeError(o.model + ": the model takes input " + ann.net->input_shape().str() + ", the data is " +
                     FeatShape{test.C, test.H, test.W}.str());
  if (ann.net->output_shape().size() != test.num_classes)
    throw ShapeError(o.model + ": the model has " + std::to_string(ann.net->output_shape().size()) +
                     " outputs, expected " + std::to_string(test.num_classes) + " (one per class)");
  TrainConfig ann_eval = ann.cfg;
  ann_eval.timesteps = 1;
  ann_eval.encoder.kind = EncoderKind::Direct;
  ann_eval.batch_size = 100;
  // Convert once up front: refuses an unconvertible model before the long part.
  std::vector<float> theta = calibrate_relu_thresholds(*ann.net, train.images.data(), train.count, o.percentile);
  convert_ann(ann.cfg.layers, *ann.net, theta, co, o.model);

  const EvalResult ann_ev = evaluate_dataset(*ann.net, ann_eval, test, 0xA11);
  std::printf("convert: %s, method %s, engine %s, %lld calibration images (p%.2f), ann_accuracy %.4f\n",
              o.model.c_str(), convert_method_name(co.method), engine_name(engine), (long long)train.count,
              o.percentile, ann_ev.accuracy);
  nlohmann::json sweep_json = nlohmann::json::array();
  for (int T : sweep) {
    ConvertOptions ct = co;
    ct.timesteps = T;
    SnnRun r = convert_and_evaluate(ann, *ann.net, theta, ct, engine, test, o.test_limit, o.model);
    print_run(r, ann_ev.accuracy);
    sweep_json.push_back(run_json(r));
  }
  SnnRun main_run = convert_and_evaluate(ann, *ann.net, theta, co, engine, test, o.test_limit, o.model);
  print_run(main_run, ann_ev.accuracy);

  if (!o.out.empty()) {
    auto snn = build_network(main_run.cfg.layers, main_run.cfg.network_defaults(), ann.net->input_shape(), o.out);
    load_weights(*snn, main_run.model.params, main_run.model.buffers, o.out);
    save_model_checkpoint(o.out, main_run.cfg, *snn, nullptr,
                          {{"epoch", 0},
                           {"source", o.model},
                           {"method", convert_method_name(co.method)},
                           {"latency_timesteps", main_run.model.latency_timesteps},
                           {"test_accuracy", main_run.ev.accuracy}});
  }
  nlohmann::json thresholds = nlohmann::json::object();
  for (size_t i = 0; i < theta.size(); ++i)
    if (theta[i] > 0) thresholds["layers[" + std::to_string(i) + "]"] = theta[i];
  nlohmann::json report = run_json(main_run);
  report.update({{"command", "convert"},
                 {"model", o.model},
                 {"method", convert_method_name(co.method)},
                 {"engine", engine_name(engine)},
                 {"ann_accuracy", ann_ev.accuracy},
                 {"k", co.k},
                 {"input_coding", coding},
                 {"calib_samples", train.count},
                 {"percentile", o.percentile},
                 {"test_samples", test.count},
                 {"thresholds", thresholds},
                 {"firing_rate", rates_to_json(main_run.ev.rates)},
                 {"peak_rss_mb", peak_rss_mb()},
                 {"checkpoint", o.out},
                 {"config", main_run.cfg.resolved}});
  if (!sweep.empty()) report["sweep"] = sweep_json;
  if (!o.report.empty()) write_report(o.report, report);
  return 0;
}

}  // namespace spikeforge
