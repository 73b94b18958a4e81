#include "data/image_dataset.h"

#include <filesystem>

#include "core/error.h"
#include "io/idx.h"

namespace spikeforge {

ImageDataset load_fashion_mnist(const std::string& dir, const std::string& split, int64_t limit) {
  if (split != "train" && split != "test")
    throw InternalError("load_fashion_mnist: split must be train or test, got " + split);
  std::string stem = split == "train" ? "train" : "t10k";
  std::string images_path = dir + "/" + stem + "-images-idx3-ubyte.gz";
  std::string labels_path = dir + "/" + stem + "-labels-idx1-ubyte.gz";
  for (const std::string& p : {images_path, labels_path})
    if (!std::filesystem::exists(p))
      throw InputError(p +
                       ": Fashion-MNIST file not found (install it with `make setup`, package "
                       "dataset-fashion-mnist, or set data.dir / --data-dir)");
  IdxImages raw = read_idx_images(images_path);
  std::vector<uint8_t> labels = read_idx_labels(labels_path);
  if (static_cast<int64_t>(labels.size()) != raw.count)
    throw InputError(labels_path + ": " + std::to_string(labels.size()) + " labels, expected " +
                     std::to_string(raw.count) + " to match " + images_path);
  ImageDataset ds;
  ds.count = (limit > 0 && limit < raw.count) ? limit : raw.count;
  ds.C = 1;
  ds.H = raw.rows;
  ds.W = raw.cols;
  ds.images.resize(static_cast<size_t>(ds.count * ds.features()));
  for (size_t i = 0; i < ds.images.size(); ++i) ds.images[i] = raw.pixels[i] * (1.f / 255.f);
  ds.labels.resize(ds.count);
  for (int64_t i = 0; i < ds.count; ++i) {
    if (labels[i] >= ds.num_classes)
      throw InputError(labels_path + ": label " + std::to_string(labels[i]) + " at index " + std::to_string(i) +
                       ", expected 0..9");
    ds.labels[i] = labels[i];
  }
  return ds;
}

}  // namespace spikeforge
