// An image classification data set held in memory as floats in [0, 1].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace spikeforge {

struct ImageDataset {
  int64_t count = 0;
  int C = 1, H = 0, W = 0;
  std::vector<float> images;  // [count, C*H*W], grey levels / 255
  std::vector<int> labels;    // [count], 0..num_classes-1
  int num_classes = 10;

  int64_t features() const { return int64_t(C) * H * W; }
  const float* image(int64_t i) const { return images.data() + i * features(); }
};

// Fashion-MNIST from `dir` (IDX files as Debian's dataset-fashion-mnist ships
// them: {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz). `split` is "train" or
// "test"; `limit` > 0 keeps the first `limit` examples (for quick runs and tests).
ImageDataset load_fashion_mnist(const std::string& dir, const std::string& split, int64_t limit = 0);

constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

}  // namespace spikeforge
