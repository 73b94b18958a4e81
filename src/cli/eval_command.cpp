// spikeforge eval: a checkpoint's (or an ONNX model's) accuracy on the test split.
#include <cstdio>

#include "cli/commands.h"
#include "cli/deep_training.h"
#include "cli/evaluate.h"
#include "cli/model_checkpoint.h"
#include "cli/model_loader.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/threads.h"
#include "data/dataset.h"
#include "data/image_dataset.h"
#include "io/checkpoint.h"

namespace spikeforge {

int run_eval(const EvalOptions& o) {
  if (o.threads) set_num_threads(*o.threads);
  const EngineKind engine = parse_engine_kind(o.engine);
  // Read the stored config first (cheap) to find the data, then validate the data,
  // then build and load: every input is checked before anything is written.
  LoadedModel m = load_model(o.checkpoint, {1, 28, 28}, {o.input_mean, o.input_std, o.data_dir});
  if (!o.data_dir.empty()) m.cfg.data_dir = o.data_dir;
  ImageDataset train;  // needed only when the run was scored on held-out training images
  if (m.cfg.holdout) train = load_image_dataset(m.cfg.dataset, m.cfg.data_dir, "train", m.cfg.train_limit);
  ImageDataset test =
      take_eval_split(train, m.cfg.dataset, m.cfg.data_dir, m.cfg.test_limit, m.cfg.holdout, o.checkpoint);
  if (m.net->output_shape().size() != test.num_classes)
    throw ShapeError(o.checkpoint + ": the model has " + std::to_string(m.net->output_shape().size()) +
                     " outputs, expected " + std::to_string(test.num_classes) + " (one per class)");
  EvalResult ev = evaluate_dataset(*m.net, m.cfg, test, 0xE7A1, engine);
  std::printf(
      "test_accuracy %.4f  loss %.4f  %lld samples  %.0f samples/s  engine %s  spikes/sample %.0f  "
      "synops/sample %.0f\n",
      ev.accuracy, ev.loss, (long long)ev.samples, ev.seconds > 0 ? double(ev.samples) / ev.seconds : 0.0,
      engine_name(engine), ev.spikes_per_sample, ev.synops_per_sample);
  if (!o.report.empty()) {
    nlohmann::json report = {
        {"command", "eval"},
        {"checkpoint", o.checkpoint},
        {"test_accuracy", ev.accuracy},
        {"test_loss", ev.loss},
        {"samples", ev.samples},
        {"timesteps", m.cfg.timesteps},
        {"engine", engine_name(engine)},
        {"spikes_per_sample", ev.spikes_per_sample},
        {"synops_per_sample", ev.synops_per_sample},
        {"test_samples", ev.samples},
        {"eval_seconds", ev.seconds},
        {"samples_per_second", ev.seconds > 0 ? double(ev.samples) / ev.seconds : 0.0},
        {"firing_rate", rates_to_json(ev.rates)},
        {"peak_rss_mb", peak_rss_mb()},
        {"learner", m.cfg.learner},
        {"neuron", neuron_label(*m.net, m.cfg)},
        {"init", init_label(m.cfg)},
        {"config", m.cfg.resolved},
    };
    write_report(o.report, report);
  }
  return 0;
}

}  // namespace spikeforge
