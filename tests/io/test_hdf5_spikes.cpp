// SHD reader: files written at test time in the real layout by h5py
// (tests/io/write_shd.py), read back and compared value by value; bad files
// (missing datasets, length mismatches, bad values, truncated, not HDF5) give
// an InputError that names the file.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/hdf5_spikes.h"
#include "shd_files.h"

using namespace spikeforge;
using spikeforge::test::input_error_message;
using spikeforge::test::write_shd;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Times = std::vector<std::vector<float>>;
using Units = std::vector<std::vector<int64_t>>;

// A case for write_shd.py. Floats go through JSON as the double they equal,
// so h5py's float32 cast gives back exactly the same float.
json shd_case(const std::string& name, const Times& times, const Units& units, const std::vector<int64_t>& labels) {
  json t = json::array(), u = json::array();
  for (const auto& s : times) {
    json a = json::array();
    for (float v : s) a.push_back(double(v));
    t.push_back(a);
  }
  for (const auto& s : units) u.push_back(s);
  return json{{"name", name}, {"times", t}, {"units", u}, {"labels", labels}};
}

// Every value of `got` equals the case's: counts, offsets, times, units, labels.
void expect_equal(const ShdSpikes& got, const Times& times, const Units& units, const std::vector<int64_t>& labels) {
  ASSERT_EQ(got.count, int64_t(times.size()));
  ASSERT_EQ(got.offsets.size(), times.size() + 1);
  ASSERT_EQ(got.labels.size(), labels.size());
  int64_t e = 0;
  for (size_t s = 0; s < times.size(); ++s) {
    ASSERT_EQ(got.offsets[s], e) << "sample " << s;
    for (size_t k = 0; k < times[s].size(); ++k, ++e) {
      ASSERT_EQ(got.times[e], times[s][k]) << "sample " << s << ", spike " << k;
      ASSERT_EQ(int64_t(got.units[e]), units[s][k]) << "sample " << s << ", spike " << k;
    }
    EXPECT_EQ(got.labels[s], labels[s]) << "sample " << s;
  }
  EXPECT_EQ(got.offsets.back(), e);
  EXPECT_EQ(got.times.size(), size_t(e));
  EXPECT_EQ(got.units.size(), size_t(e));
}

class Hdf5Spikes : public spikeforge::test::TempDirTest {};

// Expects read_shd_spikes(path) to throw InputError naming the file and containing `what`.
void expect_input_error(const std::string& path, const std::string& what) {
  const std::string m = input_error_message([&] { read_shd_spikes(path); });
  EXPECT_NE(m.find(path), std::string::npos) << m;
  EXPECT_NE(m.find(what), std::string::npos) << "expected '" << what << "' in: " << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;
}

}  // namespace

// SHD-like values: times up to ~1.4 s, units 0..699, an empty sample, labels 0..19.
TEST_F(Hdf5Spikes, Float32RoundTrip) {
  const Times times = {{0.f, 0.0123f, 0.0123f, 0.5f, 1.3999f}, {}, {0.25f, 1e-6f}, {0.7f}};
  const Units units = {{0, 699, 17, 699, 3}, {}, {350, 0}, {42}};
  const std::vector<int64_t> labels = {19, 0, 7, 19};
  ASSERT_TRUE(write_shd(dir_, json::array({shd_case("a", times, units, labels)})));
  ShdSpikes got = read_shd_spikes(path("a.h5"));
  expect_equal(got, times, units, labels);
  EXPECT_EQ(got.num_units, 700) << "max unit + 1";
  EXPECT_EQ(got.num_classes, 20) << "max label + 1";
}

// float16 times (as in the published SHD files) are widened to float32: values
// exact in float16 come back exact, including the smallest normal 2^-14.
TEST_F(Hdf5Spikes, Float16Times) {
  const Times times = {{0.5f, 0.2998046875f, 1.375f}, {0.0009765625f, 6.103515625e-05f, 0.f}};
  const Units units = {{1, 2, 3}, {4, 5, 6}};
  const std::vector<int64_t> labels = {3, 1};
  json c = shd_case("half", times, units, labels);
  c["times_dtype"] = "float16";
  ASSERT_TRUE(write_shd(dir_, json::array({c})));
  ShdSpikes got = read_shd_spikes(path("half.h5"));
  expect_equal(got, times, units, labels);
  EXPECT_EQ(got.num_units, 7);
  EXPECT_EQ(got.num_classes, 4);
}

