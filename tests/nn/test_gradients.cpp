// Gradient checks for the nn layers and losses.
//
// Stateless layers and losses: the analytic backward against double-precision
// central differences of the scalar L = sum(out * R) (R fixed, random), the
// derivative of which with respect to out is exactly R, so backward(R) must
// return dL/dinput and add dL/dparams.
//
// Spiking layers: the forward step function has no useful derivative, so the
// LIF layer is checked against closed forms (spike times under constant
// current), its backward against a naive double-precision loop written from the
// documented BPTT equations, and each surrogate's grad against the numerical
// derivative of its `smooth` function.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "../check_close.h"
#include "core/error.h"
#include "core/rng.h"
#include "nn/avg_pool2d.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/flatten.h"
#include "nn/global_avg_pool.h"
#include "nn/layer.h"
#include "nn/lif_layer.h"
#include "nn/linear.h"
#include "nn/loss.h"
#include "nn/max_pool2d.h"
#include "nn/normalize.h"
#include "nn/relu.h"
#include "nn/surrogate.h"

using namespace spikeforge;
using spikeforge::test::all_close;

namespace {

std::vector<float> uniform_vec(size_t n, Rng& rng, float lo, float hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.uniform(lo, hi);
  return v;
}

// Owns a layer's flat parameter, gradient and buffer arrays, bound and initialised.
struct Bound {
  Layer& layer;
  std::vector<float> params, grads, buffers;
  Bound(Layer& l, int Tin, int T, int B, uint64_t seed) : layer(l) {
    params.assign(size_t(l.param_count()), 0.f);
    grads.assign(size_t(l.param_count()), 0.f);
    buffers.assign(size_t(l.buffer_count()), 0.f);
    l.bind(params.data(), grads.data());
    l.bind_buffers(buffers.data());
    Rng rng(seed);
    l.init_params(InitKind::KaimingUniform, rng);
    l.prepare(Tin, T, B);
  }
};

// Sets the OpenMP thread count to 1 for its lifetime, then restores it.
struct OneThread {
  int prev = omp_get_max_threads();
  OneThread() { omp_set_num_threads(1); }
  ~OneThread() { omp_set_num_threads(prev); }
};

// Finite-difference step and tolerance.
//
// Tolerance: the forward runs in float32 and L is summed in double, so a
// difference quotient carries a rounding error of about n_out * 2^-24 * |out|
// * |R| / (2 h); with n_out <= 300, |out|, |R| <= ~3 and h = 1e-2 that is
// <= 1e-4, and BLAS's own float accumulation adds the same order. For the
// layers that are linear in what is perturbed (Linear, Conv2d, the pools away
// from ties, Flatten, BatchNorm's gamma/beta) the central difference has no
// truncation error; BatchNorm's input gradient adds h^2/6 * L''' which, for
// unit-variance channels of M >= 24 values and h = 1e-3, stays below 1e-4.
// abs 2e-3 + rel 2e-2 is therefore > 10x the expected error, and far below any
// real mistake (a missing 1/M, a transposed weight or a wrong index change
// gradients by O(1) relative).
struct FdOptions {
  double h = 1e-2;
  double abs_tol = 2e-3;
  double rel_tol = 2e-2;
  bool check_params = true;
};

double weighted_sum(const std::vector<float>& out, const std::vector<float>& R) {
  double s = 0;
  for (size_t i = 0; i < out.size(); ++i) s += double(out[i]) * double(R[i]);
  return s;
}

// Central difference of f with respect to v[i], dividing by the step actually
// representable in float32 (x + h and x - h are rounded).
double central_difference(std::vector<float>& v, size_t i, double h, const std::function<double()>& f) {
  const float saved = v[i];
  const float xp = float(double(saved) + h), xm = float(double(saved) - h);
  v[i] = xp;
  const double lp = f();
  v[i] = xm;
  const double lm = f();
  v[i] = saved;
  return (lp - lm) / (double(xp) - double(xm));
}

// Checks dL/dx and dL/dparams of `layer` at input x (in shape [Tin, B, in_shape]).
void check_layer(Layer& layer, int Tin, int T, int B, std::vector<float> x, const FdOptions& o, uint64_t seed,
                 const std::function<void(Bound&)>& set_params = nullptr) {
  Bound b(layer, Tin, T, B, seed);
  if (set_params) set_params(b);
  ASSERT_EQ(int64_t(x.size()), int64_t(Tin) * B * layer.in_shape().size());
  const int Tout = layer.out_steps(Tin, T);
  std::vector<float> out(size_t(int64_t(Tout) * B * layer.out_shape().size()));
  Rng rng(seed + 1000);
  const std::vector<float> R = uniform_vec(out.size(), rng, -1.f, 1.f);

  // Analytic: backward(R) after a forward at x. Gradients start at a non-zero
  // value to check that parameter gradients accumulate (+=).
  layer.forward(x.data(), out.data(), /*train=*/true);
  const float g0 = 0.25f;
  std::fill(b.grads.begin(), b.grads.end(), g0);
  std::vector<float> din(x.size(), 123.f);  // overwritten (=), never accumulated into
  layer.backward(R.data(), din.data());
  std::vector<double> dparam(b.grads.size());
  for (size_t i = 0; i < dparam.size(); ++i) dparam[i] = double(b.grads[i]) - g0;

  auto loss = [&] {
    layer.forward(x.data(), out.data(), /*train=*/true);
    return weighted_sum(out, R);
  };
  // The hundreds of reference forwards run on one thread: on a loaded machine
  // every parallel region can wait a scheduler tick. (The analytic pass above
  // ran with the default thread count, so the threaded kernels are what is checked.)
  OneThread one_thread;
  std::vector<double> num_in(x.size());
  for (size_t i = 0; i < x.size(); ++i) num_in[i] = central_difference(x, i, o.h, loss);
  EXPECT_TRUE(all_close(layer.kind() + " dinput", din.data(), num_in.data(), x.size(), o.abs_tol, o.rel_tol));

  if (!o.check_params || b.params.empty()) return;
  std::vector<double> num_p(b.params.size());
  for (size_t i = 0; i < b.params.size(); ++i) num_p[i] = central_difference(b.params, i, o.h, loss);
  EXPECT_TRUE(all_close(layer.kind() + " dparams", dparam.data(), num_p.data(), num_p.size(), o.abs_tol, o.rel_tol));
}

}  // namespace

