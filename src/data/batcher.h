// Deterministic shuffling and mini-batching. The order of epoch e is a
// Fisher-Yates permutation drawn from Rng(seed).derive(e), so it depends only
// on (seed, epoch): resuming at epoch e gives the same batches.
#pragma once
#include <cstdint>
#include <vector>

#include "data/image_dataset.h"

namespace spikeforge {

class Batcher {
 public:
  // drop_last: training drops the final partial batch; evaluation keeps it.
  Batcher(int64_t count, int batch_size, bool shuffle, bool drop_last, uint64_t seed);
  void start_epoch(int epoch);
  int num_batches() const;
  // Size of batch i (batch_size, or less for a kept final partial batch).
  int batch_len(int i) const;
  // Copies batch i: x [B, F] and y [B].
  void gather(const ImageDataset& ds, int i, float* x, int* y) const;

 private:
  int64_t count_;
  int batch_size_;
  bool shuffle_, drop_last_;
  uint64_t seed_;
  std::vector<int64_t> order_;
};

}  // namespace spikeforge