// Other integer and float element types convert: float64 times, int32 units, int64 labels.
TEST_F(Hdf5Spikes, OtherNumericTypes) {
  const Times times = {{0.125f, 0.375f}, {1.f}};
  const Units units = {{9, 65535}, {0}};
  const std::vector<int64_t> labels = {2, 0};
  json c = shd_case("types", times, units, labels);
  c["times_dtype"] = "float64";
  c["units_dtype"] = "int32";
  c["labels_dtype"] = "int64";
  ASSERT_TRUE(write_shd(dir_, json::array({c})));
  ShdSpikes got = read_shd_spikes(path("types.h5"));
  expect_equal(got, times, units, labels);
  EXPECT_EQ(got.num_units, 65536);
}

// More samples than one read block (1024): block boundaries lose nothing.
TEST_F(Hdf5Spikes, ManySamples) {
  Times times(2500);
  Units units(2500);
  std::vector<int64_t> labels(2500);
  for (int s = 0; s < 2500; ++s) {
    for (int k = 0; k < s % 7; ++k) {
      times[s].push_back(float(s) * 1e-4f + float(k) * 1e-3f);
      units[s].push_back((s * 31 + k * 7) % 700);
    }
    labels[s] = s % 20;
  }
  ASSERT_TRUE(write_shd(dir_, json::array({shd_case("many", times, units, labels)})));
  ShdSpikes got = read_shd_spikes(path("many.h5"));
  expect_equal(got, times, units, labels);
}

// Attribute spikes/num_units overrides max unit + 1; units must be below it.
TEST_F(Hdf5Spikes, NumUnitsAttribute) {
  json ok = shd_case("ok", {{0.1f}, {0.2f}}, {{5}, {2}}, {0, 1});
  ok["num_units"] = 700;
  json bad = shd_case("bad", {{0.1f}, {0.2f}}, {{5}, {2}}, {0, 1});
  bad["num_units"] = 5;
  json zero = shd_case("zero", {{0.1f}}, {{0}}, {0});
  zero["num_units"] = 0;
  ASSERT_TRUE(write_shd(dir_, json::array({ok, bad, zero})));
  EXPECT_EQ(read_shd_spikes(path("ok.h5")).num_units, 700);
  expect_input_error(path("bad.h5"), "num_units = 5");
  expect_input_error(path("zero.h5"), "num_units = 0");
}

// extra/keys (the class names, 20 in SHD) sets num_classes and bounds the labels.
TEST_F(Hdf5Spikes, KeysBoundLabels) {
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) keys.push_back("word" + std::to_string(i));
  json ok = shd_case("ok", {{0.1f}, {0.2f}}, {{1}, {2}}, {3, 0});
  ok["keys"] = keys;
  json bad = shd_case("bad", {{0.1f}, {0.2f}}, {{1}, {2}}, {3, 20});
  bad["keys"] = keys;
  ASSERT_TRUE(write_shd(dir_, json::array({ok, bad})));
  EXPECT_EQ(read_shd_spikes(path("ok.h5")).num_classes, 20);
  expect_input_error(path("bad.h5"), "label 20 at sample 1");
}

TEST_F(Hdf5Spikes, MissingDatasets) {
  const Times times = {{0.1f}, {0.2f}};
  const Units units = {{1}, {2}};
  json cases = json::array();
  for (auto [name, omit] : {std::pair{"no_group", "spikes"},
                            {"no_times", "spikes/times"},
                            {"no_units", "spikes/units"},
                            {"no_labels", "labels"}}) {
    json c = shd_case(name, times, units, {0, 1});
    c["omit"] = json::array({omit});
    cases.push_back(c);
  }
  ASSERT_TRUE(write_shd(dir_, cases));
  expect_input_error(path("no_group.h5"), "group spikes not found");
  expect_input_error(path("no_times.h5"), "dataset spikes/times not found");
  expect_input_error(path("no_units.h5"), "dataset spikes/units not found");
  expect_input_error(path("no_labels.h5"), "dataset labels not found");
}

