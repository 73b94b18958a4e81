// Checkpoint container: round trip, corruption detection, atomic writes.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/checkpoint.h"

using namespace spikeforge;
namespace fs = std::filesystem;

namespace {

class CheckpointFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spikeforge_test_ckpt_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<std::string> tmp_files() const {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().filename().string().find(".tmp.") != std::string::npos) v.push_back(e.path().string());
    return v;
  }
  fs::path dir_;
};

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

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

Checkpoint sample() {
  Checkpoint ck;
  ck.put_text("config", R"({"timesteps": 8, "lr": 0.001})");
  ck.put_text("meta", std::string("bin\0ary\xff", 8));  // text sections are raw bytes
  ck.put_floats("params", {1.5f, -0.f, 3.14159274f, 1e-38f, -7.25e20f, std::numeric_limits<float>::infinity()});
  ck.put_floats("empty", {});
  return ck;
}

}  // namespace

// The layout documented in checkpoint.h, checked byte by byte on a one-section file.
TEST(Checkpoint, EncodingMatchesDocumentedLayout) {
  Checkpoint ck;
  ck.put_floats("w", {2.0f});
  const std::string b = encode_checkpoint(ck);
  // 8 magic + 4 version + 4 count + (4 + 1 + 8 + 4) section + 4 crc
  ASSERT_EQ(b.size(), 37u);
  EXPECT_EQ(b.substr(0, 8), "SPKFCKPT");
  uint32_t u32;
  uint64_t u64;
  std::memcpy(&u32, b.data() + 8, 4);
  EXPECT_EQ(u32, 1u);  // version
  std::memcpy(&u32, b.data() + 12, 4);
  EXPECT_EQ(u32, 1u);  // sections
  std::memcpy(&u32, b.data() + 16, 4);
  EXPECT_EQ(u32, 1u);  // name length
  EXPECT_EQ(b[20], 'w');
  std::memcpy(&u64, b.data() + 21, 8);
  EXPECT_EQ(u64, 4u);  // payload bytes
  float f;
  std::memcpy(&f, b.data() + 29, 4);
  EXPECT_EQ(f, 2.0f);
  std::memcpy(&u32, b.data() + 33, 4);
  EXPECT_EQ(u32, uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(b.data()), 33)));  // zlib CRC-32
}

TEST(Checkpoint, RoundTripInMemory) {
  const Checkpoint ck = sample();
  const Checkpoint back = decode_checkpoint(encode_checkpoint(ck), "mem");
  EXPECT_EQ(back.sections, ck.sections);
  EXPECT_EQ(back.text("config", "mem"), R"({"timesteps": 8, "lr": 0.001})");
  const std::vector<float> p = back.floats("params", "mem");
  ASSERT_EQ(p.size(), 6u);
  // Bitwise: -0 keeps its sign, denormal-adjacent and huge values survive.
  const std::vector<float> want = {1.5f, -0.f, 3.14159274f, 1e-38f, -7.25e20f, std::numeric_limits<float>::infinity()};
  EXPECT_EQ(std::memcmp(p.data(), want.data(), sizeof(float) * 6), 0);
  EXPECT_TRUE(back.floats("empty", "mem").empty());
}

TEST(Checkpoint, MissingSectionAndBadFloatSection) {
  Checkpoint ck;
  ck.put_text("odd", "abc");  // 3 bytes: not a float32 array
  std::string m = input_error_message([&] { ck.text("params", "x.ckpt"); });
  EXPECT_NE(m.find("params"), std::string::npos) << m;
  EXPECT_NE(m.find("x.ckpt"), std::string::npos) << m;
  m = input_error_message([&] { ck.floats("odd", "x.ckpt"); });
  EXPECT_NE(m.find("odd"), std::string::npos) << m;
}

TEST_F(CheckpointFiles, RoundTripOnDisk) {
  const std::string p = path("a.ckpt");
  write_checkpoint(p, sample());
  EXPECT_EQ(read_checkpoint(p).sections, sample().sections);
  EXPECT_EQ(slurp(p), encode_checkpoint(sample()));
  EXPECT_TRUE(tmp_files().empty());
  // Into a directory that does not exist yet.
  const std::string q = path("sub/dir/b.ckpt");
  write_checkpoint(q, sample());
  EXPECT_EQ(read_checkpoint(q).sections, sample().sections);
}

// Every single flipped byte is caught: by the magic check in the first 8 bytes,
// by the CRC everywhere else (CRC-32 detects all single-byte errors).
TEST_F(CheckpointFiles, FlippedByteIsDetected) {
  const std::string good = encode_checkpoint(sample());
  const std::string p = path("c.ckpt");
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = char(bad[i] ^ 0x10);
    // Every byte in memory; a few through a real file.
    const bool on_disk = i == 3 || i == 40 || i == good.size() - 1;
    if (on_disk) spit(p, bad);
    std::string m = input_error_message([&] { on_disk ? read_checkpoint(p) : decode_checkpoint(bad, p); });
    EXPECT_NE(m.find(p), std::string::npos) << "byte " << i << ": " << m;
    const char* want = i < 8 ? "magic" : "checksum";
    EXPECT_NE(m.find(want), std::string::npos) << "byte " << i << ": " << m;
    if (::testing::Test::HasFailure()) break;
  }
}

