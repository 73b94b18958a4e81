#include "data/dataset.h"

#include <numeric>

#include "core/error.h"
#include "core/rng.h"
#include "data/mnist_digits.h"

namespace spikeforge {

std::string default_dataset_dir(const std::string& dataset) {
  if (dataset == "mnist") return default_mnist_digits_dir();
  return kDefaultFashionMnistDir;
}

namespace {

void keep_first(ImageDataset& d, int64_t limit) {
  if (limit <= 0 || limit >= d.count) return;
  d.count = limit;
  d.images.resize(size_t(limit * d.features()));
  d.labels.resize(size_t(limit));
}

}  // namespace

ImageDataset load_image_dataset(const std::string& dataset, const std::string& dir, const std::string& split,
                                int64_t limit) {
  if (dataset == "fashion-mnist") return load_fashion_mnist(dir, split, limit);
  if (dataset != "mnist") throw ConfigError("data.dataset = \"" + dataset + "\", expected fashion-mnist or mnist");
  ImageDataset d = load_mnist_digits(dir, split);
  keep_first(d, limit);
  return d;
}

ImageDataset take_eval_split(ImageDataset& train, const std::string& dataset, const std::string& dir,
                             int64_t test_limit, int64_t holdout, const std::string& origin) {
  if (holdout == 0) return load_image_dataset(dataset, dir, "test", test_limit);
  if (holdout < 0 || holdout >= train.count)
    throw ConfigError(origin + ": data.holdout = " + std::to_string(holdout) + ", expected fewer than the " +
                      std::to_string(train.count) + " training images");
  // the last `holdout` positions of a fixed Fisher-Yates shuffle are held out
  std::vector<int64_t> perm(size_t(train.count));
  std::iota(perm.begin(), perm.end(), 0);
  Rng(0x401D0).shuffle(perm);
  std::vector<char> held(size_t(train.count), 0);
  for (int64_t i = train.count - holdout; i < train.count; ++i) held[perm[i]] = 1;
  ImageDataset kept, eval;
  for (ImageDataset* d : {&kept, &eval})
    d->C = train.C, d->H = train.H, d->W = train.W, d->num_classes = train.num_classes;
  const int64_t F = train.features();
  for (int64_t s = 0; s < train.count; ++s) {
    ImageDataset& to = held[s] ? eval : kept;
    to.images.insert(to.images.end(), train.image(s), train.image(s) + F);
    to.labels.push_back(train.labels[s]);
  }
  kept.count = train.count - holdout, eval.count = holdout;
  train = std::move(kept);
  keep_first(eval, test_limit);
  return eval;
}

}  // namespace spikeforge