TEST_F(Hdf5Spikes, LengthMismatch) {
  json cases = json::array({
      shd_case("per_sample", {{0.1f, 0.2f}, {0.3f}}, {{1, 2}, {3, 4}}, {0, 1}),
      shd_case("units_samples", {{0.1f}, {0.2f}}, {{1}}, {0, 1}),
      shd_case("label_samples", {{0.1f}, {0.2f}}, {{1}, {2}}, {0}),
  });
  ASSERT_TRUE(write_shd(dir_, cases));
  expect_input_error(path("per_sample.h5"), "sample 1: spikes/times has 1 spikes, spikes/units 2");
  expect_input_error(path("units_samples.h5"), "spikes/units: 1 samples, expected 2");
  expect_input_error(path("label_samples.h5"), "labels: 1 samples, expected 2");
}

TEST_F(Hdf5Spikes, BadValues) {
  json neg = shd_case("negative_time", {{0.1f}, {0.2f, -0.001f}}, {{1}, {2, 3}}, {0, 1});
  json nan = shd_case("nan_time", {{0.1f}, {0.2f}}, {{1}, {2}}, {0, 1});
  nan["times"][1][0] = nullptr;  // numpy turns None into NaN
  json neg_unit = shd_case("negative_unit", {{0.1f}}, {{-1}}, {0});
  neg_unit["units_dtype"] = "int16";
  json neg_label = shd_case("negative_label", {{0.1f}, {0.2f}}, {{1}, {2}}, {0, -3});
  neg_label["labels_dtype"] = "int32";
  json float_label = shd_case("float_label", {{0.1f}}, {{1}}, {0});
  float_label["labels_dtype"] = "float32";
  json float_units = shd_case("float_units", {{0.1f}}, {{1}}, {0});
  float_units["units_dtype"] = "float32";
  json labels_2d = shd_case("labels_2d", {{0.1f}}, {{1}}, {0});
  labels_2d["labels_2d"] = true;
  json empty = shd_case("no_samples", {}, {}, {});
  json no_spikes = shd_case("no_spikes", {{}, {}}, {{}, {}}, {0, 1});
  ASSERT_TRUE(write_shd(
      dir_, json::array({neg, nan, neg_unit, neg_label, float_label, float_units, labels_2d, empty, no_spikes})));
  expect_input_error(path("negative_time.h5"), "spikes/times: sample 1, spike 1: time -0.001");
  expect_input_error(path("nan_time.h5"), "spikes/times: sample 1, spike 0: time nan");
  expect_input_error(path("negative_unit.h5"), "spikes/units: sample 0, spike 0: unit -1");
  expect_input_error(path("negative_label.h5"), "labels: label -3 at sample 1");
  expect_input_error(path("float_label.h5"), "labels: not an integer dataset");
  expect_input_error(path("float_units.h5"), "spikes/units: wrong element type");
  expect_input_error(path("labels_2d.h5"), "labels: rank 2, expected 1");
  expect_input_error(path("no_samples.h5"), "0 samples");
  expect_input_error(path("no_spikes.h5"), "no spikes at all");
}

TEST_F(Hdf5Spikes, TruncatedAndNotHdf5) {
  Times times(200, std::vector<float>(50, 0.5f));
  Units units(200, std::vector<int64_t>(50, 3));
  ASSERT_TRUE(write_shd(dir_, json::array({shd_case("full", times, units, std::vector<int64_t>(200, 1))})));
  std::string bytes(fs::file_size(path("full.h5")), '\0');
  {
    FILE* f = std::fopen(path("full.h5").c_str(), "rb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fread(bytes.data(), 1, bytes.size(), f), bytes.size());
    std::fclose(f);
  }
  auto write_bytes = [&](const std::string& name, const std::string& b) {
    FILE* f = std::fopen(path(name).c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(b.data(), 1, b.size(), f), b.size());
    std::fclose(f);
  };
  write_bytes("half.h5", bytes.substr(0, bytes.size() / 2));
  write_bytes("head.h5", bytes.substr(0, 4));
  write_bytes("text.h5", "spikes,times,units\n0.1,3\n");
  expect_input_error(path("half.h5"), "truncated or corrupt");
  expect_input_error(path("head.h5"), "not an HDF5 file");
  expect_input_error(path("text.h5"), "not an HDF5 file");
  expect_input_error(path("missing.h5"), "file not found");
}