// ---------------------------------------------------------------------------
// Stateless layers

TEST(Gradients, Linear) {
  Rng rng(1);
  Linear layer({6, 1, 1}, 5);
  const int Tin = 3, T = 3, B = 2;
  check_layer(layer, Tin, T, B, uniform_vec(Tin * B * 6, rng, -1.f, 1.f), {}, 11);
}

TEST(Gradients, LinearFromConvShapedInputNoBias) {
  Rng rng(2);
  Linear layer({2, 2, 3}, 4, /*bias=*/false);
  EXPECT_EQ(layer.param_count(), 4 * 12);
  check_layer(layer, 2, 2, 3, uniform_vec(2 * 3 * 12, rng, -1.f, 1.f), {}, 12);
}

// Tin = 1: the layer runs once on the step shared by all T steps.
TEST(Gradients, LinearTinOne) {
  Rng rng(3);
  Linear layer({7, 1, 1}, 3);
  EXPECT_EQ(layer.out_steps(1, 5), 1);
  check_layer(layer, /*Tin=*/1, /*T=*/5, /*B=*/4, uniform_vec(4 * 7, rng, -1.f, 1.f), {}, 13);
}

TEST(Gradients, Conv2dStride1Pad1) {
  Rng rng(4);
  Conv2d layer({2, 5, 5}, 3, /*kernel=*/3, /*stride=*/1, /*pad=*/1);
  EXPECT_EQ(layer.out_shape(), (FeatShape{3, 5, 5}));
  check_layer(layer, 2, 2, 2, uniform_vec(2 * 2 * 50, rng, -1.f, 1.f), {}, 14);
}

TEST(Gradients, Conv2dStride2Pad0) {
  Rng rng(5);
  Conv2d layer({2, 7, 6}, 3, /*kernel=*/3, /*stride=*/2, /*pad=*/0);
  EXPECT_EQ(layer.out_shape(), (FeatShape{3, 3, 2}));
  check_layer(layer, 1, 4, 3, uniform_vec(3 * 84, rng, -1.f, 1.f), {}, 15);
}

// Stride 1 without "same" padding: the general im2col path (Wo != W).
TEST(Gradients, Conv2dStride1Pad0) {
  Rng rng(41);
  Conv2d layer({2, 6, 5}, 3, /*kernel=*/3, /*stride=*/1, /*pad=*/0);
  EXPECT_EQ(layer.out_shape(), (FeatShape{3, 4, 3}));
  check_layer(layer, 2, 2, 2, uniform_vec(2 * 2 * 60, rng, -1.f, 1.f), {}, 42);
}

// Kernel 5, pad 2: the shifted-plane path with two padding columns per side.
TEST(Gradients, Conv2dKernel5Pad2) {
  Rng rng(43);
  Conv2d layer({1, 6, 7}, 2, /*kernel=*/5, /*stride=*/1, /*pad=*/2);
  EXPECT_EQ(layer.out_shape(), (FeatShape{2, 6, 7}));
  check_layer(layer, 1, 3, 3, uniform_vec(3 * 42, rng, -1.f, 1.f), {}, 44);
}

// 4x4 images: many images share one sgemm (chunks of 2048 / 16 columns), and
// 3 * 37 images leave a short last chunk.
TEST(Gradients, Conv2dManyImagesChunked) {
  Rng rng(45);
  Conv2d layer({2, 4, 4}, 3, /*kernel=*/3, /*stride=*/1, /*pad=*/1);
  FdOptions o;
  check_layer(layer, 3, 3, 37, uniform_vec(3 * 37 * 32, rng, -1.f, 1.f), o, 46);
}

// Inputs are a permutation of well separated values (gap 0.05 > 2h), so no
// window has a tie and the perturbation never changes an argmax.
TEST(Gradients, MaxPool2d) {
  const FeatShape in{2, 6, 5};
  const int Tin = 2, B = 2;
  const int n = int(Tin * B * in.size());
  std::vector<int> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(6);
  for (int i = n - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(i + 1)]);
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = 0.05f * float(perm[i]) - 3.f;
  FdOptions o;
  o.h = 5e-3;
  MaxPool2d k2(in, 2, 2);
  EXPECT_EQ(k2.out_shape(), (FeatShape{2, 3, 2}));
  check_layer(k2, Tin, Tin, B, x, o, 16);
  MaxPool2d k3s2(in, 3, 2);  // overlapping windows: an input can win twice
  EXPECT_EQ(k3s2.out_shape(), (FeatShape{2, 2, 2}));
  check_layer(k3s2, Tin, Tin, B, x, o, 17);
}

// Exact small case: forward values and where backward routes the gradient.
TEST(Gradients, MaxPool2dHandComputed) {
  MaxPool2d layer({1, 2, 4}, 2, 2);
  layer.prepare(1, 1, 1);
  const float x[8] = {1, 5, 2, 0,  //
                      3, 4, 7, 6};
  float y[2];
  layer.forward(x, y, true);
  EXPECT_EQ(y[0], 5.f);
  EXPECT_EQ(y[1], 7.f);
  const float dy[2] = {10, 20};
  float dx[8];
  std::fill(dx, dx + 8, -1.f);
  layer.backward(dy, dx);
  const float want[8] = {0, 10, 0, 0, 0, 0, 20, 0};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(dx[i], want[i]) << "index " << i;
}

