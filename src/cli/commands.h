// The spikeforge commands. Each validates every input before it writes
// anything and returns the process exit code; errors propagate as exceptions
// to main, which prints them as one line.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace spikeforge {

struct TrainOptions {
  std::string config, data_dir, out = "runs/default", report, resume;
  std::optional<int> epochs, threads;
  std::optional<long long> seed;
};
int run_train(const TrainOptions& o);

struct EvalOptions {
  std::string checkpoint, data_dir, report;  // checkpoint: a .ckpt or an .onnx file
  std::string engine = "dense";              // dense | event
  std::optional<int> threads;
  std::optional<float> input_mean, input_std;  // ONNX models only
};
int run_eval(const EvalOptions& o);

struct ImportOptions {
  std::string model, out, report, data_dir;  // out: default the model's path with .ckpt
  std::optional<int> threads;
  std::optional<float> input_mean, input_std;
};
int run_import(const ImportOptions& o);

struct ConvertCliOptions {
  std::string model, method = "spikeconverter", engine = "dense", input_coding, sweep, report, out, data_dir;
  int timesteps = 16, calib_samples = 1000;
  int64_t test_limit = 0;
  double percentile = 99.9;
  float k = 2.f;
  std::optional<int> threads;
  std::optional<float> input_mean, input_std;  // ONNX models only
};
int run_convert(const ConvertCliOptions& o);

struct BenchOptions {
  std::string report, data_dir;
  std::string workload;  // only this standard workload (mlp | cnn); empty: all
  std::optional<int> threads;
  int repeats = 10;
  bool sparse = false;       // also the sparse-path benchmarks (cli/bench_sparse.h)
  int64_t sparse_limit = 0;  // training images for --sparse's epoch comparison (0 = all 60,000)
};
int run_bench(const BenchOptions& o);

struct PlotOptions {  // cli/plot_command.cpp
  std::string checkpoint, out;
  int scale = 2, columns = 0, max_fields = 0;  // columns 0: ceil(sqrt(count)); max_fields 0: all
};
int run_plot(const PlotOptions& o);

}  // namespace spikeforge
