// spikeforge bench --sparse: what spike sparsity buys.
//
//  densities  the MLP workload's first layer (784 -> 1000, T = 25, batch 128)
//             on Bernoulli spikes at density 1, 5, 10, 20, 50 %: forward on the
//             BLAS path, the spike path and the automatic choice, timed
//             round-robin (cli/timing.h) so the machine's noise falls on all three:
//             3 x --repeats rounds through all six orders, five full cycles at the
//             default --repeats 10.
//  cache      the MLP workload's BPTT cache of spikes as bits, against a float32
//             cache of the same spikes (and the membrane cache beside it).
//  epoch      the sparse-backprop paper's Fashion-MNIST setting (Perez-Nieves &
//             Goodman 2021): latency-coded input (one spike per pixel, 100 steps
//             of 1 ms), 784-200-200-10 LIF, tau_mem = 10 ms, fast-sigmoid
//             surrogate 1/(100|v - theta| + 1)^2 on the band |v - theta| < 0.2,
//             max-over-time read-out, Adam 2e-4, batch 256; one epoch with the
//             dense backward and one with the sparse backward of the same
//             model: backward time per batch (median), epoch time, accuracy.
#include "cli/bench_sparse.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "cli/evaluate.h"
#include "cli/report.h"
#include "cli/timing.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "data/batcher.h"
#include "data/dataset.h"
#include "data/encoder.h"
#include "learn/optimizer.h"
#include "nn/init.h"
#include "nn/linear.h"
#include "nn/loss.h"
#include "nn/network_builder.h"
#include "nn/sparse_spiking_linear.h"

namespace spikeforge {
namespace {

nlohmann::json density_sweep(int repeats) {
  const int I = 784, O = 1000, T = 25, B = 128, R = T * B;
  Linear lin({I, 1, 1}, O);
  std::vector<float> p(size_t(lin.param_count())), g(p.size(), 0.f);
  Rng rng(11);
  lin.bind(p.data(), g.data());
  lin.init_params(InitKind::KaimingUniform, rng);
  lin.set_spike_input(true);
  lin.prepare(R, R, 1);
  Tensor x({R, I}), y({R, O});
  nlohmann::json out = nlohmann::json::array();
  std::printf("sparse forward, linear %d -> %d on %d x %d spike rows (T x batch), median of %d rounds:\n", I, O, T, B,
              repeats);
  for (double d : {0.01, 0.05, 0.10, 0.20, 0.50}) {
    for (int64_t i = 0; i < x.numel(); ++i) x[i] = rng.uniform() < d ? 1.f : 0.f;
    bool auto_sparse = false;
    auto run_path = [&](SynapsePath path) {
      return [&, path] {
        lin.set_path(path);
        lin.forward(x.data(), y.data(), false);
        if (path == SynapsePath::Auto) auto_sparse = lin.last_sparse();
      };
    };
    const std::vector<double> t = interleaved_median_ms(
        repeats, {run_path(SynapsePath::Dense), run_path(SynapsePath::Sparse), run_path(SynapsePath::Auto)});
    const double dense = t[0], sparse = t[1], autom = t[2];
    const char* choice = auto_sparse ? "sparse" : "dense";
    std::printf("  density %4.0f %%  dense %7.2f ms  sparse %7.2f ms  (%.1fx)  auto %7.2f ms (%s, %.0f %% of best)\n",
                100 * d, dense, sparse, dense / sparse, autom, choice, 100 * autom / std::min(dense, sparse));
    out.push_back({{"density", d},
                   {"dense_forward_ms", dense},
                   {"sparse_forward_ms", sparse},
                   {"auto_forward_ms", autom},
                   {"auto_choice", choice},
                   {"speedup", dense / sparse}});
  }
  return out;
}

// The latency-coded Fashion-MNIST network of the paper, as the configs
// fmnist_latency_{dense,sparse}.toml have it.
TrainConfig latency_config(bool sparse) {
  const double beta = std::exp(-1.0 / 10.0);  // tau_mem = 10 ms, dt = 1 ms
  nlohmann::json j = {{"seed", 0},
                      {"timesteps", 100},
                      {"batch_size", 256},
                      {"lr", 2e-4},
                      {"init", "kaiming_normal"},
                      {"init_gain", 1.34},
                      {"backward", sparse ? "sparse" : "dense"},
                      {"data", {{"encoder", "latency_log"}, {"latency_threshold", 0.2}, {"latency_tau", 20.0}}},
                      {"neuron_params",
                       {{"beta", beta},
                        {"threshold", 1.0},
                        {"reset", "soft"},
                        {"detach_reset", true},
                        {"surrogate", "fast_sigmoid"},
                        {"surrogate_width", 0.01},
                        {"surrogate_band", 0.2}}},
                      {"optimizer", {{"name", "adam"}, {"schedule", "constant"}}},
                      {"loss", {{"name", "ce_mem_max"}}},
                      {"layers",
                       {{{"type", "linear"}, {"units", 200}},
                        {{"type", "lif"}},
                        {{"type", "linear"}, {"units", 200}},
                        {{"type", "lif"}},
                        {{"type", "linear"}, {"units", 10}},
                        {{"type", "readout"}, {"beta", beta}}}}};
  return parse_train_config(j, sparse ? "bench --sparse (sparse backward)" : "bench --sparse (dense backward)");
}

struct EpochResult {
  double backward_ms = 0, epoch_seconds = 0, accuracy = 0, active_fraction = 0;
};

EpochResult latency_epoch(bool sparse, const ImageDataset& train, const ImageDataset& test) {
  TrainConfig cfg = latency_config(sparse);
  auto net = build_network(cfg.layers, cfg.network_defaults(), {train.C, train.H, train.W}, "bench --sparse");
  net->set_input_spikes(true);
  Rng init = Rng(cfg.seed).derive(7);
  net->init_params(cfg.init, init);
  scale_synaptic_weights(*net, cfg.init_gain);
  Optimizer opt(cfg.optimizer, int64_t(net->params().size()));
  const int T = cfg.timesteps, B = cfg.batch_size, K = 10;
  const int64_t F = train.features();
  Batcher batches(train.count, B, true, true, cfg.seed);
  batches.start_epoch(0);
  Tensor x({B, F}), enc({T, B, F}), dout({T, B, K});
  std::vector<int> y(B);
  Rng enc_rng(1);
  std::vector<double> backward_ms;
  double active = 0, entries = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < batches.num_batches(); ++i) {
    batches.gather(train, i, x.data(), y.data());
    encode(cfg.encoder, x.data(), B, F, T, enc_rng, enc.data());
    net->prepare(T, T, B);
    const float* out = net->forward(enc.data(), true);
    loss_forward_backward(cfg.loss, out, net->out_steps(), B, K, y.data(), dout.data());
    net->zero_grad();
    const auto b0 = std::chrono::steady_clock::now();
    net->backward(dout.data());
    backward_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - b0).count());
    opt.step(net->params().data(), net->grads().data(), int64_t(net->params().size()), cfg.lr);
    for (auto& l : net->layers())
      if (auto* s = dynamic_cast<SparseSpikingLinear*>(l.get()))
        active += double(s->active_entries()), entries += double(T) * B * s->out_shape().size();
  }
  EpochResult r;
  r.epoch_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.backward_ms = median_of(backward_ms);
  r.active_fraction = entries > 0 ? active / entries : 1.0;
  r.accuracy = evaluate_dataset(*net, cfg, test, 0xE7A1).accuracy;
  return r;
}

