// Input encoders against their definitions in data/encoder.h.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "../check_close.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/encoder.h"

using namespace spikeforge;
using spikeforge::test::all_close;

TEST(Encoder, DirectIsOneStepCopy) {
  EXPECT_EQ(encoded_steps(EncoderKind::Direct, 25), 1);
  EXPECT_EQ(encoded_steps(EncoderKind::Rate, 25), 25);
  EXPECT_EQ(encoded_steps(EncoderKind::Latency, 25), 25);
  const std::vector<float> x = {0.f, 0.125f, 1.f, 0.3f, 0.999f, 0.5f};  // [B = 2, F = 3]
  std::vector<float> out(x.size() + 1, -7.f);
  Rng rng(1);
  EncoderParams p;
  p.kind = EncoderKind::Direct;
  encode(p, x.data(), 2, 3, /*T=*/25, rng, out.data());
  EXPECT_EQ(std::memcmp(out.data(), x.data(), sizeof(float) * x.size()), 0);
  EXPECT_EQ(out.back(), -7.f) << "direct writes exactly one step";
}

// Rate: s_t ~ Bernoulli(gain x), independent over t. Over T steps the count is
// Binomial(T, gain x): the mean is within 5 standard deviations,
// 5 sqrt(p (1 - p) / T), except with probability ~6e-7 per pixel (fixed seed,
// so in practice deterministic). p = 0 and p = 1 are exact.
TEST(Encoder, RateMeanFiringMatchesIntensity) {
  const int T = 4000, B = 2, F = 5;
  const std::vector<float> x = {0.f,   0.05f, 0.3f,  0.5f,  1.f,  //
                                0.77f, 0.95f, 0.01f, 0.62f, 0.18f};
  for (float gain : {1.f, 0.5f}) {
    SCOPED_TRACE("gain " + std::to_string(gain));
    EncoderParams p;
    p.kind = EncoderKind::Rate;
    p.rate_gain = gain;
    Rng rng(7);
    std::vector<float> out(size_t(T) * B * F);
    encode(p, x.data(), B, F, T, rng, out.data());
    std::vector<int> count(x.size(), 0), pair_count(x.size(), 0);
    for (int t = 0; t < T; ++t)
      for (size_t i = 0; i < x.size(); ++i) {
        const float s = out[t * x.size() + i];
        ASSERT_TRUE(s == 0.f || s == 1.f) << "spikes are 0 or 1, got " << s;
        count[i] += s == 1.f;
        if (t > 0) pair_count[i] += s == 1.f && out[(t - 1) * x.size() + i] == 1.f;
      }
    std::vector<double> rate(x.size()), pair(x.size());
    for (size_t i = 0; i < x.size(); ++i) rate[i] = double(count[i]) / T, pair[i] = double(pair_count[i]) / (T - 1);
    for (size_t i = 0; i < x.size(); ++i) {
      const double pi = double(gain) * x[i];
      const double sd = std::sqrt(pi * (1 - pi) / T);
      EXPECT_NEAR(rate[i], pi, 5 * sd) << "pixel " << i << " x = " << x[i];
      // Independence over t: P(s_t = s_{t-1} = 1) = p^2 (its sd <= sqrt(p^2/T)).
      EXPECT_NEAR(pair[i], pi * pi, 5 * std::sqrt(pi * pi * (1 - pi * pi) / (T - 1)) + 1e-12) << "pixel " << i;
    }
    EXPECT_EQ(rate[0], 0.0);  // x = 0 never fires
    if (gain == 1.f) {
      EXPECT_EQ(rate[4], 1.0);  // x = 1 always fires
    }
  }
}

TEST(Encoder, RateIsDeterministicPerSeed) {
  const std::vector<float> x(64, 0.5f);
  EncoderParams p;
  p.kind = EncoderKind::Rate;
  std::vector<float> a(8 * 64), b(8 * 64), c(8 * 64);
  Rng r1(3), r2(3), r3(4);
  encode(p, x.data(), 1, 64, 8, r1, a.data());
  encode(p, x.data(), 1, 64, 8, r2, b.data());
  encode(p, x.data(), 1, 64, 8, r3, c.data());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

// Latency: exactly one spike at t = round((1 - x)(T - 1)) when x > threshold,
// none otherwise. Values are chosen so (1 - x)(T - 1) is never near a .5 tie.
TEST(Encoder, LatencySingleSpikeAtRoundedTime) {
  const int T = 10, B = 2, F = 6;
  const std::vector<float> x = {0.f,  0.1f,  0.2f, 0.21f, 0.35f,   0.62f,  //
                                0.9f, 0.97f, 1.f,  0.44f, 0.2001f, 0.73f};
  EncoderParams p;
  p.kind = EncoderKind::Latency;
  p.latency_threshold = 0.2f;
  Rng rng(1);
  std::vector<float> out(size_t(T) * B * F, -1.f);
  encode(p, x.data(), B, F, T, rng, out.data());
  std::vector<float> want(out.size(), 0.f);
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] > p.latency_threshold)) continue;  // 0.2f itself does not fire
    const double tf = (1.0 - double(x[i])) * (T - 1);
    ASSERT_GT(std::fabs(tf - std::floor(tf) - 0.5), 1e-3) << "x = " << x[i] << " is a rounding tie";
    want[size_t(std::lround(tf)) * x.size() + i] = 1.f;
  }
  EXPECT_TRUE(all_close("latency spikes [T, B, F]", out, want, 0, 0));
  // Spot checks by hand: x = 1 fires at t = 0; 0.9 -> 0.9 -> 1; 0.21 -> 7.11 -> 7; 0.35 -> 5.85 -> 6.
  EXPECT_EQ(out[0 * 12 + 8], 1.f);
  EXPECT_EQ(out[1 * 12 + 6], 1.f);
  EXPECT_EQ(out[7 * 12 + 3], 1.f);
  EXPECT_EQ(out[6 * 12 + 4], 1.f);
  int spikes = 0;
  for (float s : out) spikes += s == 1.f;
  EXPECT_EQ(spikes, 9);  // 12 pixels, 3 at or below the threshold
}

TEST(Encoder, LatencyOneStepFiresAtZero) {
  const std::vector<float> x = {0.5f, 0.1f, 0.9f};
  EncoderParams p;
  p.kind = EncoderKind::Latency;
  Rng rng(1);
  std::vector<float> out(3, -1.f);
  encode(p, x.data(), 1, 3, /*T=*/1, rng, out.data());
  EXPECT_EQ(out, (std::vector<float>{1.f, 0.f, 1.f}));
}

TEST(Encoder, ParseNames) {
  for (EncoderKind k : {EncoderKind::Direct, EncoderKind::Rate, EncoderKind::Latency})
    EXPECT_EQ(parse_encoder_kind(encoder_name(k)), k);
  try {
    parse_encoder_kind("poisson");
    ADD_FAILURE() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("poisson"), std::string::npos) << e.what();
  }
}