// Spike inputs tie constantly: the 2x2 fast path must route the gradient to
// the first maximum in window order (0,0) (0,1) (1,0) (1,1), as PyTorch.
TEST(Gradients, MaxPool2dSpikeTiesFirstWins) {
  MaxPool2d layer({1, 2, 6}, 2, 2);
  layer.prepare(1, 1, 1);
  const float x[12] = {0, 1, 1, 1, 0, 0,  //
                       1, 1, 1, 1, 0, 1};
  float y[3];
  layer.forward(x, y, true);
  EXPECT_EQ(y[0], 1.f);
  EXPECT_EQ(y[1], 1.f);
  EXPECT_EQ(y[2], 1.f);
  const float dy[3] = {10, 20, 30};
  float dx[12];
  layer.backward(dy, dx);
  const float want[12] = {0, 10, 20, 0, 0, 0,  //
                          0, 0,  0,  0, 0, 30};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(dx[i], want[i]) << "index " << i;
}

TEST(Gradients, GlobalAvgPool) {
  Rng rng(71);
  GlobalAvgPool layer({3, 4, 5});
  EXPECT_EQ(layer.out_shape(), (FeatShape{3, 1, 1}));
  check_layer(layer, 2, 2, 2, uniform_vec(2 * 2 * 60, rng, -1.f, 1.f), {}, 72);
}

// Inputs keep 0.05 away from the kinks at 0 and at the ceiling (h = 1e-2).
TEST(Gradients, ReluPlainAndClamped) {
  Rng rng(73);
  std::vector<float> x = uniform_vec(2 * 3 * 8, rng, -2.f, 2.f);
  for (auto& v : x)
    for (float kink : {0.f, 1.f})
      if (std::fabs(v - kink) < 0.05f) v = kink + 0.1f;
  Relu plain({8, 1, 1});
  check_layer(plain, 2, 2, 3, x, {}, 74);
  Relu clamped({8, 1, 1}, /*ceiling=*/1.f);
  check_layer(clamped, 2, 2, 3, x, {}, 75);
}

// Quantised: exact values on a hand grid, and the straight-through gradient.
TEST(Gradients, ReluQuantisedFloorsAndPassesGradient) {
  Relu q({6, 1, 1}, /*ceiling=*/2.f, /*levels=*/4);  // steps of 0.5
  q.prepare(1, 1, 1);
  const float x[6] = {-1.f, 0.2f, 0.5f, 1.26f, 1.99f, 3.f};
  const float want[6] = {0.f, 0.f, 0.5f, 1.f, 1.5f, 2.f};
  float y[6];
  q.forward(x, y, true);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y[i], want[i]) << "index " << i;
  const float dy[6] = {1, 2, 3, 4, 5, 6};
  const float dwant[6] = {0, 2, 3, 4, 5, 0};
  float dx[6];
  q.backward(dy, dx);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(dx[i], dwant[i]) << "index " << i;
  EXPECT_THROW(Relu({2, 1, 1}, 0.f, 4), ShapeError);
}

TEST(Gradients, AvgPool2d) {
  Rng rng(7);
  const FeatShape in{3, 5, 4};
  AvgPool2d k2(in, 2, 2);
  EXPECT_EQ(k2.out_shape(), (FeatShape{3, 2, 2}));
  check_layer(k2, 2, 2, 2, uniform_vec(2 * 2 * in.size(), rng, -1.f, 1.f), {}, 18);
  AvgPool2d k3s1(in, 3, 1);
  EXPECT_EQ(k3s1.out_shape(), (FeatShape{3, 3, 2}));
  check_layer(k3s1, 1, 3, 2, uniform_vec(2 * in.size(), rng, -1.f, 1.f), {}, 19);
}

// Padding. MaxPool2d pads with -inf (each window clipped to the image),
// AvgPool2d with zeros that count (divisor K^2, PyTorch's count_include_pad).
// The inputs are the well separated permutation of MaxPool2d above, negative
// ones included, so padding treated as 0 would change border outputs, and no
// perturbation changes an argmax.
TEST(Gradients, MaxPool2dPadded) {
  const FeatShape in{2, 6, 5};
  const int Tin = 2, B = 2;
  const int n = int(Tin * B * in.size());
  std::vector<int> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(61);
  for (int i = n - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(i + 1)]);
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = 0.05f * float(perm[i]) - 3.f;
  FdOptions o;
  o.h = 5e-3;
  MaxPool2d k3s2p1(in, 3, 2, 1);
  EXPECT_EQ(k3s2p1.out_shape(), (FeatShape{2, 3, 3}));
  check_layer(k3s2p1, Tin, Tin, B, x, o, 62);
  MaxPool2d k2s2p1(in, 2, 2, 1);  // 2x2 stride 2 with padding: not the fast path
  EXPECT_EQ(k2s2p1.out_shape(), (FeatShape{2, 4, 3}));
  check_layer(k2s2p1, Tin, Tin, B, x, o, 63);
  MaxPool2d k2s1p1(in, 2, 1, 1);
  EXPECT_EQ(k2s1p1.out_shape(), (FeatShape{2, 7, 6}));
  check_layer(k2s1p1, Tin, Tin, B, x, o, 64);
  EXPECT_THROW(MaxPool2d(in, 2, 2, 2), ShapeError);  // pad > kernel / 2
}

// Windows that hold one input each: the output is that input however negative,
// and the gradient goes straight back to it.
TEST(Gradients, MaxPool2dPaddedNeverPicksPadding) {
  MaxPool2d layer({1, 2, 2}, 2, 2, 1);
  EXPECT_EQ(layer.out_shape(), (FeatShape{1, 2, 2}));
  layer.prepare(1, 1, 1);
  const float x[4] = {-1, -2, -3, -4};
  float y[4];
  layer.forward(x, y, true);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y[i], x[i]) << "index " << i;
  const float dy[4] = {10, 20, 30, 40};
  float dx[4];
  layer.backward(dy, dx);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(dx[i], dy[i]) << "index " << i;
}

