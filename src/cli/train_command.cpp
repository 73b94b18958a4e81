// spikeforge train: surrogate-gradient BPTT on an image data set.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "cli/commands.h"
#include "cli/config.h"
#include "cli/deep_training.h"
#include "cli/evaluate.h"
#include "cli/model_checkpoint.h"
#include "cli/plasticity_train.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/threads.h"
#include "data/augment.h"
#include "data/batcher.h"
#include "data/dataset.h"
#include "data/encoder.h"
#include "io/checkpoint.h"
#include "learn/bptt.h"
#include "learn/dale_projection.h"
#include "learn/schedule.h"
#include "learn/weight_average.h"
#include "nn/dropout.h"
#include "nn/init.h"
#include "nn/network_builder.h"

namespace spikeforge {
namespace {

TrainConfig load_config(const TrainOptions& o) {
  nlohmann::json j = read_toml_as_json(o.config);
  if (o.epochs) j["epochs"] = *o.epochs;
  if (o.seed) j["seed"] = *o.seed;
  if (o.threads) j["threads"] = *o.threads;
  if (!o.data_dir.empty()) j["data"]["dir"] = o.data_dir;
  return parse_train_config(j, o.config);
}

// Restores parameters and optimiser state; returns the number of completed epochs.
// Training continues from "train_params" when the checkpoint has them (its
// "params" are then the weight average that was evaluated), else from "params".
int resume_from(const std::string& path, Network& net, BpttLearner& learner, WeightAverage& avg,
                const TrainConfig& cfg) {
  Checkpoint ck = read_checkpoint(path);
  const bool averaged = ck.sections.count("train_params") > 0;
  load_weights(net, ck.floats(averaged ? "train_params" : "params", path), ck.floats("buffers", path), path);
  learner.optimizer().load_state(ck.floats("optimizer", path), path);
  int done = 0;
  int64_t avg_steps = 0;
  try {
    const nlohmann::json meta = nlohmann::json::parse(ck.text("meta", path));
    done = meta.at("epoch").get<int>();
    if (averaged) avg_steps = meta.at("ema_steps").get<int64_t>();
  } catch (const nlohmann::json::exception&) {
    throw InputError(path + ": corrupt checkpoint: meta has no integer 'epoch'" +
                     std::string(averaged ? " and 'ema_steps'" : ""));
  }
  if (done < 0 || done >= cfg.epochs)
    throw ConfigError(path + ": checkpoint has " + std::to_string(done) +
                      " completed epochs, expected fewer than epochs = " + std::to_string(cfg.epochs));
  if (avg.active()) {
    if (!averaged)
      throw ConfigError(
          path + ": checkpoint holds no weight average, expected one for ema_decay = " + std::to_string(cfg.ema_decay));
    avg.load(ck.floats("params", path), avg_steps, net.params().size(), path);
  }
  return done;
}

void reseed_dropout(Network& net, int epoch) {
  for (auto& l : net.layers())
    if (auto* d = dynamic_cast<Dropout*>(l.get())) d->reseed(static_cast<uint64_t>(epoch) + 1);
}

}  // namespace

void finish_train_report(const TrainOptions& o, const nlohmann::json& report, double test_accuracy,
                         double train_seconds) {
  write_report(o.out + "/report.json", report);
  if (!o.report.empty()) write_report(o.report, report);
  std::printf("test_accuracy %.4f  train_seconds %.1f  report %s/report.json\n", test_accuracy, train_seconds,
              o.out.c_str());
}

int run_train(const TrainOptions& o) {
  // Validate everything first: config, data, resume checkpoint, output dir.
  TrainConfig cfg = load_config(o);
  if (is_plasticity_learner(cfg.learner)) return run_plasticity_train(o, cfg);  // local rules: own loop
  set_num_threads(cfg.threads);
  ImageDataset train = load_image_dataset(cfg.dataset, cfg.data_dir, "train", cfg.train_limit);
  ImageDataset test = take_eval_split(train, cfg.dataset, cfg.data_dir, cfg.test_limit, cfg.holdout, o.config);
  if (train.count < cfg.batch_size)
    throw ConfigError(o.config + ": batch_size = " + std::to_string(cfg.batch_size) + ", expected at most the " +
                      std::to_string(train.count) + " training images");
  auto net = build_network(cfg.layers, cfg.network_defaults(),
                           network_input_shape(cfg, train.C, train.H, train.W, o.config), o.config);
  net->set_input_spikes(encoder_emits_spikes(cfg.encoder.kind));  // rate/latency codes are spikes
  if (net->output_shape().size() != train.num_classes)
    throw ShapeError(o.config + ": the last layer has " + std::to_string(net->output_shape().size()) +
                     " outputs, expected " + std::to_string(train.num_classes) + " (one per class)");
  Rng init_rng = Rng(cfg.seed).derive(7);
  net->init_params(cfg.init, init_rng);
  scale_synaptic_weights(*net, cfg.init_gain);
  const nlohmann::json fluct =  // cli/deep_training.h
      cfg.fluctuation_init && o.resume.empty() ? run_fluctuation_init(*net, cfg, train) : nlohmann::json();
  BpttLearner learner(*net, cfg.loss, cfg.optimizer, cfg.bptt);
  DaleProjection dale(*net);                        // Dale's law: signs restored after every optimiser step
  WeightAverage avg(cfg.ema_decay, net->params());  // evaluated and saved in place of the last weights
  int first_epoch = o.resume.empty() ? 0 : resume_from(o.resume, *net, learner, avg, cfg);
  std::filesystem::create_directories(o.out);

  const int T = cfg.timesteps, B = cfg.batch_size, Tin = encoded_steps(cfg.encoder.kind, T);
  const int64_t F = train.features(), Fs = F / (sequence_steps(cfg.encoder.kind, train.H, train.W) ? T : 1);
  Batcher batches(train.count, B, /*shuffle=*/true, /*drop_last=*/true, cfg.seed);
  const int64_t steps_per_epoch = batches.num_batches(), total_steps = steps_per_epoch * cfg.epochs;
  Tensor x({B, F}), enc({Tin, B, Fs}), aug_scratch({F});
  std::vector<int> y(B);
  std::fprintf(stderr, "train: %s, %lld parameters, T=%d, batch %d, %d threads\n", o.config.c_str(),
               (long long)net->params().size(), T, B, num_threads());

  double train_seconds = 0;
  EvalResult ev;
  nlohmann::json epoch_log = nlohmann::json::array();  // one entry per epoch run: the learning curve
  const std::string ckpt_path = o.out + "/last.ckpt";
  for (int epoch = first_epoch; epoch < cfg.epochs; ++epoch) {
    batches.start_epoch(epoch);
    reseed_dropout(*net, epoch);
    Rng enc_rng = Rng(cfg.seed).derive(100 + epoch), aug_rng = Rng(cfg.seed).derive(500 + epoch);
    Progress progress("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs), steps_per_epoch * B);
    double loss_sum = 0;
    int64_t correct = 0;
    for (int i = 0; i < steps_per_epoch; ++i) {
      batches.gather(train, i, x.data(), y.data());
      if (cfg.augment.active())
        augment_batch(cfg.augment, x.data(), B, train.C, train.H, train.W, aug_rng, aug_scratch.data());
      encode(cfg.encoder, x.data(), B, F, T, enc_rng, enc.data());
      const int64_t k = int64_t(epoch) * steps_per_epoch + i;
      const float lr = scheduled_lr(cfg.schedule, cfg.lr, k, total_steps, steps_per_epoch);
      LossResult r = learner.step(enc.data(), Tin, T, B, y.data(), lr);
      if (dale.active()) dale.project();
      avg.update(net->params());
      loss_sum += r.loss;
      correct += r.correct;
      progress.update(int64_t(i + 1) * B);
    }
    progress.finish();
    double epoch_seconds = progress.seconds();
    const bool evaluated = (epoch + 1) % cfg.eval_every == 0 || epoch + 1 == cfg.epochs;
    avg.swap(net->params());                        // from here to the checkpoint the network holds the average
    if (evaluated && cfg.precise_bn_batches > 0) {  // part of training: counted in its time
      const auto t0 = std::chrono::steady_clock::now();
      reestimate_norm_stats(*net, cfg, train, epoch);
      epoch_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    train_seconds += epoch_seconds;
    const double epoch_sps = double(steps_per_epoch * B) / epoch_seconds;
    const double train_loss = loss_sum / double(steps_per_epoch);
    const double train_acc = double(correct) / double(steps_per_epoch * B);
    nlohmann::json entry = {{"epoch", epoch + 1},
                            {"train_loss", train_loss},
                            {"train_accuracy", train_acc},
                            {"train_seconds", train_seconds}};
    nlohmann::json meta = {{"epoch", epoch + 1}};
    char test_acc[16] = "-";
    if (evaluated) {
      reset_spike_counts(*net);
      ev = evaluate_dataset(*net, cfg, test, 0xE7A1);
      entry["test_accuracy"] = meta["test_accuracy"] = ev.accuracy;
      std::snprintf(test_acc, sizeof test_acc, "%.4f", ev.accuracy);
    }
    std::printf("epoch %d/%d  loss %.4f  train_acc %.4f  test_acc %s  firing%s  %.0f samples/s\n", epoch + 1,
                cfg.epochs, train_loss, train_acc, test_acc, evaluated ? rates_line(ev.rates, 3).c_str() : " -",
                epoch_sps);
    std::fflush(stdout);
    epoch_log.push_back(entry);
    if (avg.active()) meta["ema_steps"] = avg.steps();
    save_model_checkpoint(ckpt_path, cfg, *net, &learner.optimizer(), meta,
                          avg.active() ? &avg.average() : nullptr);  // swapped: average() holds the trained weights
    avg.swap(net->params());
  }

  const int epochs_run = cfg.epochs - first_epoch;
  nlohmann::json report = {
      {"command", "train"},
      {"test_accuracy", ev.accuracy},
      {"test_loss", ev.loss},
      {"epochs", cfg.epochs},
      {"epochs_run", epochs_run},
      {"timesteps", T},
      {"train_seconds", train_seconds},
      {"samples_per_second", train_seconds > 0 ? double(epochs_run * steps_per_epoch * B) / train_seconds : 0.0},
      {"eval_samples_per_second", ev.seconds > 0 ? double(ev.samples) / ev.seconds : 0.0},
      {"firing_rate", rates_to_json(ev.rates)},
      {"peak_rss_mb", peak_rss_mb()},
      {"learner", cfg.learner},
      {"neuron", neuron_label(*net, cfg)},
      {"init", init_label(cfg)},
      {"threads", num_threads()},
      {"parameters", net->params().size()},
      {"checkpoint", ckpt_path},
      {"config", cfg.resolved},
      {"epoch_log", epoch_log},
  };
  if (!fluct.is_null()) report["fluctuation_init"] = fluct;
  if (dale.active()) report["dale_violations"] = dale.violations();
  finish_train_report(o, report, ev.accuracy, train_seconds);
  return 0;
}

}  // namespace spikeforge
