// Reward-modulated STDP with eligibility traces (learn/rstdp.h): a hand
// pair followed by rewards against the closed form, computed here in double;
// no reward, no change; bounds; step-by-step vs event-driven (bit for bit:
// the event-driven eligibility decays by the same products, lazily).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "../check_close.h"
#include "core/rng.h"
#include "learn/rstdp.h"

using namespace spikeforge;

namespace {

// Drives the kernel (dt = 1 ms) over T steps; reward[t] is d(t).
std::vector<float> run(const RstdpParams& p, SimEngine e, int I, int O, std::vector<float> w,
                       const std::vector<std::vector<int>>& pre_times, const std::vector<std::vector<int>>& post_times,
                       const std::vector<float>& reward) {
  RstdpKernel k(p, 1.f);
  const int T = int(reward.size());
  std::vector<float> z(size_t(I) * O, 0.f), pp(I, 0.f), pm(O, 0.f);
  std::vector<int> zs(size_t(I) * O, -1);
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
    k.step(e, t, w.data(), z.data(), zs.data(), I, O, pp.data(), pm.data(), pre, post, reward[t]);
  }
  return w;
}

}  // namespace

TEST(Rstdp, PairThenRewardMatchesTheClosedForm) {
  RstdpParams p;
  p.eta = 0.01f;
  p.a_plus = 1.f;
  p.a_minus = 1.5f;
  p.tau_plus = 20.f;
  p.tau_minus = 10.f;
  p.tau_z = 25.f;
  for (SimEngine e : {SimEngine::Dense, SimEngine::Event}) {
    // pre at 5, post at 12: z = e^{-7/20} at 12, then e^{-(t-12)/25}; rewards 2 at 20 and -1 at 30
    std::vector<float> r(40, 0.f);
    r[20] = 2.f;
    r[30] = -1.f;
    std::vector<float> w = run(p, e, 1, 1, {0.5f}, {{5}}, {{12}}, r);
    const double z12 = std::exp(-7.0 / 20);
    const double ref = 0.5 + 0.01 * (2 * z12 * std::exp(-8.0 / 25) - 1 * z12 * std::exp(-18.0 / 25));
    EXPECT_TRUE(test::all_close("pre->post", w.data(), &ref, 1, 1e-7, 1e-5)) << sim_engine_name(e);
    // post at 5, pre at 12: z = -1.5 e^{-7/10}; reward 1 at 15
    std::vector<float> r2(20, 0.f);
    r2[15] = 1.f;
    w = run(p, e, 1, 1, {0.5f}, {{12}}, {{5}}, r2);
    const double ref2 = 0.5 + 0.01 * (-1.5 * std::exp(-7.0 / 10) * std::exp(-3.0 / 25));
    EXPECT_TRUE(test::all_close("post->pre", w.data(), &ref2, 1, 1e-7, 1e-5)) << sim_engine_name(e);
  }
}

TEST(Rstdp, NoRewardNoChange) {
  RstdpParams p;
  std::vector<float> w = run(p, SimEngine::Event, 1, 1, {0.4f}, {{1, 4, 9}}, {{3, 8}}, std::vector<float>(30, 0.f));
  EXPECT_EQ(w[0], 0.4f);
}

TEST(Rstdp, DenseAndEventBitForBitAndInBounds) {
  RstdpParams p;
  p.eta = 0.5f;  // large, to reach the bounds
  p.w_min = 0.f;
  p.w_max = 1.f;
  Rng rng(8);
  const int I = 23, O = 9, T = 300;
  std::vector<std::vector<int>> pre(I), post(O);
  std::vector<float> reward(T, 0.f);
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < I; ++i)
      if (rng.uniform() < 0.05f) pre[i].push_back(t);
    for (int j = 0; j < O; ++j)
      if (rng.uniform() < 0.05f) post[j].push_back(t);
    if (t > 100 && rng.uniform() < 0.3f) reward[t] = rng.uniform(-1.f, 1.f);  // none in the first 100 steps
  }
  std::vector<float> w0(I * O);
  for (float& v : w0) v = rng.uniform(0.f, 1.f);
  const std::vector<float> wd = run(p, SimEngine::Dense, I, O, w0, pre, post, reward);
  const std::vector<float> we = run(p, SimEngine::Event, I, O, w0, pre, post, reward);
  ASSERT_EQ(std::memcmp(wd.data(), we.data(), sizeof(float) * wd.size()), 0);
  EXPECT_NE(wd, w0);
  for (float v : wd) {
    EXPECT_GE(v, 0.f);
    EXPECT_LE(v, 1.f);
  }
}