TEST(Gradients, AvgPool2dPadded) {
  Rng rng(65);
  const FeatShape in{3, 5, 4};
  AvgPool2d k3s2p1(in, 3, 2, 1);
  EXPECT_EQ(k3s2p1.out_shape(), (FeatShape{3, 3, 2}));
  check_layer(k3s2p1, 2, 2, 2, uniform_vec(2 * 2 * in.size(), rng, -1.f, 1.f), {}, 66);
  AvgPool2d k2s1p1(in, 2, 1, 1);
  EXPECT_EQ(k2s1p1.out_shape(), (FeatShape{3, 6, 5}));
  check_layer(k2s1p1, 1, 3, 2, uniform_vec(2 * in.size(), rng, -1.f, 1.f), {}, 67);
  // Hand case: each 2x2 window holds one input and three counted zeros.
  AvgPool2d one({1, 2, 2}, 2, 2, 1);
  one.prepare(1, 1, 1);
  const float x[4] = {4, -8, 12, 2};
  float y[4];
  one.forward(x, y, true);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y[i], x[i] / 4.f) << "index " << i;
  EXPECT_THROW(AvgPool2d(in, 3, 1, 2), ShapeError);
}

// y = (x - mean) / std exactly as documented, and its gradient.
TEST(Gradients, Normalize) {
  Rng rng(68);
  Normalize layer({2, 3, 3}, 0.25f, 0.5f);
  std::vector<float> x = uniform_vec(2 * 3 * 18, rng, 0.f, 1.f);
  check_layer(layer, 2, 2, 3, x, {}, 69);
  std::vector<float> y(x.size());
  layer.forward(x.data(), y.data(), false);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], (x[i] - 0.25f) / 0.5f) << "index " << i;
  EXPECT_THROW(Normalize({1, 1, 1}, 0.f, 0.f), ShapeError);
  EXPECT_THROW(Normalize({1, 1, 1}, NAN, 1.f), ShapeError);
}

TEST(Gradients, Flatten) {
  Rng rng(8);
  Flatten layer({2, 3, 2});
  EXPECT_EQ(layer.out_shape(), (FeatShape{12, 1, 1}));
  std::vector<float> x = uniform_vec(2 * 3 * 12, rng, -1.f, 1.f);
  check_layer(layer, 2, 2, 3, x, {}, 20);
  // Row-major memory is already flat: out is a bitwise copy of in.
  std::vector<float> out(x.size());
  layer.forward(x.data(), out.data(), false);
  EXPECT_EQ(out, x);
}

// BatchNorm in training mode: random gamma/beta so that both matter, inputs
// with a per-channel offset and scale so that the statistics are non-trivial.
void check_batchnorm(FeatShape in, int Tin, int B, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x(size_t(Tin * B * in.size()));
  const int64_t HW = int64_t(in.H) * in.W;
  for (size_t i = 0; i < x.size(); ++i) {
    const int c = int((int64_t(i) / HW) % in.C);
    x[i] = 0.5f * float(c) - 0.3f + (1.f + 0.5f * float(c)) * rng.uniform(-1.f, 1.f);
  }
  BatchNorm layer(in);
  FdOptions o;
  o.h = 1e-3;
  check_layer(layer, Tin, Tin, B, x, o, seed, [&](Bound& b) {
    Rng r(seed + 7);
    for (int c = 0; c < in.C; ++c) b.params[c] = r.uniform(0.5f, 1.5f), b.params[in.C + c] = r.uniform(-0.5f, 0.5f);
  });
}

TEST(Gradients, BatchNormTrainConvShaped) { check_batchnorm({3, 2, 2}, 2, 3, 21); }
TEST(Gradients, BatchNormTrainFlat) { check_batchnorm({4, 1, 1}, 3, 5, 22); }

// The forward itself against the documented formula (biased variance in xh,
// unbiased in the running variance, momentum 0.1), computed here in double.
TEST(Gradients, BatchNormForwardStatistics) {
  const FeatShape in{2, 2, 3};
  const int Tin = 2, B = 2, M = Tin * B * 6;
  BatchNorm layer(in, 1e-5f, 0.1f);
  Bound b(layer, Tin, Tin, B, 23);
  b.params = {1.5f, 0.5f, 0.25f, -1.f};  // gamma, beta; the layer keeps the pointer
  layer.bind(b.params.data(), b.grads.data());
  Rng rng(24);
  std::vector<float> x = uniform_vec(size_t(Tin * B * in.size()), rng, -2.f, 3.f);
  std::vector<float> y(x.size());
  layer.forward(x.data(), y.data(), true);
  std::vector<double> want_y(x.size()), want_buf(4);
  for (int c = 0; c < 2; ++c) {
    double s = 0, s2 = 0;
    for (int n = 0; n < Tin * B; ++n)
      for (int p = 0; p < 6; ++p) s += x[(n * 2 + c) * 6 + p];
    const double mu = s / M;
    for (int n = 0; n < Tin * B; ++n)
      for (int p = 0; p < 6; ++p) s2 += std::pow(x[(n * 2 + c) * 6 + p] - mu, 2);
    const double var = s2 / M;
    for (int n = 0; n < Tin * B; ++n)
      for (int p = 0; p < 6; ++p) {
        const int i = (n * 2 + c) * 6 + p;
        want_y[i] = b.params[c] * (x[i] - mu) / std::sqrt(var + 1e-5) + b.params[2 + c];
      }
    want_buf[c] = 0.9 * 0.0 + 0.1 * mu;                  // running mean from 0
    want_buf[2 + c] = 0.9 * 1.0 + 0.1 * (s2 / (M - 1));  // running var from 1, unbiased
  }
  // float32 forward of values O(3): a few ulps of 4 -> abs 1e-5, rel 1e-5.
  EXPECT_TRUE(all_close("batchnorm y", y.data(), want_y.data(), y.size(), 1e-5, 1e-5));
  EXPECT_TRUE(all_close("batchnorm running stats", b.buffers.data(), want_buf.data(), 4, 1e-6, 1e-5));
  // Eval mode uses the running statistics.
  layer.forward(x.data(), y.data(), false);
  for (size_t i = 0; i < x.size(); ++i) {
    const int c = int((i / 6) % 2);
    want_y[i] = b.params[c] * (x[i] - want_buf[c]) / std::sqrt(want_buf[2 + c] + 1e-5) + b.params[2 + c];
  }
  EXPECT_TRUE(all_close("batchnorm eval y", y.data(), want_y.data(), y.size(), 1e-5, 1e-5));
}