// Spike cache of the MLP workload (784 -> 1000 LIF -> 10 LIF, T = 25), per sample.
nlohmann::json mlp_cache() {
  const int T = 25, B = 128;
  TrainConfig cfg;
  LayerSpec l1, n1, l2, n2;
  l1.type = l2.type = "linear";
  l1.units = 1000, l2.units = 10;
  n1.type = n2.type = "lif";
  cfg.layers = {l1, n1, l2, n2};
  auto net = build_network(cfg.layers, cfg.network_defaults(), {784, 1, 1}, "bench mlp");
  net->set_input_spikes(true);
  Rng rng(3);
  net->init_params(InitKind::KaimingUniform, rng);
  Tensor x({T, B, 784});
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = rng.uniform() < 0.2f ? 1.f : 0.f;
  net->prepare(T, T, B);
  net->forward(x.data(), true);
  double bits = 0, floats = 0, membrane = 0;
  for (auto& l : net->layers()) {
    if (auto* lin = dynamic_cast<Linear*>(l.get())) {
      bits += double(lin->cache_bytes());
      floats += 4.0 * T * B * lin->in_shape().size();
    } else if (l->spiking()) {
      membrane += 4.0 * T * B * l->out_shape().size();
    }
  }
  std::printf("mlp BPTT cache per sample: spikes %.0f bytes as bits vs %.0f as float32 (1/%.0f); membrane %.0f bytes\n",
              bits / B, floats / B, floats / bits, membrane / B);
  return {{"bptt_cache_bytes_per_sample", bits / B},
          {"bptt_cache_float32_bytes_per_sample", floats / B},
          {"membrane_cache_bytes_per_sample", membrane / B}};
}

}  // namespace

nlohmann::json run_sparse_bench(const SparseBenchOptions& o) {
  nlohmann::json r = {{"densities", density_sweep(3 * o.repeats)}};
  r.update(mlp_cache());
  ImageDataset train = load_image_dataset(
      "fashion-mnist", o.data_dir.empty() ? default_dataset_dir("fashion-mnist") : o.data_dir, "train", o.train_limit);
  ImageDataset test = load_image_dataset(
      "fashion-mnist", o.data_dir.empty() ? default_dataset_dir("fashion-mnist") : o.data_dir, "test", o.test_limit);
  std::printf("latency-coded Fashion-MNIST, 784-200-200-10, T = 100, one epoch of %lld images each:\n",
              (long long)train.count);
  const EpochResult dense = latency_epoch(false, train, test);
  std::printf("  dense backward  %8.2f ms/batch  epoch %6.1f s  test_accuracy %.4f\n", dense.backward_ms,
              dense.epoch_seconds, dense.accuracy);
  const EpochResult sparse = latency_epoch(true, train, test);
  std::printf("  sparse backward %8.2f ms/batch  epoch %6.1f s  test_accuracy %.4f  (%.1fx backward, %.2f %% active)\n",
              sparse.backward_ms, sparse.epoch_seconds, sparse.accuracy, dense.backward_ms / sparse.backward_ms,
              100 * sparse.active_fraction);
  r.update({{"dense_backward_ms", dense.backward_ms},
            {"sparse_backward_ms", sparse.backward_ms},
            {"backward_speedup", dense.backward_ms / sparse.backward_ms},
            {"dense_epoch_seconds", dense.epoch_seconds},
            {"sparse_epoch_seconds", sparse.epoch_seconds},
            {"dense_accuracy", dense.accuracy},
            {"sparse_accuracy", sparse.accuracy},
            {"active_fraction", sparse.active_fraction},
            {"epoch_train_images", train.count}});
  return r;
}

}  // namespace spikeforge
