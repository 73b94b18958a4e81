// The converted-network neurons against their closed forms.
//
// iLIF (nn/ilif_layer.h), k = 2, theta = 2^T: the firing phase writes
// u = V_T / 2^T (V_T = sum_t 2^(T-t) I_t) as a T-bit binary fraction, MSB
// first, so   sum_j s_j 2^-j = min(floor(max(u, 0) 2^T), 2^T - 1) / 2^T.
// Inputs are multiples of 2^-8 so V_T is exact in float and the floor is the
// true one.
//
// Spike max pooling (nn/spike_max_pool.h), msb_first: pooling MSB-first codes
// must give exactly the code of the largest input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/rng.h"
#include "nn/ilif_layer.h"
#include "nn/relu.h"
#include "nn/spike_max_pool.h"

using namespace spikeforge;

namespace {

// sum_j s_j 2^-j for element e of spikes [T, n].
double decode_msb(const std::vector<float>& s, int T, int64_t n, int64_t e) {
  double v = 0;
  for (int j = 0; j < T; ++j) v += s[size_t(j * n + e)] * std::ldexp(1.0, -(j + 1));
  return v;
}

double expected_code(double u, int T) {
  const double q = std::floor(std::max(u, 0.0) * std::ldexp(1.0, T));
  return std::min(q, std::ldexp(1.0, T) - 1) / std::ldexp(1.0, T);
}

}  // namespace

TEST(IlifNeuron, ConstantCurrentIsAFlooredBinaryFraction) {
  Rng rng(1);
  for (int T : {1, 3, 8, 12}) {
    const int64_t n = 400;
    IlifLayer layer({int(n), 1, 1}, 2.f, std::ldexp(1.f, T));
    layer.prepare(/*Tin=*/1, T, /*B=*/1);
    std::vector<float> I(n), s(size_t(T * n));
    for (auto& v : I) v = float(std::round(rng.uniform(-0.3f, 1.4f) * 256.f) / 256.f);
    layer.forward(I.data(), s.data(), false);
    for (int64_t e = 0; e < n; ++e) {
      const double u = double(I[e]) * (1.0 - std::ldexp(1.0, -T));  // V_T / 2^T = I sum_t 2^-t
      ASSERT_EQ(decode_msb(s, T, n, e), expected_code(u, T)) << "T " << T << " I " << I[e];
    }
  }
}

// Time-varying input: u = sum_t 2^-t I_t, and a negative start need not silence
// the neuron (only the accumulated sum matters: temporal separation).
TEST(IlifNeuron, AccumulatesBeforeFiring) {
  const int T = 4;
  IlifLayer layer({3, 1, 1}, 2.f, 16.f);
  layer.prepare(T, T, 1);
  // neuron 0: I = (-1, 1, 1, 1): u = -1/2 + 1/4 + 1/8 + 1/16 < 0 -> silent
  // neuron 1: I = (1, -1, 1, 0): u = 1/2 - 1/4 + 1/8 = 0.375 -> 0110
  // neuron 2: I = (2, 0, 0, 0):  u = 1 -> saturates at 1111
  const float I[12] = {-1, 1, 2, 1, -1, 0, 1, 1, 0, 1, 0, 0};
  std::vector<float> s(12);
  layer.forward(I, s.data(), false);
  const float want[12] = {0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(s[i], want[i]) << "index " << i;
  EXPECT_EQ(layer.spikes_emitted(), 6.0);
}

TEST(SpikeMaxPool, MsbFirstPoolsCodesExactly) {
  const int T = 6, C = 2, H = 4, W = 6, B = 3;
  const int64_t n = int64_t(B) * C * H * W;
  Rng rng(2);
  std::vector<int> q(n);  // T-bit integer codes; many ties in the high bits
  for (auto& v : q) v = int(rng.below(64)) & (rng.uniform() < 0.5f ? 0x3c : 0x3f);
  std::vector<float> s(size_t(T * n));
  for (int j = 0; j < T; ++j)
    for (int64_t e = 0; e < n; ++e) s[size_t(j * n + e)] = float((q[e] >> (T - 1 - j)) & 1);
  for (int pad : {0, 1}) {
    SpikeMaxPool pool({C, H, W}, 3, 2, pad, SpikePoolMode::MsbFirst);
    pool.prepare(T, T, B);
    const FeatShape o = pool.out_shape();
    const int64_t m = int64_t(B) * o.size();
    std::vector<float> y(size_t(T * m));
    pool.forward(s.data(), y.data(), false);
    for (int b = 0; b < B; ++b)
      for (int c = 0; c < C; ++c)
        for (int oy = 0; oy < o.H; ++oy)
          for (int ox = 0; ox < o.W; ++ox) {
            int best = 0;
            for (int ky = 0; ky < 3; ++ky)
              for (int kx = 0; kx < 3; ++kx) {
                const int iy = oy * 2 - pad + ky, ix = ox * 2 - pad + kx;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) best = std::max(best, q[((b * C + c) * H + iy) * W + ix]);
              }
            const int64_t e = ((b * C + c) * o.H + oy) * o.W + ox;
            int got = 0;
            for (int j = 0; j < T; ++j) got = 2 * got + int(y[size_t(j * m + e)]);
            ASSERT_EQ(got, best) << "pad " << pad << " output " << e;
          }
  }
}

