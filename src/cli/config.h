// Training configuration: TOML file -> JSON object -> validated TrainConfig.
// Every key is read through a ConfigReader that records the resolved value
// (defaults filled in) into `resolved`, which reports echo and checkpoints
// store, so eval rebuilds exactly the trained network. An unknown key or an
// impossible value is a ConfigError naming file, key, value and expectation.
//
// Top level: seed, timesteps, epochs, batch_size, lr, learner ("bptt"; the local
//   plasticity learners "stdp" | "vdsp" | "rstdp" | "desire" read cli/plasticity_config.h instead),
//   backward ("dense" | "sparse": linear -> lif pairs train with the sparse backward),
//   init_gain (synaptic weights times this after the initialisation),
//   precise_bn_batches (0: off; N: before each evaluation the norm layers' running statistics
//     become the plain mean over N training batches, nn/running_stats.h),
//   ema_decay (0: off; d in (0, 0.99999]: the exponential moving average of the
//     weights is what is evaluated and saved, learn/weight_average.h),
//   eval_every (N: precise BN and the test set after every N-th epoch and the
//     last; neither changes training, so the final figure is the same for any N),
//   neuron ("lif" | "if": the model of `type = "neuron"` layers),
//   init ("kaiming_uniform" | "kaiming_normal" | "fluctuation": cli/deep_config.h), threads
// [data]      dataset ("fashion-mnist"), dir, encoder ("direct" | "rate" | "latency"),
//             rate_gain, latency_threshold, train_limit, test_limit, holdout
//             (N > 0: N training images are scored instead of the test split,
//             data/dataset.h take_eval_split),
//             augment_shift, augment_flip (training images only: data/augment.h)
// [neuron_params] beta, threshold, reset ("soft" | "hard"), detach_reset,
//             surrogate ("fast_sigmoid" | "arctan" | "triangle"), surrogate_width
// [optimizer] name ("sgd" | "adam" | "adamw"), momentum, weight_decay, beta1, beta2, eps,
//             schedule ("constant" | "cosine" | "step"), lr_min, step_epochs, gamma
// [loss]      name ("ce_count" | "ce_mem_mean" | "ce_mem_max" | "mse_count"),
//             correct_rate, incorrect_rate (mse_count), label_smoothing (ce_*)
// [[layers]]  type = "conv2d" (channels, kernel, stride = 1, pad = 0, bias = true)
//             | "linear" (units, bias = true)
//             | "maxpool2d" / "avgpool2d" (kernel, stride = kernel, pad = 0: -inf / counted zeros)
//             | "normalize" (mean = 0, std = 1: y = (x - mean) / std)
//             | "global_avgpool" | "flatten" | "dropout" (p) | "batchnorm" (eps, momentum)
//             | "relu" (ceiling = 0: none, levels = 0: not quantised)
//             | "neuron" / "lif" / "if" (beta, threshold: override [neuron_params])
//             | "readout" (beta: non-spiking leaky integrator)
//             | "add" (from = ["a", "b"]: the sum of two layers' outputs)
//             every layer: name (for `from`), from (the layer it reads; default the previous one)
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/plasticity_config.h"
#include "data/augment.h"
#include "data/encoder.h"
#include "learn/bptt.h"
#include "learn/optimizer.h"
#include "learn/schedule.h"
#include "nn/fluctuation_init.h"
#include "nn/layer.h"
#include "nn/layer_spec.h"
#include "nn/lif_layer.h"
#include "nn/loss.h"

namespace spikeforge {

struct TrainConfig {
  uint64_t seed = 0;
  int timesteps = 8, epochs = 1, batch_size = 64, threads = 0;
  float lr = 1e-3f;
  std::string learner = "bptt", neuron = "lif";
  InitKind init = InitKind::KaimingUniform;
  std::string dataset = "fashion-mnist", data_dir;
  EncoderParams encoder;
  AugmentParams augment;
  int64_t train_limit = 0, test_limit = 0, holdout = 0;
  SpikingParams spiking;
  OptimizerParams optimizer;
  ScheduleParams schedule;
  LossParams loss;
  std::vector<LayerSpec> layers;
  PlasticityConfig plasticity;  // learner = stdp | vdsp | rstdp | desire (cli/plasticity_config.h)
  nlohmann::json resolved;      // the config with every default filled in

  bool sparse_backward = false;  // backward = "sparse" (nn/sparse_spiking_linear.h)
  float init_gain = 1.f;         // synaptic weights times this after init (nn/init.h)
  int precise_bn_batches = 0;    // > 0: norm statistics re-estimated before each evaluation (cli/deep_training.h)
  float ema_decay = 0.f;         // > 0: the weight average is evaluated and saved (learn/weight_average.h)
  int eval_every = 1;            // epochs between test evaluations (the last epoch always)
  // Deep and recurrent training (cli/deep_config.h):
  NeuronModelParams model;        // [neuron_params] keys of alif/ahp/cuba/plif/recurrent (nn/neuron_model.h)
  bool fluctuation_init = false;  // init = "fluctuation"; `init` then holds the base init of the other layers
  FluctuationParams fluctuation;  // [init_params] (nn/fluctuation_init.h)
  BpttParams bptt;                // [bptt] truncation, clip_norm (learn/bptt.h)

  NetworkDefaults network_defaults() const {
    NetworkDefaults d;
    d.spiking = spiking;
    d.seed = seed;
    d.sparse_backward = sparse_backward;
    d.model = model;
    d.timesteps = timesteps;
    return d;
  }
};

// Reads a TOML file into JSON (ConfigError/InputError naming the file on failure).
nlohmann::json read_toml_as_json(const std::string& path);
// Validates and resolves; `origin` names the source in messages.
TrainConfig parse_train_config(const nlohmann::json& j, const std::string& origin);

}  // namespace spikeforge
