// The two reductions gradient code shares: per-thread partials added in
// thread order (core/threads.h add_partials) and bias gradients as row sums
// (core/blas.h add_row_sums).
#include <gtest/gtest.h>

#include <vector>

#include "../check_close.h"
#include "core/blas.h"
#include "core/rng.h"
#include "core/threads.h"

using namespace spikeforge;

static std::vector<float> random_values(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(-1.f, 1.f);
  return v;
}

// Split across threads, each element still gets dst + p0 + p1 + p2 in that
// order: the bits of the serial loop, for 1 and 2 threads alike.
TEST(AddPartials, EqualsTheSerialLoopBitForBit) {
  const int count = 3;
  const int64_t n = 1003, stride = 1040;  // odd n: a remainder after the vector lanes
  const std::vector<float> parts = random_values(size_t(count * stride), 1);
  const std::vector<float> dst0 = random_values(size_t(n), 2);
  std::vector<float> serial = dst0;
  for (int th = 0; th < count; ++th)
    for (int64_t e = 0; e < n; ++e) serial[size_t(e)] += parts[size_t(th * stride + e)];
  const int saved = num_threads();
  for (int nt : {1, 2}) {
    set_num_threads(nt);
    std::vector<float> got = dst0;
    add_partials(parts.data(), count, stride, n, got.data());
    for (int64_t e = 0; e < n; ++e) ASSERT_EQ(got[size_t(e)], serial[size_t(e)]) << "element " << e << ", " << nt;
  }
  set_num_threads(saved);
}

TEST(AddRowSums, AddsEachColumnsSumToY) {
  const int M = 517, N = 10;
  const std::vector<float> a = random_values(size_t(M) * N, 3);
  std::vector<float> y = random_values(N, 4);
  std::vector<double> ref(y.begin(), y.end());
  for (int r = 0; r < M; ++r)
    for (int c = 0; c < N; ++c) ref[size_t(c)] += a[size_t(r) * N + c];
  add_row_sums(M, N, a.data(), y.data());
  EXPECT_TRUE(test::all_close("row sums", y.data(), ref.data(), size_t(N), 1e-5, 1e-5));
}
