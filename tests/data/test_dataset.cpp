// The scored split (data/dataset.h take_eval_split): the test split when
// holdout = 0; otherwise held-out training images, checked on a synthetic
// data set whose images carry their own index, so where every image went
// can be read back.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"

using namespace spikeforge;

namespace {

// S images of 2 pixels: (index, index + 0.5); label index % 10
ImageDataset indexed(int64_t S) {
  ImageDataset d;
  d.count = S, d.C = 1, d.H = 1, d.W = 2;
  for (int64_t s = 0; s < S; ++s) {
    d.images.push_back(float(s)), d.images.push_back(float(s) + 0.5f);
    d.labels.push_back(int(s % 10));
  }
  return d;
}

std::vector<int64_t> indices(const ImageDataset& d) {
  std::vector<int64_t> v;
  for (int64_t s = 0; s < d.count; ++s) {
    EXPECT_EQ(d.image(s)[1], d.image(s)[0] + 0.5f);  // pixels stay together
    EXPECT_EQ(d.labels[s], int(int64_t(d.image(s)[0]) % 10));
    v.push_back(int64_t(d.image(s)[0]));
  }
  return v;
}

}  // namespace

TEST(TakeEvalSplit, HoldoutMovesTrainingImagesOutInTheirOrder) {
  ImageDataset train = indexed(1000);
  const ImageDataset eval = take_eval_split(train, "mnist", "/nonexistent", 0, 100, "t.toml");
  ASSERT_EQ(eval.count, 100);
  ASSERT_EQ(train.count, 900);
  const std::vector<int64_t> e = indices(eval), t = indices(train);
  // every image in exactly one part, each part in ascending original order
  std::vector<int> seen(1000, 0);
  for (int64_t i : e) ++seen[i];
  for (int64_t i : t) ++seen[i];
  EXPECT_EQ(std::vector<int>(1000, 1), seen);
  EXPECT_TRUE(std::is_sorted(e.begin(), e.end()));
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
  // a shuffle, not a block: held-out images spread over the whole range
  EXPECT_LT(e.front(), 100);
  EXPECT_GT(e.back(), 900);
  // the same images every time (no seed involved); test_limit keeps the first ones
  ImageDataset again = indexed(1000);
  const ImageDataset first = take_eval_split(again, "mnist", "/nonexistent", 10, 100, "t.toml");
  ASSERT_EQ(first.count, 10);
  EXPECT_EQ(std::vector<int64_t>(e.begin(), e.begin() + 10), indices(first));
}

TEST(TakeEvalSplit, NoHoldoutIsTheTestSplit) {
  ImageDataset train = indexed(10);
  const std::string dir = default_dataset_dir("fashion-mnist");
  const ImageDataset eval = take_eval_split(train, "fashion-mnist", dir, 7, 0, "t.toml");
  const ImageDataset test = load_image_dataset("fashion-mnist", dir, "test", 7);
  EXPECT_EQ(eval.count, 7);
  EXPECT_EQ(eval.images, test.images);
  EXPECT_EQ(eval.labels, test.labels);
  EXPECT_EQ(train.count, 10);  // untouched
}

TEST(TakeEvalSplit, HoldoutOfAllTrainingImagesNamesTheKey) {
  ImageDataset train = indexed(10);
  try {
    take_eval_split(train, "mnist", "/nonexistent", 0, 10, "t.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("t.toml: data.holdout = 10, expected fewer than the 10 training images"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(train.count, 10);  // nothing lost
}
