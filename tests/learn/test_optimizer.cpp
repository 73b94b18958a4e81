// Optimisers and learning-rate schedules against hand-computed updates and a
// double-precision transcription of the equations in learn/optimizer.h.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../check_close.h"
#include "core/error.h"
#include "learn/optimizer.h"
#include "learn/schedule.h"

using namespace spikeforge;
using spikeforge::test::all_close;

namespace {

// Runs `steps` optimiser steps with grads[s] at step s; returns the parameters.
std::vector<float> run(const OptimizerParams& p, std::vector<float> w, const std::vector<std::vector<float>>& grads,
                       float lr) {
  Optimizer opt(p, int64_t(w.size()));
  for (const auto& g : grads) opt.step(w.data(), g.data(), int64_t(w.size()), lr);
  return w;
}

// Double-precision Adam / AdamW from the header's equations (hyper-parameters
// taken as the float32 values the optimiser holds).
std::vector<double> adam_reference(const OptimizerParams& p, std::vector<double> w,
                                   const std::vector<std::vector<float>>& grads, double lr) {
  const double b1 = p.beta1, b2 = p.beta2, eps = p.eps, wd = p.weight_decay;
  std::vector<double> m(w.size(), 0.0), v(w.size(), 0.0);
  int k = 0;
  for (const auto& g : grads) {
    ++k;
    for (size_t i = 0; i < w.size(); ++i) {
      double gi = g[i];
      if (p.kind == OptimizerKind::AdamW)
        w[i] *= 1 - lr * wd;
      else
        gi += wd * w[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      const double mh = m[i] / (1 - std::pow(b1, k)), vh = v[i] / (1 - std::pow(b2, k));
      w[i] -= lr * mh / (std::sqrt(vh) + eps);
    }
  }
  return w;
}

// Tolerance for float32 optimiser steps of parameters O(1): a few ulps of the
// parameter (1e-7) plus the float32 bias correction 1 - beta2^k, which for
// small k cancels to ~1e-5 relative; the step is lr-sized (0.1), so <= 1e-6.
constexpr double kAbs = 2e-6, kRel = 1e-5;

}  // namespace

// p <- p - lr m,  m <- mu m + (g + wd p). By hand, lr = 0.1, mu = 0.9:
//   p0 = 1,  g = 0.5 each step:   m = 0.5, 0.95, 1.355;  p = 0.95, 0.855, 0.7195
//   p0 = -2, g = -1, 2, 0:         m = -1, 1.1, 0.99;     p = -1.9, -2.01, -2.109
//   p0 = 3,  g = 0:                p stays 3
TEST(Optimizer, SgdMomentumHandComputed) {
  OptimizerParams p;
  p.kind = OptimizerKind::Sgd;
  p.momentum = 0.9f;
  const std::vector<std::vector<float>> g = {{0.5f, -1.f, 0.f}, {0.5f, 2.f, 0.f}, {0.5f, 0.f, 0.f}};
  const std::vector<float> w0 = {1.f, -2.f, 3.f};
  EXPECT_TRUE(all_close("sgd 1 step", run(p, w0, {g[0]}, 0.1f), std::vector<double>{0.95, -1.9, 3.0}, kAbs, kRel));
  EXPECT_TRUE(
      all_close("sgd 2 steps", run(p, w0, {g[0], g[1]}, 0.1f), std::vector<double>{0.855, -2.01, 3.0}, kAbs, kRel));
  EXPECT_TRUE(all_close("sgd 3 steps", run(p, w0, g, 0.1f), std::vector<double>{0.7195, -2.109, 3.0}, kAbs, kRel));
}

// Weight decay in the gradient, p0 = 1, g = 0, wd = 0.1, lr = 0.1:
//   m = 0.1, 0.189, 0.26721;  p = 0.99, 0.9711, 0.944379
TEST(Optimizer, SgdWeightDecayHandComputed) {
  OptimizerParams p;
  p.kind = OptimizerKind::Sgd;
  p.momentum = 0.9f;
  p.weight_decay = 0.1f;
  const std::vector<float> zero = {0.f, 0.f};
  const std::vector<float> w0 = {1.f, -1.f};
  EXPECT_TRUE(
      all_close("sgd wd", run(p, w0, {zero, zero, zero}, 0.1f), std::vector<double>{0.944379, -0.944379}, kAbs, kRel));
  p.momentum = 0.f;  // plain SGD: p <- p (1 - lr wd) each step = 0.99^3
  EXPECT_TRUE(all_close("sgd wd no momentum", run(p, w0, {zero, zero, zero}, 0.1f),
                        std::vector<double>{0.970299, -0.970299}, kAbs, kRel));
}

// Adam, lr = 0.1, b1 = 0.9, b2 = 0.999, p0 = 0.5, g = 1 then -1. By hand:
//   k = 1: m = 0.1, v = 0.001, m^ = 1, v^ = 1            -> p = 0.5 - 0.1 = 0.4
//   k = 2: m = -0.01, v = 0.001999, m^ = -0.01/0.19, v^ = 0.001999/0.001999 = 1
//          -> p = 0.4 + 0.1 * 0.0526316 = 0.4052632
// A zero gradient leaves a parameter exactly in place (m = v = 0 -> 0 / eps).
TEST(Optimizer, AdamHandComputed) {
  OptimizerParams p;
  p.kind = OptimizerKind::Adam;
  const std::vector<std::vector<float>> g = {{1.f, -3.f, 0.f}, {-1.f, 3.f, 0.f}};
  const std::vector<float> w0 = {0.5f, 0.5f, 0.25f};
  EXPECT_TRUE(all_close("adam 1 step", run(p, w0, {g[0]}, 0.1f), std::vector<double>{0.4, 0.6, 0.25}, kAbs, kRel));
  EXPECT_TRUE(all_close("adam 2 steps", run(p, w0, g, 0.1f),
                        std::vector<double>{0.4 + 0.1 * 0.01 / 0.19, 0.6 - 0.1 * 0.01 / 0.19, 0.25}, kAbs, kRel));
  EXPECT_EQ(run(p, w0, g, 0.1f)[2], 0.25f);
}

// Three steps on several parameters, with and without weight decay, for Adam
// (L2 in the gradient) and AdamW (decoupled decay), against the double reference.
TEST(Optimizer, AdamAndAdamWThreeSteps) {
  const std::vector<std::vector<float>> g = {
      {1.f, -0.2f, 0.03f, 0.f, 5.f}, {-1.f, -0.4f, 0.01f, 0.5f, 4.f}, {0.5f, 0.1f, -0.02f, 0.5f, -6.f}};
  const std::vector<float> w0 = {0.5f, -1.5f, 2.f, 0.f, -0.1f};
  const std::vector<double> w0d(w0.begin(), w0.end());
  for (OptimizerKind kind : {OptimizerKind::Adam, OptimizerKind::AdamW})
    for (float wd : {0.f, 0.05f}) {
      OptimizerParams p;
      p.kind = kind;
      p.weight_decay = wd;
      p.beta1 = 0.8f;
      p.beta2 = 0.99f;
      SCOPED_TRACE(std::string(kind == OptimizerKind::Adam ? "adam" : "adamw") + " wd " + std::to_string(wd));
      EXPECT_TRUE(all_close("3 steps", run(p, w0, g, 0.1f), adam_reference(p, w0d, g, 0.1), kAbs, kRel));
    }
  // AdamW's decay is decoupled: with g = 1 the first step is p (1 - lr wd) - lr.
  OptimizerParams w;
  w.kind = OptimizerKind::AdamW;
  w.weight_decay = 0.1f;
  EXPECT_TRUE(
      all_close("adamw by hand", run(w, {0.5f}, {{1.f}}, 0.1f), std::vector<double>{0.5 * 0.99 - 0.1}, kAbs, kRel));
  // Adam's L2 decay enters the moments instead: the first step is still lr * sign(g').
  w.kind = OptimizerKind::Adam;
  EXPECT_TRUE(all_close("adam l2 by hand", run(w, {0.5f}, {{1.f}}, 0.1f), std::vector<double>{0.4}, kAbs, kRel));
}

// state() = [steps, m..., v...]; loading it into a fresh optimiser continues
// bit for bit the same.
TEST(Optimizer, StateRoundTrip) {
  OptimizerParams p;
  p.kind = OptimizerKind::Adam;
  const std::vector<float> g1 = {0.3f, -0.7f}, g2 = {0.1f, 0.2f}, g3 = {-0.5f, 0.9f};
  std::vector<float> wa = {1.f, 2.f};
  Optimizer a(p, 2);
  a.step(wa.data(), g1.data(), 2, 0.01f);
  a.step(wa.data(), g2.data(), 2, 0.01f);
  const std::vector<float> s = a.state();
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0], 2.f);
  EXPECT_NEAR(s[1], 0.9 * 0.1 * 0.3 + 0.1 * 0.1, 1e-7);  // m after two steps (float32: ~3 ulps)
  std::vector<float> wb = wa;
  Optimizer b(p, 2);
  b.load_state(s, "test");
  a.step(wa.data(), g3.data(), 2, 0.01f);
  b.step(wb.data(), g3.data(), 2, 0.01f);
  EXPECT_EQ(wa, wb);
  EXPECT_THROW(b.load_state({1.f, 2.f}, "short"), InputError);
  OptimizerParams sgd;
  sgd.kind = OptimizerKind::Sgd;
  EXPECT_EQ(Optimizer(sgd, 3).state().size(), 4u);  // [steps, m(3)]: no second moment
}