// ---------------------------------------------------------------------------
// Losses: d loss / d out against central differences of the returned loss.

namespace {

void check_loss(const LossParams& p, int T, int B, int K, const std::vector<float>& out0, const std::vector<int>& y) {
  std::vector<float> out = out0, dout(out.size(), 99.f);
  loss_forward_backward(p, out.data(), T, B, K, y.data(), dout.data());
  auto loss = [&] { return loss_forward_backward(p, out.data(), T, B, K, y.data(), nullptr).loss; };
  std::vector<double> num(out.size());
  for (size_t i = 0; i < out.size(); ++i) num[i] = central_difference(out, i, 1e-2, loss);
  // The loss is computed from float32 logits (rounding ~1e-7 * |z|, z <= ~10)
  // and accumulated in double: the difference quotient is good to ~1e-5; the
  // softmax's curvature adds h^2/6 * L''' <= 2e-5. abs 2e-4 + rel 1e-3 is
  // 10x that and far below an error such as a missing 1/T or 1/B.
  EXPECT_TRUE(all_close(std::string(loss_name(p.kind)) + " dout", dout.data(), num.data(), num.size(), 2e-4, 1e-3));
}

// out [T, B, K]: distinct values (a shuffled grid with spacing 0.07 > 2h), so
// ce_mem_max's argmax over t has no ties and never moves under perturbation.
std::vector<float> distinct_outputs(int n, uint64_t seed) {
  std::vector<int> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(seed);
  for (int i = n - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(i + 1)]);
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = 0.07f * float(perm[i]) - 1.5f;
  return v;
}

}  // namespace

TEST(Gradients, Losses) {
  const int T = 4, B = 3, K = 5;
  const std::vector<float> out = distinct_outputs(T * B * K, 25);
  const std::vector<int> y = {2, 0, 4};
  for (LossKind k : {LossKind::CeCount, LossKind::CeMemMean, LossKind::CeMemMax, LossKind::MseCount}) {
    SCOPED_TRACE(loss_name(k));
    LossParams p;
    p.kind = k;
    check_loss(p, T, B, K, out, y);
  }
  for (LossKind k : {LossKind::CeCount, LossKind::CeMemMean, LossKind::CeMemMax}) {
    SCOPED_TRACE(std::string(loss_name(k)) + " label_smoothing 0.2");
    LossParams p;
    p.kind = k;
    p.label_smoothing = 0.2f;
    check_loss(p, T, B, K, out, y);
  }
  LossParams mse;
  mse.kind = LossKind::MseCount;
  mse.correct_rate = 0.8f;
  mse.incorrect_rate = 0.1f;
  SCOPED_TRACE("mse_count 0.8/0.1");
  check_loss(mse, T, B, K, out, y);
}

// Exact values: equal logits give CE = ln K; mse_count of zero output is
// (T^2 + 0) / K per sample with the default rates 1 / 0.
TEST(Gradients, LossHandComputedValues) {
  const int T = 3, B = 2, K = 4;
  std::vector<float> zero(T * B * K, 0.f), dout(zero.size());
  const std::vector<int> y = {1, 3};
  for (LossKind k : {LossKind::CeCount, LossKind::CeMemMean, LossKind::CeMemMax}) {
    LossParams p;
    p.kind = k;
    LossResult r = loss_forward_backward(p, zero.data(), T, B, K, y.data(), dout.data());
    EXPECT_NEAR(r.loss, std::log(4.0), 1e-6) << loss_name(k);
  }
  // Smoothing 0.2 with logits (0, ln 3, 0, 0) and y = 1: softmax = (1, 3, 1, 1) / 6,
  // q = (0.05, 0.85, 0.05, 0.05): L = ln 6 - 0.85 ln 3, dz = (p - q) / B (ce_count: every t).
  {
    LossParams ls;
    ls.kind = LossKind::CeCount;
    ls.label_smoothing = 0.2f;
    std::vector<float> z(zero.size(), 0.f), dz(zero.size());
    const std::vector<int> y1 = {1, 1};
    for (int b = 0; b < B; ++b) z[b * K + 1] = float(std::log(3.0));  // t = 0 only: the count sums over t
    LossResult rs = loss_forward_backward(ls, z.data(), T, B, K, y1.data(), dz.data());
    EXPECT_NEAR(rs.loss, std::log(6.0) - 0.85 * std::log(3.0), 1e-6);
    const double want[4] = {1.0 / 6 - 0.05, 0.5 - 0.85, 1.0 / 6 - 0.05, 1.0 / 6 - 0.05};
    for (int k = 0; k < K; ++k) EXPECT_NEAR(dz[(2 * B + 1) * K + k], want[k] / B, 1e-6) << k;
  }
  LossParams p;
  p.kind = LossKind::MseCount;
  LossResult r = loss_forward_backward(p, zero.data(), T, B, K, y.data(), dout.data());
  EXPECT_NEAR(r.loss, 9.0 / 4.0, 1e-9);
  // dout_t = 2 (c - c*) / (B K) = -2 * 3 / 8 for the label, 0 for the others, every t.
  for (int t = 0; t < T; ++t)
    for (int b = 0; b < B; ++b)
      for (int k = 0; k < K; ++k)
        EXPECT_FLOAT_EQ(dout[(t * B + b) * K + k], k == y[b] ? -0.75f : 0.f) << t << " " << b << " " << k;
}

// ---------------------------------------------------------------------------
// LIF layer: closed forms under constant input current.

