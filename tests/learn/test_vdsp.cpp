// VDSP (learn/vdsp.h) and its winner-take-all network (learn/vdsp_wta.h):
// the update against the formula at hand-picked membranes, a two-input
// network whose first output spike and presynaptic membranes are computed
// here in closed form, no update without postsynaptic spikes, bounds, and
// step-by-step vs event-driven.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../check_close.h"
#include "core/rng.h"
#include "learn/vdsp.h"
#include "learn/vdsp_wta.h"

using namespace spikeforge;

TEST(Vdsp, UpdateIsTheFormulaOfThePresynapticMembrane) {
  const VdspRule r{0.01f};
  struct Case {
    float w, v;
    double ref;
  };
  const Case cases[] = {
      {0.3f, -0.5f, 0.3 + 0.01 * (1 - 0.3) * (std::exp(0.5) - 1)},  // recent pre spike: potentiation
      {0.3f, 0.4f, 0.3 - 0.01 * 0.3 * (std::exp(0.4) - 1)},         // charging: depression
      {0.3f, 0.f, 0.3},                                             // at rest: nothing
      {0.9f, -1.f, 0.9 + 0.01 * 0.1 * (std::exp(1.0) - 1)},
      {0.05f, 0.97f, 0.05 - 0.01 * 0.05 * (std::exp(0.97) - 1)},
  };
  for (const Case& c : cases) {
    const float got = r.on_post(c.w, c.v, VdspRule::magnitude(c.v));
    EXPECT_TRUE(test::all_close("vdsp", &got, &c.ref, 1, 1e-7, 1e-6)) << "w " << c.w << " v " << c.v;
  }
  // the soft bounds: w = 1 cannot grow, w = 0 cannot shrink
  EXPECT_EQ(r.on_post(1.f, -1.f, VdspRule::magnitude(-1.f)), 1.f);
  EXPECT_EQ(r.on_post(0.f, 0.9f, VdspRule::magnitude(0.9f)), 0.f);
}

// Input 0 is bright and fires at step t0, input 1 is dark and never fires.
// The output (threshold 0.5 < w0) spikes in step t0: w0 is potentiated with
// u0 = -1 (just reset), w1 depressed with u1(t0) = c1 (1 - a^(t0+1)) / (1 - a).
TEST(Vdsp, FirstOutputSpikeUpdatesWithTheClosedFormMembranes) {
  VdspWtaParams p;
  p.neurons = 1;
  p.threshold = 0.5f;
  p.lr = 0.01f;
  const float x[2] = {1.f, 0.f};
  const double a = std::exp(-1.0 / 30), c0 = 0.032 + 0.00675 * 1.0, c1 = 0.032;  // dark: bias current only
  int t0 = 0;
  while (c0 * (1 - std::pow(a, t0 + 1)) / (1 - a) <= 1) ++t0;  // u0 crosses 1 in step t0
  ASSERT_LT(c1 / (1 - a), 1.0);                                // input 1 never fires
  p.timesteps = t0 + 1;                                        // only the first output spike
  for (SimEngine e : {SimEngine::Dense, SimEngine::Event}) {
    VdspWtaNet net(p, 2);
    net.weights() = {0.8f, 0.4f};  // [I = 2, O = 1]
    VdspWtaState st = net.make_state();
    float counts[1] = {0};
    EXPECT_EQ(net.present(x, true, e, st, counts), 1);
    const double u1 = c1 * (1 - std::pow(a, t0 + 1)) / (1 - a);
    const double ref[2] = {0.8 + 0.01 * 0.2 * (std::exp(1.0) - 1), 0.4 - 0.01 * 0.4 * (std::exp(u1) - 1)};
    EXPECT_TRUE(test::all_close("weights", net.weights().data(), ref, 2, 1e-6, 1e-5)) << sim_engine_name(e);
  }
}

TEST(Vdsp, NoPostsynapticSpikeNoChange) {
  VdspWtaParams p;
  p.neurons = 3;
  p.threshold = 1e6f;  // never fires
  VdspWtaNet net(p, 16);
  Rng rng(1);
  net.init_weights(rng);
  const std::vector<float> w0 = net.weights();
  std::vector<float> x(16, 1.f);
  VdspWtaState st = net.make_state();
  std::vector<float> counts(3, 0.f);
  EXPECT_EQ(net.present(x.data(), true, SimEngine::Event, st, counts.data()), 0);
  EXPECT_GT(st.input_spikes, 0);
  EXPECT_EQ(net.weights(), w0);
}

TEST(Vdsp, DenseAndEventLearnTheSameWeightsWhichStayInBounds) {
  VdspWtaParams p;
  p.neurons = 8;
  p.timesteps = 200;
  p.lr = 0.05f;  // large, to test the bounds
  const int I = 64;
  Rng data(9);
  std::vector<std::vector<float>> images(12, std::vector<float>(I));
  for (auto& im : images)
    for (float& v : im) v = data.uniform() < 0.3f ? data.uniform(0.5f, 1.f) : 0.f;
  std::vector<float> weights[2], counts[2];
  int k = 0;
  for (SimEngine e : {SimEngine::Dense, SimEngine::Event}) {
    VdspWtaNet net(p, I);
    Rng rng(4);
    net.init_weights(rng);
    VdspWtaState st = net.make_state();
    counts[k].assign(p.neurons, 0.f);
    for (const auto& im : images) net.present(im.data(), true, e, st, counts[k].data());
    weights[k++] = net.weights();
  }
  EXPECT_EQ(counts[0], counts[1]);  // the same spikes
  EXPECT_GT(counts[0][0] + counts[0][1] + counts[0][2], 0.f);
  // the same update calls; currents differ only in summation order
  EXPECT_TRUE(test::all_close("dense vs event", weights[0], weights[1], 1e-6, 1e-5));
  for (float w : weights[1]) {
    EXPECT_GE(w, 0.f);
    EXPECT_LE(w, 1.f);
  }
}
