// Rng::shuffle (core/rng.h): the documented Fisher-Yates order, which fixes
// every recorded training order (Batcher), read-out minibatch and hold-out
// draw, so changing it would silently change reproduced figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/rng.h"

using namespace spikeforge;

TEST(RngShuffle, IsTheDocumentedFisherYatesPass) {
  std::vector<int64_t> a(50);
  std::iota(a.begin(), a.end(), 0);
  std::vector<int64_t> want = a;
  Rng(11).shuffle(a);
  Rng ref(11);  // for i = n-1 .. 1: swap a[i], a[below(i + 1)]
  for (int64_t i = 49; i > 0; --i) std::swap(want[i], want[ref.below(uint64_t(i) + 1)]);
  EXPECT_EQ(a, want);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(50);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(sorted, identity);  // a permutation
  EXPECT_NE(a, identity);       // that moved something
}
