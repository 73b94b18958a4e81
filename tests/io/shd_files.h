// Test helper: SHD-layout HDF5 files written at test time by h5py
// (tests/io/write_shd.py, run with Debian's /usr/bin/python3). The test chooses
// the values, the script writes them, the C++ reader reads them back. Without
// h5py the script exits non-zero and write_shd() fails the test (never skips).
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace spikeforge::test {

// A fresh temporary directory per test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / ("spikeforge_test_" + std::string(info->test_suite_name()) + "_" +
                                                     info->name() + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

// Writes each case of `cases` (format atop write_shd.py) to dir/<name>.h5.
inline ::testing::AssertionResult write_shd(const std::filesystem::path& dir, const nlohmann::json& cases) {
  const std::string spec = (dir / "spec.json").string();
  {
    std::ofstream out(spec);
    out << cases.dump();
    if (!out) return ::testing::AssertionFailure() << spec << ": cannot write";
  }
  const std::string cmd =
      "/usr/bin/python3 " SPIKEFORGE_SOURCE_DIR "/tests/io/write_shd.py '" + spec + "' '" + dir.string() + "'";
  const int rc = std::system(cmd.c_str());
  const int status = (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
  if (status != 0)
    return ::testing::AssertionFailure() << "/usr/bin/python3 tests/io/write_shd.py exited with status " << status
                                         << " (message on stderr above); it needs Debian's python3-h5py";
  return ::testing::AssertionSuccess();
}

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

}  // namespace spikeforge::test
