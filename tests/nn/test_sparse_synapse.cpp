// Spike paths of the synaptic layers against the BLAS path on the same
// inputs: bit for bit where every sum is exact (weights k / 64 with small
// integers k, so any order of adding gives the same float), and to rounding
// for general weights. Plus the bit packing against a hand count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "../check_close.h"
#include "core/rng.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/spike_bits.h"

using namespace spikeforge;
using spikeforge::test::all_close;

namespace {

struct PathRun {
  std::vector<float> y, dW, dx;
};

// One forward and backward of a spike-fed synaptic layer (Linear, Conv2d)
// over N rows or images, on a forced path; max_count > 1: count input.
template <class L>
PathRun run_path(L& l, SynapsePath path, const std::vector<float>& params, const std::vector<float>& x,
                 const std::vector<float>& dy, int N, int max_count = 1) {
  std::vector<float> p = params, g(params.size(), 0.f);
  l.bind(p.data(), g.data());
  l.set_spike_input(max_count == 1);
  l.set_count_input(max_count);
  l.set_path(path);
  l.prepare(N, N, 1);
  PathRun r;
  r.y.resize(size_t(N) * l.out_shape().size());
  r.dx.resize(size_t(N) * l.in_shape().size());
  l.forward(x.data(), r.y.data(), true);
  EXPECT_EQ(l.last_sparse(), path == SynapsePath::Sparse);
  l.backward(dy.data(), r.dx.data());
  r.dW = g;
  return r;
}

PathRun run_linear(SynapsePath path, const std::vector<float>& params, const std::vector<float>& x,
                   const std::vector<float>& dy, int I, int O, int R) {
  Linear l({I, 1, 1}, O);
  return run_path(l, path, params, x, dy, R);
}

PathRun run_conv(SynapsePath path, const std::vector<float>& params, const std::vector<float>& x,
                 const std::vector<float>& dy, FeatShape in, int O, int K, int S, int P, int N, int max_count = 1) {
  Conv2d c(in, O, K, S, P);
  return run_path(c, path, params, x, dy, N, max_count);
}

std::vector<float> spikes(size_t n, double density, Rng& rng) {
  std::vector<float> x(n);
  for (auto& v : x) v = rng.uniform() < density ? 1.f : 0.f;
  return x;
}

// The sum of `terms` spike vectors: counts 0 .. terms (a spike-add join).
std::vector<float> counts(size_t n, double density, int terms, Rng& rng) {
  std::vector<float> x(n, 0.f);
  for (int t = 0; t < terms; ++t) {
    const std::vector<float> s = spikes(n, density, rng);
    for (size_t i = 0; i < n; ++i) x[i] += s[i];
  }
  return x;
}

}  // namespace

TEST(SpikeBits, PacksAndIteratesInOrder) {
  std::vector<float> x(2 * 130, 0.f);
  const std::vector<int> on0 = {0, 63, 64, 129}, on1 = {5, 100};
  for (int i : on0) x[i] = 1.f;
  for (int i : on1) x[130 + i] = 1.f;
  SpikeBits b;
  EXPECT_EQ(b.pack(x.data(), 2, 130), 6);
  EXPECT_EQ(b.words_per_row(), 3);
  EXPECT_EQ(b.bytes(), size_t(2 * 3 * 8));
  std::vector<int> got;
  b.for_each(0, [&](int64_t i) { got.push_back(int(i)); });
  EXPECT_EQ(got, on0);
  got.clear();
  b.for_each(1, [&](int64_t i) { got.push_back(int(i)); });
  EXPECT_EQ(got, on1);
}

