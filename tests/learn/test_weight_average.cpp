// The weight average against a double-precision transcription of the
// equations in learn/weight_average.h, and its swap / load contracts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "learn/weight_average.h"

using namespace spikeforge;

TEST(WeightAverage, FirstStepByHand) {
  // a_0 = (1, 2); p_1 = (3, 4); d_1 = min(0.5, 2 / 11) = 2 / 11;
  // a_1 = 2/11 (1, 2) + 9/11 (3, 4) = (29/11, 40/11).
  WeightAverage avg(0.5f, {1.f, 2.f});
  avg.update({3.f, 4.f});
  ASSERT_EQ(avg.steps(), 1);
  EXPECT_NEAR(avg.average()[0], 29.0 / 11.0, 1e-6);
  EXPECT_NEAR(avg.average()[1], 40.0 / 11.0, 1e-6);
}

TEST(WeightAverage, ManyStepsMatchTheDefinitionPastTheWarmUp) {
  // decay 0.9 caps the warm-up factor (1 + k) / (10 + k) from k = 81 on.
  const int n = 37, steps = 150;
  Rng rng(5);
  std::vector<float> p(n);
  for (float& v : p) v = rng.uniform(-1.f, 1.f);
  WeightAverage avg(0.9f, p);
  std::vector<double> ref(p.begin(), p.end());
  for (int k = 1; k <= steps; ++k) {
    for (float& v : p) v += rng.uniform(-0.1f, 0.1f);
    avg.update(p);
    const double d = std::min(double(0.9f), (1.0 + k) / (10.0 + k));
    for (int i = 0; i < n; ++i) ref[i] = d * ref[i] + (1 - d) * p[i];
  }
  for (int i = 0; i < n; ++i) EXPECT_NEAR(avg.average()[i], ref[i], 1e-5) << i;
  // A long average lags the weights it follows: it is not the last p.
  double diff = 0;
  for (int i = 0; i < n; ++i) diff += std::abs(avg.average()[i] - p[i]);
  EXPECT_GT(diff / n, 1e-3);
}

TEST(WeightAverage, SwapExchangesAndASecondSwapRestores) {
  WeightAverage avg(0.99f, {1.f, 2.f, 3.f});
  std::vector<float> p = {4.f, 5.f, 6.f};
  avg.swap(p);
  EXPECT_EQ(p, (std::vector<float>{1.f, 2.f, 3.f}));
  EXPECT_EQ(avg.average(), (std::vector<float>{4.f, 5.f, 6.f}));
  avg.swap(p);
  EXPECT_EQ(p, (std::vector<float>{4.f, 5.f, 6.f}));
  EXPECT_EQ(avg.average(), (std::vector<float>{1.f, 2.f, 3.f}));
}

TEST(WeightAverage, DecayZeroIsOff) {
  WeightAverage avg(0.f, {1.f, 2.f});
  std::vector<float> p = {3.f, 4.f};
  avg.update(p);
  avg.swap(p);
  EXPECT_FALSE(avg.active());
  EXPECT_EQ(p, (std::vector<float>{3.f, 4.f}));
  EXPECT_TRUE(avg.average().empty());
}

TEST(WeightAverage, LoadRestoresAndRejectsAWrongSize) {
  WeightAverage avg(0.9f, {0.f, 0.f});
  avg.load({1.f, 2.f}, 40, 2, "ck");
  EXPECT_EQ(avg.steps(), 40);
  avg.update({3.f, 4.f});  // d_41 = min(0.9, 42 / 51): the step count carries on
  EXPECT_NEAR(avg.average()[0], 42.0 / 51.0 * 1 + 9.0 / 51.0 * 3, 1e-6);
  try {
    avg.load({1.f, 2.f, 3.f}, 40, 2, "run/last.ckpt");
    FAIL() << "a 3-parameter average loaded into a 2-parameter network";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("run/last.ckpt"), std::string::npos) << e.what();
  }
}