namespace {

// Runs a LIF layer on a constant current per element (Tin = 1) and returns the spikes [T, n].
std::vector<float> run_lif(const SpikingParams& sp, bool is_if, const std::vector<float>& current, int T, int Tin = 1,
                           double* emitted = nullptr) {
  const int n = int(current.size());
  LifLayer layer({n, 1, 1}, sp, is_if);
  layer.prepare(Tin, T, 1);
  std::vector<float> in;
  for (int t = 0; t < Tin; ++t) in.insert(in.end(), current.begin(), current.end());
  std::vector<float> out(size_t(T) * n, -1.f);
  layer.forward(in.data(), out.data(), true);
  if (emitted) *emitted = layer.spikes_emitted();
  return out;
}

}  // namespace

// IF (beta = 1), theta = 1, soft reset, current I = q/100: the membrane after
// reset is the fractional part of the accumulated charge, so a spike falls at
// step t exactly when floor(q (t+1) / 100) > floor(q t / 100). Integer
// arithmetic gives the reference; for t+1 < 100 no step lands within 0.01 of
// the threshold, far more than the float32 drift (~60 ulps of 1).
TEST(LifLayer, IfSoftResetConstantCurrent) {
  const int T = 60;
  const std::vector<int> q = {27, 41, 13, 77, 100, 0};
  std::vector<float> current;
  for (int v : q) current.push_back(float(v) / 100.f);
  SpikingParams sp;
  sp.lif.theta = 1.f;
  sp.lif.beta = 0.5f;  // ignored: is_if forces beta = 1
  double emitted = 0;
  std::vector<float> s = run_lif(sp, /*is_if=*/true, current, T, 1, &emitted);
  const int n = int(q.size());
  std::vector<float> want(s.size());
  double total = 0;
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < n; ++i) {
      want[t * n + i] = (q[i] * (t + 1)) / 100 > (q[i] * t) / 100 ? 1.f : 0.f;
      total += want[t * n + i];
    }
  EXPECT_TRUE(all_close("IF soft spikes [T, n]", s, want, 0, 0));
  EXPECT_EQ(emitted, total);
  // Spike counts by T: floor(q T / 100).
  for (int i = 0; i < n; ++i) {
    double c = 0;
    for (int t = 0; t < T; ++t) c += s[t * n + i];
    EXPECT_EQ(c, (q[i] * T) / 100) << "q = " << q[i];
  }
  // Tin = T with the same current each step is the same computation.
  EXPECT_EQ(run_lif(sp, true, current, T, /*Tin=*/T), s);
}

// Dyadic current 3/8: all arithmetic is exact in float32, so the membrane
// reaches exactly theta at every 8th step and the firing rule v >= theta
// (not >) decides: spikes where floor(3 (t+1) / 8) increments.
TEST(LifLayer, IfExactThresholdFires) {
  const int T = 24;
  SpikingParams sp;
  std::vector<float> s = run_lif(sp, true, {0.375f}, T);
  std::vector<float> want(T);
  for (int t = 0; t < T; ++t) want[t] = (3 * (t + 1)) / 8 > (3 * t) / 8 ? 1.f : 0.f;
  EXPECT_TRUE(all_close("IF 3/8 spikes", s, want, 0, 0));
  EXPECT_EQ(want[7], 1.f);  // v_7 = 8 * 3/8 - 2 = 1 exactly
}

// LIF, hard reset (to zero): from v = 0 under current I the membrane is
// v_k = I (1 - beta^k) / (1 - beta) after k steps, so the neuron fires after
// n* = ceil(log(1 - theta (1 - beta) / I) / log beta) steps, resets to 0 and
// repeats: spikes at t = m n* - 1 (m = 1, 2, ...); never when I/(1-beta) < theta.
TEST(LifLayer, LifHardResetPeriodic) {
  const int T = 50;
  const double beta = 0.9, theta = 1.0;
  const std::vector<float> current = {0.15f, 0.25f, 0.5f, 1.2f, 0.09f};
  SpikingParams sp;
  sp.lif.beta = float(beta);
  sp.lif.theta = float(theta);
  sp.lif.reset = ResetKind::Hard;
  std::vector<float> s = run_lif(sp, false, current, T);
  const int n = int(current.size());
  std::vector<float> want(s.size(), 0.f);
  for (int i = 0; i < n; ++i) {
    const double I = current[i];
    if (I / (1 - beta) < theta) continue;  // asymptote below threshold
    const int period = int(std::ceil(std::log(1 - theta * (1 - beta) / I) / std::log(beta)));
    // The reference is only meaningful if no step lands near the threshold.
    auto v = [&](int k) { return I * (1 - std::pow(beta, k)) / (1 - beta); };
    ASSERT_GT(v(period) - theta, 1e-3) << "I = " << I;
    if (period > 1) {
      ASSERT_GT(theta - v(period - 1), 1e-3) << "I = " << I;
    }
    for (int t = period - 1; t < T; t += period) want[t * n + i] = 1.f;
  }
  EXPECT_EQ(want[10 * n + 0], 1.f);  // I = 0.15: n* = 11 (v_10 = 0.977, v_11 = 1.029)
  EXPECT_TRUE(all_close("LIF hard spikes [T, n]", s, want, 0, 0));
}

