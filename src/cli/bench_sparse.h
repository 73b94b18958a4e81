// spikeforge bench --sparse (cli/bench_sparse.cpp): the report keys DESIGN.md
// lists: densities [{density, dense_forward_ms, sparse_forward_ms,
// auto_forward_ms, auto_choice}], dense_backward_ms, sparse_backward_ms,
// dense_accuracy, sparse_accuracy, bptt_cache_bytes_per_sample.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace spikeforge {

struct SparseBenchOptions {
  int repeats = 10;
  std::string data_dir;
  int64_t train_limit = 0, test_limit = 0;  // images for the epoch comparison (0 = all)
};

nlohmann::json run_sparse_bench(const SparseBenchOptions& o);

}  // namespace spikeforge