// ---------------------------------------------------------------------------
// Schedules at k = 0, K/2, K (and at a step boundary).

TEST(Schedule, Constant) {
  ScheduleParams s;
  s.kind = ScheduleKind::Constant;
  for (int64_t k : {0, 500, 1000}) EXPECT_EQ(scheduled_lr(s, 0.1f, k, 1000, 100), 0.1f) << k;
}

// lr_k = lr_min + (lr - lr_min)(1 + cos(pi k / K)) / 2:
//   k = 0: lr;  K/2: (lr + lr_min)/2;  K: lr_min;  K/4: lr_min + (lr - lr_min)(1 + 1/sqrt 2)/2
TEST(Schedule, Cosine) {
  ScheduleParams s;
  s.kind = ScheduleKind::Cosine;
  s.lr_min = 0.001f;
  const float lr = 0.1f;
  // float32 cos and products: ~1e-7 relative.
  EXPECT_NEAR(scheduled_lr(s, lr, 0, 1000, 100), 0.1, 1e-8);
  EXPECT_NEAR(scheduled_lr(s, lr, 500, 1000, 100), 0.0505, 1e-8);
  EXPECT_NEAR(scheduled_lr(s, lr, 1000, 1000, 100), 0.001, 1e-8);
  EXPECT_NEAR(scheduled_lr(s, lr, 250, 1000, 100), 0.001 + 0.099 * (1 + std::sqrt(0.5)) / 2, 1e-8);
  // Monotone non-increasing over the run.
  float prev = 1.f;
  for (int64_t k = 0; k <= 1000; k += 50) {
    const float v = scheduled_lr(s, lr, k, 1000, 100);
    EXPECT_LE(v, prev) << k;
    prev = v;
  }
}