// LIF, soft reset: event by event in closed form. After a spike the residual
// r0 = v - theta decays towards a = I / (1 - beta): v after k more steps is
// a + (r0 - a) beta^k, so the next spike is k = ceil(log((a - theta)/(a - r0)) / log beta)
// steps later. Margins to the threshold are asserted so float32 cannot differ.
TEST(LifLayer, LifSoftResetEventDriven) {
  const int T = 60;
  const double beta = 0.9, theta = 1.0;
  const std::vector<float> current = {0.15f, 0.25f, 0.5f, 0.12f};
  SpikingParams sp;
  sp.lif.beta = float(beta);
  sp.lif.theta = float(theta);
  sp.lif.reset = ResetKind::Soft;
  std::vector<float> s = run_lif(sp, false, current, T);
  const int n = int(current.size());
  std::vector<float> want(s.size(), 0.f);
  for (int i = 0; i < n; ++i) {
    const double a = double(current[i]) / (1 - beta);
    ASSERT_GT(a, theta);
    double r0 = 0;  // r_{-1} = 0
    int t = -1;
    for (;;) {
      const int k = int(std::ceil(std::log((a - theta) / (a - r0)) / std::log(beta)));
      auto v = [&](int kk) { return a + (r0 - a) * std::pow(beta, kk); };
      // v rises monotonically towards a: the closest approach from below is step k - 1.
      if (k > 1 && t + k - 1 < T) {
        ASSERT_GT(theta - v(k - 1), 1e-4) << "I = " << current[i] << " t = " << t + k - 1;
      }
      if (t + k >= T) break;
      ASSERT_GT(v(k) - theta, 1e-4) << "I = " << current[i] << " t = " << t + k;
      t += k;
      want[t * n + i] = 1.f;
      r0 = v(k) - theta;
    }
  }
  EXPECT_TRUE(all_close("LIF soft spikes [T, n]", s, want, 0, 0));
}

// ---------------------------------------------------------------------------
// LIF backward: a naive double loop over the documented BPTT equations.

namespace {

double surrogate_grad(SurrogateKind k, double w, double u) {
  const double pi = 3.14159265358979323846;
  switch (k) {
    case SurrogateKind::FastSigmoid:
      return 1.0 / std::pow(1.0 + std::fabs(u) / w, 2);
    case SurrogateKind::Arctan:
      return 1.0 / (1.0 + std::pow(pi * u / (2 * w), 2));
    case SurrogateKind::Triangle:
      return std::max(0.0, 1.0 - std::fabs(u) / w);
  }
  return 0;
}

struct LifCase {
  ResetKind reset;
  bool detach;
  SurrogateKind surrogate;
};

}  // namespace

class LifBackward : public ::testing::TestWithParam<LifCase> {};

