// spikeforge train for the local plasticity learners (learner = "stdp" |
// "vdsp" | "rstdp" | "desire"): online training, one sample at a time, in
// the step-by-step or the event-driven simulation; after every epoch the
// read-out is fitted on the training split and the test split is scored,
// and a checkpoint is written (cli/plasticity_model.h). The report has the
// keys every train report has (DESIGN.md), learner naming the rule.
#include "cli/plasticity_train.h"

#include <cstdio>
#include <filesystem>
#include <vector>

#include "cli/plasticity_model.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/threads.h"
#include "data/augment.h"
#include "data/batcher.h"
#include "data/dataset.h"

namespace spikeforge {
namespace {

// Training sample i of epoch e: its own random stream.
uint64_t sample_key(int epoch, int64_t i) { return (uint64_t(epoch + 1) << 32) | uint64_t(i); }

}  // namespace

int run_plasticity_train(const TrainOptions& o, const TrainConfig& cfg) {
  // Validate everything first: data, resume checkpoint, output directory.
  set_num_threads(cfg.threads);
  ImageDataset train = load_image_dataset(cfg.dataset, cfg.data_dir, "train", cfg.train_limit);
  ImageDataset test = take_eval_split(train, cfg.dataset, cfg.data_dir, cfg.test_limit, cfg.holdout, o.config);
  std::unique_ptr<PlasticModel> model = make_plastic_model(cfg, train);
  Rng init_rng = Rng(cfg.seed).derive(7);
  model->init(init_rng);
  int first_epoch = 0;
  if (!o.resume.empty()) {
    first_epoch = load_plastic_checkpoint(o.resume, *model, cfg.learner);
    if (first_epoch < 0 || first_epoch >= cfg.epochs)
      throw ConfigError(o.resume + ": checkpoint has " + std::to_string(first_epoch) +
                        " completed epochs, expected fewer than epochs = " + std::to_string(cfg.epochs));
  }
  std::filesystem::create_directories(o.out);
  const std::string ckpt_path = o.out + "/last.ckpt";
  std::fprintf(stderr,
               "train: %s, learner %s (%s), %lld parameters, T=%d, %s engine, %lld training samples, %d threads\n",
               o.config.c_str(), cfg.learner.c_str(), model->network().c_str(), (long long)model->parameter_count(),
               cfg.timesteps, sim_engine_name(cfg.plasticity.engine), (long long)train.count, num_threads());

  Batcher order(train.count, 1, cfg.plasticity.shuffle, false, cfg.seed);
  std::vector<float> x(size_t(train.features())), aug_scratch(x.size());
  int label = 0;
  double train_seconds = 0, eval_seconds = 0;
  PlasticEval ev;
  double last_train_acc = -1;
  for (int epoch = first_epoch; epoch < cfg.epochs; ++epoch) {
    order.start_epoch(epoch);
    Rng aug_rng = Rng(cfg.seed).derive(500 + epoch);
    Progress progress("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs), train.count);
    int64_t right = 0, judged = 0;
    for (int64_t i = 0; i < train.count; ++i) {
      order.gather(train, int(i), x.data(), &label);
      if (cfg.augment.active())
        augment_batch(cfg.augment, x.data(), 1, train.C, train.H, train.W, aug_rng, aug_scratch.data());
      const int r = model->train_sample(x.data(), label, epoch, sample_key(epoch, i));
      if (r >= 0) right += r, ++judged;
      progress.update(i + 1);
    }
    progress.finish();
    train_seconds += progress.seconds();
    const double sps = double(train.count) / progress.seconds();
    Progress eval_clock("eval", 1);
    ev = model->evaluate(train, test, epoch);
    eval_seconds += eval_clock.seconds();
    model->end_epoch(epoch);
    last_train_acc = judged ? double(right) / double(judged) : -1;
    std::printf("epoch %d/%d  test_acc %.4f", epoch + 1, cfg.epochs, ev.accuracy);
    if (last_train_acc >= 0) std::printf("  train_acc %.4f", last_train_acc);
    for (auto it = ev.extra.begin(); it != ev.extra.end(); ++it)
      if (it.value().is_number_float()) std::printf("  %s %.4f", it.key().c_str(), it.value().get<double>());
    std::printf("  firing%s  %.1f samples/s  eval %.1f s\n", rates_line(ev.rates, 4).c_str(), sps,
                eval_clock.seconds());
    std::fflush(stdout);
    save_plastic_checkpoint(ckpt_path, cfg, *model, {{"epoch", epoch + 1}, {"test_accuracy", ev.accuracy}});
  }

  const int epochs_run = cfg.epochs - first_epoch;
  nlohmann::json report = {
      {"command", "train"},
      {"test_accuracy", ev.accuracy},
      {"epochs", cfg.epochs},
      {"epochs_run", epochs_run},
      {"timesteps", cfg.timesteps},
      {"train_seconds", train_seconds},
      {"samples_per_second", train_seconds > 0 ? double(epochs_run) * double(train.count) / train_seconds : 0.0},
      {"eval_seconds", eval_seconds},
      {"firing_rate", rates_to_json(ev.rates)},
      {"peak_rss_mb", peak_rss_mb()},
      {"learner", cfg.learner},
      {"network", model->network()},
      {"engine", sim_engine_name(cfg.plasticity.engine)},
      {"neuron", cfg.neuron},
      {"init", model->init_name()},
      {"threads", num_threads()},
      {"parameters", model->parameter_count()},
      {"train_samples", train.count},
      {"test_samples", test.count},
      {"checkpoint", ckpt_path},
      {"config", cfg.resolved},
  };
  if (last_train_acc >= 0) report["train_accuracy"] = last_train_acc;
  for (auto it = ev.extra.begin(); it != ev.extra.end(); ++it) report[it.key()] = it.value();
  finish_train_report(o, report, ev.accuracy, train_seconds);
  return 0;
}

}  // namespace spikeforge
