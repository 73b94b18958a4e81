#include "core/rng.h"

namespace spikeforge {

// SplitMix64 finaliser: decorrelates nearby (seed, key) pairs.
static uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng Rng::derive(uint64_t key) const { return Rng(mix64(seed_ ^ mix64(key + 1))); }

float Rng::normal() { return normal_(gen_); }

}  // namespace spikeforge
