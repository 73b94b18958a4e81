#include "data/batcher.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "core/rng.h"

namespace spikeforge {

Batcher::Batcher(int64_t count, int batch_size, bool shuffle, bool drop_last, uint64_t seed)
    : count_(count), batch_size_(batch_size), shuffle_(shuffle), drop_last_(drop_last), seed_(seed), order_(count) {
  std::iota(order_.begin(), order_.end(), 0);
}

void Batcher::start_epoch(int epoch) {
  std::iota(order_.begin(), order_.end(), 0);
  if (!shuffle_) return;
  Rng rng = Rng(seed_).derive(0x5348554646ULL + static_cast<uint64_t>(epoch));
  rng.shuffle(order_);
}

int Batcher::num_batches() const {
  return static_cast<int>(drop_last_ ? count_ / batch_size_ : (count_ + batch_size_ - 1) / batch_size_);
}

int Batcher::batch_len(int i) const {
  return static_cast<int>(std::min<int64_t>(batch_size_, count_ - int64_t(i) * batch_size_));
}

void Batcher::gather(const ImageDataset& ds, int i, float* x, int* y) const {
  int B = batch_len(i);
  int64_t F = ds.features();
  for (int b = 0; b < B; ++b) {
    int64_t k = order_[int64_t(i) * batch_size_ + b];
    std::memcpy(x + b * F, ds.image(k), sizeof(float) * F);
    y[b] = ds.labels[k];
  }
}

}  // namespace spikeforge
