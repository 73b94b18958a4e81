// STDP (learn/stdp.h) against the pair formulas, computed here in double
// from exp(-d dt / tau): nearest vs all-to-all pairing, additive vs
// multiplicative, the triplet factor, bounds, normalisation, and the
// step-by-step vs event-driven simulation (the same weights bit for bit).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "../check_close.h"
#include "core/rng.h"
#include "learn/stdp.h"

using namespace spikeforge;

namespace {

constexpr float kDt = 1.f;  // ms

// Runs the kernel over T steps; pre_times[i] / post_times[j] list the spike steps.
std::vector<float> run(const StdpParams& p, SimEngine e, int I, int O, std::vector<float> w,
                       const std::vector<std::vector<int>>& pre_times, const std::vector<std::vector<int>>& post_times,
                       int T) {
  StdpKernel k(p, kDt);
  std::vector<float> x(I, 0.f), y(O, 0.f), z(O, 0.f);
  SpikeSet pre, post;
  pre.resize(I);
  post.resize(O);
  for (int t = 0; t < T; ++t) {
    pre.clear();
    post.clear();
    for (int i = 0; i < I; ++i)
      for (int s : pre_times[i])
        if (s == t) pre.add(i);
    for (int j = 0; j < O; ++j)
      for (int s : post_times[j])
        if (s == t) post.add(j);
    k.step(e, w.data(), I, O, x.data(), y.data(), z.data(), pre, post);
  }
  return w;
}

StdpParams pair_params(StdpPairing pairing, StdpUpdate update) {
  StdpParams p;
  p.pairing = pairing;
  p.update = update;
  p.triplet = false;
  p.nu_pre = 0.002f;
  p.nu_post = 0.01f;
  p.tau_pre = 20.f;
  p.tau_post = 10.f;
  return p;
}

double ex(double d, double tau) { return std::exp(-d * kDt / tau); }

// Float traces decay by repeated products; against exp() they agree to a few ulps.
constexpr double kAbs = 1e-7, kRel = 1e-6;

}  // namespace

TEST(Stdp, SinglePairsAdditiveMatchTheWindow) {
  for (StdpPairing pairing : {StdpPairing::Nearest, StdpPairing::All}) {
    const StdpParams p = pair_params(pairing, StdpUpdate::Additive);
    // pre at 3, post at 10: potentiation nu_post e^{-7/tau_pre}
    std::vector<float> w = run(p, SimEngine::Event, 1, 1, {0.5f}, {{3}}, {{10}}, 12);
    const double ref = 0.5 + 0.01 * ex(7, 20);
    EXPECT_TRUE(test::all_close("pre->post", w.data(), &ref, 1, kAbs, kRel));
    // post at 4, pre at 9: depression nu_pre e^{-5/tau_post}
    w = run(p, SimEngine::Event, 1, 1, {0.5f}, {{9}}, {{4}}, 12);
    const double ref2 = 0.5 - 0.002 * ex(5, 10);
    EXPECT_TRUE(test::all_close("post->pre", w.data(), &ref2, 1, kAbs, kRel));
    // simultaneous pre and post: x jumps first, y after: + nu_post, no depression
    w = run(p, SimEngine::Event, 1, 1, {0.5f}, {{6}}, {{6}}, 8);
    const double ref3 = 0.5 + 0.01;
    EXPECT_TRUE(test::all_close("same step", w.data(), &ref3, 1, kAbs, kRel));
  }
}

TEST(Stdp, NearestPairsOnlyTheLastSpikeAllToAllSumsEvery) {
  // pre at 3 and 5, post at 10
  std::vector<float> wn = run(pair_params(StdpPairing::Nearest, StdpUpdate::Additive), SimEngine::Event, 1, 1, {0.5f},
                              {{3, 5}}, {{10}}, 12);
  std::vector<float> wa =
      run(pair_params(StdpPairing::All, StdpUpdate::Additive), SimEngine::Event, 1, 1, {0.5f}, {{3, 5}}, {{10}}, 12);
  const double rn = 0.5 + 0.01 * ex(5, 20), ra = 0.5 + 0.01 * (ex(5, 20) + ex(7, 20));
  EXPECT_TRUE(test::all_close("nearest", wn.data(), &rn, 1, kAbs, kRel));
  EXPECT_TRUE(test::all_close("all-to-all", wa.data(), &ra, 1, kAbs, kRel));
  // post at 2 and 6, pre at 9 (all-to-all depression pairs both)
  wa = run(pair_params(StdpPairing::All, StdpUpdate::Additive), SimEngine::Event, 1, 1, {0.5f}, {{9}}, {{2, 6}}, 12);
  // the post spikes at 2 and 6 also potentiate with x = 0 (no earlier pre): no change
  const double ra2 = 0.5 - 0.002 * (ex(3, 10) + ex(7, 10));
  EXPECT_TRUE(test::all_close("all-to-all depression", wa.data(), &ra2, 1, kAbs, kRel));
}

