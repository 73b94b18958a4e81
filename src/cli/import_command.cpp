// spikeforge import: an ONNX model -> a spikeforge checkpoint, with the ANN's
// accuracy on the Fashion-MNIST test split (timesteps = 1) and a JSON report.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "cli/commands.h"
#include "cli/evaluate.h"
#include "cli/model_loader.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/threads.h"
#include "data/image_dataset.h"

namespace spikeforge {
namespace {

namespace fs = std::filesystem;

// An output path whose directory exists and that is not the model itself.
void check_output_path(const std::string& path, const char* option, const std::string& model) {
  const fs::path dir = fs::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !fs::is_directory(dir, ec))
    throw ConfigError(std::string(option) + " " + path + ": directory " + dir.string() + " does not exist");
  if (fs::is_directory(path, ec))
    throw ConfigError(std::string(option) + " " + path + " is a directory, expected a file");
  if (fs::exists(path, ec) && fs::equivalent(path, model, ec))
    throw ConfigError(std::string(option) + " " + path + " is the model being imported");
}

}  // namespace

int run_import(const ImportOptions& o) {
  // Validate every option, the data and the model before writing anything.
  if (o.threads) set_num_threads(*o.threads);
  auto num = [](float v) {
    std::ostringstream s;
    s << v;
    return s.str();
  };
  if (o.input_mean && !std::isfinite(*o.input_mean))
    throw ConfigError("--input-mean " + num(*o.input_mean) + ", expected a finite number");
  if (o.input_std && !(std::isfinite(*o.input_std) && *o.input_std > 0.f))
    throw ConfigError("--input-std " + num(*o.input_std) + ", expected a finite number > 0");
  if (is_checkpoint_file(o.model))
    throw ConfigError(o.model + ": is a spikeforge checkpoint, expected an ONNX model (eval takes checkpoints)");
  const std::string out = o.out.empty() ? fs::path(o.model).replace_extension(".ckpt").string() : o.out;
  check_output_path(out, "--out", o.model);
  if (!o.report.empty()) check_output_path(o.report, "--report", o.model);
  if (!o.report.empty() && fs::path(o.report).lexically_normal() == fs::path(out).lexically_normal())
    throw ConfigError("--report " + o.report + " is the checkpoint path too, expected two different files");

  const std::string data_dir = o.data_dir.empty() ? std::string(kDefaultFashionMnistDir) : o.data_dir;
  ImageDataset test = load_fashion_mnist(data_dir, "test");
  LoadedModel m = load_onnx_model(o.model, {test.C, test.H, test.W}, {o.input_mean, o.input_std, data_dir});
  if (m.net->output_shape().size() != test.num_classes)
    throw ShapeError(o.model + ": the model has " + std::to_string(m.net->output_shape().size()) +
                     " outputs, expected " + std::to_string(test.num_classes) + " (one per class)");

  const nlohmann::json table = layer_table(m.cfg, *m.net);
  std::printf("import: %s (opset %lld), %zu layers, %zu parameters\n", o.model.c_str(),
              (long long)m.meta["opset"].get<int64_t>(), m.net->layers().size(), m.net->params().size());
  print_layer_table(table);
  EvalResult ev = evaluate_dataset(*m.net, m.cfg, test, 0xE7A1);
  std::printf("ann_accuracy %.4f  loss %.4f  %lld samples  %.0f samples/s\n", ev.accuracy, ev.loss,
              (long long)ev.samples, ev.seconds > 0 ? double(ev.samples) / ev.seconds : 0.0);

  nlohmann::json meta = m.meta;
  meta["test_accuracy"] = ev.accuracy;
  save_model_checkpoint(out, m.cfg, *m.net, nullptr, meta);
  if (!o.report.empty()) {
    nlohmann::json report = {
        {"command", "import"},
        {"model", o.model},
        {"checkpoint", out},
        {"ann_accuracy", ev.accuracy},
        {"test_loss", ev.loss},
        {"samples", ev.samples},
        {"timesteps", m.cfg.timesteps},
        {"eval_seconds", ev.seconds},
        {"opset", m.meta["opset"]},
        {"layers", table},
        {"parameters", m.net->params().size()},
        {"peak_rss_mb", peak_rss_mb()},
        {"config", m.cfg.resolved},
    };
    write_report(o.report, report);
  }
  std::printf("checkpoint %s\n", out.c_str());
  return 0;
}

}  // namespace spikeforge