// Weights and gradients k / 64 with |k| <= 8 and few terms: every partial sum
// is exact, so the spike path must equal BLAS bit for bit (forward, dW; dx is BLAS in both).
TEST(SparseLinear, SpikePathEqualsBlasExactlyOnDyadicValues) {
  // O = 70: not a multiple of the 64-wide block; O = 10: one block, rows split across threads.
  for (const int O : {70, 10}) {
    const int I = 200, R = 9;
    Rng rng(1);
    std::vector<float> params(size_t(O) * I + O), dy(size_t(R) * O);
    for (auto& v : params) v = float(int(rng.below(17)) - 8) / 64.f;
    for (auto& v : dy) v = float(int(rng.below(17)) - 8) / 64.f;
    for (double density : {0.01, 0.05, 0.3}) {
      const std::vector<float> x = spikes(size_t(R) * I, density, rng);
      PathRun dense = run_linear(SynapsePath::Dense, params, x, dy, I, O, R);
      PathRun sparse = run_linear(SynapsePath::Sparse, params, x, dy, I, O, R);
      EXPECT_EQ(std::memcmp(dense.y.data(), sparse.y.data(), dense.y.size() * 4), 0) << "forward, O " << O;
      EXPECT_EQ(std::memcmp(dense.dW.data(), sparse.dW.data(), dense.dW.size() * 4), 0) << "dW, O " << O;
      EXPECT_EQ(std::memcmp(dense.dx.data(), sparse.dx.data(), dense.dx.size() * 4), 0) << "dx, O " << O;
    }
  }
}

// General float weights: the same sums in another order, equal to rounding
// (|sum| <= ~30 terms of |w| <= 1: float32 error < 1e-5 absolute).
TEST(SparseLinear, SpikePathEqualsBlasToRounding) {
  const int I = 300, O = 130, R = 16;
  Rng rng(2);
  std::vector<float> params(size_t(O) * I + O), dy(size_t(R) * O);
  for (auto& v : params) v = rng.uniform(-1.f, 1.f);
  for (auto& v : dy) v = rng.uniform(-1.f, 1.f);
  const std::vector<float> x = spikes(size_t(R) * I, 0.08, rng);
  PathRun dense = run_linear(SynapsePath::Dense, params, x, dy, I, O, R);
  PathRun sparse = run_linear(SynapsePath::Sparse, params, x, dy, I, O, R);
  EXPECT_TRUE(all_close("forward", sparse.y, dense.y, 1e-5, 1e-6));
  EXPECT_TRUE(all_close("dW", sparse.dW, dense.dW, 1e-5, 1e-6));
}

// Auto picks by measured density: the spike path below the crossover, BLAS above.
TEST(SparseLinear, AutoChoosesByDensity) {
  const int I = 128, O = 8, R = 10;
  Linear l({I, 1, 1}, O);
  std::vector<float> p(size_t(O) * I + O, 0.f), g(p.size(), 0.f);
  l.bind(p.data(), g.data());
  l.set_spike_input(true);
  l.set_path(SynapsePath::Auto, 0.1);
  l.prepare(R, R, 1);
  Rng rng(3);
  std::vector<float> y(size_t(R) * O);
  const std::vector<float> lo = spikes(size_t(R) * I, 0.02, rng), hi = spikes(size_t(R) * I, 0.5, rng);
  l.forward(lo.data(), y.data(), false);
  EXPECT_TRUE(l.last_sparse());
  EXPECT_LT(l.last_density(), 0.1);
  l.forward(hi.data(), y.data(), false);
  EXPECT_FALSE(l.last_sparse());
  EXPECT_EQ(l.cache_bytes(), size_t(R) * 2 * 8);  // 128 inputs = 2 words per row: 1 bit per spike
}

// Conv2d: 70 input channels (two mask words), 20 outputs (a 16-block and 4
// single columns), stride 2 and padding so taps fall outside the image, with
// dyadic weights and output gradients: the spike path equals sgemm bit for bit
// on every input that make_x draws (max_count: of count input, 1: spikes).
template <class MakeX>
void expect_conv_paths_equal_exactly(uint64_t seed, const std::vector<double>& levels, int max_count, MakeX&& make_x) {
  const FeatShape in{70, 9, 8};
  const int O = 20, K = 3, S = 2, P = 1, N = 5;
  Conv2d shape(in, O, K, S, P);
  Rng rng(seed);
  std::vector<float> params(shape.param_count()), dy(size_t(N) * shape.out_shape().size());
  for (auto& v : params) v = float(int(rng.below(17)) - 8) / 64.f;
  for (auto& v : dy) v = float(int(rng.below(17)) - 8) / 64.f;
  for (double level : levels) {
    const std::vector<float> x = make_x(size_t(N) * in.size(), level, rng);
    const int mc = max_count > 0 ? max_count : int(level);
    PathRun dense = run_conv(SynapsePath::Dense, params, x, dy, in, O, K, S, P, N, mc);
    PathRun sparse = run_conv(SynapsePath::Sparse, params, x, dy, in, O, K, S, P, N, mc);
    EXPECT_EQ(std::memcmp(dense.y.data(), sparse.y.data(), dense.y.size() * 4), 0) << "forward, " << level;
    EXPECT_EQ(std::memcmp(dense.dW.data(), sparse.dW.data(), dense.dW.size() * 4), 0) << "dW, " << level;
    EXPECT_EQ(std::memcmp(dense.dx.data(), sparse.dx.data(), dense.dx.size() * 4), 0) << "dx, " << level;
  }
}