// count mode: the output's count is the largest input count at every step.
TEST(SpikeMaxPool, CountModeTracksTheLargestCount) {
  // a 1x1 input cannot hold a 2x2 window: the layer refuses
  EXPECT_ANY_THROW(SpikeMaxPool({1, 1, 1}, 2, 2, 0, SpikePoolMode::Count));
  SpikeMaxPool p2({1, 2, 2}, 2, 2, 0, SpikePoolMode::Count);
  const int T = 4;
  p2.prepare(T, T, 1);
  // inputs (row-major 2x2) over 4 steps: input 0 fires at t = 0, input 3 at
  // t = 1, 2, 3, input 1 at t = 0 and 1 (alternating leaders)
  const float x[16] = {1, 1, 0, 0,  //
                       0, 1, 0, 1,  //
                       0, 0, 0, 1,  //
                       0, 0, 0, 1};
  float y[4];
  p2.forward(x, y, false);
  // max counts: t0 1, t1 2 (input 1), t2 2 (inputs 1 and 3), t3 3 (input 3)
  const float want[4] = {1, 1, 0, 1};
  for (int t = 0; t < 4; ++t) EXPECT_EQ(y[t], want[t]) << "t " << t;
}

// The quantised ReLU (nn/relu.h) that the converted codes are compared with:
// y = (c/L) floor(min(max(x, 0), c) L/c). At and above the ceiling it is c
// itself, for ceilings whose L/c rounds down in float (floor(c fl(L/c)) would
// give L - 1 there: the SpikeConverter reference was one step low at the top).
TEST(QuantisedRelu, TopLevelIsTheCeiling) {
  for (int T : {4, 8, 12}) {
    const int L = (1 << T) - 1;
    for (int k = 0; k < 1000; ++k) {  // many of these ceilings make fl(L/c) round down
      const float theta = 0.1f + 0.01f * float(k);
      const float c = theta * float(1.0 - std::ldexp(1.0, -T));
      Relu r({1, 1, 4}, c, L);
      r.prepare(1, 1, 1);
      const std::vector<float> x = {c, 2 * c, -1.f, c * 0.5f};
      std::vector<float> y(4);
      r.forward(x.data(), y.data(), false);
      EXPECT_EQ(y[0], c) << "T " << T << " theta " << theta;
      EXPECT_EQ(y[1], c);
      EXPECT_EQ(y[2], 0.f);
      const double step = double(c) / L;
      EXPECT_NEAR(y[3], step * std::floor(0.5 * L), 1e-6 * c);  // L odd: floor(L/2) steps
    }
  }
}
