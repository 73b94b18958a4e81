// spikeforge bench: the standard workloads' forward and training-step times,
// against the machine's own single-precision BLAS rate.
//
//   mlp: 784 -> 1000 LIF -> 10 LIF, T = 25, batch 128, Bernoulli input at rate 0.2
//   cnn: 1x28x28, T = 8, batch 64: conv(1->32, 3x3, pad 1)+LIF, maxpool 2,
//        conv(32->64, 3x3, pad 1)+LIF, maxpool 2, flatten, linear(3136->10)+LIF
// flops_per_step = 3 * 2 * MACs * T * B (forward, input and weight gradients);
// bound_ratio = train_step_ms / (flops_per_step / blas_gflops).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "cli/bench_sparse.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/report.h"
#include "cli/timing.h"
#include "core/blas.h"
#include "core/blas_kernel.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/threads.h"
#include "learn/bptt.h"
#include "nn/conv2d.h"
#include "nn/network_builder.h"

namespace spikeforge {
namespace {

// Validate first: the report's directory must exist before minutes of timing.
void check_report_path(const std::string& path) {
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir))
    throw ConfigError("--report " + path + ": directory " + dir.string() + " does not exist");
}

double blas_gflops(int repeats) {
  const int n = 2048;
  Tensor a({n, n}), b({n, n}), c({n, n});
  Rng rng(1);
  for (int64_t i = 0; i < a.numel(); ++i) a[i] = rng.uniform(), b[i] = rng.uniform();
  double ms = median_ms(repeats, [&] { gemm_nn(n, n, n, 1.f, a.data(), b.data(), 0.f, c.data()); });
  return 2.0 * n * n * n / (ms * 1e6);
}

struct Workload {
  const char* name;
  int T, B;
  FeatShape input;
  std::vector<LayerSpec> layers;
};

std::vector<Workload> standard_workloads() {
  auto lif = [] {
    LayerSpec s;
    s.type = "lif";
    return s;
  };
  auto linear = [](int u) {
    LayerSpec s;
    s.type = "linear";
    s.units = u;
    return s;
  };
  auto conv = [](int c) {
    LayerSpec s;
    s.type = "conv2d";
    s.channels = c;
    s.kernel = 3;
    s.stride = 1;
    s.pad = 1;
    return s;
  };
  auto pool = [] {
    LayerSpec s;
    s.type = "maxpool2d";
    s.kernel = 2;
    s.stride = 2;
    return s;
  };
  auto flat = [] {
    LayerSpec s;
    s.type = "flatten";
    return s;
  };
  return {
      {"mlp", 25, 128, {784, 1, 1}, {linear(1000), lif(), linear(10), lif()}},
      {"cnn", 8, 64, {1, 28, 28}, {conv(32), lif(), pool(), conv(64), lif(), pool(), flat(), linear(10), lif()}},
  };
}

// Spikes per neuron and step of each spiking layer, from one forward pass:
// the activity the sparse paths see.
nlohmann::json firing_rates_of_one_forward(Network& net, const float* x, int steps_x_batch) {
  for (auto& l : net.layers()) l->reset_spike_count();
  net.forward(x, false);
  nlohmann::json rates = nlohmann::json::array();
  for (const auto& l : net.layers())
    if (l->spiking()) rates.push_back(l->spikes_emitted() / (double(steps_x_batch) * l->out_shape().size()));
  return rates;
}

nlohmann::json run_workload(const Workload& w, double gflops, int repeats) {
  TrainConfig cfg;
  cfg.layers = w.layers;
  cfg.loss.kind = LossKind::CeCount;
  auto net = build_network(cfg.layers, cfg.network_defaults(), w.input, std::string("bench ") + w.name);
  net->set_input_spikes(true);  // Bernoulli input
  Rng rng(42);
  net->init_params(InitKind::KaimingUniform, rng);
  BpttLearner learner(*net, cfg.loss, cfg.optimizer);
  const int64_t F = w.input.size();
  Tensor x({w.T, w.B, F});
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = rng.uniform() < 0.2f ? 1.f : 0.f;  // Bernoulli(0.2) spikes
  std::vector<int> y(w.B);
  for (int& v : y) v = static_cast<int>(rng.below(10));
  net->prepare(w.T, w.T, w.B);
  const double fwd = median_ms(repeats, [&] { net->forward(x.data(), false); });
  nlohmann::json rates = firing_rates_of_one_forward(*net, x.data(), w.T * w.B);
  for (const auto& l : net->layers())
    if (auto* c = dynamic_cast<Conv2d*>(l.get()))
      std::printf("  conv2d %s: input density %.3f, %s path\n", c->in_shape().str().c_str(), c->last_density(),
                  c->last_sparse() ? "spike" : "sgemm");
  const double step = median_ms(repeats, [&] { learner.step(x.data(), w.T, w.T, w.B, y.data(), 1e-4f); });
  const double flops = 3.0 * 2.0 * net->macs_per_sample(w.T, w.T) * w.B;
  const double bound_ms = flops / (gflops * 1e6);
  std::printf(
      "%-4s T=%-3d B=%-4d forward %8.2f ms  train step %8.2f ms  (%.2f GFLOP, bound %.2f ms, ratio %.2f)  "
      "firing rates %s\n",
      w.name, w.T, w.B, fwd, step, flops / 1e9, bound_ms, step / bound_ms, rates.dump().c_str());
  return {{"name", w.name},
          {"timesteps", w.T},
          {"batch_size", w.B},
          {"forward_ms", fwd},
          {"train_step_ms", step},
          {"flops_per_step", flops},
          {"firing_rate", rates},
          {"bound_ratio", step / bound_ms},
          {"peak_rss_mb", peak_rss_mb()}};
}

}  // namespace

int run_bench(const BenchOptions& o) {
  if (o.threads) set_num_threads(*o.threads);
  if (!o.report.empty()) check_report_path(o.report);
  const double gflops = blas_gflops(o.repeats);
  std::printf("blas sgemm 2048^3: %.1f GFLOP/s on %d threads, OpenBLAS core %s (median of %d)\n", gflops, num_threads(),
              blas_core_name(), o.repeats);
  nlohmann::json workloads = nlohmann::json::array();
  for (const Workload& w : standard_workloads())
    if (o.workload.empty() || o.workload == w.name) workloads.push_back(run_workload(w, gflops, o.repeats));
  nlohmann::json report = {{"command", "bench"},       {"blas_gflops", gflops}, {"blas_core", blas_core_name()},
                           {"threads", num_threads()}, {"repeats", o.repeats},  {"workloads", workloads}};
  if (o.sparse) report.update(run_sparse_bench({o.repeats, o.data_dir, o.sparse_limit, o.sparse_limit / 6}));
  report["peak_rss_mb"] = peak_rss_mb();
  if (!o.report.empty()) write_report(o.report, report);
  return 0;
}

}  // namespace spikeforge