TEST(SparseConv2d, SpikePathEqualsSgemmExactlyOnDyadicValues) {
  expect_conv_paths_equal_exactly(4, {0.02, 0.1, 0.4}, 1, spikes);  // level: the density
}

// Count input (values 0 .. 2 and 0 .. 3: one and two planes of weight 2 and
// 1): the bit-plane path equals sgemm bit for bit on dyadic values.
TEST(SparseConv2d, CountPlanesEqualSgemmExactlyOnDyadicValues) {
  expect_conv_paths_equal_exactly(7, {2, 3}, 0, [](size_t n, double terms, Rng& rng) {  // level: the terms
    std::vector<float> x = counts(n, 0.3, int(terms), rng);
    EXPECT_EQ(*std::max_element(x.begin(), x.end()), float(terms));  // the top plane is exercised
    return x;
  });
}

// Auto's crossover follows the layer's shape (Conv2d::crossover_for): the
// ResNet's 64 -> 64 at 4x4 takes the spike path on a join's counts at ~39 %
// set bits, its 16 -> 16 at 14x14 takes sgemm on spikes at 22 %.
TEST(SparseConv2d, AutoCrossoverFollowsTheShape) {
  Rng rng(8);
  auto last_sparse = [&](FeatShape in, const std::vector<float>& x, int max_count) {
    Conv2d c(in, in.C, 3, 1, 1, false);
    std::vector<float> p(c.param_count(), 0.f), g(p.size(), 0.f), y(size_t(2) * c.out_shape().size());
    c.bind(p.data(), g.data());
    c.set_spike_input(max_count == 1);
    c.set_count_input(max_count);
    c.prepare(2, 2, 1);
    c.forward(x.data(), y.data(), false);
    return c.last_sparse();
  };
  EXPECT_TRUE(last_sparse({64, 4, 4}, counts(2 * 64 * 16, 0.22, 2, rng), 2));
  EXPECT_FALSE(last_sparse({16, 14, 14}, spikes(2 * 16 * 196, 0.22, rng), 1));
  EXPECT_TRUE(last_sparse({16, 14, 14}, spikes(2 * 16 * 196, 0.1, rng), 1));
}

// The CNN workload's second conv shape (32 -> 64, 3x3, pad 1) with float
// weights: equal to rounding; and Auto takes the spike path below the crossover.
TEST(SparseConv2d, SpikePathEqualsSgemmToRounding) {
  const FeatShape in{32, 14, 14};
  const int O = 64, N = 3;
  Conv2d shape(in, O, 3, 1, 1);
  Rng rng(5);
  std::vector<float> params(shape.param_count()), dy(size_t(N) * shape.out_shape().size());
  for (auto& v : params) v = rng.uniform(-1.f, 1.f);
  for (auto& v : dy) v = rng.uniform(-1.f, 1.f);
  const std::vector<float> x = spikes(size_t(N) * in.size(), 0.15, rng);
  PathRun dense = run_conv(SynapsePath::Dense, params, x, dy, in, O, 3, 1, 1, N);
  PathRun sparse = run_conv(SynapsePath::Sparse, params, x, dy, in, O, 3, 1, 1, N);
  EXPECT_TRUE(all_close("forward", sparse.y, dense.y, 1e-5, 1e-5));
  EXPECT_TRUE(all_close("dW", sparse.dW, dense.dW, 1e-5, 1e-5));
  EXPECT_TRUE(all_close("dx", sparse.dx, dense.dx, 1e-5, 1e-5));
  Conv2d c(in, O, 3, 1, 1);
  std::vector<float> p = params, g(params.size(), 0.f), y(dense.y.size());
  c.bind(p.data(), g.data());
  c.set_spike_input(true);
  c.prepare(N, N, 1);
  c.forward(x.data(), y.data(), false);
  EXPECT_TRUE(c.last_sparse());
  EXPECT_NEAR(c.last_density(), 0.15, 0.02);
}