// lr_k = lr gamma^floor(epoch_k / step_epochs), epoch_k = floor(k / steps_per_epoch).
// 100 steps per epoch, 10 epochs (K = 1000), gamma = 0.5 every 3 epochs.
TEST(Schedule, Step) {
  ScheduleParams s;
  s.kind = ScheduleKind::Step;
  s.gamma = 0.5f;
  s.step_epochs = 3;
  const float lr = 0.1f;
  EXPECT_FLOAT_EQ(scheduled_lr(s, lr, 0, 1000, 100), 0.1f);
  EXPECT_FLOAT_EQ(scheduled_lr(s, lr, 299, 1000, 100), 0.1f);      // epoch 2
  EXPECT_FLOAT_EQ(scheduled_lr(s, lr, 300, 1000, 100), 0.05f);     // epoch 3
  EXPECT_FLOAT_EQ(scheduled_lr(s, lr, 500, 1000, 100), 0.05f);     // K/2: epoch 5
  EXPECT_FLOAT_EQ(scheduled_lr(s, lr, 600, 1000, 100), 0.025f);    // epoch 6
  EXPECT_FLOAT_EQ(scheduled_lr(s, lr, 1000, 1000, 100), 0.0125f);  // K: epoch 10 -> gamma^3
}

TEST(Optimizer, ParseNames) {
  EXPECT_EQ(parse_optimizer_kind("sgd"), OptimizerKind::Sgd);
  EXPECT_EQ(parse_optimizer_kind("adam"), OptimizerKind::Adam);
  EXPECT_EQ(parse_optimizer_kind("adamw"), OptimizerKind::AdamW);
  EXPECT_THROW(parse_optimizer_kind("rmsprop"), ConfigError);
  EXPECT_EQ(parse_schedule_kind("cosine"), ScheduleKind::Cosine);
  EXPECT_THROW(parse_schedule_kind("linear"), ConfigError);
}
