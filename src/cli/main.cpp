// spikeforge command line. The only place that catches errors: a user error
// (InputError, ConfigError, ShapeError, bad arguments) prints one line to
// stderr and exits 2; an internal error (a bug) exits 3.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "core/blas_kernel.h"
#include "core/error.h"

using namespace spikeforge;

namespace {

int fail(const char* prefix, const std::string& what, int code) {
  std::string line = what.substr(0, what.find('\n'));
  std::fprintf(stderr, "spikeforge: %s%s\n", prefix, line.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  select_blas_kernel(argv);
  CLI::App app{"spikeforge: train, convert and run spiking neural networks"};
  app.require_subcommand(1);

  TrainOptions train;
  auto* tr = app.add_subcommand(
      "train", "train a network from a TOML config (surrogate-gradient BPTT or a local plasticity rule)");
  tr->add_option("--config", train.config, "config file (TOML)")->required();
  tr->add_option("--epochs", train.epochs, "override epochs");
  tr->add_option("--data-dir", train.data_dir, "override data.dir");
  tr->add_option("--out", train.out, "output directory (last.ckpt, report.json)");
  tr->add_option("--report", train.report, "also write the JSON report here");
  tr->add_option("--seed", train.seed, "override seed");
  tr->add_option("--threads", train.threads, "threads for OpenMP and BLAS");
  tr->add_option("--resume", train.resume, "continue from a checkpoint");

  EvalOptions eval;
  auto* ev = app.add_subcommand("eval", "evaluate a checkpoint or an ONNX model on the test split");
  ev->add_option("--checkpoint", eval.checkpoint, "checkpoint (.ckpt) or ONNX model (.onnx)")->required();
  ev->add_option("--data-dir", eval.data_dir, "override the stored data directory");
  ev->add_option("--report", eval.report, "write a JSON report");
  ev->add_option("--engine", eval.engine, "dense | event (event-driven: only the spikes that occurred)");
  ev->add_option("--threads", eval.threads, "threads for OpenMP and BLAS");
  ev->add_option("--input-mean", eval.input_mean, "ONNX models: subtract from the [0, 1] images first");
  ev->add_option("--input-std", eval.input_std, "ONNX models: then divide by this");

  ImportOptions import;
  auto* im = app.add_subcommand("import", "import an ONNX model: layer table, ANN test accuracy, checkpoint");
  im->add_option("model", import.model, "ONNX file")->required();
  im->add_option("--out", import.out, "checkpoint to write (default: the model's path with .ckpt)");
  im->add_option("--report", import.report, "write a JSON report");
  im->add_option("--input-mean", import.input_mean, "subtract from the [0, 1] images first (default 0)");
  im->add_option("--input-std", import.input_std, "then divide by this (default 1)");
  im->add_option("--data-dir", import.data_dir, "Fashion-MNIST directory (default: Debian's)");
  im->add_option("--threads", import.threads, "threads for OpenMP and BLAS");

  ConvertCliOptions conv;
  auto* cv = app.add_subcommand("convert", "convert a trained ANN (checkpoint or ONNX) into an SNN and evaluate it");
  cv->add_option("--model", conv.model, "ANN checkpoint or .onnx file")->required();
  cv->add_option("--method", conv.method, "rate | spikeconverter (default)");
  cv->add_option("--timesteps", conv.timesteps, "T: steps per phase (spikeconverter) or in all (rate)")
      ->check(CLI::Range(1, 100000));
  cv->add_option("--calib-samples", conv.calib_samples, "training images for threshold calibration (default 1000)");
  cv->add_option("--percentile", conv.percentile, "activation percentile per layer for thresholds (default 99.9)");
  cv->add_option("--k", conv.k, "spikeconverter: membrane amplification per step (default 2)");
  cv->add_option("--input-coding", conv.input_coding, "rate (Bernoulli, rate default) | direct (analog current)");
  cv->add_option("--engine", conv.engine, "dense | event");
  cv->add_option("--sweep", conv.sweep, "also evaluate these T, e.g. 2,4,8,16,32,64");
  cv->add_option("--test-limit", conv.test_limit, "evaluate on the first N test images (default all)");
  cv->add_option("--out", conv.out, "write the SNN (at --timesteps) as a checkpoint");
  cv->add_option("--report", conv.report, "write a JSON report");
  cv->add_option("--data-dir", conv.data_dir, "Fashion-MNIST directory");
  cv->add_option("--threads", conv.threads, "threads for OpenMP and BLAS");
  cv->add_option("--input-mean", conv.input_mean, "ONNX models: subtract from the [0, 1] images first");
  cv->add_option("--input-std", conv.input_std, "ONNX models: then divide by this");

  BenchOptions bench;
  auto* be = app.add_subcommand("bench", "time the standard workloads against the BLAS rate");
  be->add_option("--report", bench.report, "write a JSON report");
  be->add_option("--threads", bench.threads, "threads for OpenMP and BLAS");
  be->add_option("--workload", bench.workload, "time only this standard workload")
      ->check(CLI::IsMember({"mlp", "cnn"}));
  be->add_option("--repeats", bench.repeats, "timed repetitions per measurement (median)")->check(CLI::Range(1, 1000));
  be->add_flag("--sparse", bench.sparse,
               "also: sparse vs dense forward by density, spike cache, sparse-backward epoch");
  be->add_option("--sparse-limit", bench.sparse_limit, "training images for --sparse's epoch comparison (default all)");
  be->add_option("--data-dir", bench.data_dir, "Fashion-MNIST directory (--sparse)");

  PlotOptions plot;
  auto* pl = app.add_subcommand("plot", "draw the receptive fields of a plasticity-trained checkpoint as a PNG grid");
  pl->add_option("--checkpoint", plot.checkpoint, "checkpoint of learner = stdp | vdsp | rstdp | desire")->required();
  pl->add_option("--out", plot.out, "PNG file to write")->required();
  pl->add_option("--scale", plot.scale, "pixels per weight (default 2)");
  pl->add_option("--columns", plot.columns, "fields per row (default ceil(sqrt(count)))");
  pl->add_option("--max-fields", plot.max_fields, "draw only the first N fields");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail("", e.what(), 2);
  }

  try {
    if (*tr) return run_train(train);
    if (*ev) return run_eval(eval);
    if (*im) return run_import(import);
    if (*cv) return run_convert(conv);
    if (*be) return run_bench(bench);
    if (*pl) return run_plot(plot);
  } catch (const InternalError& e) {
    return fail("internal error: ", e.what(), 3);
  } catch (const Error& e) {
    return fail("", e.what(), 2);
  } catch (const std::filesystem::filesystem_error& e) {
    return fail("", e.what(), 2);
  } catch (const std::bad_alloc&) {
    return fail("", "out of memory", 2);
  } catch (const std::exception& e) {
    return fail("internal error: ", e.what(), 3);
  }
  return 3;
}