TEST(Stdp, MultiplicativeScalesByTheDistanceToTheBound) {
  const StdpParams p = pair_params(StdpPairing::Nearest, StdpUpdate::Multiplicative);
  std::vector<float> w = run(p, SimEngine::Event, 1, 1, {0.3f}, {{3}}, {{10}}, 12);
  const double ref = 0.3 + 0.01 * ex(7, 20) * (1.0 - 0.3);
  EXPECT_TRUE(test::all_close("potentiation", w.data(), &ref, 1, kAbs, kRel));
  w = run(p, SimEngine::Event, 1, 1, {0.3f}, {{9}}, {{4}}, 12);
  const double ref2 = 0.3 - 0.002 * ex(5, 10) * (0.3 - 0.0);
  EXPECT_TRUE(test::all_close("depression", w.data(), &ref2, 1, kAbs, kRel));
}

TEST(Stdp, TripletFactorIsTheSlowPostTraceBeforeTheSpike) {
  StdpParams p = pair_params(StdpPairing::Nearest, StdpUpdate::Additive);
  p.triplet = true;
  p.tau_post_slow = 40.f;
  p.nu_pre = 0.f;
  // post at 10 (no earlier post: z = 0, no potentiation), pre at 25, post at 30: nu_post e^{-5/20} e^{-20/40}
  std::vector<float> w = run(p, SimEngine::Event, 1, 1, {0.5f}, {{25}}, {{10, 30}}, 32);
  const double ref = 0.5 + 0.01 * ex(5, 20) * ex(20, 40);
  EXPECT_TRUE(test::all_close("triplet", w.data(), &ref, 1, kAbs, kRel));
}

TEST(Stdp, WeightsStayInBounds) {
  for (StdpUpdate u : {StdpUpdate::Additive, StdpUpdate::Multiplicative}) {
    StdpParams p = pair_params(StdpPairing::All, u);
    p.nu_pre = 0.9f;
    p.nu_post = 0.9f;
    p.w_min = 0.1f;
    p.w_max = 0.7f;
    Rng rng(3);
    const int I = 20, O = 10, T = 300;
    std::vector<std::vector<int>> pre(I), post(O);
    for (int t = 0; t < T; ++t) {
      for (int i = 0; i < I; ++i)
        if (rng.uniform() < 0.2f) pre[i].push_back(t);
      for (int j = 0; j < O; ++j)
        if (rng.uniform() < 0.2f) post[j].push_back(t);
    }
    std::vector<float> w0(I * O);
    for (float& v : w0) v = rng.uniform(0.1f, 0.7f);
    std::vector<float> w = run(p, SimEngine::Event, I, O, w0, pre, post, T);
    for (float v : w) {
      EXPECT_GE(v, 0.1f);
      EXPECT_LE(v, 0.7f);
    }
  }
}

TEST(Stdp, DenseAndEventGiveTheSameWeightsBitForBit) {
  Rng rng(11);
  const int I = 37, O = 13, T = 400;
  std::vector<std::vector<int>> pre(I), post(O);
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < I; ++i)
      if (rng.uniform() < 0.05f) pre[i].push_back(t);
    for (int j = 0; j < O; ++j)
      if (rng.uniform() < 0.03f) post[j].push_back(t);
  }
  std::vector<float> w0(I * O);
  for (float& v : w0) v = rng.uniform(0.f, 1.f);
  for (StdpPairing pairing : {StdpPairing::Nearest, StdpPairing::All})
    for (StdpUpdate u : {StdpUpdate::Additive, StdpUpdate::Multiplicative}) {
      StdpParams p = pair_params(pairing, u);
      p.triplet = true;
      const std::vector<float> wd = run(p, SimEngine::Dense, I, O, w0, pre, post, T);
      const std::vector<float> we = run(p, SimEngine::Event, I, O, w0, pre, post, T);
      ASSERT_EQ(std::memcmp(wd.data(), we.data(), sizeof(float) * wd.size()), 0)
          << stdp_pairing_name(pairing) << " " << stdp_update_name(u);
      EXPECT_NE(std::memcmp(wd.data(), w0.data(), sizeof(float) * wd.size()), 0);  // it learned something
    }
}

TEST(Stdp, NormalisationMakesEachNeuronsWeightsSumToTheTarget) {
  const int I = 50, O = 7;
  Rng rng(5);
  std::vector<float> w(I * O);
  for (float& v : w) v = rng.uniform(0.f, 1.f);
  normalize_incoming(w.data(), I, O, 7.8f);
  for (int j = 0; j < O; ++j) {
    double s = 0;
    for (int i = 0; i < I; ++i) s += w[i * O + j];
    EXPECT_NEAR(s, 7.8, 1e-5);
  }
}
