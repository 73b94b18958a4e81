// Spike data sets (data/spike_dataset.h): loading an SHD-layout file written by
// h5py, binning against hand-computed tensors (edges, events past the
// duration, repeated events), latency coding against hand-computed pixels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../check_close.h"
#include "../io/shd_files.h"
#include "core/error.h"
#include "core/tensor.h"
#include "data/spike_dataset.h"
#include "io/hdf5_spikes.h"

using namespace spikeforge;
using spikeforge::test::all_close;
using json = nlohmann::json;

namespace {

// Builds a data set from per-sample (time, unit) lists.
SpikeDataset make_dataset(int num_units, const std::vector<std::vector<std::pair<float, int>>>& samples) {
  SpikeDataset ds;
  ds.count = int64_t(samples.size());
  ds.num_units = num_units;
  ds.num_classes = 2;
  ds.offsets = {0};
  for (const auto& s : samples) {
    for (auto [t, u] : s) ds.times.push_back(t), ds.units.push_back(uint16_t(u));
    ds.offsets.push_back(int64_t(ds.times.size()));
    ds.labels.push_back(int(ds.labels.size()) % 2);
  }
  return ds;
}

// Index into [T, B, N].
int64_t at(int t, int b, int n, int B, int N) { return (int64_t(t) * B + b) * N + n; }

template <class F>
void expect_throws_config(F f, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << "expected ConfigError containing '" << what << "', nothing thrown";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

class SpikeDatasetFile : public spikeforge::test::TempDirTest {};

}  // namespace

TEST_F(SpikeDatasetFile, LoadShd) {
  json c = {{"name", "shd"},
            {"times", json::array({json::array({0.5, 0.25}), json::array(), json::array({1.375})})},
            {"units", json::array({json::array({3, 698}), json::array(), json::array({0})})},
            {"labels", json::array({4, 19, 0})},
            {"times_dtype", "float16"}};
  ASSERT_TRUE(spikeforge::test::write_shd(dir_, json::array({c})));
  SpikeDataset ds = load_shd(path("shd.h5"), kShdUnits);
  EXPECT_EQ(ds.count, 3);
  EXPECT_EQ(ds.num_units, 700) << "raised from max unit + 1 = 699 to kShdUnits";
  EXPECT_EQ(ds.num_classes, 20);
  EXPECT_EQ(ds.offsets, (std::vector<int64_t>{0, 2, 2, 3}));
  EXPECT_EQ(ds.times, (std::vector<float>{0.5f, 0.25f, 1.375f}));
  EXPECT_EQ(ds.units, (std::vector<uint16_t>{3, 698, 0}));
  EXPECT_EQ(ds.labels, (std::vector<int>{4, 19, 0}));
  EXPECT_EQ(load_shd(path("shd.h5")).num_units, 699) << "without min_units: max unit + 1";
  EXPECT_EQ(ds.num_events(), 3);
  EXPECT_EQ(ds.num_events(1), 0);
}

// duration 1 s, T = 4: bins [0, .25), [.25, .5), [.5, .75), [.75, 1); all edges
// are exact in float32. Hand-computed: an event on an edge goes to the later
// bin, t >= duration is dropped, two events in one bin count 2 (Clip: 1).
TEST(SpikeDataset, BinHandComputed) {
  const SpikeDataset ds = make_dataset(3, {
                                              // sample 0
                                              {{0.f, 0},        // bin 0
                                               {0.25f, 0},      // edge: bin 1
                                               {0.2499f, 1},    // bin 0
                                               {0.5f, 2},       // edge: bin 2
                                               {0.75f, 1},      // edge: bin 3
                                               {0.99f, 1},      // bin 3, same unit: count 2
                                               {1.0f, 2},       // = duration: dropped
                                               {1.5f, 0}},      // past: dropped
                                              {{0.6f, 2}},      // sample 1: bin 2
                                              {{0.999999f, 0}}  // sample 2: bin 3
                                          });
  const int T = 4, B = 3, N = 3;
  const std::vector<int64_t> batch = {1, 0, 2};  // b = 0 is sample 1
  std::vector<float> want(T * B * N, 0.f);
  want[at(2, 0, 2, B, N)] = 1;
  want[at(0, 1, 0, B, N)] = 1;
  want[at(1, 1, 0, B, N)] = 1;
  want[at(0, 1, 1, B, N)] = 1;
  want[at(2, 1, 2, B, N)] = 1;
  want[at(3, 1, 1, B, N)] = 2;
  want[at(3, 2, 0, B, N)] = 1;
  std::vector<float> got(want.size(), -5.f);
  bin_spikes(ds, batch.data(), B, T, 1.f, SpikeBinning::Count, got.data());
  EXPECT_TRUE(all_close("count", got, want, 0, 0));  // integer counts: exact
  for (float& w : want) w = std::min(w, 1.f);
  bin_spikes(ds, batch.data(), B, T, 1.f, SpikeBinning::Clip, got.data());
  EXPECT_TRUE(all_close("clip", got, want, 0, 0));
}

// 1 ms bins over 100 ms (the sparse-backprop Fashion-MNIST setting): the same
// sample twice in a batch, and the Tensor overload's shape.
TEST(SpikeDataset, BinMillisecondsIntoTensor) {
  const SpikeDataset ds = make_dataset(2, {{{0.0045f, 1}, {0.0995f, 0}, {0.1f, 1}, {0.0f, 0}}});
  const std::vector<int64_t> batch = {0, 0};
  Tensor out;
  bin_spikes(ds, batch.data(), 2, 100, 0.1f, SpikeBinning::Count, out);
  ASSERT_EQ(out.shape(), (Shape{100, 2, 2}));
  std::vector<float> want(100 * 2 * 2, 0.f);
  for (int b = 0; b < 2; ++b) {
    want[at(4, b, 1, 2, 2)] = 1;   // 4.5 ms
    want[at(99, b, 0, 2, 2)] = 1;  // 99.5 ms
    want[at(0, b, 0, 2, 2)] = 1;   // 0 ms; 100 ms is dropped
  }
  EXPECT_TRUE(all_close("bins", out.data(), want.data(), want.size(), 0, 0));
}

TEST(SpikeDataset, BinRejectsBadArguments) {
  const SpikeDataset ds = make_dataset(2, {{{0.1f, 1}}});
  const int64_t ok = 0, bad = 1;
  std::vector<float> out(8);
  expect_throws_config([&] { bin_spikes(ds, &ok, 1, 0, 1.f, SpikeBinning::Count, out.data()); }, "T = 0");
  expect_throws_config([&] { bin_spikes(ds, &ok, 1, 2, 0.f, SpikeBinning::Count, out.data()); }, "duration");
  expect_throws_config([&] { bin_spikes(ds, &ok, 1, 2, NAN, SpikeBinning::Count, out.data()); }, "duration");
  EXPECT_THROW(bin_spikes(ds, &bad, 1, 2, 1.f, SpikeBinning::Count, out.data()), InternalError);
}

// Hand-computed pixels, theta = 0.2, tau_eff = 20 ms:
//   x = 1:   t = 0.02 ln(1 / 0.8) = 0.02 * 0.22314355131420976 = 4.4628710262841953 ms
//   x = 0.5: t = 0.02 ln(0.5 / 0.3) = 0.02 * 0.5108256237659907 = 10.216512475319814 ms
//   x = theta, x = 0: no spike. Events come sorted by time.
// Tolerance: the code rounds a double result to float32 (rel 6e-8); theta =
// 0.2f differs from 0.2 by 3e-9, moving t by tau/(x - theta) * 3e-9 < 2e-10 s.
TEST(SpikeDataset, LatencyCodeHandComputedPixels) {
  ImageDataset im;
  im.count = 2;
  im.C = 1, im.H = 1, im.W = 4;
  im.images = {0.5f, 0.2f, 1.f, 0.f,   // image 0
               0.f,  0.f,  0.f, 0.f};  // image 1: no spikes
  im.labels = {7, 3};
  SpikeDataset ds = latency_code(im);
  EXPECT_EQ(ds.count, 2);
  EXPECT_EQ(ds.num_units, 4);
  EXPECT_EQ(ds.num_classes, 10);
  EXPECT_EQ(ds.labels, (std::vector<int>{7, 3}));
  ASSERT_EQ(ds.offsets, (std::vector<int64_t>{0, 2, 2}));
  EXPECT_EQ(ds.units, (std::vector<uint16_t>{2, 0}));
  const std::vector<double> want = {4.4628710262841953e-3, 10.216512475319814e-3};
  EXPECT_TRUE(all_close("latency times", ds.times, want, 0, 2e-7));
  // Binned as the reference does (1 ms steps, floor): x = 1 in step 4, x = 0.5 in step 10.
  Tensor out;
  const int64_t s0 = 0;
  bin_spikes(ds, &s0, 1, 100, 0.1f, SpikeBinning::Clip, out);
  EXPECT_EQ(out[at(4, 0, 2, 1, 4)], 1.f);
  EXPECT_EQ(out[at(10, 0, 0, 1, 4)], 1.f);
  float total = 0;
  for (int64_t i = 0; i < out.numel(); ++i) total += out[i];
  EXPECT_EQ(total, 2.f);
}

// Other parameters: theta = 0.25, tau = 10 ms, x = 0.5 gives t = 0.01 ln 2 =
// 6.931471805599453 ms; equal pixels tie and come in unit order.
TEST(SpikeDataset, LatencyCodeParametersAndTies) {
  ImageDataset im;
  im.count = 1;
  im.C = 1, im.H = 2, im.W = 2;
  im.images = {0.25f, 0.5f, 1.f, 0.5f};
  im.labels = {1};
  LatencyCodeParams p;
  p.theta = 0.25f;
  p.tau_eff = 0.01f;
  SpikeDataset ds = latency_code(im, p);
  EXPECT_EQ(ds.units, (std::vector<uint16_t>{2, 1, 3}));
  const std::vector<double> want = {0.01 * std::log(1.0 / 0.75), 6.931471805599453e-3, 6.931471805599453e-3};
  EXPECT_TRUE(all_close("latency times", ds.times, want, 0, 2e-7));
  p.tau_eff = 0.f;
  expect_throws_config([&] { latency_code(im, p); }, "tau_eff");
  p.tau_eff = 0.01f;
  p.theta = -0.1f;
  expect_throws_config([&] { latency_code(im, p); }, "theta");
}
