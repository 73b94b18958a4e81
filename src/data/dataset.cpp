#include "data/dataset.h"

#include "core/error.h"
#include "data/mnist_digits.h"

namespace spikeforge {

std::string default_dataset_dir(const std::string& dataset) {
  if (dataset == "mnist") return default_mnist_digits_dir();
  return kDefaultFashionMnistDir;
}

ImageDataset load_image_dataset(const std::string& dataset, const std::string& dir, const std::string& split,
                                int64_t limit) {
  if (dataset == "fashion-mnist") return load_fashion_mnist(dir, split, limit);
  if (dataset != "mnist") throw ConfigError("data.dataset = \"" + dataset + "\", expected fashion-mnist or mnist");
  ImageDataset d = load_mnist_digits(dir, split);
  if (limit > 0 && limit < d.count) {
    d.count = limit;
    d.images.resize(size_t(limit * d.features()));
    d.labels.resize(size_t(limit));
  }
  return d;
}

}  // namespace spikeforge
