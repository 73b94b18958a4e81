// Seeded random numbers. Every random choice in spikeforge goes through an Rng
// so that the same seed (and thread count) gives the same result. Streams are
// derived, not shared: `Rng(seed).derive(epoch)` gives an independent generator
// for an epoch, so resuming at epoch e reproduces the run exactly.
#pragma once
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace spikeforge {

class Rng {
 public:
  explicit Rng(uint64_t seed) : seed_(seed), gen_(seed) {}
  // An independent stream keyed by (seed, key), via a SplitMix64-style hash.
  Rng derive(uint64_t key) const;
  uint64_t next_u64() { return gen_(); }
  // Uniform in [0, 1) with 24 random bits, exact in float32.
  float uniform() { return static_cast<float>(gen_() >> 40) * 0x1.0p-24f; }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Standard normal via std::normal_distribution (deterministic on libstdc++).
  float normal();
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(gen_); }
  // Fisher-Yates in place: for i = n-1 .. 1, swap a[i] with a[below(i + 1)].
  void shuffle(std::vector<int64_t>& a) {
    for (int64_t i = int64_t(a.size()) - 1; i > 0; --i) std::swap(a[size_t(i)], a[below(uint64_t(i) + 1)]);
  }
  std::mt19937_64& engine() { return gen_; }

 private:
  uint64_t seed_;
  std::mt19937_64 gen_;
  std::normal_distribution<float> normal_{0.f, 1.f};
};

}  // namespace spikeforge
