#include "nn/spike_bits.h"

#include <immintrin.h>

namespace spikeforge {
namespace {

// Bit j = (x[j] != 0) for j < n.
inline uint64_t pack_tail(const float* x, int64_t n) {
  uint64_t b = 0;
  for (int64_t j = 0; j < n; ++j) b |= uint64_t(x[j] != 0.f) << j;
  return b;
}

// 64 floats to 64 bits: four 16-lane compares where the CPU has AVX-512
// (the scalar shift-or loop costs more than reading the floats).
inline uint64_t pack64(const float* x) {
#ifdef __AVX512F__
  const __m512 z = _mm512_setzero_ps();
  uint64_t b = 0;
  for (int q = 0; q < 4; ++q)
    b |= uint64_t(_mm512_cmp_ps_mask(_mm512_loadu_ps(x + 16 * q), z, _CMP_NEQ_UQ)) << (16 * q);
  return b;
#else
  return pack_tail(x, 64);
#endif
}

}  // namespace

int64_t SpikeBits::pack(const float* x, int64_t R, int64_t N) {
  R_ = R, N_ = N, W_ = (N + 63) / 64;
  if (bits_.size() < size_t(R * W_)) bits_.resize(size_t(R * W_));
  int64_t count = 0;
#pragma omp parallel for reduction(+ : count) schedule(static)
  for (int64_t r = 0; r < R; ++r) {
    const float* xr = x + r * N;
    uint64_t* w = bits_.data() + r * W_;
    for (int64_t k = 0; k < W_; ++k) {
      const int64_t lo = k * 64, n = N - lo < 64 ? N - lo : 64;
      const uint64_t b = n == 64 ? pack64(xr + lo) : pack_tail(xr + lo, n);
      w[k] = b;
      count += __builtin_popcountll(b);
    }
  }
  return count;
}

void SpikeBits::index_lists(std::vector<int64_t>& off, std::vector<int32_t>& idx) const {
  if (off.size() < size_t(R_ + 1)) off.resize(R_ + 1);
  off[0] = 0;
  for (int64_t r = 0; r < R_; ++r) {
    int64_t n = 0;
    const uint64_t* w = row(r);
    for (int64_t k = 0; k < W_; ++k) n += __builtin_popcountll(w[k]);
    off[r + 1] = off[r] + n;
  }
  if (idx.size() < size_t(off[R_])) idx.resize(off[R_]);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < R_; ++r) {
    int32_t* out = idx.data() + off[r];
    for_each(r, [&](int64_t i) { *out++ = int32_t(i); });
  }
}

}  // namespace spikeforge