TEST_F(CheckpointFiles, TruncatedFile) {
  const std::string good = encode_checkpoint(sample());
  const std::string p = path("t.ckpt");
  for (size_t n : {size_t(0), size_t(7), size_t(19), good.size() / 2, good.size() - 1}) {
    spit(p, good.substr(0, n));
    std::string m = input_error_message([&] { read_checkpoint(p); });
    EXPECT_NE(m.find(p), std::string::npos) << n << " bytes: " << m;
  }
}

// A file whose checksum is right but whose sizes lie: the bounds checks, not
// the CRC, must stop the reader (a CRC is no defence against a bad writer).
TEST(Checkpoint, ConsistentCrcButBadSizes) {
  Checkpoint ck;
  ck.put_floats("w", {1.f, 2.f});
  std::string b = encode_checkpoint(ck);
  auto reseal = [](std::string s) {
    uint32_t c = uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(s.data()), uInt(s.size() - 4)));
    std::memcpy(s.data() + s.size() - 4, &c, 4);
    return s;
  };
  std::string big = b;
  const uint64_t huge = uint64_t(1) << 40;
  std::memcpy(big.data() + 21, &huge, 8);  // payload length
  std::string m = input_error_message([&] { decode_checkpoint(reseal(big), "big"); });
  EXPECT_NE(m.find("truncated"), std::string::npos) << m;
  std::string many = b;
  const uint32_t count = 5;
  std::memcpy(many.data() + 12, &count, 4);  // section count
  m = input_error_message([&] { decode_checkpoint(reseal(many), "many"); });
  EXPECT_NE(m.find("many"), std::string::npos) << m;
  std::string version = b;
  const uint32_t v2 = 2;
  std::memcpy(version.data() + 8, &v2, 4);
  m = input_error_message([&] { decode_checkpoint(reseal(version), "v2"); });
  EXPECT_NE(m.find("version 2"), std::string::npos) << m;
  std::string trailing = b;
  trailing.insert(trailing.size() - 4, "xx");
  m = input_error_message([&] { decode_checkpoint(reseal(trailing), "trail"); });
  EXPECT_NE(m.find("trailing"), std::string::npos) << m;
}

TEST_F(CheckpointFiles, WrongMagic) {
  std::string b = encode_checkpoint(sample());
  b.replace(0, 8, "GGUFv3\0\0", 8);
  const std::string p = path("m.ckpt");
  spit(p, b);
  std::string m = input_error_message([&] { read_checkpoint(p); });
  EXPECT_NE(m.find("magic"), std::string::npos) << m;
  EXPECT_NE(m.find(p), std::string::npos) << m;
}

TEST_F(CheckpointFiles, MissingFile) {
  const std::string p = path("nope.ckpt");
  std::string m = input_error_message([&] { read_checkpoint(p); });
  EXPECT_NE(m.find(p), std::string::npos) << m;
}

// Overwriting replaces the whole file; a failed write leaves the previous file
// intact and no temporary behind. The failure is made real with RLIMIT_FSIZE
// (honoured even for root): writing more than the limit fails with EFBIG.
TEST_F(CheckpointFiles, AtomicWrite) {
  const std::string p = path("ck.ckpt");
  Checkpoint first;
  first.put_text("meta", "first");
  write_checkpoint(p, first);
  Checkpoint second;
  second.put_text("meta", "second, longer than the first");
  write_checkpoint(p, second);
  EXPECT_EQ(read_checkpoint(p).text("meta", p), "second, longer than the first");
  EXPECT_TRUE(tmp_files().empty());
  const std::string before = slurp(p);

  Checkpoint big;
  big.put_floats("params", std::vector<float>(1 << 16, 0.5f));  // 256 KiB
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit lim = old;
  lim.rlim_cur = 64 * 1024;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of the signal
  bool threw = false;
  std::string msg;
  try {
    write_checkpoint(p, big);
  } catch (const InputError& e) {
    threw = true;
    msg = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(threw) << "a write beyond RLIMIT_FSIZE must fail";
  EXPECT_NE(msg.find(p), std::string::npos) << msg;
  EXPECT_EQ(slurp(p), before) << "the previous checkpoint must survive a failed write";
  EXPECT_TRUE(tmp_files().empty()) << "temporary left behind: " << (tmp_files().empty() ? "" : tmp_files()[0]);
  // And with the limit lifted the same write succeeds.
  write_checkpoint(p, big);
  EXPECT_EQ(read_checkpoint(p).floats("params", p).size(), size_t(1) << 16);
}

// The target is an existing directory: rename fails, nothing is left behind.
TEST_F(CheckpointFiles, WriteOverDirectoryFails) {
  const std::string p = path("isdir");
  fs::create_directories(p);
  std::string m = input_error_message([&] { write_checkpoint(p, sample()); });
  EXPECT_NE(m.find(p), std::string::npos) << m;
  EXPECT_TRUE(fs::is_directory(p));
  EXPECT_TRUE(tmp_files().empty());
}
