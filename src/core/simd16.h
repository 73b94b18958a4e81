// One 16-float vector (GCC vector extensions: an AVX-512 register where the
// CPU has one, an AVX pair where not) with unaligned load and store. The
// spike paths keep a few of these as accumulators in registers while they
// add weight rows selected by spikes.
#pragma once
#include <cstring>

namespace spikeforge {

typedef float V16 __attribute__((vector_size(64)));

inline V16 load16(const float* p) {
  V16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store16(float* p, V16 v) { std::memcpy(p, &v, sizeof v); }

}  // namespace spikeforge
