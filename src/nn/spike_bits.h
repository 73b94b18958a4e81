// Spikes as bits: a [R, N] matrix of 0/1 values packed into ceil(N / 64)
// 64-bit words per row (bit i % 64 of word i / 64 is element i), so a cached
// spike costs 1 bit instead of a 32-bit float, and the active elements of a
// row are found word by word with count-trailing-zeros (work proportional to
// the spikes, plus one load per 64 elements).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace spikeforge {

class SpikeBits {
 public:
  // Packs x [R, N] (every value 0 or 1; nonzero counts as a spike). Returns the spike count.
  int64_t pack(const float* x, int64_t R, int64_t N);
  int64_t rows() const { return R_; }
  int64_t cols() const { return N_; }
  int64_t words_per_row() const { return W_; }
  const uint64_t* row(int64_t r) const { return bits_.data() + r * W_; }
  size_t bytes() const { return size_t(R_ * W_) * sizeof(uint64_t); }  // what the cache holds

  // Every row's spiking elements as index lists (CSR): row r's are
  // idx[off[r] .. off[r + 1]), increasing. The vectors only grow.
  void index_lists(std::vector<int64_t>& off, std::vector<int32_t>& idx) const;

  // Calls f(i) for each spiking element i of row r, in increasing i.
  template <class F>
  void for_each(int64_t r, F&& f) const {
    const uint64_t* w = row(r);
    for (int64_t k = 0; k < W_; ++k)
      for (uint64_t b = w[k]; b; b &= b - 1) f(k * 64 + __builtin_ctzll(b));
  }

 private:
  int64_t R_ = 0, N_ = 0, W_ = 0;
  std::vector<uint64_t> bits_;  // [R, W], sized once (grown only when R*W grows)
};

}  // namespace spikeforge