TEST_P(LifBackward, MatchesNaiveReferenceAndTinOneSums) {
  const LifCase c = GetParam();
  const int T = 8, B = 2, F = 5, n = B * F;
  SpikingParams sp;
  sp.lif.beta = 0.8f;
  sp.lif.theta = 1.f;
  sp.lif.reset = c.reset;
  sp.lif.detach_reset = c.detach;
  sp.surrogate = c.surrogate;
  sp.surrogate_width = 0.7f;
  Rng rng(31 + int(c.reset) * 8 + int(c.detach) * 4 + int(c.surrogate));
  const std::vector<float> x = uniform_vec(size_t(T) * n, rng, -0.2f, 0.9f);  // [T, B, F]
  const std::vector<float> ds = uniform_vec(size_t(T) * n, rng, -1.f, 1.f);   // [T, B, F]

  // Reference forward and backward in double.
  const double beta = sp.lif.beta, theta = sp.lif.theta, w = sp.surrogate_width;
  std::vector<double> v(size_t(T) * n), s(size_t(T) * n), dx(size_t(T) * n);
  for (int i = 0; i < n; ++i) {
    double r = 0;
    for (int t = 0; t < T; ++t) {
      const double vv = beta * r + x[t * n + i];
      ASSERT_GT(std::fabs(vv - theta), 1e-4) << "input too close to threshold, pick another seed";
      v[t * n + i] = vv;
      s[t * n + i] = vv >= theta ? 1 : 0;
      r = c.reset == ResetKind::Soft ? vv - theta * s[t * n + i] : vv * (1 - s[t * n + i]);
    }
    double dv_next = 0;
    for (int t = T - 1; t >= 0; --t) {
      const double dr = beta * dv_next, vv = v[t * n + i], st = s[t * n + i];
      const double g = surrogate_grad(c.surrogate, w, vv - theta);
      double dr_dv;  // d r_t / d v_t along the reset path
      if (c.reset == ResetKind::Soft)
        dr_dv = c.detach ? 1 : 1 - theta * g;
      else
        dr_dv = c.detach ? 1 - st : (1 - st) - vv * g;
      dv_next = ds[t * n + i] * g + dr * dr_dv;
      dx[t * n + i] = dv_next;
    }
  }

  LifLayer layer({F, 1, 1}, sp, false);
  layer.prepare(T, T, B);
  std::vector<float> out(size_t(T) * n), din(size_t(T) * n, 55.f);
  layer.forward(x.data(), out.data(), true);
  EXPECT_TRUE(all_close("lif spikes", out.data(), s.data(), out.size(), 0, 0));
  layer.backward(ds.data(), din.data());
  // T = 8 float32 steps of O(1) values: ~10 ulps. abs 1e-5 + rel 1e-5.
  EXPECT_TRUE(all_close("lif din", din.data(), dx.data(), din.size(), 1e-5, 1e-5));

  // Tin = 1: the same current every step; dx = sum_t dv_t.
  const std::vector<float> x1(x.begin(), x.begin() + n);
  LifLayer one({F, 1, 1}, sp, false);
  one.prepare(1, T, B);
  std::vector<float> out1(size_t(T) * n), din1(n, 77.f);
  one.forward(x1.data(), out1.data(), true);
  std::vector<float> xrep;
  for (int t = 0; t < T; ++t) xrep.insert(xrep.end(), x1.begin(), x1.end());
  layer.forward(xrep.data(), out.data(), true);
  EXPECT_EQ(out1, out);
  layer.backward(ds.data(), din.data());
  one.backward(ds.data(), din1.data());
  std::vector<double> sum(n, 0.0);
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < n; ++i) sum[i] += din[t * n + i];
  EXPECT_TRUE(all_close("lif Tin=1 din vs sum_t din_t", din1.data(), sum.data(), n, 1e-5, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(AllRules, LifBackward,
                         ::testing::Values(LifCase{ResetKind::Soft, false, SurrogateKind::Arctan},
                                           LifCase{ResetKind::Soft, true, SurrogateKind::FastSigmoid},
                                           LifCase{ResetKind::Soft, false, SurrogateKind::Triangle},
                                           LifCase{ResetKind::Hard, false, SurrogateKind::Arctan},
                                           LifCase{ResetKind::Hard, true, SurrogateKind::Triangle},
                                           LifCase{ResetKind::Hard, false, SurrogateKind::FastSigmoid}));

// Linear (Tin = 1) -> LIF over T steps against Linear (Tin = T, input repeated)
// -> LIF: same spikes, and the same weight and input gradients up to float
// summation order.
TEST(Gradients, LinearTinOneThroughLifMatchesRepeatedInput) {
  const int T = 6, B = 3, I = 5, O = 4;
  Rng rng(41);
  std::vector<float> x1 = uniform_vec(size_t(B) * I, rng, 0.f, 1.f);
  std::vector<float> ds = uniform_vec(size_t(T) * B * O, rng, -1.f, 1.f);
  std::vector<float> xr;
  for (int t = 0; t < T; ++t) xr.insert(xr.end(), x1.begin(), x1.end());

  struct Net {
    Linear fc{{I, 1, 1}, O};
    LifLayer lif{{O, 1, 1}, SpikingParams{}, false};
    std::vector<float> p, g;
  };
  Net a, b;
  for (Net* net : {&a, &b}) {
    net->p.assign(size_t(net->fc.param_count()), 0.f);
    net->g.assign(net->p.size(), 0.f);
    net->fc.bind(net->p.data(), net->g.data());
    Rng init(42);
    net->fc.init_params(InitKind::KaimingUniform, init);
    for (float& w : net->p) w *= 3.f;  // strong enough to spike
  }
  a.fc.prepare(1, T, B);
  a.lif.prepare(1, T, B);
  b.fc.prepare(T, T, B);
  b.lif.prepare(T, T, B);
  std::vector<float> ha(size_t(B) * O), sa(size_t(T) * B * O), dha(ha.size()), dxa(x1.size());
  std::vector<float> hb(size_t(T) * B * O), sb(hb.size()), dhb(hb.size()), dxb(xr.size());
  a.fc.forward(x1.data(), ha.data(), true);
  a.lif.forward(ha.data(), sa.data(), true);
  b.fc.forward(xr.data(), hb.data(), true);
  b.lif.forward(hb.data(), sb.data(), true);
  EXPECT_EQ(sa, sb);
  EXPECT_GT(a.lif.spikes_emitted(), 0);
  EXPECT_LT(a.lif.spikes_emitted(), double(sa.size()));
  a.lif.backward(ds.data(), dha.data());
  a.fc.backward(dha.data(), dxa.data());
  b.lif.backward(ds.data(), dhb.data());
  b.fc.backward(dhb.data(), dxb.data());
  std::vector<double> dx_sum(x1.size(), 0.0);
  for (int t = 0; t < T; ++t)
    for (size_t i = 0; i < x1.size(); ++i) dx_sum[i] += dxb[t * x1.size() + i];
  // Sums of T = 6 float32 terms in a different order: ~1e-6 relative.
  EXPECT_TRUE(all_close("dW, db (Tin=1 vs Tin=T)", a.g, b.g, 1e-5, 1e-5));
  EXPECT_TRUE(all_close("dx (Tin=1 vs sum_t Tin=T)", dxa.data(), dx_sum.data(), dxa.size(), 1e-5, 1e-5));
}

// ---------------------------------------------------------------------------
// Surrogates: grad(u) = d smooth(u) / du.

TEST(Surrogate, GradIsDerivativeOfSmooth) {
  // Points avoid the triangle's kinks (u = 0, |u| = w) by more than h.
  const std::vector<float> us = {-2.3f, -0.77f, -0.31f, -0.13f, 0.07f, 0.19f, 0.43f, 0.61f, 1.7f};
  const double h = 1e-3;
  for (float w : {0.25f, 0.5f, 1.f}) {
    SurrogateFastSigmoid fs{w};
    SurrogateArctan at{w};
    SurrogateTriangle tr{w};
    const std::vector<std::pair<std::string, std::function<float(float)>>> smooth = {
        {"fast_sigmoid", [&](float u) { return fs.smooth(u); }},
        {"arctan", [&](float u) { return at.smooth(u); }},
        {"triangle", [&](float u) { return tr.smooth(u); }}};
    const std::vector<std::function<float(float)>> grad = {
        [&](float u) { return fs.grad(u); }, [&](float u) { return at.grad(u); }, [&](float u) { return tr.grad(u); }};
    for (size_t k = 0; k < smooth.size(); ++k) {
      std::vector<double> num, got;
      for (float u : us) {
        const float up = float(u + h), um = float(u - h);
        num.push_back((double(smooth[k].second(up)) - double(smooth[k].second(um))) / (double(up) - double(um)));
        got.push_back(grad[k](u));
      }
      // smooth is float32 with |S| <= ~1: rounding 2 * 6e-8 / 2e-3 ~ 6e-5 in the
      // quotient; truncation h^2/6 |S'''| <= 1e-6 * (pi/2w)^2 ~ 2e-5 at w = 0.25.
      EXPECT_TRUE(all_close(smooth[k].first + " w=" + std::to_string(w), got, num, 3e-4, 1e-3));
      EXPECT_EQ(grad[k](0.f), 1.f) << smooth[k].first << ": every surrogate peaks at 1 for u = 0";
      EXPECT_EQ(smooth[k].second(0.f), 0.f) << smooth[k].first;
    }
    EXPECT_EQ(tr.grad(w), 0.f);
    EXPECT_EQ(tr.grad(2 * w), 0.f);
    EXPECT_FLOAT_EQ(fs.grad(w), 0.25f);  // 1 / (1 + 1)^2
    EXPECT_FLOAT_EQ(at.grad(w), float(1.0 / (1.0 + std::pow(3.14159265358979 / 2, 2))));
  }
}
