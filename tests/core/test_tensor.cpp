#include <gtest/gtest.h>

#include "core/tensor.h"

using namespace spikeforge;

TEST(Tensor, ShapeAndZeroFill) {
  Tensor t({2, 3, 4});
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.shape().str(), "[2, 3, 4]");
  for (int64_t i = 0; i < t.numel(); ++i) EXPECT_EQ(t[i], 0.f);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u);
}
