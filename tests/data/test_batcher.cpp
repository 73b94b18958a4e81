// Batcher: epochs are permutations depending only on (seed, epoch).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

#include "data/batcher.h"
#include "data/image_dataset.h"

using namespace spikeforge;

namespace {

// Example i has image (i, -i - 0.5) and label i % 10, so a gathered row names
// its source and shows whether image and label travelled together.
ImageDataset numbered(int64_t n) {
  ImageDataset ds;
  ds.count = n;
  ds.C = 1, ds.H = 1, ds.W = 2;
  for (int64_t i = 0; i < n; ++i) {
    ds.images.push_back(float(i));
    ds.images.push_back(-float(i) - 0.5f);
    ds.labels.push_back(int(i % 10));
  }
  return ds;
}

// The example indices of every batch of one epoch, in order.
std::vector<int64_t> epoch_order(Batcher& b, const ImageDataset& ds, int epoch) {
  b.start_epoch(epoch);
  std::vector<int64_t> order;
  for (int i = 0; i < b.num_batches(); ++i) {
    const int B = b.batch_len(i);
    std::vector<float> x(size_t(B) * 2, -99.f);
    std::vector<int> y(B, -1);
    b.gather(ds, i, x.data(), y.data());
    for (int r = 0; r < B; ++r) {
      const int64_t k = int64_t(x[r * 2]);
      EXPECT_EQ(x[r * 2], float(k));
      EXPECT_EQ(x[r * 2 + 1], -float(k) - 0.5f) << "row " << r << " of batch " << i;
      EXPECT_EQ(y[r], int(k % 10)) << "label of example " << k;
      order.push_back(k);
    }
  }
  return order;
}

}  // namespace

TEST(Batcher, KeepLastIsAPermutationOfAll) {
  const int64_t n = 103;
  const ImageDataset ds = numbered(n);
  Batcher b(n, 10, /*shuffle=*/true, /*drop_last=*/false, 42);
  b.start_epoch(0);
  ASSERT_EQ(b.num_batches(), 11);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.batch_len(i), 10);
  EXPECT_EQ(b.batch_len(10), 3);
  std::vector<int64_t> order = epoch_order(b, ds, 0);
  ASSERT_EQ(order.size(), size_t(n));
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(sorted, all) << "each example exactly once";
  EXPECT_NE(order, all) << "shuffled";
}

TEST(Batcher, DropLastDropsOnlyThePartialBatch) {
  const int64_t n = 103;
  const ImageDataset ds = numbered(n);
  Batcher b(n, 10, true, /*drop_last=*/true, 42);
  b.start_epoch(3);
  ASSERT_EQ(b.num_batches(), 10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.batch_len(i), 10);
  std::vector<int64_t> order = epoch_order(b, ds, 3);
  ASSERT_EQ(order.size(), 100u);
  std::set<int64_t> uniq(order.begin(), order.end());
  EXPECT_EQ(uniq.size(), 100u) << "no example twice";
  for (int64_t k : order) EXPECT_TRUE(k >= 0 && k < n);
  // The same epoch with drop_last = false: the first 100 agree, the dropped 3 complete it.
  Batcher keep(n, 10, true, false, 42);
  std::vector<int64_t> full = epoch_order(keep, ds, 3);
  EXPECT_TRUE(std::equal(order.begin(), order.end(), full.begin()));
  // Exact multiple: nothing is dropped.
  Batcher exact(100, 20, true, true, 1);
  exact.start_epoch(0);
  EXPECT_EQ(exact.num_batches(), 5);
  // Fewer examples than one batch: drop_last leaves no batch, keep leaves one.
  EXPECT_EQ(Batcher(7, 10, true, true, 1).num_batches(), 0);
  EXPECT_EQ(Batcher(7, 10, true, false, 1).num_batches(), 1);
}

TEST(Batcher, OrderDependsOnlyOnSeedAndEpoch) {
  const int64_t n = 50;
  const ImageDataset ds = numbered(n);
  Batcher a(n, 8, true, false, 7), b(n, 8, true, false, 7), c(n, 8, true, false, 8);
  const std::vector<int64_t> a0 = epoch_order(a, ds, 0), a1 = epoch_order(a, ds, 1), a5 = epoch_order(a, ds, 5);
  // Same seed and epoch, another object and another history (resume at epoch 5).
  EXPECT_EQ(epoch_order(b, ds, 5), a5);
  EXPECT_EQ(epoch_order(b, ds, 0), a0);
  EXPECT_EQ(epoch_order(a, ds, 0), a0) << "revisiting an epoch repeats it";
  EXPECT_NE(a0, a1);
  EXPECT_NE(a1, a5);
  EXPECT_NE(epoch_order(c, ds, 0), a0) << "another seed, another order";
}

TEST(Batcher, NoShuffleIsIdentity) {
  const int64_t n = 23;
  const ImageDataset ds = numbered(n);
  Batcher b(n, 5, /*shuffle=*/false, false, 9);
  std::vector<int64_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(epoch_order(b, ds, 0), all);
  EXPECT_EQ(epoch_order(b, ds, 4), all);
}
