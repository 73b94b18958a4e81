// IDX reader: the real Fashion-MNIST test files, and files written here in the
// real format by zlib's own writer (gzopen/gzwrite) or plain stdio.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/idx.h"

using namespace spikeforge;
namespace fs = std::filesystem;

namespace {

const std::string kDir = "/usr/share/datasets/fashion-mnist";

// Big-endian IDX header: 0, 0, type 0x08, D, then D uint32 sizes.
std::string idx_header(uint8_t type, const std::vector<uint32_t>& dims) {
  std::string h = {0, 0, char(type), char(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) h.push_back(char((d >> s) & 0xff));
  return h;
}

class IdxFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spikeforge_test_idx_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_gz(const std::string& name, const std::string& bytes) {
    const std::string p = (dir_ / name).string();
    gzFile f = gzopen(p.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
    EXPECT_EQ(gzclose(f), Z_OK);
    return p;
  }
  std::string write_plain(const std::string& name, const std::string& bytes) {
    const std::string p = (dir_ / name).string();
    FILE* f = std::fopen(p.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
    std::fclose(f);
    return p;
  }

  fs::path dir_;
};

// Runs f, expects InputError, returns its message.
template <class F>
std::string input_error_message(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected InputError, nothing was thrown";
  return "";
}

}  // namespace

TEST(Idx, FashionMnistTestSet) {
  const std::string images = kDir + "/t10k-images-idx3-ubyte.gz", labels = kDir + "/t10k-labels-idx1-ubyte.gz";
  if (!fs::exists(images) || !fs::exists(labels)) GTEST_SKIP() << "Fashion-MNIST not installed in " << kDir;
  IdxImages im = read_idx_images(images);
  EXPECT_EQ(im.count, 10000);
  EXPECT_EQ(im.rows, 28);
  EXPECT_EQ(im.cols, 28);
  ASSERT_EQ(im.pixels.size(), size_t(10000) * 28 * 28);
  std::vector<uint8_t> y = read_idx_labels(labels);
  ASSERT_EQ(y.size(), 10000u);
  EXPECT_EQ(y[0], 9) << "the first test image is an ankle boot";
  std::array<int, 10> per_class{};
  for (uint8_t v : y) {
    ASSERT_LT(v, 10);
    ++per_class[v];
  }
  for (int c = 0; c < 10; ++c) EXPECT_EQ(per_class[c], 1000) << "class " << c;
  // Real images: neither blank nor saturated, with both extremes present.
  int64_t sum = 0;
  uint8_t lo = 255, hi = 0;
  for (uint8_t p : im.pixels) sum += p, lo = std::min(lo, p), hi = std::max(hi, p);
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 255);
  const double mean = double(sum) / double(im.pixels.size());
  EXPECT_GT(mean, 50.0);  // Fashion-MNIST's mean grey level is ~73
  EXPECT_LT(mean, 100.0);
}

TEST_F(IdxFiles, RoundTripGzipAndPlain) {
  // 3 images of 2 x 4 with distinct pixels (row-major), 3 labels.
  std::string pix;
  for (int i = 0; i < 3 * 2 * 4; ++i) pix.push_back(char(i * 10 + 5));
  const std::string img = idx_header(0x08, {3, 2, 4}) + pix;
  const std::string lab = idx_header(0x08, {3}) + std::string{7, 0, 9};
  for (bool gz : {true, false}) {
    SCOPED_TRACE(gz ? "gzip" : "plain");
    const std::string ip = gz ? write_gz("img.gz", img) : write_plain("img", img);
    const std::string lp = gz ? write_gz("lab.gz", lab) : write_plain("lab", lab);
    IdxImages im = read_idx_images(ip);
    EXPECT_EQ(im.count, 3);
    EXPECT_EQ(im.rows, 2);
    EXPECT_EQ(im.cols, 4);
    ASSERT_EQ(im.pixels.size(), 24u);
    for (int i = 0; i < 24; ++i) EXPECT_EQ(im.pixels[i], uint8_t(i * 10 + 5)) << "pixel " << i;
    EXPECT_EQ(read_idx_labels(lp), (std::vector<uint8_t>{7, 0, 9}));
  }
}

// Sizes above 255 exercise all four bytes of the big-endian sizes.
TEST_F(IdxFiles, MultiByteSizes) {
  const uint32_t n = 70000 + 3;  // 0x00011173
  std::string lab = idx_header(0x08, {n});
  for (uint32_t i = 0; i < n; ++i) lab.push_back(char(i % 10));
  std::vector<uint8_t> y = read_idx_labels(write_gz("lab.gz", lab));
  ASSERT_EQ(y.size(), size_t(n));
  EXPECT_EQ(y[n - 1], (n - 1) % 10);
  EXPECT_EQ(y[12345], 12345 % 10);
}

TEST_F(IdxFiles, TruncatedData) {
  const std::string img = idx_header(0x08, {3, 2, 2}) + std::string(5, '\x01');  // 5 of 12 pixel bytes
  const std::string lab = idx_header(0x08, {4}) + std::string(3, '\x01');        // 3 of 4 labels
  for (bool gz : {true, false}) {
    SCOPED_TRACE(gz ? "gzip" : "plain");
    const std::string ip = gz ? write_gz("img.gz", img) : write_plain("img", img);
    std::string m = input_error_message([&] { read_idx_images(ip); });
    EXPECT_NE(m.find("truncated"), std::string::npos) << m;
    EXPECT_NE(m.find(ip), std::string::npos) << m;
    const std::string lp = gz ? write_gz("lab.gz", lab) : write_plain("lab", lab);
    m = input_error_message([&] { read_idx_labels(lp); });
    EXPECT_NE(m.find("truncated"), std::string::npos) << m;
    EXPECT_NE(m.find(lp), std::string::npos) << m;
  }
}

TEST_F(IdxFiles, TruncatedHeader) {
  const std::string p = write_plain("short", idx_header(0x08, {3, 2, 2}).substr(0, 9));
  std::string m = input_error_message([&] { read_idx_images(p); });
  EXPECT_NE(m.find("truncated"), std::string::npos) << m;
  EXPECT_NE(m.find(p), std::string::npos) << m;
  const std::string e = write_plain("empty", "");
  m = input_error_message([&] { read_idx_labels(e); });
  EXPECT_NE(m.find("truncated"), std::string::npos) << m;
}

// A gzip stream cut in the middle: whatever zlib reports, it is an InputError naming the file.
TEST_F(IdxFiles, CutGzipStream) {
  std::string img = idx_header(0x08, {20, 8, 8});
  for (int i = 0; i < 20 * 64; ++i) img.push_back(char((i * 7919) % 251));
  const std::string full = write_gz("full.gz", img);
  std::string bytes(fs::file_size(full), '\0');
  FILE* f = std::fopen(full.c_str(), "rb");
  ASSERT_EQ(std::fread(bytes.data(), 1, bytes.size(), f), bytes.size());
  std::fclose(f);
  const std::string cut = write_plain("cut.gz", bytes.substr(0, bytes.size() / 2));
  std::string m = input_error_message([&] { read_idx_images(cut); });
  EXPECT_NE(m.find(cut), std::string::npos) << m;
}

TEST_F(IdxFiles, WrongMagic) {
  const std::string lab = idx_header(0x08, {3}) + std::string(3, '\x01');
  const std::string img = idx_header(0x08, {1, 2, 2}) + std::string(4, '\x01');
  for (bool gz : {true, false}) {
    SCOPED_TRACE(gz ? "gzip" : "plain");
    // Labels read as images and images read as labels: the dimension byte differs.
    const std::string lp = gz ? write_gz("lab.gz", lab) : write_plain("lab", lab);
    std::string m = input_error_message([&] { read_idx_images(lp); });
    EXPECT_NE(m.find("magic"), std::string::npos) << m;
    EXPECT_NE(m.find(lp), std::string::npos) << m;
    const std::string ip = gz ? write_gz("img.gz", img) : write_plain("img", img);
    m = input_error_message([&] { read_idx_labels(ip); });
    EXPECT_NE(m.find("magic"), std::string::npos) << m;
    // Element type other than unsigned byte (0x0D = float).
    const std::string fp = write_plain("float", idx_header(0x0D, {3}) + std::string(12, '\0'));
    m = input_error_message([&] { read_idx_labels(fp); });
    EXPECT_NE(m.find("magic"), std::string::npos) << m;
  }
}

TEST_F(IdxFiles, ZeroSizeIsRejected) {
  const std::string p = write_plain("zero", idx_header(0x08, {0, 28, 28}));
  std::string m = input_error_message([&] { read_idx_images(p); });
  EXPECT_NE(m.find(p), std::string::npos) << m;
}

TEST_F(IdxFiles, MissingFile) {
  const std::string p = (dir_ / "does-not-exist.gz").string();
  std::string m = input_error_message([&] { read_idx_images(p); });
  EXPECT_NE(m.find(p), std::string::npos) << m;
  EXPECT_NE(m.find("not found"), std::string::npos) << m;
  m = input_error_message([&] { read_idx_labels(p); });
  EXPECT_NE(m.find(p), std::string::npos) << m;
  // A directory is not a file either.
  m = input_error_message([&] { read_idx_labels(dir_.string()); });
  EXPECT_NE(m.find(dir_.string()), std::string::npos) << m;
}
