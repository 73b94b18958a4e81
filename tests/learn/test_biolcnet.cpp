// BioLCNet (learn/biolcnet.h) on a tiny geometry: both phases learn, the
// step-by-step and event-driven simulations agree, weights stay in bounds,
// the same seed gives the same weights, and a frozen pass changes nothing.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "../check_close.h"
#include "core/rng.h"
#include "learn/biolcnet.h"

using namespace spikeforge;

namespace {

BioLcNetParams tiny() {
  BioLcNetParams p;
  p.crop = 8;
  p.kernel = 5;
  p.stride = 3;  // 2 x 2 positions
  p.channels = 4;
  p.per_class = 3;
  p.timesteps = 120;
  p.observe = 40;
  p.input_rate_hz = 600.f;
  p.w_out_init_max = 1.f;  // strong enough that the 16 LC neurons drive the output
  p.stdp.norm_sum = 5.f;
  p.rstdp.eta = 0.05f;
  return p;
}

struct LcRun {
  std::vector<float> lc, out, counts;
};

LcRun train(SimEngine e, uint64_t seed) {
  const BioLcNetParams p = tiny();
  BioLcNet net(p, 10, 10, 3);
  Rng init(seed);
  net.init_weights(init);
  BioLcNetState st = net.make_state();
  LcRun r;
  r.counts.assign(net.outputs(), 0.f);
  Rng data(1);
  std::vector<float> x(100);
  for (int s = 0; s < 12; ++s) {
    for (float& v : x) v = data.uniform() < 0.4f ? 1.f : 0.f;
    Rng rng = Rng(seed).derive(s);
    net.present(x.data(), s % 3, s < 6 ? BioLcPhase::LearnLc : BioLcPhase::LearnOutput, e, rng, st, r.counts.data());
  }
  r.lc = net.lc_weights();
  r.out = net.out_weights();
  return r;
}

}  // namespace

TEST(BioLcNet, DenseAndEventAgreeAndWeightsStayInBounds) {
  const LcRun d = train(SimEngine::Dense, 4), e = train(SimEngine::Event, 4);
  EXPECT_EQ(d.counts, e.counts);
  float total = 0;
  for (float c : d.counts) total += c;
  EXPECT_GT(total, 0.f);
  EXPECT_TRUE(test::all_close("lc weights", d.lc, e.lc, 1e-6, 1e-5));
  EXPECT_TRUE(test::all_close("output weights", d.out, e.out, 1e-6, 1e-5));
  for (float w : e.lc) EXPECT_TRUE(w >= 0.f && w <= 1.f);
  for (float w : e.out) EXPECT_TRUE(w >= 0.f && w <= 1.f);
}

TEST(BioLcNet, SameSeedSameWeightsAndFrozenChangesNothing) {
  const LcRun a = train(SimEngine::Event, 9), b = train(SimEngine::Event, 9);
  EXPECT_EQ(std::memcmp(a.lc.data(), b.lc.data(), sizeof(float) * a.lc.size()), 0);
  EXPECT_EQ(std::memcmp(a.out.data(), b.out.data(), sizeof(float) * a.out.size()), 0);
  BioLcNet net(tiny(), 10, 10, 3);
  Rng init(3);
  net.init_weights(init);
  const std::vector<float> lc = net.lc_weights(), out = net.out_weights();
  BioLcNetState st = net.make_state();
  std::vector<float> x(100, 1.f), counts(net.outputs(), 0.f);
  Rng rng(2);
  net.present(x.data(), 0, BioLcPhase::Frozen, SimEngine::Event, rng, st, counts.data());
  EXPECT_EQ(net.lc_weights(), lc);
  EXPECT_EQ(net.out_weights(), out);
}
